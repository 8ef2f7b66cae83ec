"""Officials: a title next to a personal name (镇长韩俊峰, 市長 李毓文, 曹偉源同志為合水鎮人大主席)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ragtool.models import Official
from ragtool.summarize.provenance import Found
from ragtool.summarize.rules import Rules, alternation
from ragtool.summarize.view import TextView

HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class OfficialFinder:
    rules: Rules

    @property
    def table(self) -> dict[str, Any]:
        return self.rules.officials

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
        verbs = alternation(list(self.table.get("elected", ["为"])))
        return re.compile(rf"同志(?:{verbs})[\u4e00-\u9fff]{{0,12}}?(?P<role>{self.role})")

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

    def _drop_level(self, text: str, start: int, end: int) -> tuple[int, int]:
        """区区长 -> 区长: a level word is dropped when the title itself names the level."""
        for level in sorted(self.table.get("levels", []), key=len, reverse=True):
            if text.startswith(level, start) and level in text[start + len(level) : end]:
                return start + len(level), end
        return start, end

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

    def find(self, view: TextView) -> list[Found[Official]]:
        """Officials of a document, given the view of its whole text."""
        text = view.text
        out: list[Found[Official]] = []

        def add(name: tuple[int, int], role: tuple[int, int], span: tuple[int, int]) -> None:
            role = self._drop_level(text, *role)
            official = Official(name=view.clean_cut(*name), role=view.clean_cut(*role), quote=view.cut(*span))
            out.append(Found(official, view.span(*span)))

        for m in self.role_then_name.finditer(text):
            name = self.name_at(text, m.end())
            if name:
                add((m.end(), m.end() + len(name)), m.span("role"), (m.start(), m.end() + len(name)))
        for m in self.elected.finditer(text):
            start = self.name_before(text, m.start())
            if start is not None:
                add((start, m.start()), m.span("role"), (start, m.end()))
        for m in self.name_first.finditer(text):
            start = self.name_before(text, m.start())
            if start is not None and self.ends_name(text, m.end()):
                add((start, m.start()), m.span("role"), (start, m.end()))
        return out
