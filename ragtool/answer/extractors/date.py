"""Dates: an event date near the question's words (——2026年1月25日在…会议上); a publication date only when
publication is asked. A meeting's opening day may be written without its month (27日上午, resolved against the
document's date); asked where too, the answer runs on to the venue (1月31日上午,…在区行政会议中心开幕)."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import coverage
from ragtool.zh.dates import FULL_DATE, clock_times, dates, day_of_month, relative_day

_CLOCK = re.compile(r"\s*\d{1,2}(?::\d{2}|时)")
_UNTIL = re.compile(r"\s*(?:至|到|—|－|-|~)\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2})\s*日")  # 1月19日至20日
_HELD = re.compile(r"\s*[(（]?\s*在[^，,。；;\n]{0,40}?(?:会议|大会)")


def extract(e: Evidence, ctx: Context) -> list[Span]:
    if ctx.meeting.asks_clock(ctx.q.text):
        return _clock(e, ctx)
    out = []
    for d in dates(e.text, e.meta.year):  # a day without its year is in the document's year
        year = f"{d.year}年" if d.year else ""
        out.append(Span(e, d.start, d.end, f"{year}{d.month}月{d.day}日"))
    for bare in (day_of_month(e.simp, e.meta.date), relative_day(e.simp, e.meta.date, ctx.meeting.day_words())):
        if bare is not None and not any(s.start <= bare[0].start() < s.end for s in out):
            m, day = bare
            out.append(Span(e, m.start(), m.end(), day))
    out = sorted(out, key=lambda s: s.start)[:4]
    closing = ctx.meeting.asks_closing(ctx.q.text)
    kept = []
    for span in out:
        fit = _fit(span, ctx)
        event = ctx.meeting.event_after(e.simp, span.end)
        if fit is None or (closing and event != "close"):
            continue  # a publication date not asked; 哪天闭幕: the day it opened is no answer
        span.features.update(fit=max(fit, 0.75) if event else fit)  # 1月6日，市委经济工作会议召开: the day it was held
        _until(span)
        if not closing:
            _with_venue(span, ctx)
        kept.append(span)
    return kept


def _clock(e: Evidence, ctx: Context) -> list[Span]:
    """几点开幕: the times of day in the sentence, the one its meeting's verb follows first (上午8点33分，…宣布大会开幕)."""
    out = []
    for m, _ in clock_times(e.simp):
        span = Span(e, m.start(), m.end(), e.text[m.start() : m.end()].strip())  # as printed: 上午8点33分
        event = ctx.meeting.event_after(e.simp, m.end())
        closing = ctx.meeting.asks_closing(ctx.q.text)
        if closing and event != "close":
            continue
        span.features["fit"] = max(coverage(ctx.q, e.simp[max(0, m.start() - 30) : m.end() + 30]) / 2,
                                   1.0 if event else 0.0)
        out.append(span)
    return out


def _until(span: Span) -> None:
    """A meeting held over several days (1月19日至20日): the answer runs on to its last day."""
    m = _UNTIL.match(span.e.simp, span.end)
    if m is not None:
        span.value = f"{span.value}至{m.group(1) + '月' if m.group(1) else ''}{m.group(2)}日"
        span.end = m.end()


def _with_venue(span: Span, ctx: Context) -> None:
    """A meeting's opening day, asked where too: the answer runs on to the venue (…在永州会堂开幕)."""
    venue = ctx.meeting.opened_after(span.e.simp, span.end)
    if venue is None:
        return
    span.features["fit"] = max(span.features.get("fit", 0.0), 0.75)  # the day a meeting opened
    if ctx.meeting.asks_venue(ctx.q.raw):
        span.value = f"{span.value}{span.e.text[span.end : venue[1]]}".strip()
        span.end = venue[1]


def held_at(simp: str, end: int) -> bool:
    """——2026年1月25日在…会议上: the date ending at `end` is the day of the meeting named after it."""
    return _HELD.match(simp, end) is not None


def _fit(span: Span, ctx: Context) -> float | None:
    simp, v = span.e.simp, ctx.vocab
    before = simp[max(0, span.start - 8) : span.start]
    # 2026-02-02 09:20, 2026年02月10日 07时41分, a bare 2026-01-22: when a page was posted
    numeric = FULL_DATE.match(simp, span.start)
    stamped = bool(_CLOCK.match(simp, span.end) or (numeric and numeric.group(4)))  # 2026-01-22, 2026/1/22
    held = 1.0 if held_at(simp, span.end) else 0.0  # ——2026年1月25日在…会议上: the day of the meeting
    published = not held and (stamped or any(c in before for c in v.publication_cues))  # 来源：…日报\n2026年2月6日在…
    asks_publication = any(c in ctx.q.text for c in v.publish_question_cues)
    if published and not asks_publication:
        return None  # when a page was posted is no event's day
    if published != asks_publication:
        return 0.0
    return (coverage(ctx.q, simp[max(0, span.start - 30) : span.end + 30]) + held) / 2
