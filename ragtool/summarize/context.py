"""Document-level context for the extractive rules: the document's year and the time frames of its text."""

from __future__ import annotations

from dataclasses import dataclass

from ragtool.models import Document
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import TextView, make_view
from ragtool.zh import dates
from ragtool.zh.dates import full_dates
from ragtool.zh.timeframe import TimeFrame, Timeline


@dataclass(frozen=True)
class DocContext:
    year: int | None
    timeline: Timeline  # over the view text of the whole document
    place: str = ""  # the document's main place as the view writes it (厚街镇), "" when unknown

    def frame_at(self, pos: int) -> TimeFrame:
        """The time frame at view position `pos` (ragtool.zh.timeframe)."""
        return self.timeline.at(pos)


def document_year(doc: Document) -> int | None:
    """DocMeta.year, else the first full date near the top of the text, else the latest year in the title."""
    if doc.meta.year:
        return doc.meta.year
    head = make_view(doc.text[:1500]).text
    found = full_dates(head)
    if found and found[0].year:
        return found[0].year
    years = dates.years(make_view(doc.meta.title).text)
    return max(years) if years else None


def document_context(doc: Document, rules: Rules, view: TextView | None = None) -> DocContext:
    year = document_year(doc)
    view = view or make_view(doc.text)
    place = make_view(doc.meta.place or "").text
    return DocContext(year, Timeline.build(view.text, year, rules.time_cues), place)
