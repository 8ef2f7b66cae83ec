"""Document-level context for the extractive rules: the document's year and its year-bearing sections."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ragtool.models import Document
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import make_view

FigureType = Literal["actual", "target"]

YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
DATE = re.compile(r"((?:19|20)\d{2})(?:-\d{1,2}-\d{1,2}|\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
SENTENCE = re.compile(r"[^。!?\n]+[。!?]?")
MAX_HEADING = 40


@dataclass(frozen=True)
class Section:
    start: int  # position in the document text
    year: int | None
    type: FigureType


@dataclass(frozen=True)
class DocContext:
    year: int | None
    sections: list[Section]

    def section_at(self, pos: int) -> Section | None:
        """The year-bearing section (e.g. 2025年工作安排) that contains document position `pos`."""
        starts = [s.start for s in self.sections]
        i = bisect.bisect_right(starts, pos) - 1
        return self.sections[i] if i >= 0 else None


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of `text` (split at 。!? and line ends)."""
    for m in SENTENCE.finditer(text):
        yield m.start(), m.end()


def document_year(doc: Document) -> int | None:
    """DocMeta.year, else the first full date near the top of the text, else the latest year in the title."""
    if doc.meta.year:
        return doc.meta.year
    head = make_view(doc.text[:1500]).text
    m = DATE.search(head)
    if m:
        return int(m.group(1))
    years = [int(y) for y in YEAR.findall(make_view(doc.meta.title).text)]
    return max(years) if years else None


def is_heading(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= MAX_HEADING and not line.endswith(("。", ";", ",", ":"))


def heading_section(line: str, start: int, rules: Rules, year: int | None) -> Section | None:
    """The Section a heading opens, if it names a period: 2024年工作回顾, 二、2025年工作安排, 过去一年工作回顾."""
    if not is_heading(line):
        return None
    actual = any(w in line for w in rules.section_cue("actual"))
    target = not actual and any(w in line for w in rules.section_cue("target"))
    if not (actual or target):
        return None
    m = YEAR.search(line)
    if m:
        return Section(start, int(m.group(1)), "actual" if actual else "target")
    for word, delta in rules.relative_years().items():
        if word in line and year is not None:
            return Section(start, year + delta, "actual" if actual else "target")
    return None


def document_context(doc: Document, rules: Rules) -> DocContext:
    year = document_year(doc)
    sections: list[Section] = []
    pos = 0
    for raw in doc.text.split("\n"):
        section = heading_section(make_view(raw).text, pos, rules, year)
        if section is not None:
            sections.append(section)
        pos += len(raw) + 1
    return DocContext(year, sections)
