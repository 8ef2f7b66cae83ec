"""What-questions: a title in 《…》, the venue of a meeting (在…开幕), a glossary definition (“两新”:指…), or the phrase
between the question's verb and head noun (要打造成什么示范区 → …示范区); else a list."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors import listing
from ragtool.answer.spans import BOOK_TITLE, definition_span, what_span


def extract(e: Evidence, ctx: Context) -> list[Span]:
    q, v = ctx.q, ctx.vocab
    if any(c in q.text for c in v.title_cues):
        m = BOOK_TITLE.search(e.text)
        return [_span(e, m.start(1), m.end(1), 1.0)] if m else []
    if ctx.meeting.asks_venue(q.raw):  # 在哪里开幕: the venue of an opening (…在沧州国际会议中心大礼堂开幕)
        venue = ctx.meeting.venue_in(e.simp)
        if venue is not None:
            return [_span(e, *venue, 1.0)]
    asks_definition = any(c in q.text for c in v.definition_cues)
    if asks_definition:
        found = definition_span(e.simp, q.text)
        if found is not None:
            span = _span(e, *found, 1.0)
            span.features["definition"] = 1.0  # a glossary entry for the very term asked about
            return [span]
    found = what_span(e.simp, q.text)
    spans = listing.extract(e, ctx) if found is None else [_span(e, *found, 0.6)]
    for s in spans if asks_definition else []:
        s.features["definition"] = 0.0  # a definition was asked and this is no glossary entry
    return spans


def _span(e: Evidence, start: int, end: int, fit: float) -> Span:
    span = Span(e, start, end, re.sub(r"\s*\n\s*", "", e.text[start:end]).strip("，,；;：: "))
    span.features["fit"] = fit
    return span
