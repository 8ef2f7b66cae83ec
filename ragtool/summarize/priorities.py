"""Priorities: numbered headings (一、…, (一)…) and numbered programmes (“投资扩能、产业提质、城市更新”三大行动)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ragtool.models import Priority
from ragtool.summarize.context import DocContext
from ragtool.summarize.provenance import Found
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import TextView
from ragtool.zh import dates, numerals
from ragtool.zh.directives import directive_pattern
from ragtool.zh.headings import HeadingRules, heading_rules, numbered
from ragtool.zh.officials import alternation
from ragtool.zh.words import WordRules, is_boundary

CN_NUM = "[一二两三四五六七八九十]{1,3}|\\d{1,2}"
QUOTE_MARKS = "“”‘’\"'「」『』"


@dataclass
class PriorityFinder:
    rules: Rules
    ctx: DocContext
    table: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.table = dict(self.rules.priorities)

    @cached_property
    def programme(self) -> re.Pattern[str]:
        nouns = alternation(list(self.table.get("programme_nouns", [])))
        items = r"“(?P<quoted>[^“”\n]{2,80})”|(?P<plain>[\u4e00-\u9fff]{2,12}(?:、[\u4e00-\u9fff]{2,10})+)"
        return re.compile(rf"(?:{items})(?P<n>{CN_NUM})(?P<big>大|个|项|条)?(?P<noun>{nouns})")

    @cached_property
    def directive(self) -> re.Pattern[str]:
        return directive_pattern(tuple(str(v) for v in self.table.get("directive_verbs", [])))

    def directives(self, view: TextView) -> list[Found[Priority]]:
        """The parallel directives of a party meeting (要聚焦…,…。要坚持…): the first clause of each."""
        out: list[Found[Priority]] = []
        for m in self.directive.finditer(view.text) if self.table.get("directive_verbs") else ():
            start = m.end()
            stop = re.search(r"[,;。:!?\n]", view.text[start : start + 200])
            end = self._shorten(view.text, start, start + (stop.start() if stop else 0))
            if end is None:
                continue
            quote_end = start + (stop.start() if stop else end - start)
            priority = Priority(text=view.clean_cut(start, end).strip(), quote=view.cut(m.end() - 1, quote_end))
            out.append(Found(priority, view.span(m.end() - 1, quote_end)))
        return out if len(out) >= int(self.table.get("min_directives", 2)) else []

    @property
    def max_chars(self) -> int:
        return int(self.table.get("max_chars", 40))

    def programmes(self, view: TextView) -> list[Found[Priority]]:
        """Items of numbered programmes in a document, given the view of its whole text."""
        out: list[Found[Priority]] = []
        for m in self.programme.finditer(view.text):
            n = numerals.number(m.group("n"))
            if m.group("plain") and m.group("big") != "大":
                continue
            group = "quoted" if m.group("quoted") else "plain"
            items = _split_items(view, m.start(group), m.end(group))
            if n is None or len(items) != n:
                continue
            if group == "plain":
                items[0] = _trim_first(view.text, items, self.rules.words)
            quote, span = view.cut(*m.span()), view.span(*m.span())
            out.extend(Found(Priority(text=_unquote(view.clean_cut(a, b)), quote=quote), span) for a, b in items)
        return out

    def headings(self, view: TextView) -> list[tuple[bool, Found[Priority]]]:
        """Numbered headings, each with whether it sits in a section about plans (安排/目标)."""
        out: list[tuple[bool, Found[Priority]]] = []
        structural = self.rules.section_cue("structural") + self.rules.section_cue("actual")
        rules = heading_rules()
        for first, start, stop in _numbered_lines(view.text, rules):
            end = self._shorten(view.text, start, stop)
            if end is None:
                continue
            text = view.text[start:end].strip()
            if any(w in text for w in structural) or (dates.years(text) and len(text) < 16):
                continue
            forward = self.ctx.frame_at(start).role == "target"
            priority = Priority(text=view.clean_cut(start, end).strip(), quote=view.cut(first, end).strip())
            out.append((forward, Found(priority, view.span(first, end))))
        return out

    def _shorten(self, text: str, start: int, end: int) -> int | None:
        if end - start <= self.max_chars:
            return end if end - start >= 2 else None
        cut = max(text.rfind(",", start, start + self.max_chars), text.rfind(";", start, start + self.max_chars))
        return cut if cut - start >= 4 else None


def _numbered_lines(text: str, rules: HeadingRules) -> Iterator[tuple[int, int, int]]:
    """(number start, words start, heading end) of each numbered heading of `text`, however long."""
    pos = 0
    for line in text.split("\n"):
        found = numbered(line, rules, max_chars=len(line))
        if found is not None and found.body_start < found.end:
            yield pos + len(line) - len(line.lstrip()), pos + found.body_start, pos + found.end
        pos += len(line) + 1


def _split_items(view: TextView, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for m in re.finditer(r"[、,]", view.text[start:end]):
        spans.append((pos, start + m.start()))
        pos = start + m.end()
    spans.append((pos, end))
    return [(a, b) for a, b in spans if b > a]


def _trim_first(text: str, items: list[tuple[int, int]], words: WordRules) -> tuple[int, int]:
    """Unquoted lists start after a verb (通过典型引领): trim the first item to about the others' usual length, at a
    word boundary (never 型引领)."""
    a, b = items[0]
    usual = int(statistics.median(e - s for s, e in items[1:]))
    start = max(a, b - usual)
    return (next((i for i in range(start, a, -1) if is_boundary(text, i, words)), a), b)


def _unquote(text: str) -> str:
    return text.strip(QUOTE_MARKS + " ")
