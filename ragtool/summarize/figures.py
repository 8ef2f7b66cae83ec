"""Key figures: a value with its unit next to an indicator name, typed as actual result or target."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ragtool.models import KeyFigure
from ragtool.officials import alternation
from ragtool.summarize.context import YEAR, DocContext, FigureType, sentences
from ragtool.summarize.provenance import Found
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import TextView

NUM = r"\d+(?:\.\d+)?"
CLAUSE_BREAK = re.compile(r"[,;:]")
QUOTED = re.compile(r"“[^“”]*”|《[^《》]*》")


@dataclass(frozen=True)
class FigurePatterns:
    """Regexes built once per Rules."""

    rules: Rules

    @cached_property
    def indicator(self) -> re.Pattern[str]:
        return re.compile(alternation(list(self.rules.form_to_indicator())))

    @cached_property
    def value(self) -> re.Pattern[str]:
        cue = self.rules.figure_cue
        return re.compile(
            rf"(?P<pre>{alternation(cue('prefix_qualifiers'))})?(?P<chg>{alternation(cue('change_words'))})?"
            rf"(?P<num>{NUM}(?:%?[、和至到~-]{NUM})*)(?P<unit>{alternation(cue('units'))})"
            rf"(?P<suf>{alternation(cue('suffix_qualifiers'))})?"
        )

    @cached_property
    def word_value(self) -> re.Pattern[str]:
        return re.compile(f"(?P<word>{alternation(self.rules.figure_cue('word_values'))})")

    @cached_property
    def follow(self) -> re.Pattern[str]:
        """A second value right after the first: "411亿元,同比增长3.6%"."""
        cue = self.rules.figure_cue
        return re.compile(
            rf"[,、]?(?P<pre>{alternation(cue('prefix_qualifiers'))})?(?P<chg>{alternation(cue('change_words'))})"
            rf"(?P<num>{NUM}(?:%?[、和]{NUM})*)(?P<unit>{alternation(cue('units'))})"
            rf"(?P<suf>{alternation(cue('suffix_qualifiers'))})?"
        )


def _gap_ok(gap: str, rules: Rules) -> bool:
    cues = rules.cues.get("figures", {})
    if len(gap) > int(cues.get("max_gap", 12)) or CLAUSE_BREAK.search(gap):
        return False
    return not any(w in gap for w in cues.get("gap_stops", []))


def _qualifier(m: re.Match[str], sentence_head: str) -> str:
    parts: list[str] = []
    if "预计" in sentence_head and m.group("pre") != "预计":
        parts.append("预计")
    pre, chg = m.group("pre") or "", m.group("chg") or ""
    if pre:
        parts.append(pre + chg if pre in ("同比", "比上年") and chg else pre)
    if m.group("suf"):
        parts.append(m.group("suf"))
    return "、".join(parts)


def _year(head: str, ctx: DocContext, rules: Rules, section_year: int | None) -> int | None:
    years = YEAR.findall(head)
    if years:
        return int(years[-1])
    if ctx.year is not None:
        found = [(head.rfind(w), d) for w, d in rules.relative_years().items() if w in head]
        if found:
            return ctx.year + max(found)[1]
    return section_year if section_year is not None else ctx.year


def _type(head: str, year: int | None, ctx: DocContext, section_type: FigureType | None,
          section_year: int | None, rules: Rules) -> FigureType:
    head = QUOTED.sub("", head)  # names such as “倍增计划” are not cues
    if any(w in head for w in rules.figure_cue("target")):
        return "target"
    if section_type is not None and not (year and section_year and year < section_year):
        return section_type
    if any(w in head for w in rules.figure_cue("actual")):
        return "actual"
    if year and ctx.year and year > ctx.year:
        return "target"
    return "actual"


@dataclass
class FigureExtractor:
    rules: Rules
    ctx: DocContext

    def __post_init__(self) -> None:
        self.patterns = FigurePatterns(self.rules)
        self.names = self.rules.form_to_indicator()
        self.before_stops = tuple(self.rules.cues.get("figures", {}).get("before_stops", []))

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
            if text[max(s, m.start() - 1) : m.start()].endswith(self.before_stops):
                continue
            region_end = mentions[i + 1].start() if i + 1 < len(mentions) else e
            out.extend(self._values(view, s, m, region_end))
        return out

    def _values(self, view: TextView, s: int, m: re.Match[str], end: int) -> list[Found[KeyFigure]]:
        text = view.text
        found = self.patterns.value.search(text, m.end(), end)
        if found is None or not _gap_ok(text[m.end() : found.start()], self.rules):
            found = self.patterns.word_value.search(text, m.end(), end)
            if found is None or not _gap_ok(text[m.end() : found.start()], self.rules):
                return []
        matches = [found]
        while True:
            nxt = self.patterns.follow.match(text, matches[-1].end(), end)
            if nxt is None:
                break
            matches.append(nxt)
        span = view.span(m.start(), matches[-1].end())
        section = self.ctx.section_at(span[0])
        s_type, s_year = (section.type, section.year) if section else (None, None)
        out = []
        for v in matches:
            head = text[s : v.end()]
            year = _year(text[s : m.start()] or head, self.ctx, self.rules, s_year)
            has_num = "num" in v.re.groupindex
            value_start = v.start("chg") if has_num and v.group("chg") else v.start("num" if has_num else "word")
            value_end = v.end("unit") if has_num else v.end("word")
            out.append(Found(KeyFigure(
                indicator=self.names[m.group(0)],
                value=view.clean_cut(value_start, value_end),
                unit=v.group("unit") if has_num else "",
                year=year,
                type=_type(head, year, self.ctx, s_type, s_year, self.rules),
                qualifier=_qualifier(v, text[s : m.start()]) if has_num else "",
                quote=view.original[span[0] : span[1]],
            ), span))
        return out
