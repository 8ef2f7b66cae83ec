"""When a figure holds, read from its context: one year or a five-year plan, and whether it is a result or a target.

Reports mix three time frames: the year under review (2025年工作回顾), the year ahead (2026年工作安排, 主要预期目标)
and five-year plans ("十四五"时期 2021-2025, the "十五五" 纲要 2026-2030, 年均增长…). The frame of a position is the
nearest time word before it in its sentence (2025年, 今年, 去年, “十五五”, 五年来, 纲要), else the last one earlier in
its section (a paragraph opening 五年来… holds until the next heading), else the section's heading
(一、 / (一) / 1. headings, or a short line such as 2024年工作回顾), else the document's year. 年均 in the value's
clause makes it a yearly average over a plan. The role (target or actual) follows from the frame's years against the
document's year, then from cue words in the sentence, then from the heading (回顾 vs 安排).

Works on simplified, half-width text (what ragtool.summarize.view and ragtool.zh.officials read); cue words come from
the [timeframe] table of lexicon.toml.

    from ragtool.zh.timeframe import frame_at, Timeline
    frame_at(text, pos, 2026)               # one position (the timeline of `text` is cached)
    tl = Timeline.build(text, 2026, cues)   # many positions in one text
    tl.at(pos).kind, .year, .years, .role, .plan, .average
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from ragtool.config import load_settings
from ragtool.zh import numerals
from ragtool.zh.dates import YEAR_NUMBER, relative_year
from ragtool.zh.headings import heading_rules, numbered, section_heading_test
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.sentences import Breaks, clause_start

Kind = Literal["annual", "plan", "unknown"]
Role = Literal["target", "actual"]

QUOTED = re.compile(r"“[^“”]*”|《[^《》]*》")
MAX_HEADING = 40
PLAN_YEAR_CHARS = 10  # how far after a plan's name a word such as 开局 or 收官 is looked for
OPENING_CHARS = 6  # a time word this close to the start of its sentence is what the sentence is about


@dataclass(frozen=True)
class TimeFrame:
    """The time frame of a position in a text.

    kind: "annual" (one year: `year`), "plan" (a span, usually a five-year plan: `years`, `plan`) or "unknown".
    years: (first, last) for plans ((year, year) for annual frames), None when the span is not known.
    role: "target" (a goal, a plan), "actual" (a result), or None when nothing says.
    average: the value is a yearly average over the span (年均).
    basis: where the time came from: "sentence", "section" (earlier in the section), "heading", "document" or "".
    """

    kind: Kind = "unknown"
    year: int | None = None
    years: tuple[int, int] | None = None
    role: Role | None = None
    plan: str = ""
    average: bool = False
    basis: str = ""
    anchored: bool = False  # said by the sentence or a heading, or carried from earlier under a heading naming it


@dataclass(frozen=True, eq=False)
class TimeCues:
    """The [timeframe] words of lexicon.toml."""

    target: tuple[str, ...] = ()
    actual: tuple[str, ...] = ()
    relative_years: dict[str, int] = field(default_factory=dict)
    plans: dict[str, tuple[int, int]] = field(default_factory=dict)
    relative_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    current_plan: tuple[str, ...] = ()
    average: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()  # 累计, 新增 …: a sum over the years of a span, not its last year's level
    not_before_year: tuple[str, ...] = ()
    not_after_year: tuple[str, ...] = ()
    recent: tuple[str, ...] = ()  # 近 in 近3年: the last N years
    running: tuple[str, ...] = ()  # 连续 in 连续9年: the last N years, for its own clause
    plan_year: tuple[str, ...] = ()  # 开局, 收官 …: "“十五五”开局之年" describes a year, it is not a plan frame
    range_marks: tuple[str, ...] = ()  # — – - ~ 至 到 between the years of a range
    openers: tuple[str, ...] = ()
    section_actual: tuple[str, ...] = ()
    section_target: tuple[str, ...] = ()

    @classmethod
    def from_lexicon(cls, lex: Lexicon) -> TimeCues:
        t = lex.timeframe

        def pairs(key: str) -> dict[str, tuple[int, int]]:
            return {k: (int(v[0]), int(v[1])) for k, v in dict(t.get(key, {})).items()}

        return cls(
            target=tuple(lex.time_words("target")),
            actual=tuple(lex.time_words("actual")),
            relative_years={k: int(v) for k, v in dict(t.get("relative_years", {})).items()},
            plans=pairs("plans"),
            relative_spans=pairs("relative_spans"),
            current_plan=tuple(lex.time_words("current_plan")),
            average=tuple(lex.time_words("average")),
            totals=tuple(lex.time_words("totals")),
            not_before_year=tuple(lex.time_words("not_before_year")),
            not_after_year=tuple(lex.time_words("not_after_year")),
            recent=tuple(lex.time_words("recent")),
            running=tuple(lex.time_words("running")),
            plan_year=tuple(lex.time_words("plan_year")),
            range_marks=tuple(lex.time_words("range_marks") or lex.quantities.words.range_marks),
            openers=tuple(lex.time_words("openers")),
            section_actual=tuple(lex.section_words("actual")),
            section_target=tuple(lex.section_words("target")),
        )

    @cached_property
    def marker(self) -> re.Pattern[str]:
        """Every time word: year ranges, years, plans, relative spans and years, the current plan, 近N年."""
        def alt(words: Iterable[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)

        year = YEAR_NUMBER
        parts = [
            rf"(?P<range>(?P<y1>{year})\s*年?\s*(?:{alt(self.range_marks or ['-'])})\s*(?P<y2>{year})\s*年)",
            rf"(?P<year>{year})\s*年(?P<month>\s*\d{{1,2}}\s*月)?",
        ]
        for name, words in (("plan", self.plans), ("span", self.relative_spans), ("rel", self.relative_years),
                            ("current", self.current_plan)):
            if words:
                parts.append(rf"(?P<{name}>{alt(words)})")
        if self.recent:  # last: 过去一年 is a relative year, 过去五年 a span word, 近3年 the last three years
            parts.append(rf"(?P<recent>(?:{alt(self.recent)})(?P<n>\d{{1,2}}|[两二三四五六七八九十]{{1,2}})年)")
        if self.running:
            parts.append(rf"(?P<running>(?:{alt(self.running)})(?P<rn>\d{{1,2}}|[两二三四五六七八九十]{{1,2}})年)")
        return re.compile("|".join(parts))


@dataclass(frozen=True)
class Mark:
    """A time word in the text."""

    start: int
    end: int
    kind: Kind
    year: int | None = None
    years: tuple[int, int] | None = None
    plan: str = ""
    event: bool = False  # a date (2021年2月): dates an event, does not open a time frame for what follows
    opener: bool = False  # a span word (五年来, 过去五年): always opens a time frame for what follows
    clause: bool = False  # a run of years (连续9年): the time of its own clause only


@dataclass(frozen=True)
class Part:
    """One time frame a heading names, with its role: 2025年 / “十四五”时期工作回顾 in 2025年和“十四五”时期工作回顾."""

    mark: Mark
    role: Role | None


@dataclass(frozen=True)
class Heading:
    start: int  # start of the heading line
    end: int  # end of the heading text
    level: int
    parts: tuple[Part, ...]
    role: Role | None


def _plan_named(years: tuple[int, int], cues: TimeCues) -> str:
    return next((name for name, span in cues.plans.items() if span == years and not name.startswith("第")), "")


class Timeline:
    """The time words and headings of one text, to answer `at(pos)` for many positions."""

    def __init__(self, text: str, doc_year: int | None, cues: TimeCues) -> None:
        self.text = text
        self.doc_year = doc_year
        self.cues = cues
        self.heading_rules = heading_rules()
        self.breaks = Breaks(text, section_heading_test(self.heading_rules))
        self.marks = self._marks()
        self._mark_starts = [m.start for m in self.marks]
        self.headings = self._headings()
        self._heading_starts = [h.start for h in self.headings]

    @classmethod
    def build(cls, text: str, doc_year: int | None, cues: TimeCues) -> Timeline:
        return cls(text, doc_year, cues)

    # ---- reading the text ----------------------------------------------------------------------------------

    def _mark(self, m: re.Match[str]) -> Mark | None:
        text, cues = self.text, self.cues
        before = text[max(0, m.start() - 2) : m.start()]
        if m.group("range"):
            y1, y2 = numerals.year_value(m.group("y1")), numerals.year_value(m.group("y2"))
            if y1 is None or y2 is None or y2 <= y1:
                return None
            return Mark(m.start(), m.end(), "plan", years=(y1, y2), plan=_plan_named((y1, y2), cues))
        if m.group("year"):
            year = numerals.year_value(m.group("year"))
            after = text[m.end() : m.end() + 2]
            if year is None or before.endswith(cues.not_before_year) or after.startswith(cues.not_after_year):
                return None
            return Mark(m.start(), m.end(), "annual", year=year, event=bool(m.group("month")))
        if m.lastgroup in ("recent", "running"):
            n = numerals.number(m.group("n") or m.group("rn"))
            if not n or self.doc_year is None:
                return None
            years = (self.doc_year - n, self.doc_year - 1)
            return Mark(m.start(), m.end(), "plan", years=years, clause=m.lastgroup == "running")
        if m.lastgroup in ("plan", "current") and any(w in text[m.end() : m.end() + PLAN_YEAR_CHARS]
                                                       for w in cues.plan_year):
            return None  # 2025年是“十四五”规划收官之年: about the year, not a frame of its own
        if m.lastgroup == "plan":
            years = cues.plans[m.group("plan")]
            return Mark(m.start(), m.end(), "plan", years=years, plan=_plan_named(years, cues))
        if m.lastgroup == "span":
            if self.doc_year is None:
                return Mark(m.start(), m.end(), "plan", opener=True)
            a, b = cues.relative_spans[m.group("span")]
            years = (self.doc_year + a, self.doc_year + b)
            return Mark(m.start(), m.end(), "plan", years=years, plan=_plan_named(years, cues), opener=True)
        if m.lastgroup == "rel":
            if before.endswith(cues.not_before_year) or self.doc_year is None:
                return None
            return Mark(m.start(), m.end(), "annual", year=relative_year(m.group("rel"), self.doc_year, cues.relative_years))
        if m.lastgroup == "current" and self.doc_year is not None:
            span = next((s for s in cues.plans.values() if s[0] <= self.doc_year <= s[1]), None)
            if span is not None:
                return Mark(m.start(), m.end(), "plan", years=span, plan=_plan_named(span, cues))
        return None

    def _marks(self) -> list[Mark]:
        out = []
        for m in self.cues.marker.finditer(self.text):
            mark = self._mark(m)
            if mark is not None:
                out.append(mark)
        return out

    def _headings(self) -> list[Heading]:
        out: list[Heading] = []
        pos = 0
        for line in self.text.split("\n"):
            heading = self._heading(line, pos)
            if heading is not None:
                out.append(heading)
            pos += len(line) + 1
        return out

    def _heading(self, line: str, start: int) -> Heading | None:
        found = numbered(line, self.heading_rules)
        if found:
            level, body_start, body_end = found.level, found.body_start, found.end
        else:  # an unnumbered period heading (2024年工作回顾) holds the numbered ones under it
            level, body_start, body_end = 0, len(line) - len(line.lstrip()), len(line)
            if "。" in line or line.rstrip().endswith((";", ",", ":", "!", "?")):
                return None
        body = line[body_start:body_end]
        if not body.strip() or len(body.strip()) > MAX_HEADING:
            return None
        role = self._heading_role(body)
        parts = self._parts(body, start + body_start, role)
        if not found and not (parts and role):  # an unnumbered line is a heading only when it names a period and a kind
            return None
        return Heading(start, start + body_end, level, tuple(parts), role)

    def _heading_role(self, body: str) -> Role | None:
        if any(w in body for w in self.cues.section_actual):
            return "actual"
        if any(w in body for w in self.cues.section_target):
            return "target"
        return None

    def _parts(self, body: str, offset: int, role: Role | None) -> list[Part]:
        """The periods a heading names, each with the role of its own words (2025年工作回顾和2026年工作安排)."""
        marks = [k for k in self.marks if offset <= k.start < offset + len(body)]
        out = []
        for i, mark in enumerate(marks):
            end = marks[i + 1].start if i + 1 < len(marks) else offset + len(body)
            own = self._heading_role(self.text[mark.start : end])
            out.append(Part(mark, own or role))
        return out

    # ---- answering -----------------------------------------------------------------------------------------

    def _scopes(self, pos: int) -> list[tuple[int, int, Heading | None]]:
        """The headings whose sections contain `pos`, innermost first, each with the part of the text that is
        its own (from the heading to its first subheading before `pos`, or to `pos`)."""
        i = bisect.bisect_right(self._heading_starts, pos) - 1
        chain: list[Heading] = []
        while i >= 0:
            h = self.headings[i]
            if h.end <= pos and (not chain or h.level < chain[-1].level):
                chain.append(h)
                if h.level == 0:
                    break
            i -= 1
        out: list[tuple[int, int, Heading | None]] = []
        limit = pos
        for h in chain:
            out.append((h.end, limit, h))
            limit = h.start
        out.append((0, limit, None))
        return out

    def _last_mark(self, start: int, end: int, events: bool, clause: int) -> Mark | None:
        """The last time word in [start, end) (dates of events too when `events`); a run of years only in the
        clause starting at `clause`."""
        i = bisect.bisect_left(self._mark_starts, end) - 1
        while i >= 0 and self.marks[i].start >= start:
            mark = self.marks[i]
            if mark.end <= end and (events or not mark.event) and (not mark.clause or mark.start >= clause):
                return mark
            i -= 1
        return None

    def _opens(self, mark: Mark, anchor: tuple[Part, ...]) -> bool:
        """Whether a time word earlier in a section sets the time of what follows it: always when the section's
        heading names no period or this one alone; else only a span word (五年来, 过去五年) or a time word that
        opens its sentence ("2025年,…", "“十四五”时期,…"). "为“十五五”开好局" under 2026年工作安排
        does not make the 2026 targets five-year ones, nor "与“十五五”规划目标衔接" under a heading naming both."""
        if mark.event or mark.clause:
            return False
        if not anchor or mark.opener or (len(anchor) == 1 and _same_time(anchor[0].mark, mark)):
            return True
        sentence = self.breaks.sentence_start(mark.start)
        lead = self.text[sentence : mark.start]
        for opener in self.cues.openers:
            lead = lead.removeprefix(opener)
        return len(lead.strip("“”\"' ")) <= OPENING_CHARS

    def _topic_mark(self, start: int, end: int, anchor: tuple[Part, ...]) -> Mark | None:
        """The time a passage is about at `end`: the first time word of the last sentence in [start, end) that has
        one that sets the time (see _opens). "今年是“十五五”开局之年" is about 今年."""
        i = bisect.bisect_left(self._mark_starts, end) - 1
        last: Mark | None = None
        while i >= 0 and self.marks[i].start >= start:
            if self.marks[i].end <= end and self._opens(self.marks[i], anchor):
                last = self.marks[i]
                break
            i -= 1
        if last is None:
            return None
        sentence = max(start, self.breaks.sentence_start(last.start))
        i = bisect.bisect_left(self._mark_starts, sentence)
        while i < len(self.marks) and self.marks[i].start < last.start:
            if self._opens(self.marks[i], anchor):
                return self.marks[i]
            i += 1
        return last

    def at(self, pos: int) -> TimeFrame:
        """The time frame of the text at `pos`: pass the end of the value (or phrase) whose frame you want; the
        sentence up to `pos` is read for time and cue words."""
        text = self.text
        pos = max(0, min(pos, len(text)))
        sent = self.breaks.sentence_start(pos)
        clause = self.breaks.clause_start(pos)
        head = QUOTED.sub("", text[sent:pos])
        average = any(w in text[clause:pos] for w in self.cues.average)

        mark, basis = self._last_mark(sent, pos, events=True, clause=clause), "sentence"
        heading_role: Role | None = None
        scopes = self._scopes(sent)
        section_marks: list[Part] = []
        for _, _, heading in scopes:
            if heading is not None:
                heading_role = heading_role or heading.role
                section_marks.extend(heading.parts)
        anchor = next((h.parts for _, _, h in scopes if h is not None and h.parts), ())
        if mark is None:
            for lo, hi, heading in scopes:
                mark = self._topic_mark(lo, hi, anchor)
                if mark is not None:
                    basis = "section"
                    break
                if heading is not None and heading.parts:
                    part = next((p for p in heading.parts if p.mark.kind == "annual"), heading.parts[0])
                    mark, basis = part.mark, "heading"
                    break
        if average and (mark is None or mark.kind == "annual") and basis != "sentence":
            plan = next((p.mark for p in section_marks if p.mark.kind == "plan"), None)
            mark, basis = (plan, "heading") if plan is not None else (None, "")
            if plan is None:
                return TimeFrame("plan", role=self._role(None, head, heading_role), average=True, anchored=True)
        if mark is None:
            if self.doc_year is None:
                return TimeFrame("unknown", role=self._role(None, head, heading_role), average=average)
            mark, basis = Mark(pos, pos, "annual", year=self.doc_year), "document"
        part_role = next((p.role for p in section_marks if _same_time(p.mark, mark)), None)
        role = self._role(mark, head, part_role or heading_role)
        anchored = basis in ("sentence", "heading") or any(_same_time(p.mark, mark) for p in section_marks)
        if mark.kind == "annual":
            return TimeFrame("annual", mark.year, (mark.year, mark.year) if mark.year else None, role,
                             average=average, basis=basis, anchored=anchored)
        return TimeFrame("plan", None, mark.years, role, mark.plan, average, basis, anchored)

    def _target_said(self, head: str) -> bool:
        """A target word in the value's own clause, or one that introduces the rest of the sentence (预期目标是：…).
        One used as a verb in an earlier clause (积极争取上级资金支持，成功申报…) says nothing of the value."""
        clause = clause_start(head, len(head))
        for w in self.cues.target:
            for m in re.finditer(re.escape(w), head):
                if m.start() >= clause or _introduces(head, m.end()):
                    return True
        return False

    def _role(self, mark: Mark | None, head: str, section: Role | None) -> Role | None:
        y = self.doc_year
        if mark is not None and y is not None:
            first, last = (mark.year, mark.year) if mark.kind == "annual" else (mark.years or (None, None))
            if last is not None and last < y:
                return "actual"
            if first is not None and (first > y or (mark.kind == "plan" and first >= y)):
                return "target"
        if self._target_said(head):
            return "target"
        if section is not None:
            return section
        if any(w in head for w in self.cues.actual):
            return "actual"
        return None


def _introduces(head: str, end: int) -> bool:
    """目标是：, 目标为…: a target word that introduces what follows frames the rest of the sentence."""
    return bool(re.match(r"\s*(?:是|为|:|：|如下)", head[end : end + 3]))


def _same_time(a: Mark, b: Mark) -> bool:
    return (a.kind, a.year, a.years) == (b.kind, b.year, b.years)


@lru_cache(maxsize=8)
def _default_cues() -> TimeCues:
    return TimeCues.from_lexicon(Lexicon.load(load_settings()))


@lru_cache(maxsize=16)
def _timeline(text: str, doc_year: int | None, cues: TimeCues) -> Timeline:
    return Timeline(text, doc_year, cues)


def frame_at(simp_text: str, pos: int, doc_year: int | None, cues: TimeCues | None = None) -> TimeFrame:
    """The time frame at `pos` of `simp_text` (simplified, half-width) in a document of `doc_year` (its report year;
    None when unknown). `cues` default to the bundled lexicon.toml (or the user's copy in RAGTOOL_DATA_DIR)."""
    return _timeline(simp_text, doc_year, cues or _default_cues()).at(pos)
