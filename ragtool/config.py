"""Settings: environment variables, then ./ragtool.toml, then defaults."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

EmbedderName = Literal["local", "hash", "openai"]

PACKAGE_DIR = Path(__file__).resolve().parent
COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,48}[A-Za-z0-9]")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]+@")


class Settings(BaseSettings):
    """Every knob ragtool reads: RAGTOOL_<FIELD> env vars (and OPENAI_API_KEY, OPENAI_BASE_URL) win over
    ./ragtool.toml (same names in lower case, without the prefix), which wins over the defaults."""

    model_config = SettingsConfigDict(
        env_prefix="RAGTOOL_",
        toml_file="ragtool.toml",
        extra="ignore",
    )

    home: Path = Field(Path(".ragtool"))
    corpus: Path = Field(Path("seeds"))
    embedder: EmbedderName = Field("local")
    embed_model: str = Field("text-embedding-3-small")
    embed_batch: int = Field(64, ge=1)
    chroma_url: str | None = Field(None)
    chroma_timeout: float = Field(30.0, gt=0)  # seconds a Chroma server may take to answer one request
    collection: str = Field("ragtool")

    openai_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key"))
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url"))
    llm_model: str = Field("gpt-4o-mini")
    llm_context_tokens: int = Field(8000, ge=512)
    llm_timeout: float = Field(60.0, gt=0)
    llm_max_retries: int = Field(3, ge=0)

    chunk_tokens: int = Field(300, ge=32)
    chunk_overlap_sentences: int = Field(1, ge=0)
    top_k: int = Field(8, ge=1)
    lock_timeout: float = Field(60.0, ge=0)
    follow_symlinks: bool = Field(False)  # follow symlinks that lead outside the folder being ingested

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
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

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


def resolve_engine(settings: Settings, engine: str) -> str:
    """auto means the LLM when an OpenAI-compatible endpoint is configured, else the extractive engine."""
    if engine == "auto":
        return "llm" if settings.llm_configured else "extractive"
    if engine not in ("extractive", "llm"):
        from ragtool.errors import UsageError

        raise UsageError(f"unknown engine {engine!r}: use auto, extractive or llm")
    return engine
