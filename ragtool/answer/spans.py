"""Answer-span patterns: numbers with units, officials' names, enumerations and dates.

The word lists come from data files (roles.toml); the patterns here are generic Chinese report grammar.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from ragtool.config import Settings
from ragtool.textnorm import t2s

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CN_NUM = "零一二两三四五六七八九十百千万"
NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
UNIT = (
    r"(?:个百分点|%|‰|亿美元|万美元|亿元|万元|千元|元|万人次|人次|万人|余人|多人|人|万户|户|家|个|项|宗|亩|万亩|公里|千米|"
    r"万平方米|平方米|平方公里|座|所|名|次|位|套|条|场次|场|倍|万吨|吨|千瓦|万千瓦|件|批|类|方面|大|届|期|强|天|岁|年)"
)
QUAL_AFTER = r"(?:左右|以上|以内|以下|之内|上下|多|余)"
CHANGE = r"(?:同比)?(?:增长|下降|增加|减少|提高|提升|回落|上升|增速|降低)"
VALUE = re.compile(
    rf"(?:{CHANGE}\s*)?(?:第\s*)?{NUMBER}\s*{UNIT}{QUAL_AFTER}?|与上年持平|基本持平|持平|正增长|同步|负增长"
)
DATE = re.compile(r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:上午|下午|晚上)?")
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,60})[”\"」』]")
CLAUSE_END = "，,；;：:。！？!?"


@dataclass
class Roles:
    roles: list[str]  # longest first
    name_stops: list[str]
    not_name_start: str
    between: list[str]

    @classmethod
    def load(cls, settings: Settings) -> Roles:
        data = tomllib.loads(settings.data_path("roles.toml").read_text(encoding="utf-8"))
        return cls(
            roles=sorted(set(data.get("roles", [])), key=len, reverse=True),
            name_stops=sorted(data.get("name_stops", []), key=len, reverse=True),
            not_name_start="".join(data.get("not_name_start", [])),
            between=list(data.get("between", [])),
        )

    def asked_role(self, question: str) -> str | None:
        """The title a question asks about (书记 in 小榄镇书记是谁)."""
        q = t2s(question)
        for role in self.roles:
            if role in q:
                return role
        return None


def role_matches(asked: str, found: str) -> bool:
    """镇长 matches 镇长 and 代镇长, not 副镇长; 书记 matches 镇党委书记, not 党委副书记."""
    if "副" in found and "副" not in asked:
        return False
    if asked in found:
        return True
    core = asked.removeprefix("代").removeprefix("镇").removeprefix("区").removeprefix("市")
    return len(core) >= 2 and found.endswith(core)


@dataclass
class NameHit:
    role: str
    name: str
    start: int  # span of "role…name" in the sentence
    end: int


def find_names(sentence: str, roles: Roles) -> list[NameHit]:
    """Role + name pairs: 镇党委书记张耀洪, 市長 李毓文, 镇长候选人徐彦雄, 吴文泉同志当选副镇长."""
    simp = t2s(sentence)
    if len(simp) != len(sentence):
        simp = sentence
    hits: list[NameHit] = []
    taken: set[int] = set()
    role_alt = "|".join(re.escape(r) for r in roles.roles)
    between = "|".join(re.escape(b) for b in roles.between if b.strip())
    after = re.compile(rf"({role_alt})(?:\s|{between})*([\u4e00-\u9fff]{{2,4}})")
    for m in after.finditer(simp):
        name = _trim_name(simp, m.start(2), roles)
        if name and m.start(1) not in taken:
            taken.add(m.start(1))
            hits.append(NameHit(sentence[m.start(1) : m.end(1)], sentence[m.start(2) : m.start(2) + len(name)],
                                m.start(1), m.start(2) + len(name)))
    before = re.compile(rf"([\u4e00-\u9fff]{{2,3}})(?:同志)?(?:当选|为)[^，,。；;]{{0,30}}?({role_alt})")
    for m in before.finditer(simp):
        name = m.group(1)
        if re.search(r"选举|当选", simp[max(0, m.start() - 4) : m.end()]) and name[0] not in roles.not_name_start:
            name = name.removeprefix("选举")
            if len(name) >= 2 and m.start(2) not in taken:
                s = m.start(1) + (len(m.group(1)) - len(name))
                hits.append(NameHit(sentence[m.start(2) : m.end(2)], sentence[s : s + len(name)], s, m.end(2)))
    return hits


def _trim_name(text: str, start: int, roles: Roles) -> str:
    if text[start] in roles.not_name_start:
        return ""
    for length in (3, 2):
        name = text[start : start + length]
        if len(name) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in name):
            continue
        rest = text[start + length :]
        inner_stop = any(name.endswith(s) or s in name[1:] for s in roles.name_stops if len(s) == 1)
        if length == 3 and (inner_stop or not _ends_name(rest, roles)):
            continue
        if _ends_name(rest, roles) or length == 2:
            return name
    return ""


def _ends_name(rest: str, roles: Roles) -> bool:
    if not rest or not ("\u4e00" <= rest[0] <= "\u9fff"):
        return True
    return any(rest.startswith(s) for s in roles.name_stops)


def find_values(text: str) -> list[re.Match[str]]:
    return list(VALUE.finditer(text))


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the clause (between ，；：。) around pos."""
    start = pos
    while start > 0 and text[start - 1] not in CLAUSE_END:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in CLAUSE_END:
        end += 1
    return start, end


def enumeration(text: str, anchor: int) -> tuple[int, int] | None:
    """Span of the list nearest the anchor: a quoted “A、B、C”, or items after 包括/是/为/：."""
    best: tuple[int, tuple[int, int]] | None = None
    for m in QUOTED.finditer(text):
        if "、" in m.group(1) or "," in m.group(1) or "，" in m.group(1):
            dist = min(abs(m.start() - anchor), abs(m.end() - anchor))
            if best is None or dist < best[0]:
                best = (dist, (m.start(1), m.end(1)))
    if best is not None and best[0] <= 20:
        return best[1]
    cue = re.compile(r"(?:包括|包含|分别是|分别为|即|是|为|：|:)")
    for m in cue.finditer(text, max(0, anchor - 2)):
        seg_end = len(text)
        for stop in "。；;":
            i = text.find(stop, m.end())
            if i >= 0:
                seg_end = min(seg_end, i)
        seg = text[m.end() : seg_end]
        if len(re.findall(r"[、，,]", seg)) >= 1 and len(seg) <= 120:
            return m.end(), seg_end
    return best[1] if best else None


def list_run(text: str, anchor: int) -> tuple[int, int] | None:
    """A run of 、-separated items around the anchor (典型引领、全域统筹、民生提质三大战略)."""
    for m in re.finditer(r"[\u4e00-\u9fff“”]{2,12}(?:、[\u4e00-\u9fff“”]{2,12})+", text):
        if m.start() - 12 <= anchor <= m.end() + 12:
            return m.start(), m.end()
    return None
