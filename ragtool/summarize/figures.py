"""Key figures: a value with its unit next to an indicator name, dated and typed by its time frame.

The time frame (year or five-year plan, target or actual) comes from ragtool.zh.timeframe: a 2026 report's
"地区生产总值增长5%左右" under 2026年工作安排 is a 2026 target, its "“十五五”时期…年均增长5%左右" a 十五五 target
(no single year), and its "地区生产总值增长5.4%" under 2025年工作回顾 a 2025 result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtool.answer.table import row_cells
from ragtool.models import KeyFigure
from ragtool.summarize.context import DocContext
from ragtool.summarize.provenance import Found
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import TextView
from ragtool.zh.officials import alternation
from ragtool.zh.places import place_stems
from ragtool.zh.quantity import Quantity, QuantityGrammar
from ragtool.zh.sentences import sentences
from ragtool.zh.textnorm import halfwidth, t2s
from ragtool.zh.timeframe import TimeFrame

CLAUSE_BREAK = re.compile(r"[,;:]")


def split_figure(figure: KeyFigure, rules: Rules) -> KeyFigure:
    """A figure (e.g. from the LLM) with `number`, `change` and `as_written` filled from its value as written."""
    if figure.number is not None or figure.change:
        return figure
    q = rules.lexicon.quantities.first(t2s(halfwidth(figure.value)))
    update: dict[str, object] = {"as_written": figure.as_written or figure.value}
    if q is not None:
        update["change"] = q.signed()
        if not q.change:
            update["number"] = q.number  # None for a range or a list (4.5%—5%)
    return figure.model_copy(update=update)


def _figure(q: Quantity) -> bool:
    """A value a summary lists: an amount, a rate, a change or a word value; not a year, a rank or a ratio's term."""
    return not q.time and not q.ordinal and (bool(q.word) or (q.low is not None and bool(q.unit)))


def _gap_ok(gap: str, rules: Rules) -> bool:
    if len(gap) > rules.figure_setting("max_gap", 12) or CLAUSE_BREAK.search(gap):
        return False
    return not any(w in gap for w in rules.figure_cue("gap_stops"))


def _qualifier(q: Quantity, sentence_head: str, frame: TimeFrame, grammar: QuantityGrammar) -> str:
    parts: list[str] = []
    if frame.kind == "plan":  # the period of a plan figure: 十五五, 2023-2025年
        parts.append(frame.plan or (f"{frame.years[0]}-{frame.years[1]}年" if frame.years else "年均" * frame.average))
    if "预计" in sentence_head and "预计" not in q.before:
        parts.append("预计")
    change = q.text[: q.value_offset]
    before = [w + change if grammar.words.before.get(w) == "basis" else w for w in q.before]  # 同比增长
    return "、".join(p for p in [*parts, *before, *q.after] if p)


@dataclass
class FigureExtractor:
    rules: Rules
    ctx: DocContext

    def __post_init__(self) -> None:
        self.indicator = re.compile(alternation(list(self.rules.form_to_indicator())))
        self.grammar = self.rules.lexicon.quantities
        self.names = self.rules.form_to_indicator()
        self.own_place = place_stems(self.ctx.place, [str(w) for w in self.rules.officials.get("place_levels", [])])

    def extract(self, view: TextView) -> list[Found[KeyFigure]]:
        """Figures of a document, given the view of its whole text."""
        out: list[Found[KeyFigure]] = []
        for s, e in sentences(view.text):
            out.extend(self._sentence(view, s, e))
        return out

    def _sentence(self, view: TextView, s: int, e: int) -> list[Found[KeyFigure]]:
        text = view.text
        rows, in_rows = self._rows(view, s, e)
        mentions = [m for m in self.indicator.finditer(text, s, e) if not any(a <= m.start() < b for a, b in in_rows)]
        values = [q for q in self.grammar.read(text[s:e]) if _figure(q)]
        out: list[Found[KeyFigure]] = rows
        for i, m in enumerate(mentions):
            if not self.rules.lexicon.own_figure(text, m.start(), m.group(0), self.own_place, lo=s):
                continue
            region_end = mentions[i + 1].start() if i + 1 < len(mentions) else e
            out.extend(self._values(view, s, m, region_end, values))
        return out

    def _rows(self, view: TextView, s: int, e: int) -> tuple[list[Found[KeyFigure]], list[tuple[int, int]]]:
        """Figures of table rows as ingest writes them (地区生产总值 | 2024年实际: 411亿元 | 2025年目标: 增长5.5%): each
        cell's value, framed by its column header as a sentence would frame it; and the rows' spans."""
        text = view.text
        out: list[Found[KeyFigure]] = []
        spans: list[tuple[int, int]] = []
        pos = s
        for line in text[s:e].split("\n"):
            start, pos = pos, pos + len(line) + 1
            label = self.indicator.search(text, start, start + max(0, line.find("|")))
            cells = row_cells(text, label.start()) if label else []
            if label is None or not cells:
                continue
            spans.append((start, start + len(line)))
            indicator = self.names[label.group(0)]
            allowed = self.rules.lexicon.units_of(indicator)
            for cell in cells:
                q = next(iter(self.grammar.figures(text, *cell.value)), None)
                if q is None or not _figure(q) or (allowed and not q.word and q.written_unit not in allowed):
                    continue
                out.append(self._found(view, indicator, q, 0, text[start : label.start()], (label.start(), cell.value[1])))
        return out, spans

    def _found(self, view: TextView, indicator: str, q: Quantity, s: int, head: str, quoted: tuple[int, int]) -> Found[KeyFigure]:
        """A figure of `indicator`: the value q (at s + its offsets) dated and typed by its time frame, quoting
        view.text[quoted]; `head` is its sentence's words before the indicator (预计…)."""
        text = view.text
        frame = self.ctx.frame_at(q.end + s)
        start = q.start + s
        if frame.average:  # 年均增长5% is written with its 年均, which the grammar leaves to the time frame
            start -= next((len(w) for w in self.rules.time_cues.average if text.endswith(w, 0, start)), 0)
        written = view.clean_cut(start, q.value_end + s)
        span = view.span(*quoted)
        return Found(KeyFigure(
            indicator=indicator,
            value=written,
            as_written=written,
            number=None if q.change else q.number,
            change=q.signed(),
            unit=q.written_unit,
            year=frame.year if frame.kind == "annual" else None,
            type=frame.role or ("target" if frame.kind == "plan" else "actual"),
            qualifier=_qualifier(q, head, frame, self.grammar),
            quote=view.original[span[0] : span[1]],
        ), span)

    def _first_value(self, text: str, s: int, m: re.Match[str], end: int, values: list[Quantity]) -> int | None:
        """The index of the value after an indicator (经济增长5%: its change word may end the indicator's name);
        in "从11.37万亿元提高到14.58万亿元" the value reached (the grammar joins the two)."""
        for k, q in enumerate(values):
            if q.start + s < m.start() or q.end + s <= m.end() or q.lead + s >= end:
                continue
            return k if _gap_ok(text[m.end() : max(m.end(), q.lead + s)], self.rules) else None
        return None

    def _values(self, view: TextView, s: int, m: re.Match[str], end: int, values: list[Quantity]) -> list[Found[KeyFigure]]:
        text = view.text
        k = self._first_value(text, s, m, end, values)
        if k is None:
            return []
        chosen = [values[k]]
        averages = self.rules.time_cues.average
        for q in values[k + 1 :]:  # 411亿元,同比增长3.6%: a change right after the amount is its change (or its
            gap = text[chosen[-1].end + s : q.lead + s]  # yearly average: 6.2万亿元,年均增长5.5%)
            gap = gap[: -len(w)] if (w := next((a for a in averages if gap.endswith(a)), "")) else gap
            if q.lead + s >= end or gap not in ("", ",", "、") or not q.change:
                break
            chosen.append(q)
        indicator = self.names[m.group(0)]
        allowed = self.rules.lexicon.units_of(indicator)
        out = [self._found(view, indicator, q, s, text[s : m.start()], (m.start(), chosen[-1].end + s)) for q in chosen
               if not (allowed and not q.word and q.written_unit not in allowed)]
        for amount, following in zip(out, out[1:], strict=False):  # 411亿元,同比增长3.6%: the amount's change
            if amount.item.number is not None and not amount.item.change and following.item.change:
                amount.item.change = following.item.change
        return out
