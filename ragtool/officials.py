"""Officials named in a text: a title next to a personal name, in the layouts Chinese reports use.

One finder serves `ragtool ask` (who is …?) and `ragtool summarize` (the officials list). It reads
officials.toml (titles, name boundaries) and surnames.txt, and works on simplified, annotation-free text,
so callers map spans back to their original text themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_data, load_surnames

HAN = re.compile(r"[\u4e00-\u9fff]")


def alternation(words: list[str] | set[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


@dataclass(frozen=True)
class Mention:
    """Spans, in the searched text, of a name (or 、-joined names), its title, and the whole mention."""

    name: tuple[int, int]
    role: tuple[int, int]
    span: tuple[int, int]


@dataclass(frozen=True)
class OfficialFinder:
    table: dict[str, Any]  # officials.toml, with "surnames" and "compound_surnames" added

    @classmethod
    def load(cls, settings: Settings) -> OfficialFinder:
        single, compound = load_surnames(settings)
        table = load_data(settings, "officials.toml")
        return cls({**table, "surnames": "".join(sorted(single)), "compound_surnames": list(compound)})

    # ---- patterns built from the table -------------------------------------------------------

    @cached_property
    def role(self) -> str:
        levels = alternation(list(self.table.get("levels", [])))
        return rf"(?:{levels})?(?:{alternation(list(self.table.get('roles', [])))})"

    @cached_property
    def role_then_name(self) -> re.Pattern[str]:
        between = alternation(list(self.table.get("between", [" "])))
        return re.compile(rf"(?P<role>{self.role})(?P<gap>(?:{between}){{0,3}})")

    @cached_property
    def elected(self) -> re.Pattern[str]:
        """吴文泉同志当选副镇长 / 选举祁森林为…主任 / 黄楚慧、潘鹏为…委员 (names before the title)."""
        verbs = alternation(list(self.table.get("elected", ["为"])))
        names = r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})*"
        return re.compile(
            rf"(?:(?P<n1>{names})同志|(?:选举|^|\n)(?P<n2>{names}))(?:{verbs})[^，,。；;]{{0,30}}?(?P<role>{self.role})"
        )

    @cached_property
    def byline(self) -> re.Pattern[str]:
        """广州市番禺区发展和改革局 林高翔: an organisation and a name alone at the end of a line."""
        orgs = alternation(list(self.table.get("org_suffixes", [])))
        return re.compile(rf"(?P<role>[\u4e00-\u9fff]{{2,20}}(?:{orgs}))[ \t\u3000]+(?=[\u4e00-\u9fff]{{2,4}}\s*(?:\n|$))")

    @cached_property
    def name_first(self) -> re.Pattern[str]:
        return re.compile(rf"(?P<role>{alternation(list(self.table.get('after_name', [])))})")

    @cached_property
    def surnames(self) -> set[str]:
        return set(str(self.table.get("surnames", ""))) - set(" \n")

    @cached_property
    def compound(self) -> tuple[str, ...]:
        return tuple(self.table.get("compound_surnames", []))

    @cached_property
    def ends(self) -> tuple[str, ...]:
        return tuple(self.table.get("name_ends", []))

    # ---- names -------------------------------------------------------------------------------

    def plausible(self, name: str) -> bool:
        """A family name plus 1-2 characters (3 after a two-character family name), none of them function words."""
        if not all(HAN.fullmatch(c) for c in name):
            return False
        if any(c in str(self.table.get("not_in_name", "")) for c in name[1:]):
            return False
        if name.startswith(self.compound):
            return 3 <= len(name) <= 4
        return name[0] in self.surnames and 2 <= len(name) <= 3

    def ends_name(self, text: str, pos: int) -> bool:
        return pos >= len(text) or not HAN.match(text[pos]) or text.startswith(self.ends, pos)

    def name_at(self, text: str, pos: int) -> str | None:
        """The shortest plausible name starting at `pos` that is followed by a name boundary."""
        for length in (2, 3, 4):
            name = text[pos : pos + length]
            if len(name) == length and self.plausible(name) and self.ends_name(text, pos + length):
                return name
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
        """区区长 -> 区长: a level word is dropped when the title itself names the level."""
        for level in sorted(self.table.get("levels", []), key=len, reverse=True):
            if text.startswith(level, start) and level in text[start + len(level) : end]:
                return start + len(level), end
        return start, end

    # ---- finding -----------------------------------------------------------------------------

    def find(self, text: str) -> list[Mention]:
        """Every official mentioned in `text` (simplified), in order of position, each name once."""
        out: list[Mention] = []
        for m in self.role_then_name.finditer(text):
            name = self.name_at(text, m.end())
            if name:
                role = self._drop_level(text, *m.span("role"))
                out.append(Mention((m.end(), m.end() + len(name)), role, (m.start(), m.end() + len(name))))
        for m in self.elected.finditer(text):
            group = "n1" if m.group("n1") else "n2"
            names = self._names(text, *m.span(group))
            if names is not None:
                out.append(Mention(names, self._drop_level(text, *m.span("role")), (names[0], m.end())))
        for m in self.byline.finditer(text):
            name = self.name_at(text, m.end())
            if name:
                out.append(Mention((m.end(), m.end() + len(name)), m.span("role"), (m.start(), m.end() + len(name))))
        if not out:  # 审议了雷卫华区长…: only when nothing clearer is in the text
            for m in self.name_first.finditer(text):
                start = self.name_before(text, m.start())
                if start is not None and self.ends_name(text, m.end()):
                    out.append(Mention((start, m.start()), m.span("role"), (start, m.end())))
        seen: set[str] = set()
        unique = []
        for mention in sorted(out, key=lambda x: x.span[0]):
            name = text[slice(*mention.name)]
            if name not in seen:
                seen.add(name)
                unique.append(mention)
        return unique

    # ---- questions ---------------------------------------------------------------------------

    @cached_property
    def _question_roles(self) -> list[str]:
        return sorted({*self.table.get("roles", []), *self.table.get("question_roles", [])}, key=len, reverse=True)

    def asked_role(self, question: str) -> str | None:
        """The title a question asks about (书记 in 小榄镇书记是谁), or None."""
        return next((r for r in self._question_roles if r in question), None)

    def matches(self, asked: str, found: str) -> bool:
        """镇长 matches 镇长 and 代镇长, not 副镇长; 书记 matches 镇党委书记, not 党委副书记;
        人大常委会主任 matches 常务委员会主任 (through the aliases in officials.toml)."""
        if "副" in found and "副" not in asked:
            return False
        for short, full in self.table.get("aliases", {}).items():
            if full not in asked:
                asked = asked.replace(short, full)
        if asked in found or (len(found) >= 4 and found in asked):
            return True
        core = asked.removeprefix("代").removeprefix("镇").removeprefix("区").removeprefix("市")
        return len(core) >= 2 and found.endswith(core)
