"""Structured summaries of documents: officials, key figures, priorities, meeting and abstract."""

from __future__ import annotations

from ragtool.summarize.api import summarize_document

__all__ = ["summarize_document"]
