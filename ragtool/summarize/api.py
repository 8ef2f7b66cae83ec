"""summarize_document: one document, either engine."""

from __future__ import annotations

from ragtool.config import Settings, resolve_engine
from ragtool.models import Chunk, Document, DocumentSummary


def summarize_document(
    settings: Settings, doc: Document, chunks: list[Chunk], engine: str = "extractive", use_cache: bool = True
) -> DocumentSummary:
    """A verified structured summary of `doc` (engine: extractive, llm or auto)."""
    engine = resolve_engine(settings, engine)
    if engine == "llm":
        from ragtool.summarize.llm import summarize_llm

        return summarize_llm(settings, doc, chunks, use_cache=use_cache)[0]
    from ragtool.summarize.extractive import summarize_extractive

    return summarize_extractive(settings, doc, chunks)

