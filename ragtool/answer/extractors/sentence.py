"""Other questions: the sentence that holds the question's words."""

from __future__ import annotations

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors.number import keyword_spans


def extract(e: Evidence, ctx: Context) -> list[Span]:
    if ctx.q.keywords and not keyword_spans(e.simp, ctx.q.keywords):
        return []
    span = Span(e, 0, len(e.text), e.text)
    span.features["fit"] = 0.5
    return [span]
