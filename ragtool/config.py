"""Settings: environment variables, then the project's ragtool.toml (found like git finds .git), then defaults."""

from __future__ import annotations

import difflib
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ragtool.datafiles import tomllib
from ragtool.errors import UsageError

EmbedderName = Literal["local", "hash", "openai"]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_FILE = "ragtool.toml"
PATH_FIELDS = ("home", "corpus", "data_dir", "prompts_dir")  # relative values in ragtool.toml: against its folder


def find_project_file(start: Path | None = None) -> Path | None:
    """ragtool.toml in the start folder (default: the current one) or the nearest parent that has one."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def user_home() -> Path:
    """The per-user home used when no ragtool.toml is found (~/.local/share/ragtool on Linux)."""
    from platformdirs import user_data_path

    return Path(user_data_path("ragtool", appauthor=False))


def _default_home() -> Path:
    return user_home()


def _default_corpus() -> Path:
    return user_home() / "corpus"

COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,48}[A-Za-z0-9]")
# Anchored on the literal "://" (then checked to follow a scheme character), not on the scheme: a scheme-first
# pattern is tried at every letter of a run of letters and rescans the run each time (quadratic: 9 min for a
# 1.9 M-letter word; now 0.01 s).
_URL_PASSWORD = re.compile(r"(?P<head>://(?<=[A-Za-z0-9+.-]://)[^/\s:@]*):[^/\s@]+@")


class Settings(BaseSettings):
    """Every knob ragtool reads: RAGTOOL_<FIELD> env vars (and OPENAI_API_KEY, OPENAI_BASE_URL) win over
    ragtool.toml in the current folder or a parent (same names in lower case, without the prefix; relative paths
    against the file's folder), which wins over the defaults (a per-user home)."""

    model_config = SettingsConfigDict(
        env_prefix="RAGTOOL_",
        extra="ignore",
    )

    home: Path = Field(default_factory=_default_home)
    corpus: Path = Field(default_factory=_default_corpus)
    embedder: EmbedderName = Field("local")
    embed_model: str = Field("text-embedding-3-small")
    embed_batch: int = Field(64, ge=1)
    embed_threads: int | None = Field(None, ge=1)  # local embedder's OpenMP threads (default: every core)
    embed_wait_policy: Literal["passive", "active"] = Field("passive")  # OpenMP: idle threads sleep, not spin
    chroma_url: str | None = Field(None)
    chroma_timeout: float = Field(30.0, gt=0)  # seconds a Chroma server may take to answer one request
    collection: str = Field("ragtool")

    openai_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key"))
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url"))
    llm_model: str = Field("gpt-4o-mini")
    llm_context_tokens: int = Field(8000, ge=512)
    llm_timeout: float = Field(60.0, gt=0)
    llm_max_retries: int = Field(3, ge=0)
    # --engine auto: seconds the LLM may take before the extractive engine's answer is kept
    llm_auto_seconds: float = Field(30.0, gt=0)

    chunk_tokens: int = Field(300, ge=32)
    chunk_overlap_sentences: int = Field(1, ge=0)
    top_k: int = Field(8, ge=1)
    lock_timeout: float = Field(60.0, ge=0)
    follow_symlinks: bool = Field(False)  # follow symlinks that lead outside the folder being ingested
    ocr: bool = Field(True)  # read scanned PDF pages and images by OCR (limits in data/limits.toml [ocr])

    data_dir: Path | None = Field(None)
    prompts_dir: Path | None = Field(None)

    @field_validator("home", "corpus", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty (leave it out for the default)")
        return value

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not COLLECTION_NAME.fullmatch(value) or ".." in value:
            raise ValueError(f"{value!r} is not a collection name: 3-50 letters, digits, '.', '_' or '-', "
                             "starting and ending with a letter or digit")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, ProjectFileSource(settings_cls, find_project_file()))

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)

    def data_path(self, name: str) -> Path:
        """A data file: the user's copy in data_dir if it exists, else the bundled one."""
        if self.data_dir is not None and (self.data_dir / name).exists():
            return self.data_dir / name
        return PACKAGE_DIR / "data" / name

    def prompt_path(self, name: str) -> Path:
        """A prompt file: prompts_dir, the repo's prompts/, or the copy bundled in the wheel."""
        for base in (self.prompts_dir, PACKAGE_DIR.parent / "prompts", PACKAGE_DIR / "_prompts"):
            if base is not None and (base / name).exists():
                return base / name
        return PACKAGE_DIR.parent / "prompts" / name

    def masked(self) -> dict[str, Any]:
        """Effective settings as plain values, secrets masked."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                out[name] = mask_secret(value.get_secret_value())
            elif isinstance(value, Path):
                out[name] = str(value)
            elif isinstance(value, str):
                out[name] = mask_url_passwords(value)
            else:
                out[name] = value
        return out


class ProjectFileSource(PydanticBaseSettingsSource):
    """Values from a ragtool.toml: unknown keys are an error, relative paths are resolved against its folder."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.data = read_project_file(path, settings_cls) if path is not None else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


def read_project_file(path: Path, settings_cls: type[BaseSettings]) -> dict[str, Any]:
    """The settings in a ragtool.toml; UsageError naming an unknown key and the closest valid one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"cannot read settings from {path}: {e}") from e
    valid = sorted(settings_cls.model_fields)
    for key in data:
        if key not in valid:
            close = difflib.get_close_matches(key.lower().replace("-", "_"), valid, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (valid keys: {', '.join(valid)})"
            raise UsageError(f"unknown setting {key!r} in {path}{hint}")
    base = path.parent
    for key in PATH_FIELDS:
        if isinstance(data.get(key), str) and data[key]:  # an empty one stays empty: the validator names it
            data[key] = str(base / os.path.expanduser(data[key]))
    return data


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every URL in it masked: http://user:pass@host -> http://user:***@host."""
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)


def mask_secret(secret: str | None) -> str | None:
    """Show only enough of a key to tell keys apart: 'sk-…1234'."""
    if not secret:
        return None
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"{secret[:3]}…{tail}" if tail else "…"


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI overrides applied (None values are ignored)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)


def default_settings() -> Settings:
    """load_settings() without overrides, made once per environment, working folder and ragtool.toml (for code that
    reads a data file without being handed Settings, several times a question)."""
    project = find_project_file()
    stamp = project.stat().st_mtime_ns if project is not None else 0
    return _settings_for(tuple(sorted(os.environ.items())), str(Path.cwd()), str(project), stamp)


@lru_cache(maxsize=8)
def _settings_for(environ: tuple[tuple[str, str], ...], cwd: str, project: str, stamp: int) -> Settings:
    return load_settings()


def resolve_engine(settings: Settings, engine: str) -> str:
    """auto means the LLM when an OpenAI-compatible endpoint is configured, else the extractive engine."""
    if engine == "auto":
        return "llm" if settings.llm_configured else "extractive"
    if engine not in ("extractive", "llm"):
        raise UsageError(f"unknown engine {engine!r}: use auto, extractive or llm")
    return engine
