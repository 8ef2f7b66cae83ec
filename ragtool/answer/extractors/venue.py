"""Venues: where a meeting opened or was held, as its news says (…在沧州国际会议中心大礼堂开幕)."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import coverage


def extract(e: Evidence, ctx: Context) -> list[Span]:
    found = ctx.meeting.venue_in(e.simp)
    if found is None:
        return []
    start, end = found
    span = Span(e, start, end, re.sub(r"\s+", "", e.text[start:end]))
    span.features["fit"] = coverage(ctx.q, e.simp)  # the meeting the question names
    return [span]
