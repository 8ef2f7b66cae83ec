"""Library API: what the CLI, the eval harness and users' scripts call."""

from __future__ import annotations

from typing import Literal

from ragtool.config import Settings
from ragtool.models import Answer, RetrievedChunk

EngineName = Literal["auto", "extractive", "llm"]


class Session:
    """An open index plus engines, reused across many questions (ask -f, eval)."""

    def __init__(self, settings: Settings, *, sync: bool = True) -> None:
        self.settings = settings
        self.sync = sync

    def ask(
        self,
        question: str,
        *,
        engine: EngineName = "auto",
        top_k: int | None = None,
        place: str | None = None,
        year: int | None = None,
        doc: str | None = None,
        use_cache: bool = True,
    ) -> Answer:
        return self.ask_with_context(
            question, engine=engine, top_k=top_k, place=place, year=year, doc=doc, use_cache=use_cache
        )[0]

    def ask_with_context(
        self,
        question: str,
        *,
        engine: EngineName = "auto",
        top_k: int | None = None,
        place: str | None = None,
        year: int | None = None,
        doc: str | None = None,
        use_cache: bool = True,
    ) -> tuple[Answer, list[RetrievedChunk]]:
        """The answer and the retrieved chunks it was drawn from (best first)."""
        raise NotImplementedError
