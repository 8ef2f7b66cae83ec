"""Dates: an event date near the question's words (——2026年1月25日在…会议上); a publication date only when
publication is asked."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import coverage
from ragtool.answer.spans import DATE, ISO_DATE


def extract(e: Evidence, ctx: Context) -> list[Span]:
    out = []
    for m in DATE.finditer(e.text):
        year = "" if m.group(1) or not e.meta.year else f"{e.meta.year}年"
        out.append(Span(e, m.start(), m.end(), year + re.sub(r"\s+", "", m.group())))
    for m in ISO_DATE.finditer(e.text):
        y, mo, d = m.groups()
        out.append(Span(e, m.start(), m.end(), f"{y}年{int(mo)}月{int(d)}日"))
    for span in out[:4]:
        span.features.update(fit=_fit(span, ctx))
    return out[:4]


def _fit(span: Span, ctx: Context) -> float:
    simp, v = span.e.simp, ctx.vocab
    before = simp[max(0, span.start - 8) : span.start]
    published = any(c in before for c in v.publication_cues)
    asks_publication = any(c in ctx.q.text for c in v.publish_question_cues)
    if published != asks_publication:
        return 0.0
    return coverage(ctx.q, simp[max(0, span.start - 30) : span.end + 30])
