"""Sentences and clauses: one definition of a sentence for chunks, evidence, quotes, summaries and time frames.

A sentence ends at 。！？!? (with the closing quotes or brackets after it), or at a line break after a line that
ends in 。！？!?；;：:, after a line longer than SHORT_LINE, or before or after a heading line (一、 （一）). A short
unpunctuated line runs on into the next ("主要预期目标\\n是：…", a heading or a sentence broken across lines).
A clause ends at ，,；;：: or at the end of its sentence.

    sentences("一、总体要求\\n今年GDP增长5%。预期目标是…")  -> [(0, 6), (7, 17), (17, 23)]
    parts(text, start, end)                                -> sentences cut after ；(chunks are packed from these)
    clauses(text, start, end)                              -> the clause spans of [start, end)
    Breaks(text).sentence_start(pos), .clause_start(pos)   -> where the sentence (clause) holding pos starts
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from ragtool.zh.headings import section_heading_test
from ragtool.zh.marks import CLAUSE_MARKS, CLOSERS, LINE_END, TERMINAL

SHORT_LINE = 40  # an unpunctuated line this short runs on into the next

_END = re.compile(f"[{re.escape(TERMINAL)}]+[{re.escape(CLOSERS)}]*")
_CLAUSE_END = re.compile(f"(?:[{re.escape(TERMINAL + CLAUSE_MARKS)}]+[{re.escape(CLOSERS)}]*)|\n")
_PART_END = re.compile(f"[；;]+[{re.escape(CLOSERS)}]*")
_GLOSSARY_TERM = re.compile(r"[”\"」』]\s*[：:]$")  # 6.轨道交通“四网融合”：\n指… runs on into its definition

HeadingTest = Callable[[str], bool]


def _never(line: str) -> bool:
    return False


def sentences(text: str, is_heading: HeadingTest | None = None) -> list[tuple[int, int]]:
    """The sentences of `text` as trimmed, non-empty (start, end) spans in order. `is_heading` says which lines
    stand alone as headings (default: numbered headings of levels 1 and 2 in headings.toml, 一、 and （一）)."""
    spans: list[tuple[int, int]] = []
    start = 0
    lines = text.split("\n")
    heading = is_heading or (section_heading_test() if len(lines) > 1 else _never)
    pos = 0
    for n, line in enumerate(lines):
        line_end = pos + len(line)
        for m in _END.finditer(text, pos, line_end):
            _add(text, start, m.end(), spans)
            start = m.end()
        if n + 1 < len(lines):
            stripped = line.strip()
            nxt = lines[n + 1]
            ends = (not stripped or stripped[-1] in LINE_END or len(stripped) > SHORT_LINE or heading(line))
            ends = ends and not _GLOSSARY_TERM.search(stripped)
            if ends or heading(nxt):
                _add(text, start, line_end, spans)
                start = line_end + 1
        pos = line_end + 1
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def clauses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The clauses of text[start:end] as trimmed, non-empty spans, each with its closing mark."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    a = start
    for m in _CLAUSE_END.finditer(text, start, end):
        _add(text, a, m.end(), spans)
        a = m.end()
    _add(text, a, end, spans)
    return spans


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding `pos` starts: after the last sentence or clause mark before `pos` (0 if none)."""
    last = 0
    for m in _CLAUSE_END.finditer(text, 0, pos):
        last = m.end()
    return last


def parts(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The sentences of text[start:end] cut further after ；;: the statements of a run-on sentence
    (坚持…；坚持…；…), what chunks are packed from."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for a, b in sentences(text[start:end]):
        cut = start + a
        for m in _PART_END.finditer(text, start + a, start + b):
            _add(text, cut, m.end(), out)
            cut = m.end()
        _add(text, cut, start + b, out)
    return out


class Breaks:
    """Sentence and clause starts of one text, to ask where the sentence or clause holding a position starts."""

    def __init__(self, text: str, is_heading: HeadingTest | None = None) -> None:
        self.text = text
        self._sentences = [s for s, _ in sentences(text, is_heading)]
        self._clauses = [m.end() for m in _CLAUSE_END.finditer(text)]

    def sentence_start(self, pos: int) -> int:
        """Start of the sentence that holds (or ends just before) `pos`."""
        i = bisect.bisect_right(self._sentences, pos) - 1
        return self._sentences[i] if i >= 0 else 0

    def clause_start(self, pos: int) -> int:
        """Start of the clause that holds `pos`: after the last clause mark before it, within its sentence."""
        i = bisect.bisect_right(self._clauses, pos) - 1
        mark = self._clauses[i] if i >= 0 else 0
        return max(mark, self.sentence_start(pos))


_ITEM_STOP = re.compile(r"[，,。；;：:！？!?\n]")


def first_clauses(text: str, runs: list[list[re.Match[str]]], pos: int) -> list[tuple[int, int]]:
    """Each item's first clause, after its opening, of the run of item openings (一是…二是…, 要…要…) that covers
    pos; empty when none of at least two openings does."""
    for run in runs:
        if len(run) >= 2 and any(m.start() <= pos <= m.end() for m in run):
            out = []
            for m in run:
                stop = _ITEM_STOP.search(text, m.end())
                out.append((m.end(), stop.start() if stop else len(text)))
            return out
    return []
