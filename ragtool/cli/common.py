"""Options shared by several commands, and Settings built from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from ragtool.config import Settings, load_settings
from ragtool.errors import RagtoolError, UsageError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Home = Annotated[Path | None, typer.Option("--home", help="Index folder (RAGTOOL_HOME; default from ragtool.toml, else the per-user home).")]
EmbedderOpt = Annotated[
    str | None, typer.Option("--embedder", help="local (default), hash or openai (RAGTOOL_EMBEDDER).")
]
ChromaUrl = Annotated[
    str | None, typer.Option("--chroma-url", help="Use a Chroma server, e.g. http://host:8000 (RAGTOOL_CHROMA_URL).")
]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="auto (llm when an endpoint is configured), extractive or llm.")
]
TopK = Annotated[int | None, typer.Option("--top-k", min=1, help="Chunks to retrieve (RAGTOOL_TOP_K, default 8).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Bypass the LLM response cache.")]
NoSync = Annotated[bool, typer.Option("--no-sync", help="Don't sync RAGTOOL_CORPUS into the index first.")]


def settings_from(**overrides: Any) -> Settings:
    """Settings from env and ragtool.toml, with command-line overrides; bad values are usage errors."""
    try:
        return load_settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise UsageError(f"invalid setting {where}: {first.get('msg')}") from e
    except RagtoolError:
        raise
    except Exception as e:  # a malformed ragtool.toml
        raise UsageError(f"cannot read settings: {e}") from e
