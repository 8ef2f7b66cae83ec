"""Section headings, read one way for chunks, evidence, summaries and time frames (rules in headings.toml).

A heading is a numbered line (一、 （一） 1. 1、 第一部分, Markdown #) up to its first sentence end, a cue line
(2025年工作安排), or a short title line without end punctuation among few such lines.

    rules = heading_rules(settings)
    numbered("（二）推动产业升级。全年…", rules)  -> Numbered(level=2, number=2, body_start=4, end=10)
    heading_lines(text, rules)                   -> {line start: heading end}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ragtool.config import Settings, default_settings
from ragtool.datafiles import read_toml
from ragtool.zh.marks import TERMINAL
from ragtool.zh.numerals import number

HEADINGS_FILE = "headings.toml"
_LINE = re.compile(r"[^\n]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_NO_HEADING_END = "。！？；!?;,，、:："
_SENTENCE_END = re.compile(f"[{TERMINAL};；]")
_DIGITS = re.compile(r"[一二三四五六七八九十]+|\d+")


@dataclass(frozen=True)
class HeadingRules:
    numbered: tuple[tuple[re.Pattern[str], int], ...]  # (pattern, level)
    cue: tuple[re.Pattern[str], ...] = ()
    max_heading_chars: int = 60
    max_short_line_chars: int = 30
    max_heading_run: int = 3

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """The numbered-heading patterns, outermost level first."""
        return tuple(p for p, _ in sorted(self.numbered, key=lambda pl: pl[1]))


@dataclass(frozen=True)
class Numbered:
    """A numbered heading at the start of a line: its level, its number, where its words start and end."""

    level: int
    label: str  # the number as written: 二, (二), 2.
    body_start: int  # after the number (and spaces)
    end: int  # the heading's end: the line's first sentence end, or the line's end

    @property
    def number(self) -> int | None:
        digits = _DIGITS.search(self.label)
        return number(digits.group()) if digits else None


@lru_cache(maxsize=8)
def load_heading_rules(path: Path, mtime: float = 0.0) -> HeadingRules:
    data = read_toml(path)
    numbered = []
    for item in data.get("numbered", []):
        pattern, level = (item, 1) if isinstance(item, str) else (item["pattern"], int(item.get("level", 1)))
        numbered.append((re.compile(pattern), level))
    return HeadingRules(
        numbered=tuple(numbered),
        cue=tuple(re.compile(p) for p in data.get("cue", [])),
        max_heading_chars=int(data.get("max_heading_chars", 60)),
        max_short_line_chars=int(data.get("max_short_line_chars", 30)),
        max_heading_run=int(data.get("max_heading_run", 3)),
    )


def heading_rules(settings: Settings | None = None) -> HeadingRules:
    """The rules of headings.toml (the user's copy in RAGTOOL_DATA_DIR, else the bundled one)."""
    path = (settings or default_settings()).data_path(HEADINGS_FILE)
    return load_heading_rules(path, path.stat().st_mtime)


def numbered(line: str, rules: HeadingRules, max_chars: int | None = None) -> Numbered | None:
    """The numbered heading `line` starts with, ending at its first sentence end (or the line's end); None when
    the line is not numbered or its heading is longer than `max_chars` (default: the rules' max_heading_chars)."""
    lead = len(line) - len(line.lstrip(" \t\u3000"))
    for pattern, level in rules.numbered:
        m = pattern.match(line, lead)
        if not m:
            continue
        stop = _SENTENCE_END.search(line, m.end())
        end = stop.start() if stop else len(line.rstrip())
        if not 0 < end - lead <= (max_chars or rules.max_heading_chars):
            return None
        body = m.end() + len(line[m.end() :]) - len(line[m.end() :].lstrip(" \t\u3000"))
        return Numbered(level, m.group(), body, end)
    return None


def section_heading_test(rules: HeadingRules | None = None, max_level: int = 2) -> Callable[[str], bool]:
    """A test of whether a line is a section heading: numbered, of level `max_level` or outer (一、 and （一）)."""
    rules = rules or heading_rules()

    def test(line: str) -> bool:
        found = numbered(line, rules)
        return found is not None and found.level <= max_level

    return test


def is_short_heading(line: str, rules: HeadingRules) -> bool:
    """A short line of Han text without end punctuation: a title line, if few such lines stand together."""
    return (
        0 < len(line) <= rules.max_short_line_chars
        and line[-1] not in _NO_HEADING_END
        and _HAN.search(line) is not None
    )


def heading_lines(text: str, rules: HeadingRules) -> dict[int, int]:
    """The heading lines of `text` as {line start: heading end} (a numbered heading may be the first sentence of
    its line): numbered lines, cue lines, and runs of at most max_heading_run short lines before body text."""
    lines = [trimmed(text, m.start(), m.end()) for m in _LINE.finditer(text)]
    lines = [(s, e) for s, e in lines if s < e]
    out: dict[int, int] = {}
    for s, e in lines:
        line = text[s:e]
        found = numbered(line, rules)
        if found:
            out[s] = s + found.end
        elif any(p.match(line) for p in rules.cue) and len(line) <= rules.max_short_line_chars:
            out[s] = e
    short = [is_short_heading(text[s:e], rules) for s, e in lines]
    i = 0
    while i < len(lines):
        if not short[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and short[j]:
            j += 1
        if j - i <= rules.max_heading_run and j < len(lines):
            for s, e in lines[i:j]:
                out.setdefault(s, e)
        i = j
    return out


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """start and end moved inwards past white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
