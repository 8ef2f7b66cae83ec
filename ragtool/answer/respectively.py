"""分别: one clause naming several things and their values in turn.

城镇和农村常住居民人均可支配收入分别增长3.9%和5.7% → 城镇常住居民人均可支配收入: 3.9%, 农村常住居民人均可支配收入: 5.7%.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ragtool.answer.spans import clause_bounds
from ragtool.zh.quantity import QuantityGrammar

WORD = "分别"
MEMBER_SEPARATORS = re.compile(r"、|和|及|与")
_BEFORE_FIRST = re.compile(r"[\u4e00-\u9fff]{0,6}")  # 分别增长, 分别达到
_SUBJECT_TAILS = ("年均", "同比", "比上年", "均")
SHORT_MEMBER = 4  # a member this short (城镇) shares the last member's tail (…居民人均可支配收入)


@dataclass(frozen=True)
class Respective:
    start: int  # where the clause's subject starts
    end: int  # the end of its last value
    names: tuple[str, ...]  # each member's full name
    values: tuple[int, ...]  # where each member's value starts


def find(simp: str, combined: dict[str, tuple[str, ...]], grammar: QuantityGrammar) -> list[Respective]:
    """Every 分别 clause in a sentence whose members and values pair up one to one."""
    out = []
    for m in re.finditer(WORD, simp):
        start = clause_bounds(simp, m.start())[0]
        values = _values(simp, m.end(), grammar)
        if len(values) < 2:
            continue
        names = _names(_subject(simp[start : m.start()]), len(values), combined)
        if names:
            out.append(Respective(start, values[-1][1], names, tuple(v[0] for v in values)))
            continue
        for run in _runs(simp, values):  # 分别为39310元、20356元，增长5.5%、5.6%: each run pairs with the members
            names = _names(_subject(simp[start : m.start()]), len(run), combined) if len(run) >= 2 else ()
            if names and len(run) * 2 <= len(values):
                out.append(Respective(start, run[-1][1], names, tuple(v[0] for v in run)))
    return out


def _runs(simp: str, values: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The values split where a clause break (，) comes between two of them."""
    runs: list[list[tuple[int, int]]] = []
    for i, v in enumerate(values):
        if i == 0 or re.search(r"[，,]", simp[values[i - 1][1] : v[0]]):
            runs.append([])
        runs[-1].append(v)
    return runs if len({len(r) for r in runs}) == 1 else []


def _subject(text: str) -> str:
    while text.endswith(_SUBJECT_TAILS):
        text = text[: -len(next(t for t in _SUBJECT_TAILS if text.endswith(t)))]
    return text


@lru_cache(maxsize=8)
def _between(joins: tuple[str, ...]) -> re.Pattern[str]:
    """A join between two values (、, 和) and up to four characters of the next member's words."""
    return re.compile(rf"\s*(?:{'|'.join(map(re.escape, joins)) or '(?!)'})\s*[\u4e00-\u9fff]{{0,4}}")


def _values(simp: str, pos: int, grammar: QuantityGrammar) -> list[tuple[int, int]]:
    lead = _BEFORE_FIRST.match(simp, pos)
    v = grammar.at(simp, lead.end() if lead else pos)
    out = []
    while v is not None:
        out.append((v.start, v.end))
        sep = _between(grammar.words.list_joins).match(simp, v.end)
        v = grammar.at(simp, sep.end()) if sep else None
    return out


def _names(subject: str, n: int, combined: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    parts = [p for p in MEMBER_SEPARATORS.split(subject) if p]
    if len(parts) == 1:
        for word, members in combined.items():
            i = subject.find(word)
            if i >= 0 and len(members) == n:
                return tuple(subject[:i] + member + subject[i + len(word) :] for member in members)
        return ()
    if len(parts) != n or not parts:
        return ()
    last = parts[-1]
    return (*(p + last[len(p) :] if len(p) <= SHORT_MEMBER else p for p in parts[:-1]), last)
