"""Settings: environment variables, then ./ragtool.toml, then defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

EmbedderName = Literal["local", "hash", "openai"]

PACKAGE_DIR = Path(__file__).resolve().parent


def _env(name: str) -> Any:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Every knob ragtool reads. Env vars win over ragtool.toml, which wins over defaults."""

    model_config = SettingsConfigDict(
        toml_file="ragtool.toml",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(Path(".ragtool"), validation_alias=_env("RAGTOOL_HOME"))
    corpus: Path = Field(Path("seeds"), validation_alias=_env("RAGTOOL_CORPUS"))
    embedder: EmbedderName = Field("local", validation_alias=_env("RAGTOOL_EMBEDDER"))
    embed_model: str = Field("text-embedding-3-small", validation_alias=_env("RAGTOOL_EMBED_MODEL"))
    embed_batch: int = Field(64, validation_alias=_env("RAGTOOL_EMBED_BATCH"))
    chroma_url: str | None = Field(None, validation_alias=_env("RAGTOOL_CHROMA_URL"))
    collection: str = Field("ragtool", validation_alias=_env("RAGTOOL_COLLECTION"))

    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    llm_model: str = Field("gpt-4o-mini", validation_alias=_env("RAGTOOL_LLM_MODEL"))
    llm_context_tokens: int = Field(8000, validation_alias=_env("RAGTOOL_LLM_CONTEXT_TOKENS"))
    llm_timeout: float = Field(60.0, validation_alias=_env("RAGTOOL_LLM_TIMEOUT"))
    llm_max_retries: int = Field(3, validation_alias=_env("RAGTOOL_LLM_MAX_RETRIES"))

    chunk_tokens: int = Field(300, validation_alias=_env("RAGTOOL_CHUNK_TOKENS"))
    chunk_overlap_sentences: int = Field(1, validation_alias=_env("RAGTOOL_CHUNK_OVERLAP"))
    top_k: int = Field(8, validation_alias=_env("RAGTOOL_TOP_K"))
    lock_timeout: float = Field(60.0, validation_alias=_env("RAGTOOL_LOCK_TIMEOUT"))

    data_dir: Path | None = Field(None, validation_alias=_env("RAGTOOL_DATA_DIR"))
    prompts_dir: Path | None = Field(None, validation_alias=_env("RAGTOOL_PROMPTS_DIR"))

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
            else:
                out[name] = value
        return out


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
