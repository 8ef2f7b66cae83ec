"""Time frames: which year or plan period a statement speaks of, and whether it states a target or a result.

A work report of 2026 reviews 2025 and the 十四五 period, sets the 十五五 goals and then the 2026 targets. A
statement's frame comes from its section heading, overridden by what the sentence itself says before it:
a year (2025年), 今年/去年 relative to the document's year, a plan name (十五五) or 年均. Cue words are in
timeframe.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ragtool.config import Settings
from ragtool.datafiles import load_data

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_PLAN_DOCUMENT = re.compile(r"[”\"’]?\s*规划")
_RANGE = re.compile(r"(?:19|20)\d{2}\s*(?:年)?\s*(?:—|–|-|~|至|到)\s*((?:19|20)\d{2})\s*年|(?:到|至)\s*((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Frame:
    years: tuple[int, ...] = ()  # the years spoken of; () when nothing says
    plan: str = ""  # a multi-year frame: a plan's name (十五五) or 年均; "" for one year
    target: bool | None = None  # True: a target or plan; False: a result; None: not said


@dataclass(frozen=True)
class TimeCues:
    plans: dict[str, tuple[int, int]]  # 十五五 -> (2026, 2030)
    average: tuple[str, ...]  # 年均, 五年 …: a multi-year average
    current: tuple[str, ...]  # 今年 …
    previous: tuple[str, ...]  # 去年, 过去一年 …
    target: tuple[str, ...]  # 目标, 预期 …
    actual: tuple[str, ...]  # 实现, 完成 … (in a sentence)
    review_sections: tuple[str, ...]  # 回顾, 过去 … (in a heading)
    plan_sections: tuple[str, ...]  # 安排, 任务 … (in a heading)
    target_after: tuple[str, ...]  # 左右, 以上 …: a qualifier after a value marks a target

    @classmethod
    def load(cls, settings: Settings) -> TimeCues:
        data = load_data(settings, "timeframe.toml")
        plans = {k: (int(v[0]), int(v[1])) for k, v in data.get("plans", {}).items()}

        def words(key: str) -> tuple[str, ...]:
            return tuple(data.get(key, []))

        return cls(
            plans, words("average"), words("current"), words("previous"), words("target"), words("actual"),
            words("review_sections"), words("plan_sections"), words("target_after"),
        )


def section_frame(section: str, doc_year: int | None, cues: TimeCues) -> Frame:
    """What a heading says: 一、2025年工作回顾 → 2025, results; 二、“十五五”时期主要目标 → the plan, targets."""
    if not section:
        return Frame()
    frame = _scan(section, Frame(), doc_year, cues)
    years = [int(y) for y in _YEAR.findall(section)]
    if years:  # 2025年和“十四五”时期工作回顾: the year wins over the plan
        frame = replace(frame, years=tuple(sorted(set(years))), plan="")
    if any(c in section for c in cues.review_sections):
        frame = replace(frame, target=False)
    elif any(c in section for c in cues.plan_sections):
        frame = replace(frame, target=True)
    return frame


def frame_of(simp: str, section: str, doc_year: int | None, cues: TimeCues) -> list[tuple[int, Frame]]:
    """The frames of a sentence, as (offset, frame from there on): the section's at 0, then one per cue."""
    base = section_frame(section, doc_year, cues)
    out = [(0, base)]
    ends: list[tuple[int, bool | None]] = []  # where a clause-bound target cue stops, and the role before it
    for at, cue in _cues(simp, cues):
        while ends and ends[0][0] <= at:
            out.append((ends[0][0], replace(out[-1][1], target=ends.pop(0)[1])))
        before = out[-1][1]
        out.append((at, _scan(cue, before, doc_year, cues)))
        if cue in cues.target and not _introduces(simp, at + len(cue)):
            ends.append((_clause_end(simp, at), before.target))
    for end, role in ends:
        out.append((end, replace(out[-1][1], target=role)))
    return out


def _introduces(simp: str, pos: int) -> bool:
    """A cue that introduces what follows (目标是：, 目标为) frames the rest of the sentence; one used as a verb
    (积极争取上级资金支持，成功申报…) only its own clause."""
    rest = simp[pos : pos + 12]
    end = min((i for i, c in enumerate(rest) if c in "，,；;。"), default=len(rest))
    return bool(re.match(r"\s*(?:是|为|:|：)", rest)) or ":" in rest[:end] or "：" in rest[:end]


def _clause_end(simp: str, pos: int) -> int:
    m = re.compile(r"[，,；;。]").search(simp, pos)
    return m.end() if m else len(simp)


def _cues(simp: str, cues: TimeCues) -> list[tuple[int, str]]:
    words = [*cues.plans, *cues.average, *cues.current, *cues.previous, *cues.target, *cues.actual]
    found = [(m.start(), m.group()) for w in words for m in re.finditer(re.escape(w), simp)]
    # “十五五”规划 names the plan document (…规划收官, 规划纲要), not the period a figure is for
    found = [(at, w) for at, w in found if not (w in cues.plans and _PLAN_DOCUMENT.match(simp, at + len(w)))]
    found += [(m.start(), m.group()) for m in _RANGE.finditer(simp)]
    ranged = [(m.start(), m.end()) for m in _RANGE.finditer(simp)]
    found += [(m.start(), m.group()) for m in _YEAR.finditer(simp) if not any(a <= m.start() < b for a, b in ranged)]
    return sorted(found)


def _scan(text: str, frame: Frame, doc_year: int | None, cues: TimeCues) -> Frame:
    """The frame after reading text (a cue or a heading), starting from frame."""
    for name, (lo, hi) in cues.plans.items():
        if name in text:
            past = doc_year is not None and doc_year > hi
            frame = Frame(tuple(range(lo, hi + 1)), name, not past)
    ranged = _RANGE.search(text)
    if ranged:
        end = int(ranged.group(1) or ranged.group(2))
        if doc_year is None or end > doc_year:
            frame = replace(frame, years=(end,), plan=frame.plan or "到", target=True)
    years = [int(y) for y in _YEAR.findall(_RANGE.sub("", text))]
    if years and not any(p in text for p in cues.plans):
        frame = replace(frame, years=tuple(sorted(set(years))), plan="")
    if doc_year is not None:
        if any(c in text for c in cues.current):
            frame = replace(frame, years=(doc_year,), plan="")
        elif any(c in text for c in cues.previous):
            frame = replace(frame, years=(doc_year - 1,), plan="", target=False)
    if any(c in text for c in cues.average):
        frame = replace(frame, plan=frame.plan or "年均")
    if any(c in text for c in cues.target):
        frame = replace(frame, target=True)
    elif any(c == text for c in cues.actual):
        frame = replace(frame, target=False)
    return frame


def default_years(frame: Frame, doc_year: int | None, target: bool) -> set[int]:
    """Years an unframed statement may speak of: a target, the document's year; a result, also the year before."""
    if frame.years:
        return set(frame.years)
    if doc_year is None:
        return set()
    return {doc_year} if target else {doc_year - 1, doc_year}
