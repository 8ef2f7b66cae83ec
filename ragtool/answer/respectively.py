"""分别: one clause naming several things and their values in turn.

城镇和农村常住居民人均可支配收入分别增长3.9%和5.7% → 城镇常住居民人均可支配收入: 3.9%, 农村常住居民人均可支配收入: 5.7%.
A question that asks 分别 (…贡献率分别是多少, A和B分别增长多少) is answered with every member's value: the text's 分别
clause whole, or the stretch from the first member the question names to the value of its last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ragtool.answer.spans import clause_bounds
from ragtool.zh.quantity import QuantityGrammar

WORD = "分别"
ASK_EVERY = ("分别", "各是", "各为", "各自")  # question words that ask every member's value
MEMBER_SEPARATORS = re.compile(r"、|和|及|与")
_BEFORE_FIRST = re.compile(r"[\u4e00-\u9fff]{0,6}")  # 分别增长, 分别达到
_NAMED_FIRST = re.compile(r"[\u4e00-\u9fff]{0,6}(?:[：:]\s*[\u4e00-\u9fff]{0,6})?")  # 分别为:第一产业0.62个百分点
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
    for start, at, values in _clauses(simp, grammar, named=False):
        names = _names(_subject(simp[start:at]), len(values), combined)
        if names:
            out.append(Respective(start, values[-1][1], names, tuple(v[0] for v in values)))
            continue
        for run in _runs(simp, values):  # 分别为39310元、20356元，增长5.5%、5.6%: each run pairs with the members
            names = _names(_subject(simp[start:at]), len(run), combined) if len(run) >= 2 else ()
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


def _clauses(simp: str, grammar: QuantityGrammar, named: bool = True) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(subject start, 分别's position, its values) of each 分别 clause with at least two values; `named`: each value
    may follow its member's name after a comma (分别为:第一产业0.62个百分点,第二产业0.86个百分点)."""
    out = []
    for m in re.finditer(WORD, simp):
        values = _values(simp, m.end(), grammar, named)
        if len(values) >= 2:
            out.append((clause_bounds(simp, m.start())[0], m.start(), values))
    return out


def asks_every(question: str) -> bool:
    return any(w in question for w in ASK_EVERY)


def asked_members(question: str) -> list[str]:
    """The members a 分别 question names (武进地区生产总值、一般公共预算收入和规上工业总产值分别是多少 → the three),
    each as written; empty when it names fewer than two."""
    at = min((question.find(w) for w in ASK_EVERY if w in question), default=-1)
    if at < 0:
        return []
    subject = re.split(r"[，,；;：:？?\s]", question[:at])[-1]
    subject = re.sub(r"^\D*\d{4}年", "", subject)  # 永州2025年地区生产总值和… names its members after the year
    parts = [p for p in MEMBER_SEPARATORS.split(_subject(subject)) if len(p) >= 2]
    return parts if len(parts) >= 2 else []


def every_member(simp: str, question: str, grammar: QuantityGrammar) -> list[tuple[int, int, int]]:
    """(start, first value, end) of each stretch that gives every member's value: a 分别 clause of the text
    (贡献率分别为6.3%、32.8%和60.9%), or the first member the question names to the value after its last
    (地区生产总值3570亿元、一般公共预算收入225亿元、规上工业总产值6313亿元)."""
    members = asked_members(question)
    clauses = [(start, values[0][0], values[-1][1]) for start, at, values in _clauses(simp, grammar)
               if not members or any(_mention(simp[start:at], m) >= 0 for m in members)]  # the members asked
    ends = {first: end for _, first, end in clauses}  # …产量分别大幅增长181.0%、33.9%、23.3%: to the last value
    out = list(clauses)
    spots = [_mention(simp, m) for m in members]
    if members and all(s >= 0 for s in spots) and spots == sorted(spots) and not re.search(r"[。；;\n]", simp[spots[0] : spots[-1]]):
        first = [v for v in grammar.read(simp) if v.start >= spots[0]]
        last = next((v for v in first if v.start >= spots[-1]), None)
        if first and last is not None:
            out.append((spots[0], first[0].start, ends.get(last.start, last.end)))
    return out


def _mention(simp: str, member: str) -> int:
    """Where a member is named: by its longest ending of at least four characters the text has (沧州2024年固定资产投资
    → 固定资产投资), or whole when it is shorter."""
    for n in range(len(member), min(4, len(member)) - 1, -1):
        at = simp.find(member[-n:])
        if at >= 0:
            return at
    return -1


def _subject(text: str) -> str:
    while text.endswith(_SUBJECT_TAILS):
        text = text[: -len(next(t for t in _SUBJECT_TAILS if text.endswith(t)))]
    return text


@lru_cache(maxsize=8)
def _between(joins: tuple[str, ...], named: bool = False) -> re.Pattern[str]:
    """A join between two values (、, 和; with `named` a comma too) and up to four characters of the next member's words."""
    comma = "|[，,]" if named else ""
    return re.compile(rf"\s*(?:{'|'.join(map(re.escape, joins)) or '(?!)'}{comma})\s*[\u4e00-\u9fff]{{0,4}}")


def _values(simp: str, pos: int, grammar: QuantityGrammar, named: bool = False) -> list[tuple[int, int]]:
    lead = (_NAMED_FIRST if named else _BEFORE_FIRST).match(simp, pos)
    v = grammar.at(simp, lead.end() if lead else pos)
    out = []
    while v is not None:
        out.append((v.start, v.end))
        sep = _between(grammar.words.list_joins, named).match(simp, v.end)
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
