"""Dates: an event date near the question's words (——2026年1月25日在…会议上); a publication date only when
publication is asked."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import coverage
from ragtool.zh.dates import dates

_CLOCK = re.compile(r"\s*\d{1,2}(?::\d{2}|时)")
_HELD = re.compile(r"\s*[(（]?\s*在[^，,。；;\n]{0,40}?(?:会议|大会)")


def extract(e: Evidence, ctx: Context) -> list[Span]:
    out = []
    for d in dates(e.text, e.meta.year):  # a day without its year is in the document's year
        year = f"{d.year}年" if d.year else ""
        out.append(Span(e, d.start, d.end, f"{year}{d.month}月{d.day}日"))
    for span in out[:4]:
        span.features.update(fit=_fit(span, ctx))
    return out[:4]


def _fit(span: Span, ctx: Context) -> float:
    simp, v = span.e.simp, ctx.vocab
    before = simp[max(0, span.start - 8) : span.start]
    stamped = bool(_CLOCK.match(simp, span.end))  # 2026-02-02 09:20, 2026年02月10日 07时41分: when a page was posted
    published = stamped or any(c in before for c in v.publication_cues)
    asks_publication = any(c in ctx.q.text for c in v.publish_question_cues)
    if published != asks_publication:
        return 0.0
    held = 1.0 if _HELD.match(simp, span.end) else 0.0  # ——2026年1月25日在…会议上: the day of the meeting
    return (coverage(ctx.q, simp[max(0, span.start - 30) : span.end + 30]) + held) / 2
