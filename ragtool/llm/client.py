"""LLM client (INTERFACE STUB: the LLM helper implements it; keep these signatures)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from ragtool.config import Settings
from ragtool.models import Usage

T = TypeVar("T", bound=BaseModel)


class LLMClient:
    """One OpenAI-compatible endpoint: structured output with fallbacks, retries, disk cache, usage."""

    def __init__(self, settings: Settings, use_cache: bool = True) -> None:
        self.settings = settings
        self.use_cache = use_cache

    def structured(
        self, messages: list[dict[str, str]], schema: type[T], *, name: str, temperature: float = 0.0
    ) -> tuple[T, Usage]:
        """Ask for `schema`: json_schema, then json_object, then plain JSON extraction; validate,
        re-ask once with the validation error. Raises ProviderError with a one-line message."""
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    @property
    def raw(self) -> Any:
        """The underlying openai.OpenAI client (for files/batches)."""
        raise NotImplementedError
