"""Answer-span patterns: numbers with units, officials' names, enumerations and dates.

The word lists come from data files (roles.toml); the patterns here are generic Chinese report grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtool.config import Settings
from ragtool.datafiles import load_data, load_surnames
from ragtool.textnorm import t2s

CN_NUM = "零一二两三四五六七八九十百千万"
NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
UNIT = (
    r"(?:个百分点|%|‰|亿美元|万美元|亿元|万元|千元|元|万人次|人次|万人|余人|多人|人|万户|户|家|个|项|宗|亩|万亩|公里|千米|"
    r"万平方米|平方米|平方公里|座|所|名|次|位|套|条|场次|场|倍|万吨|吨|千瓦|万千瓦|件|批|类|方面|大|届|期|天|岁|周年|年|"
    r"A级|星级)"
)
QUAL_AFTER = r"(?:左右|以上|以内|以下|之内|上下|多|余)"
CHANGE = r"(?:同比)?(?:增长|下降|增加|减少|提高|提升|回落|上升|增速|降低)"
VALUE = re.compile(
    rf"(?:{CHANGE}\s*)?(?:第\s*)?{NUMBER}\s*{UNIT}{QUAL_AFTER}?|第\s*\d+(?![\d.])|与上年持平|基本持平|持平|正增长|同步|负增长"
)
DATE = re.compile(r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:上午|下午|晚上)?")
ISO_DATE = re.compile(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")
BOOK_TITLE = re.compile(r"《([^》]{2,80})》")
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,60})[”\"」』]")
CLAUSE_END = "，,；;：:。！？!?\n"


@dataclass
class Roles:
    roles: list[str]  # longest first
    name_stops: list[str]
    not_name_start: str
    between: list[str]
    org_suffixes: list[str]
    before_title: str
    aliases: dict[str, str]
    surnames: frozenset[str]

    @classmethod
    def load(cls, settings: Settings) -> Roles:
        data = load_data(settings, "roles.toml")
        return cls(
            roles=sorted(set(data.get("roles", [])), key=len, reverse=True),
            name_stops=sorted(data.get("name_stops", []), key=len, reverse=True),
            not_name_start="".join(data.get("not_name_start", [])),
            between=list(data.get("between", [])),
            org_suffixes=list(data.get("org_suffixes", [])),
            before_title="".join(data.get("name_before_title_after", [])),
            aliases=dict(data.get("aliases", {})),
            surnames=frozenset().union(*load_surnames(settings)),
        )

    def is_name(self, name: str) -> bool:
        """Starts with a known surname and isn't a place, an organ or part of a title."""
        if len(name) < 2 or not (name[0] in self.surnames or name[:2] in self.surnames):
            return False
        return _plausible_name(name, self)

    def matches(self, asked: str, found: str) -> bool:
        return role_matches(asked, found, self.aliases)

    def asked_role(self, question: str) -> str | None:
        """The title a question asks about (书记 in 小榄镇书记是谁)."""
        q = t2s(question)
        for role in self.roles:
            if role in q:
                return role
        return None

    def alternation(self) -> str:
        return "|".join(re.escape(r) for r in self.roles)


def role_matches(asked: str, found: str, aliases: dict[str, str] | None = None) -> bool:
    """镇长 matches 镇长 and 代镇长, not 副镇长; 书记 matches 镇党委书记, not 党委副书记;
    人大常委会主任 matches 常务委员会主任 (through the aliases in roles.toml)."""
    if "副" in found and "副" not in asked:
        return False
    for short, full in (aliases or {}).items():
        asked = asked.replace(short, full) if full not in asked else asked
    if asked in found or (len(found) >= 4 and found in asked):
        return True
    core = asked.removeprefix("代").removeprefix("镇").removeprefix("区").removeprefix("市")
    return len(core) >= 2 and found.endswith(core)


@dataclass
class NameHit:
    role: str
    name: str
    start: int  # span of the role and name together in the sentence
    end: int


def find_names(sentence: str, roles: Roles) -> list[NameHit]:
    """Officials named in a sentence, in four common layouts:
    镇党委书记张耀洪 / 市長 李毓文 / 镇长候选人徐彦雄 (title, name); 雷卫华区长 (name, title);
    选举祁森林为…主任, 吴文泉同志当选副镇长, 黄楚慧、潘鹏为…委员 (elections); 发展和改革局 林高翔 (byline)."""
    simp = t2s(sentence)
    if len(simp) != len(sentence):
        simp = sentence
    hits: list[NameHit] = []
    role_alt = roles.alternation()
    between = "|".join(re.escape(b) for b in roles.between if b.strip())
    for m in re.finditer(rf"({role_alt})(?:[ \t\u3000]|{between})*([\u4e00-\u9fff]{{2,4}})", simp):
        name = _trim_name(simp, m.start(2), roles)
        if name and roles.is_name(name):
            hits.append(NameHit(sentence[m.start(1) : m.end(1)], sentence[m.start(2) : m.start(2) + len(name)],
                                m.start(1), m.start(2) + len(name)))
    elected = rf"(?:选举|^|\s)((?:[\u4e00-\u9fff]{{2,3}}、)*[\u4e00-\u9fff]{{2,3}})(?:同志)?(?:当选|为)[^，,。；;]{{0,30}}?({role_alt})"
    for m in re.finditer(elected, simp):
        names = m.group(1)
        if all(roles.is_name(n) for n in names.split("、")):
            hits.append(NameHit(sentence[m.start(2) : m.end(2)], sentence[m.start(1) : m.end(1)], m.start(1), m.end(2)))
    for m in re.finditer(rf"([\u4e00-\u9fff]{{2,3}})同志当选({role_alt})", simp):
        if roles.is_name(m.group(1)):
            hits.append(NameHit(sentence[m.start(2) : m.end(2)], sentence[m.start(1) : m.end(1)], m.start(1), m.end(2)))
    orgs = "|".join(re.escape(o) for o in roles.org_suffixes)
    for m in re.finditer(rf"[\u4e00-\u9fff]{{2,20}}(?:{orgs})[ \t]+([\u4e00-\u9fff]{{2,3}})(?=\s*(?:\n|$))", simp):
        if roles.is_name(m.group(1)):
            hits.append(NameHit(sentence[m.start() : m.start(1)].strip(), sentence[m.start(1) : m.end(1)], m.start(), m.end(1)))
    if not hits:  # 审议了雷卫华区长…: only when nothing clearer is in the sentence
        for m in re.finditer(rf"(?:^|[{re.escape(roles.before_title)}])([\u4e00-\u9fff]{{2,3}})({role_alt})", simp):
            if roles.is_name(m.group(1)):
                hits.append(
                    NameHit(sentence[m.start(2) : m.end(2)], sentence[m.start(1) : m.end(1)], m.start(1), m.end(2))
                )
    return _dedupe(hits)


def _plausible_name(name: str, roles: Roles) -> bool:
    """Not a place (三水区), an organ (镇党委) or part of a title."""
    if name[0] in roles.not_name_start or name[-1] in "区镇市县乡省村委局部办处院会":
        return False
    return not any(name in r for r in roles.roles)


def _dedupe(hits: list[NameHit]) -> list[NameHit]:
    seen: set[str] = set()
    out = []
    for h in sorted(hits, key=lambda h: h.start):
        if h.name not in seen:
            seen.add(h.name)
            out.append(h)
    return out


def _trim_name(text: str, start: int, roles: Roles) -> str:
    """A 2- or 3-character name starting at `start`, cut before words that end names (陈思|为新当选…)."""
    if text[start] in roles.not_name_start:
        return ""
    three, two = text[start : start + 3], text[start : start + 2]
    cjk = all("\u4e00" <= c <= "\u9fff" for c in three) and len(three) == 3
    if cjk and _ends_name(text[start + 3 :], roles) and not _ends_name(text[start + 2 :], roles, strict=True):
        return three
    if len(two) == 2 and all("\u4e00" <= c <= "\u9fff" for c in two) and _ends_name(text[start + 2 :], roles):
        return two
    return three if cjk and _ends_name(text[start + 3 :], roles) else ""


def _ends_name(rest: str, roles: Roles, strict: bool = False) -> bool:
    """Whether a name may end right before `rest`; strict: only an explicit stop word counts."""
    if not rest or not ("\u4e00" <= rest[0] <= "\u9fff"):
        return not strict
    return any(rest.startswith(s) for s in roles.name_stops)


def value_unit(value: str, units: list[str]) -> bool:
    """Does a value carry one of the asked units (多少人 → 90多人, 第几 → 第131位)?"""
    if "第" in units and "第" in value:
        return True
    m = re.search(rf"{NUMBER}\s*({UNIT})", value)
    if m is None:
        return False
    return any(m.group(1).startswith(u) or u in m.group(1) for u in units if u != "第")


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


def list_spans(text: str) -> list[tuple[int, int, str]]:
    """Every list-like span in a sentence, with how it was found:
    'cue' items after 包括/分别是/即/：; 'quoted' “A、B、C”; 'run' A、B、C."""
    out: list[tuple[int, int, str]] = []
    for m in re.finditer(r"(?:包括|包含|分别是|分别为|主要有|即|：|:)", text):
        stops = [i for i in (text.find(c, m.end()) for c in "。；;\n") if i >= 0]
        end = min(stops) if stops else len(text)
        if re.search(r"[、，,]", text[m.end() : end]) and end - m.end() <= 120:
            out.append((m.end(), end, "cue"))
    for m in QUOTED.finditer(text):
        if re.search(r"[、，,]", m.group(1)):
            out.append((m.start(1), m.end(1), "quoted"))
    for m in re.finditer(r"[\u4e00-\u9fff“”]{2,14}(?:、[\u4e00-\u9fff“”]{2,14})+", text):
        out.append((m.start(), m.end(), "run"))
    return out


def what_span(simp: str, question: str) -> tuple[int, int] | None:
    """For 'X要打造成什么示范区': find the verb before 什么 (打造成) in the sentence, then the head noun after
    什么 (示范区); the answer is the text from after the verb to the end of the head noun."""
    m = re.search(r"([\u4e00-\u9fff]{1,3})(?:什么|啥)([\u4e00-\u9fff]{0,6})", question)
    if not m:
        return None
    before, head = m.group(1), re.sub(r"(?:是|呢|吗|了)$", "", m.group(2))
    for size in range(len(before), 0, -1):
        verb = before[-size:]
        if verb in ("要", "是", "的", "了", "有"):
            continue
        for v in re.finditer(re.escape(verb), simp):
            start = v.end()
            if head:
                end = simp.find(head, start, start + 50)
                if end >= 0 and end > start:
                    return start, end + len(head)
            else:
                stop = re.search(r"[，,；;。！？!?\n]|作出|推动|实现", simp[start:])
                end = start + (stop.start() if stop else len(simp) - start)
                if end - start >= 2:
                    return start, end
    return None
