"""Officials named in a text: a title next to a personal name, in the layouts Chinese reports use.

One finder serves `ragtool ask` (who is …?) and `ragtool summarize` (the officials list). It reads
officials.toml (titles, levels, name boundaries) and surnames.txt, and works on simplified, annotation-free text,
so callers map spans back to their original text themselves.

Layouts: a title then a name (广东省省长 孟凡利, 省长赵刚作政府工作报告, 市长 龚 正, 主席 艾尔肯·吐尼亚孜), a name
elected to a title (选举徐彦雄同志为镇长), an organisation and a name alone on a byline line, and a name then a
title (雷卫华区长). Every mention carries the place written before its title (广东省, 金湾区, 凤岗镇; "" when none),
so a caller can tell a 市委书记 from a 区委书记 and the official of one place from another's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_data, load_surnames
from ragtool.zh.textnorm import halfwidth, t2s

HAN = re.compile(r"[\u4e00-\u9fff]")
SPACES = " \t\u3000"
NAME_DOTS = "·•・‧∙"
_DOT_TABLE = str.maketrans({c: "·" for c in NAME_DOTS + "．."})


def alternation(words: list[str] | set[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


def normalize_name(name: str) -> str:
    """A name for comparison: simplified, half-width, no spaces, every middle dot (·•・) the same: 龚 正 -> 龚正."""
    return re.sub(r"\s+", "", t2s(halfwidth(name))).translate(_DOT_TABLE)


@dataclass(frozen=True)
class Mention:
    """Spans, in the searched text, of a name (or 、-joined names), its title, and the whole mention.

    place: the place written before the title (广东省 in 广东省省长, 金湾区 in 金湾区委书记), "" when none.
    norm_name: the name without inner spaces and with one kind of middle dot (龚 正 -> 龚正), for matching;
    the name span keeps the text as written.
    """

    name: tuple[int, int]
    role: tuple[int, int]
    span: tuple[int, int]
    place: str = ""
    norm_name: str = ""


@dataclass(frozen=True)
class Act:
    """Who did what at a meeting: `act` (report, preside, attend, as officials.toml [acts] names them), the name's
    span and the span of the whole phrase, from the name to the act's last word."""

    act: str
    name: tuple[int, int]
    span: tuple[int, int]


@dataclass(frozen=True)
class OfficialFinder:
    table: dict[str, Any]  # officials.toml, with "surnames" and "compound_surnames" added

    @classmethod
    def load(cls, settings: Settings) -> OfficialFinder:
        single, compound = load_surnames(settings)
        table = load_data(settings, "officials.toml")
        return cls({**table, "surnames": "".join(sorted(single)), "compound_surnames": list(compound)})

    def _list(self, key: str) -> list[str]:
        return [str(w) for w in self.table.get(key, [])]

    # ---- patterns built from the table -------------------------------------------------------

    @cached_property
    def role(self) -> str:
        return rf"(?:{alternation(self._list('levels'))})?(?:{alternation(self._list('roles'))})"

    @cached_property
    def spaced_role(self) -> str:
        """A title printed with spaces between its characters in a spaced heading (县 长 周永根)."""
        spaced = [f"[{SPACES}]".join(re.escape(c) for c in r) for r in sorted(self._list("roles"), key=len, reverse=True)
                  if len(r) >= 2]
        return "|".join(spaced)

    @cached_property
    def role_then_name(self) -> re.Pattern[str]:
        between = alternation(self._list("between") or [" "])
        return re.compile(rf"(?P<role>{self.role}|{self.spaced_role})(?P<gap>(?:{between}){{0,3}})")

    @cached_property
    def elected(self) -> re.Pattern[str]:
        """吴文泉同志当选副镇长 / 选举祁森林为…主任 / 黄楚慧、潘鹏为…委员 (names before the title)."""
        verbs = alternation(self._list("elected") or ["为"])
        names = r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})*"
        return re.compile(
            rf"(?:(?P<n1>{names})同志|(?:选举|^|\n)(?P<n2>{names}))(?:{verbs})[^，,。；;]{{0,30}}?(?P<role>{self.role})"
        )

    @cached_property
    def byline(self) -> re.Pattern[str]:
        """广州市番禺区发展和改革局 林高翔: an organisation and a name alone at the end of a line."""
        orgs = alternation(self._list("org_suffixes"))
        return re.compile(rf"(?P<role>[\u4e00-\u9fff]{{2,20}}(?:{orgs}))[ \t\u3000]+(?=[\u4e00-\u9fff]{{2,4}}\s*(?:\n|$))")

    @cached_property
    def name_first(self) -> re.Pattern[str]:
        return re.compile(rf"(?P<role>{alternation(self._list('after_name'))})")

    @cached_property
    def dotted(self) -> re.Pattern[str]:
        """A transliterated name: Han segments joined by a middle dot (艾尔肯·吐尼亚孜)."""
        dots = re.escape(NAME_DOTS + ".")
        return re.compile(rf"[\u4e00-\u9fff]{{1,8}}(?:[{dots}][\u4e00-\u9fff]{{1,8}})+")

    @cached_property
    def surnames(self) -> set[str]:
        return set(str(self.table.get("surnames", ""))) - set(" \n")

    @cached_property
    def compound(self) -> tuple[str, ...]:
        return tuple(self._list("compound_surnames"))

    @cached_property
    def ends(self) -> tuple[str, ...]:
        return tuple(self._list("name_ends"))

    @cached_property
    def place_levels(self) -> list[str]:
        """Level words that end a place name and may start a title (省, 自治区, 市, 区, 县, 镇, 街道 …), longest first."""
        return sorted(self._list("place_levels"), key=len, reverse=True)

    # ---- names -------------------------------------------------------------------------------

    def plausible(self, name: str) -> bool:
        """A family name plus 1-2 characters (3 after a two-character family name), none of them function words."""
        if not all(HAN.fullmatch(c) for c in name):
            return False
        if any(c in str(self.table.get("not_in_name", "")) for c in name[1:]):
            return False
        if name[0] in str(self.table.get("not_name_start", "")):
            return False
        if name.startswith(self.compound):
            return 3 <= len(name) <= 4
        return name[0] in self.surnames and 2 <= len(name) <= 3

    def ends_name(self, text: str, pos: int) -> bool:
        return pos >= len(text) or not HAN.match(text[pos]) or text.startswith(self.ends, pos)

    def name_at(self, text: str, pos: int) -> str | None:
        """The shortest plausible name starting at `pos` that is followed by a name boundary: 孟凡利, a name
        printed with a space inside (龚 正, before a line end or punctuation), or a transliterated name
        (艾尔肯·吐尼亚孜)."""
        dotted = self._dotted_at(text, pos)
        if dotted:
            return dotted
        for length in (2, 3, 4):
            name = text[pos : pos + length]
            if len(name) == length and self.plausible(name) and self.ends_name(text, pos + length):
                return name
        spaced = text[pos : pos + 3]
        if (len(spaced) == 3 and spaced[1] in SPACES and self.plausible(spaced[0] + spaced[2])
                and (pos + 3 >= len(text) or not HAN.match(text[pos + 3]))):
            return spaced
        return None

    def _dotted_at(self, text: str, pos: int) -> str | None:
        m = self.dotted.match(text, pos)
        if m is None or text[pos] in str(self.table.get("not_in_name", "")):
            return None
        last = max(m.group(0).rfind(d) for d in NAME_DOTS + ".") + 1
        for end in range(pos + last + 1, m.end() + 1):  # the shortest last segment followed by a boundary
            if self.ends_name(text, end):
                return text[pos:end]
        return None

    def name_before(self, text: str, end: int) -> int | None:
        """Start of a plausible name that ends at `end` and starts right after a boundary (了, 、, punctuation)."""
        for length in (2, 3):
            start = end - length
            if start < 0:
                break
            before = text[start - 1] if start > 0 else "\n"
            if self.plausible(text[start:end]) and (not HAN.match(before) or before in "了、选举"):
                return start
        return None

    def _names(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The span of one name or 、-joined names ending exactly at `end`."""
        parts = text[start:end].split("、")
        names = [p[-3:] if len(p) > 3 else p for p in parts]
        if not all(self.plausible(n) for n in names):
            return None
        return end - len("、".join(names)), end

    def _drop_level(self, text: str, start: int, end: int) -> tuple[int, int]:
        """区区长 -> 区长: a level word is dropped when the title itself names the level, or names one of its own
        (the 州 of 贵州 before 省长 is the place's last character, not a level)."""
        for level in sorted(self._list("levels"), key=len, reverse=True):
            if text.startswith(level, start):
                rest = text[start + len(level) : end]
                if level in rest or rest.startswith(tuple(self.place_levels)):
                    return start + len(level), end
                break
        return start, end

    # ---- places ------------------------------------------------------------------------------

    def _place(self, text: str, role_start: int) -> tuple[str, int]:
        """The place written right before a title and where it starts: 广东 + 省省长 -> 广东省, 金湾 + 区委书记 ->
        金湾区, 福建省人民政府 + 省长 -> 福建省; ("", role_start) when the title stands alone (省长 李炳军)."""
        level = next((w for w in self.place_levels if text.startswith(w, role_start)), "")
        end = role_start
        for org in sorted(self._list("between_place_and_role"), key=len, reverse=True):
            if text[max(0, end - len(org)) : end] == org:
                end -= len(org)
                break
        start = end
        while start > 0 and end - start < 16 and HAN.match(text[start - 1]):
            start -= 1
        stop = max((text.rfind(c, start, end) for c in str(self.table.get("place_stops", ""))), default=-1)
        start = max(start, stop + 1)
        for prefix in sorted(self._list("place_prefixes"), key=len, reverse=True):
            if text.startswith(prefix, start) and start + len(prefix) < end:
                start += len(prefix)
                break
        run = text[start:end]
        if level and run and not run.endswith(tuple(self.place_levels)):
            written, suffix = run, level  # 广东 + 省(省长)
        elif run.endswith(tuple(self.place_levels)):
            suffix = next(w for w in self.place_levels if run.endswith(w))
            written = run[: len(run) - len(suffix)]
        else:
            return "", role_start
        core = self._lowest_core(written)
        if not core:
            return "", role_start
        return core + suffix, start + len(written) - len(core)

    def _lowest_core(self, written: str) -> str:
        """广东省珠海市金湾 -> 金湾: the smallest unit of a written chain of places, without its level word."""
        cut = max((written.rfind(w) + len(w) for w in self.place_levels if w in written), default=0)
        core = written[cut:] if len(written) - cut >= 2 else written
        return core if 2 <= len(core) <= int(self.table.get("max_place_core", 6)) else ""

    # ---- finding -----------------------------------------------------------------------------

    def _not_a_title(self, text: str, start: int) -> bool:
        """我省长期…, 全市长效…: a level word that belongs to the word before it (我省, 全市) does not start a title."""
        before = text[max(0, start - 1) : start]
        return bool(before) and before in str(self.table.get("not_before_level", "")) and text.startswith(
            tuple(self.place_levels), start)

    def _mention(self, text: str, name: tuple[int, int], role: tuple[int, int], span: tuple[int, int],
                 role_start: int | None = None) -> Mention:
        """A mention whose span starts at its place when one is written before the title (广东省省长 孟凡利)."""
        role_start = role[0] if role_start is None else role_start
        place, place_start = self._place(text, role_start)
        if place and span[0] == role_start:
            span = (place_start, span[1])
        return Mention(name, role, span, place, normalize_name(text[name[0] : name[1]]))

    def find(self, text: str) -> list[Mention]:
        """Every official mentioned in `text` (simplified), in order of position, each name once."""
        out: list[Mention] = []
        for m in self.role_then_name.finditer(text):
            if self._not_a_title(text, m.start()):
                continue
            name = self.name_at(text, m.end())
            if name:
                role = self._drop_level(text, *m.span("role"))
                out.append(self._mention(text, (m.end(), m.end() + len(name)), role,
                                         (m.start(), m.end() + len(name)), m.start("role")))
        for m in self.elected.finditer(text):
            group = "n1" if m.group("n1") else "n2"
            names = self._names(text, *m.span(group))
            if names is not None:
                out.append(self._mention(text, names, self._drop_level(text, *m.span("role")), (names[0], m.end()),
                                         m.start("role")))
        for m in self.byline.finditer(text):
            name = self.name_at(text, m.end())
            if name:
                out.append(Mention((m.end(), m.end() + len(name)), m.span("role"), (m.start(), m.end() + len(name)),
                                   "", normalize_name(name)))
        if not out:  # 审议了雷卫华区长…: only when nothing clearer is in the text
            for m in self.name_first.finditer(text):
                start = self.name_before(text, m.start())
                if start is not None and self.ends_name(text, m.end()):
                    out.append(Mention((start, m.start()), m.span("role"), (start, m.end()), "",
                                       normalize_name(text[start : m.start()])))
        seen: set[str] = set()
        unique = []
        for mention in sorted(out, key=lambda x: x.span[0]):
            key = mention.norm_name or normalize_name(text[slice(*mention.name)])
            if key not in seen:
                seen.add(key)
                unique.append(mention)
        return unique

    @cached_property
    def _role_at_end(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{self.role})$")

    def chained_roles(self, text: str, mention: Mention) -> list[tuple[int, int]]:
        """The titles a name holds, its own first: 县委书记、开阳经开区党工委书记孙昕 → 党工委书记, 县委书记 (titles joined
        by 、 before the one next to the name, each with what is written between)."""
        out = [mention.role]
        if mention.name[0] < mention.role[0]:
            return out  # 选举曹伟源同志为镇人大主席、张洁莹同志为副镇长: a title after its name ends no chain
        pos = min(mention.span[0], mention.role[0])
        while pos > 0:
            head = re.search(r"、[\u4e00-\u9fff]{0,10}$", text[max(0, pos - 12) : pos])  # 、开阳经开 + 区党工委书记
            if head is None:
                break
            pos -= len(head.group())
            m = self._role_at_end.search(text, max(0, pos - 16), pos)
            if m is None:
                break
            out.append(m.span())
            pos = m.start()
        return out

    def title_phrase(self, text: str, mention: Mention) -> tuple[int, int]:
        """Every title a name holds as written before it, organisations included: 市发改委党组书记、主任唐祖红 →
        市发改委党组书记、主任 (from the clause's start, after its punctuation and the last function word, when only
        titles and their organisations stand there), else the chained titles alone."""
        roles = self.chained_roles(text, mention)
        start, end = min(r[0] for r in roles), max(r[1] for r in roles)
        if mention.name[0] < mention.role[0]:
            return start, end
        limit = int(self.table.get("max_title_phrase", 32))
        head = text[max(0, start - limit) : start]
        stops = "，,。；;：:！!？?\n " + str(self.table.get("title_phrase_stops", ""))
        cut = max((head.rfind(c) for c in stops), default=-1) + 1
        lead = head[cut:]
        if lead and HAN.match(lead[0]) and lead.endswith(tuple(self._list("organisation_ends"))):
            start -= len(lead)
        return start, end

    def shares_organisation(self, text: str, mention: Mention, asked: str) -> bool:
        """市人大常委会党组书记、主任蒋强先 is the 市人大常委会主任: a bare office (主任, 主席) joined by 、 to a title
        before it takes that title's organisation, when the asked title is that organisation's office."""
        level, office = self.split_role(asked)
        full, bare = self._spelled_out(office), self._spelled_out(text[slice(*mention.role)])
        if not bare or not full.endswith(bare) or full == bare:
            return False
        head = text[max(0, mention.span[0] - 24) : mention.span[0]]
        head = head[max(head.rfind(c) for c in "，,。；;：:\n") + 1 :]
        if not head.endswith("、"):
            return False
        org, head = full[: len(full) - len(bare)], self._spelled_out(head)
        at = head.find(org)
        if at < 0:
            return False
        written = next((w for w in self.place_levels if head[:at].endswith(w)), "")  # 市 + 人大常委会
        return not level or not written or self._level_group(written) == level

    # ---- acts at a meeting ------------------------------------------------------------------

    @cached_property
    def _acts(self) -> dict[str, Any]:
        return {k: v for k, v in dict(self.table.get("acts", {})).items() if isinstance(v, dict)}

    @cached_property
    def _act_patterns(self) -> list[tuple[str, re.Pattern[str], re.Pattern[str] | None]]:
        """(act, its words after a name with what may stand between, its wrapping frame) per act."""
        table = dict(self.table.get("acts", {}))
        orgs = alternation(self._list("org_suffixes"))
        behalf = rf"(?:(?:{alternation(table.get('on_behalf', []) or ['代表'])})[\u4e00-\u9fff]{{0,12}}?(?:{orgs}))?"
        lead = alternation(table.get("lead_verbs", []) or ["宣布"])
        behalf += rf"(?:(?:{lead})[\u4e00-\u9fff]{{0,8}}?并)?"  # 尹子安宣布大会开幕并主持…
        to = rf"(?:{alternation(table.get('to_meeting', []) or ['向大会'])})?"
        out = []
        for act, spec in self._acts.items():
            words = alternation(spec.get("after", []))
            if spec.get("objects"):  # 作 + 区人民政府 + 工作报告, 作《政府工作报告》, 作《全力兜牢民生底线…》报告
                objects = alternation(spec["objects"])
                titled = r"(?:题为《[^《》\n]{1,60}》的?)?"  # 作题为《…》的政府工作报告
                words = (rf"(?:{words}){titled}(?:《?[\u4e00-\u9fff]{{0,8}}?(?:{objects})》?"
                         rf"|《[^《》\n]{{1,60}}?(?:》(?:{objects})|(?:{objects})》))")
            if spec.get("then"):  # 宣布：…会议开幕
                words = rf"(?:{words})[^。！!？?\n]{{0,40}}?(?:{alternation(spec['then'])})"
            if spec.get("whole"):  # 向大会报告工作: the act in words of its own
                words = rf"(?:{words}|{alternation(spec['whole'])})"
            after = re.compile(rf"{behalf}{to}(?:{words})")
            if spec.get("said"):  # 刘靖在报告中指出: who speaks in the report delivered it
                after = re.compile(rf"{behalf}{to}(?:{words})|(?:{alternation(spec['said'])})")
            wrap = spec.get("wrap_before", [])
            frame = re.compile(rf"(?:{alternation(wrap)})([^，,。；;！!？?\n]{{2,40}}?)(?:{words})") if wrap else None
            out.append((act, after, frame))
        return out

    @cached_property
    def _title_ends(self) -> tuple[str, ...]:
        return tuple(sorted({*self._list("roles"), *self._list("question_roles"), "主任", "主席"}, key=len, reverse=True))

    def name_ending(self, text: str, end: int, after: int = 0) -> int | None:
        """Start of a name ending at `end` that stands after a title (代理区长薛晔), a 、, punctuation, `after` (the
        end of a word before it: 由), a word of officials.toml `before_name` or nothing; a name printed with a space
        inside (刘 靖) too."""
        for length in (3, 2):
            start = end - length
            if start < after or not self.plausible(text[start:end]):
                continue
            if start in (0, after) or not HAN.match(text[start - 1]) or text.endswith(self._title_ends, 0, start) or \
                    text.endswith(tuple(self._list("before_name")), 0, start):
                return start
        spaced = text[max(0, end - 3) : end]
        if len(spaced) == 3 and spaced[1] in SPACES and self.plausible(spaced[0] + spaced[2]):
            return end - 3
        return None

    def acts(self, text: str) -> list[Act]:
        """Every name in `text` (simplified) with an act of a meeting: 代市长李忠军代表市人民政府向大会作政府工作报告
        (report), 大会由倪学文主持 and 吕德明主持大会 (preside), 周红波出席 (attend). Each name once per act."""
        out: dict[tuple[str, int], Act] = {}
        for act, after, frame in self._act_patterns:
            for i in range(1, len(text)):  # each place a name may end; matches may overlap (…宣布大会开幕并主持)
                m = after.match(text, i) if HAN.match(text[i - 1]) or text[i - 1] in SPACES else None
                if m is None:
                    continue
                start = self.name_ending(text, m.start())
                while start is not None and text[start - 1 : start] == "、":  # 王所宝、陈来娣、李源等出席
                    before = self.name_ending(text, start - 1)
                    if before is None:
                        break
                    start = before
                if start is not None:
                    out.setdefault((act, start), Act(act, (start, m.start()), (start, m.end())))
            for m in frame.finditer(text) if frame else []:
                start = self.name_ending(text, m.end(1), m.start(1))
                if start is not None:
                    out.setdefault((act, start), Act(act, (start, m.end(1)), (m.start(), m.end())))
            for a in self._named_after(text, act) + self._speaker_of(text, act):
                out.setdefault((act, a.name[0]), a)
        return sorted(out.values(), key=lambda a: a.span)

    def roster(self, text: str, title: str) -> tuple[int, int] | None:
        """The names listed as holding `title`: 本次全体会议的执行主席是：李志坚、李达成、何腾, 会议由周红波、吕德明…担任
        执行主席 -> the span of the 、-joined names; None when the text lists none."""
        names = r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})+"
        t = re.escape(title)
        for m in re.finditer(rf"{t}(?:是|为|有)?[:：]\s*({names})|由[^、，,。；;]{{0,16}}?({names})(?:同志)?担任{t}", text):
            group = 1 if m.group(1) else 2
            a, b = m.span(group)
            parts = text[a:b].split("、")
            if all(self.plausible(p) for p in parts):
                return a, b
            first = self.name_ending(text, a + len(parts[0]))  # 由主席团常务主席周红波、…: the first after its title
            if group == 2 and first is not None and all(self.plausible(p) for p in parts[1:]):
                return first, b
        return None

    def _speaker_of(self, text: str, act: str) -> list[Act]:
        """在回顾2025年工作时，刘靖说: who speaks after a lead that only the report's speaker says (officials.toml
        speaker_leads, speaker_verbs)."""
        spec = self._acts.get(act, {})
        leads, verbs = spec.get("speaker_leads", []), spec.get("speaker_verbs", [])
        if not leads or not verbs:
            return []
        out = []
        for m in re.finditer(rf"(?:{'|'.join(leads)})[，,]?", text):
            name = self.name_at(text, m.end())
            if name and text.startswith(tuple(verbs), m.end() + len(name)):
                out.append(Act(act, (m.end(), m.end() + len(name)), (m.start(), m.end() + len(name))))
        return out

    def _named_after(self, text: str, act: str) -> list[Act]:
        """出席会议的有市委书记孙涛、市长钱进: the names after a lead naming the act (officials.toml names_before)."""
        leads = self._acts.get(act, {}).get("names_before", [])
        out = []
        for m in re.finditer(alternation(leads), text) if leads else []:
            end = min((i for c in "。；;\n" if (i := text.find(c, m.end())) >= 0), default=len(text))
            rest = text[m.end() : end]
            found = [(x.name, x.span) for x in self.find(rest)]
            pos = 0
            for part in re.split(r"[、，,]", rest):  # names written without a title
                if part.strip("等") and self.plausible(part.strip("等")) and not any(a <= pos < b for (a, b), _ in found):
                    found.append(((pos, pos + len(part.strip("等"))), (pos, pos + len(part))))
                pos += len(part) + 1
            out += [Act(act, (m.end() + a, m.end() + b), (m.start(), m.end() + span[1])) for (a, b), span in found]
        return out

    # ---- titles and levels -------------------------------------------------------------------

    def split_role(self, role: str) -> tuple[str, str]:
        """(level, office) of a title: 广东省省长 -> (省, 长), 金湾区委书记 -> (区, 委书记), 镇党委书记 -> (镇, 党委书记),
        自治区主席 -> (自治区, 主席), 街道办事处主任 -> (街道, 办事处主任), 党委书记 -> ("", 党委书记).
        代/常务 are left out; 副 stays in the office (副 + 省 + 长 -> (省, 副长)). Spaces inside (县 长) are dropped."""
        core = re.sub(rf"[{SPACES}]", "", role)
        for prefix in self._list("role_prefixes"):
            core = core.removeprefix(prefix)
        deputy = core.startswith("副")
        core = core.removeprefix("副")
        level = next((w for w in self.place_levels if core.startswith(w) and len(core) > len(w)), "")
        office = core[len(level) :]
        return self._level_group(level), ("副" if deputy else "") + office

    def _level_group(self, level: str) -> str:
        """省 and 自治区 are one level (a province), as the table says."""
        return str(dict(self.table.get("level_groups", {})).get(level, level))

    def level_of_place(self, place: str) -> str:
        """广东省 -> 省, 新疆维吾尔自治区 -> 省 (grouped), 凤岗镇 -> 镇, "" -> ""."""
        suffix = next((w for w in self.place_levels if place.endswith(w)), "")
        return self._level_group(suffix)

    def mention_level(self, text: str, mention: Mention) -> str:
        """The level of a mention: its title's (市委书记), else its place's (凤岗镇 + 党委书记)."""
        level = self.split_role(text[slice(*mention.role)])[0]
        return level or self.level_of_place(mention.place)

    # ---- questions ---------------------------------------------------------------------------

    @cached_property
    def _question_role(self) -> re.Pattern[str]:
        roles = alternation([*self._list("roles"), *self._list("question_roles")])
        return re.compile(rf"(?:{alternation(self._list('levels'))})?(?:{roles})")

    def asked_role(self, question: str) -> str | None:
        """The title a question asks about, with its level when the question gives one: 广东省长是谁 -> 省长,
        珠海市委书记 -> 市委书记, 金湾区委书记 -> 区委书记, 凤岗镇党委书记 -> 镇党委书记, 小榄镇书记是谁 -> 镇书记,
        宁夏自治区主席 -> 自治区主席, 金湾区区长 -> 区长."""
        text = self.question_text(question)
        m = self._question_role.search(text)
        if m is None:
            return None
        start, end = self._drop_level(text, *m.span())
        return text[start:end]

    def asked_roles(self, question: str) -> list[str]:
        """Every title a question asks about, in order: 市委书记和市长分别是谁 -> [市委书记, 市长]."""
        text = self.question_text(question)
        return [text[slice(*self._drop_level(text, *m.span()))] for m in self._question_role.finditer(text)]

    def question_text(self, question: str) -> str:
        """The question with a spoken title in the documents' words (一把手 -> 书记, officials.toml [question_titles])."""
        text = t2s(halfwidth(question))
        for spoken, title in dict(self.table.get("question_titles", {})).items():
            text = text.replace(spoken, title)
        return text

    def _spelled_out(self, role: str) -> str:
        """人大常委会主任 -> 人民代表大会常务委员会主任 (officials.toml [aliases]), so either spelling matches the other."""
        for _ in range(3):  # 人大主任 -> 人大常委会主任 -> 人民代表大会常务委员会主任
            for short, full in dict(self.table.get("aliases", {})).items():
                if full not in role:
                    role = role.replace(short, full)
        return role

    def _offices_match(self, asked: str, found: str) -> bool:
        secretaries = set(self._list("secretary_offices"))
        if asked in secretaries:  # a place's secretary: not an organ's 党组书记 nor the 纪委书记
            return found in secretaries
        asked, found = self._spelled_out(asked), self._spelled_out(found)
        if asked in found or (len(found) >= 4 and found in asked):
            return True
        return len(asked) >= 2 and found.endswith(asked)

    def matches(self, asked: str, found: str, place: str = "") -> bool:
        """Whether a found title answers the asked one. 镇长 matches 镇长 and 代镇长, not 副镇长; 书记 matches
        镇党委书记, not 党委副书记; 人大常委会主任 matches 常务委员会主任 (aliases in officials.toml). Levels must agree:
        市委书记 does not match 区委书记, 省委书记 not 镇党委书记; `place` (Mention.place) gives the level of a title
        that has none (凤岗镇 + 党委书记 is a 镇 secretary). A title of no level answers a levelled question only for
        a level that is only a prefix (镇党委书记: a town report writes 党委书记 alone), never one whose level is part of
        the title word (省委书记, 市长)."""
        if "副" in found and "副" not in asked:
            return False
        if self._is_acting(asked) and not self._is_acting(found):
            return False  # 代市长 asked: the 市长 is someone else, or the same person later
        asked_level, asked_office = self.split_role(asked)
        found_level, found_office = self.split_role(found)
        found_level = found_level or self.level_of_place(place)
        if asked_level and found_level and asked_level != found_level:
            return False
        if asked_level and not found_level and self._intrinsic_level(asked):
            return False
        return self._offices_match(asked_office or asked, found_office or found)

    @property
    def government_report(self) -> str:
        """政府工作报告: the report a government's head delivers (the first object of officials.toml [acts.report])."""
        return str((self._acts.get("report", {}).get("objects") or ["政府工作报告"])[0])

    def heads_government(self, role: str) -> bool:
        """区长, 代县长, 市长: the head of a people's government, who delivers its work report (officials.toml
        government_heads)."""
        core = re.sub(rf"[{SPACES}]", "", role)
        for prefix in self._list("acting_prefixes"):
            core = core.removeprefix(prefix)
        return core in self._list("government_heads")

    def _is_acting(self, role: str) -> bool:
        """代市长, 代理区长, 区代区长: an acting title (officials.toml acting_prefixes)."""
        core = re.sub(rf"[{SPACES}]", "", role)
        core = core[len(next((w for w in self.place_levels if core.startswith(w)), "")) :]
        return core.startswith(tuple(self._list("acting_prefixes")))

    def _intrinsic_level(self, role: str) -> bool:
        """Whether the level is part of the title word itself (省长, 市委书记, 区长), not a prefix of it (镇 + 党委书记,
        区 + 人大常委会主任): such a title is never written without it, so a bare 党委书记 is no 省委书记."""
        core = role
        for prefix in [*self._list("role_prefixes"), "副"]:
            core = core.removeprefix(prefix)
        return core in self._list("roles") and any(core.startswith(w) and len(core) > len(w) for w in self.place_levels)
