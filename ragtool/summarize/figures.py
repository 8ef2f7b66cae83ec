"""Key figures: a value with its unit next to an indicator name, dated and typed by its time frame.

The time frame (year or five-year plan, target or actual) comes from ragtool.timeframe: a 2026 report's
"地区生产总值增长5%左右" under 2026年工作安排 is a 2026 target, its "“十五五”时期…年均增长5%左右" a 十五五 target
(no single year), and its "地区生产总值增长5.4%" under 2025年工作回顾 a 2025 result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ragtool.models import KeyFigure
from ragtool.officials import alternation
from ragtool.places import place_stems
from ragtool.summarize.context import DocContext
from ragtool.summarize.provenance import Found
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import TextView
from ragtool.textnorm import halfwidth
from ragtool.timeframe import TimeFrame
from ragtool.zh.sentences import sentences

NUM = r"\d+(?:\.\d+)?"
CLAUSE_BREAK = re.compile(r"[,;:]")


@dataclass(frozen=True)
class FigurePatterns:
    """Regexes built once per Rules."""

    rules: Rules

    @cached_property
    def indicator(self) -> re.Pattern[str]:
        return re.compile(alternation(list(self.rules.form_to_indicator())))

    @cached_property
    def _number(self) -> str:
        joins = alternation(["、", "和", *self.rules.figure_cue("range_marks")])
        return rf"{NUM}(?:%?(?:{joins}){{1,2}}{NUM})*"

    def _value(self, optional_change: bool) -> re.Pattern[str]:
        cue = self.rules.figure_cue
        chg = rf"(?P<chg>{alternation(cue('change_words'))})" + ("?" if optional_change else "")
        return re.compile(
            rf"(?P<pre>{alternation(cue('prefix_qualifiers'))})?{chg}"
            rf"(?P<num>{self._number})(?P<unit>{alternation(cue('units'))})"
            rf"(?P<suf>{alternation(cue('suffix_qualifiers'))})?"
        )

    @cached_property
    def value(self) -> re.Pattern[str]:
        return self._value(optional_change=True)

    @cached_property
    def word_value(self) -> re.Pattern[str]:
        return re.compile(f"(?P<word>{alternation(self.rules.figure_cue('word_values'))})")

    @cached_property
    def follow(self) -> re.Pattern[str]:
        """A second value right after the first: "411亿元,同比增长3.6%"."""
        return re.compile(r"[,、]?" + self._value(optional_change=False).pattern)


def split_figure(figure: KeyFigure, rules: Rules) -> KeyFigure:
    """A figure (e.g. from the LLM) with `number`, `change` and `as_written` filled from its value as written."""
    if figure.number is not None or figure.change:
        return figure
    m = FigurePatterns(rules).value.search(halfwidth(figure.value))
    update: dict[str, object] = {"as_written": figure.as_written or figure.value}
    if m is not None:
        chg = (m.group("pre") or "") + (m.group("chg") or "")
        if any(w in chg for w in rules.figure_cue("change_words")):
            decline = any(w in chg for w in rules.figure_cue("decline_words"))
            update["change"] = f"{'-' if decline else '+'}{m.group('num')}{m.group('unit')}"
        elif re.fullmatch(NUM, m.group("num")):  # not a range or a list (4.5%—5%)
            update["number"] = float(m.group("num"))
    return figure.model_copy(update=update)


def _gap_ok(gap: str, rules: Rules) -> bool:
    if len(gap) > rules.figure_setting("max_gap", 12) or CLAUSE_BREAK.search(gap):
        return False
    return not any(w in gap for w in rules.figure_cue("gap_stops"))


def _qualifier(m: re.Match[str], sentence_head: str, frame: TimeFrame) -> str:
    parts: list[str] = []
    if frame.kind == "plan":  # the period of a plan figure: 十五五, 2023-2025年
        parts.append(frame.plan or (f"{frame.years[0]}-{frame.years[1]}年" if frame.years else "年均" * frame.average))
    if "预计" in sentence_head and m.group("pre") != "预计":
        parts.append("预计")
    pre, chg = m.group("pre") or "", m.group("chg") or ""
    if pre:
        parts.append(pre + chg if pre in ("同比", "比上年") and chg else pre)
    if m.group("suf"):
        parts.append(m.group("suf"))
    return "、".join(p for p in parts if p)


@dataclass
class FigureExtractor:
    rules: Rules
    ctx: DocContext

    def __post_init__(self) -> None:
        self.patterns = FigurePatterns(self.rules)
        self.names = self.rules.form_to_indicator()
        self.from_words = tuple(self.rules.figure_cue("from_words"))
        self.to_words = tuple(self.rules.figure_cue("to_words"))
        self.own_place = place_stems(self.ctx.place, [str(w) for w in self.rules.officials.get("place_levels", [])])
        self.change_words = sorted(self.rules.figure_cue("change_words"), key=len, reverse=True)
        self.decline_words = tuple(self.rules.figure_cue("decline_words"))

    def extract(self, view: TextView) -> list[Found[KeyFigure]]:
        """Figures of a document, given the view of its whole text."""
        out: list[Found[KeyFigure]] = []
        for s, e in sentences(view.text):
            out.extend(self._sentence(view, s, e))
        return out

    def _sentence(self, view: TextView, s: int, e: int) -> list[Found[KeyFigure]]:
        text = view.text
        mentions = list(self.patterns.indicator.finditer(text, s, e))
        out: list[Found[KeyFigure]] = []
        for i, m in enumerate(mentions):
            if not self.rules.lexicon.own_figure(text, m.start(), m.group(0), self.own_place, lo=s):
                continue
            region_end = mentions[i + 1].start() if i + 1 < len(mentions) else e
            out.extend(self._values(view, s, m, region_end))
        return out

    def _first_value(self, text: str, start: int, end: int) -> re.Match[str] | None:
        """The value after an indicator; in "从11.37万亿元提高到14.58万亿元" the value reached, not the start."""
        found = self.patterns.value.search(text, start, end)
        if found is None or not _gap_ok(text[start : found.start()], self.rules):
            found = self.patterns.word_value.search(text, start, end)
            return found if found is not None and _gap_ok(text[start : found.start()], self.rules) else None
        gap = text[start : found.start()]
        if self.from_words and (gap.startswith(self.from_words) or gap.endswith(self.from_words)):
            to = self.patterns.value.search(text, found.end(), end)
            if to is None or not text[found.end() : to.start()].startswith(self.to_words):
                return None
            return to
        return found

    def _values(self, view: TextView, s: int, m: re.Match[str], end: int) -> list[Found[KeyFigure]]:
        text = view.text
        found = self._first_value(text, m.end(), end)
        if found is None:
            return []
        matches = [found]
        while True:
            nxt = self.patterns.follow.match(text, matches[-1].end(), end)
            if nxt is None:
                break
            matches.append(nxt)
        indicator = self.names[m.group(0)]
        allowed = self.rules.lexicon.units_of(indicator)
        span = view.span(m.start(), matches[-1].end())
        out = []
        for v in matches:
            has_num = "num" in v.re.groupindex
            unit = v.group("unit") if has_num else ""
            if allowed and has_num and unit not in allowed:
                continue
            frame = self.ctx.frame_at(v.end())
            value_start = v.start("chg") if has_num and v.group("chg") else v.start("num" if has_num else "word")
            if v is found and value_start == m.end():  # 经济增长5%: the change word is the end of the indicator's form
                value_start -= next((len(w) for w in self.change_words if m.group(0).endswith(w)), 0)
            value_end = v.end("unit") if has_num else v.end("word")
            written = view.clean_cut(value_start, value_end)
            number, change = self._split(v, written) if has_num else (None, "")
            out.append(Found(KeyFigure(
                indicator=indicator,
                value=written,
                as_written=written,
                number=number,
                change=change,
                unit=unit,
                year=frame.year if frame.kind == "annual" else None,
                type=frame.role or ("target" if frame.kind == "plan" else "actual"),
                qualifier=_qualifier(v, text[s : m.start()], frame) if has_num else "",
                quote=view.original[span[0] : span[1]],
            ), span))
        for amount, following in zip(out, out[1:], strict=False):  # 411亿元,同比增长3.6%: the amount's change
            if amount.item.number is not None and not amount.item.change and following.item.change:
                amount.item.change = following.item.change
        return out

    def _split(self, v: re.Match[str], written: str) -> tuple[float | None, str]:
        """(number, signed change) of a value: 411亿元 -> (411, ""); 增长3.6% -> (None, "+3.6%")."""
        num = v.group("num")
        chg = v.group("chg") or ""
        if not chg and not written.startswith(tuple(self.change_words)):
            try:
                return float(num), ""
            except ValueError:  # a range or a list (4.5%—5%): no single number
                return None, ""
        sign = "-" if any(w in (chg or written[:6]) for w in self.decline_words) else "+"
        return None, f"{sign}{num}{v.group('unit')}"
