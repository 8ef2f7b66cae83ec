"""Lists spread over parallel sentences, read through a frame taken from the question.

要在哪些方面实干争先 → 在…上实干争先: 要在A上实干争先；要在B上实干争先 → A、B
要统筹好哪些关系 → 统筹好…的关系
四大行动是什么 → 实施…行动, four times
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtool.zh import numerals
from ragtool.zh.sentences import first_clauses

_PUNCT = "，,。；;：:！？!?、\n"
_ASK = re.compile(r"哪(?:些|几[个项条]?)|哪(?:个|一个)?(?=方面|领域)")
_NUMBERED = re.compile(r"([两二三四五六七八九十])大([\u4e00-\u9fff]{2})")
_TAIL = re.compile(r"(?:是什么|是哪些|有哪些|有什么|分别是|呢|吗|[？?。！!\s])+$")
MAX_REACH = 800  # characters between two sentences of one parallel run
_CN = "一二三四五六七八九十"
# an ordinal item marker after a clause break: 一是, （一）, 一、, 第一,
_ORDINAL = re.compile(rf"(?:(?<=[：:；;，,。\s])|^)(?:([{_CN}])是|([{_CN}])、|第([{_CN}])[，,、])|[（(]([{_CN}])[)）]")


@dataclass
class Frame:
    pattern: re.Pattern[str]  # group 1 is the filler
    count: int = 0  # items the question names (四大行动 → 4); 0 for 哪些
    single: bool = False  # 哪方面: the one item whose lead-in holds the question's other words


def numbered_term(question: str) -> tuple[int, str] | None:
    """The count and noun of a numbered programme the question names: 四大行动 → (4, 行动)."""
    n = _NUMBERED.search(question)
    return (numerals.number(n.group(1)) or 0, n.group(2)) if n else None


def item_count(text: str) -> int:
    """Items of a list written A、B、C (or with commas and semicolons)."""
    return len(re.split(r"[、，,；;—]", text))


def question_frame(question: str, separators: list[str], slot_nouns: list[str], verbs: list[str]) -> Frame | None:
    """The parallel structure the question asks to fill, if its wording gives one."""
    numbered = numbered_term(question)
    if numbered and verbs:
        count, noun = numbered
        verb = "|".join(re.escape(v) for v in verbs)
        filler = rf"([^{_PUNCT}]{{2,10}}?)"
        return Frame(re.compile(rf"(?:{verb}){filler}{re.escape(noun)}"), count)
    m = _ASK.search(question)
    if m:
        before, after = question[: m.start()], _TAIL.sub("", question[m.end() :])
        for noun in slot_nouns:
            after = after.removeprefix(noun)
        cut = max((before.rfind(s) + len(s) for s in separators if s != "在" and s in before), default=0)
        prefix = before[cut:]
        if not (1 <= len(prefix) <= 4 and 1 <= len(after) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", prefix + after)):
            return None
        filler = rf"([^{_PUNCT}]{{2,30}}?)"
        single = not m.group().startswith(("哪些", "哪几"))
        return Frame(re.compile(re.escape(prefix) + filler + r"(?:上|中|的)?" + re.escape(after)), single=single)
    return None


def ordinal_run(text: str) -> tuple[int, int] | None:
    """The span of an enumeration by ordinals (报告分三个部分:一是…;二是…;三是…, （一）…（二）…), from its first marker
    to the end of its last item; at least two items numbered one, two, … in order."""
    found: list[re.Match[str]] = []
    for m in _ORDINAL.finditer(text):
        n = numerals.number(next(g for g in m.groups() if g)) or 0
        if n == 1:
            found = [m]
        elif found and n == len(found) + 1:
            found.append(m)
        elif len(found) >= 2:
            break
    if len(found) < 2:
        return None
    stop = re.search(r"[。；;\n]", text[found[-1].end() :])
    end = found[-1].end() + (stop.start() if stop else len(text) - found[-1].end())
    return found[0].start(), end


# an item that opens a sentence (or follows a colon) with its ordinal: 一是…, （一）…
_ORDINAL_OPENING = re.compile(rf"(?:^|(?<=[。！？!?\n：:]))[ \t　]*(?:([{_CN}]{{1,2}})是|[（(]([{_CN}]{{1,2}})[)）])")


def first_ordinal(text: str) -> list[tuple[int, int]]:
    """The first item of an enumeration by ordinals that opens in this sentence (…把握好:一是坚持稳中求进,…), to the
    sentence's end: the engine reads the items after it from the document (ordinal_items)."""
    out = []
    for m in _ORDINAL_OPENING.finditer(text):
        if numerals.number(m.group(1) or m.group(2)) == 1:
            stop = re.search(r"[。！？!?\n]", text[m.end() :])
            out.append((m.start(), m.end() + (stop.start() if stop else len(text) - m.end())))
    return out


def ordinal_items(simp: str, pos: int) -> list[tuple[int, int]]:
    """The items of an enumeration by ordinals that open sentences (一是围绕经济发展，提出6项指标。二是围绕创新驱动，…
    or （一）…（二）…, in one style), when one of them opens the sentence at pos: each item's first clause, after
    its marker; empty when pos opens no such item or the run has fewer than two."""
    runs: list[list[re.Match[str]]] = []
    for m in _ORDINAL_OPENING.finditer(simp):
        n = numerals.number(m.group(1) or m.group(2)) or 0
        run = runs[-1] if runs else []
        same = bool(run) and bool(run[-1].group(1)) == bool(m.group(1))
        if same and n == len(run) + 1 and m.start() - run[-1].end() <= MAX_REACH:
            run.append(m)
        elif n == 1:
            runs.append([m])
    return first_clauses(simp, runs, pos)


def parallel_run(simp: str, frame: Frame) -> list[re.Match[str]]:
    """The frame's matches in the longest run of nearby ones (at least two, or exactly the number
    asked for), one per filler; empty when the text has no such run."""
    runs: list[list[re.Match[str]]] = []
    for m in frame.pattern.finditer(simp):
        if runs and m.start() - runs[-1][-1].end() <= MAX_REACH:
            runs[-1].append(m)
        else:
            runs.append([m])
    for run in sorted(runs, key=len, reverse=True):
        distinct = list({m.group(1): m for m in run}.values())
        if len(distinct) >= 2 and (not frame.count or len(distinct) == frame.count):
            return distinct
    return []


CHOICE = "还是"
LEADS = "在于由从"  # a preposition before A that B shares


def choice_claims(question: str) -> list[tuple[str, str]] | None:
    """A question offering two answers (是A还是B) as two yes/no claims, each with the alternative it makes:
    武进区人代会是15日还是16日开幕 -> [(15日, 武进区人代会是15日开幕吗), (16日, 武进区人代会是16日开幕吗)];
    增长7%还是8% -> [(7%, 增长7%吗), (8%, 增长8%吗)]. The words after B that A lacks close A's claim too. None when the
    question offers no choice."""
    text = question.strip().rstrip("?？。!！ ")
    if text.count(CHOICE) != 1:
        return None
    left, b = text.split(CHOICE)
    cut = left.rfind("是")
    value = re.search(r"[\d.]+\s*[%％]?[\u4e00-\u9fff]?$", left)
    if cut >= 0 and cut < len(left) - 1:
        head, a = left[: cut + 1], left[cut + 1 :]
    elif value:  # 地区生产总值增长7%还是8%
        head, a = left[: value.start()], value.group()
    else:
        return None
    if not b:
        return None
    rest = _tail_after_like(a, b)
    lead = a[0] if a[0] in LEADS and not b.startswith(a[0]) else ""  # 是在永州会堂还是永州大剧院: 在 is B's too
    return [(a, f"{head}{a}{rest}吗"), (b[: len(b) - len(rest)], f"{head}{lead}{b}吗")]


def _tail_after_like(a: str, b: str) -> str:
    """The words of B after the part that parallels A, which A's claim lacks: 15日 | 16日开幕 -> 开幕, 7% | 8%以上 ->
    以上 (B's first characters end as A ends, or both are numbers); "" when B does not run on past A."""
    if a and len(b) > len(a) and a[-1] == b[len(a) - 1]:
        return b[len(a) :]
    number = r"[\d.]+\s*[%％]?[\u4e00-\u9fff]?"
    m = re.match(number, b)
    if m and re.fullmatch(number, a) and m.end() < len(b):
        return b[m.end() :]
    verb = re.search(r"(?:开幕|召开|举行|闭幕|开)的?$", b)  # 永州大剧院 | 永州会堂开幕的
    return verb.group() if verb and not re.search(r"(?:开幕|召开|举行|闭幕|开)的?$", a) else ""
