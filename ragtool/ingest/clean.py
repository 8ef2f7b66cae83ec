"""Clean text: boilerplate, repeated paragraphs, whitespace, full-width forms, pinyin annotations."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from ragtool.config import Settings
from ragtool.datafiles import read_toml
from ragtool.zh.script import strip_pinyin
from ragtool.zh.textnorm import halfwidth

BOILERPLATE_FILE = "boilerplate.toml"
MIN_DEDUP_CHARS = 20  # shorter repeated lines (headings, table-of-contents entries) are kept

# Characters that break lines: line/paragraph separators, vertical tab, form feed, NEL, file/group/record separators.
_LINE_BREAKS = {ord(c): "\n" for c in "\u2028\u2029\x0b\x0c\x85\x1c\x1d\x1e"}
_INLINE_WS = re.compile(r"[^\S\n]+")
# A heading written with spaces between its Han characters: "政 府 工 作 报 告".
_LETTER_SPACED = re.compile(r"[\u4e00-\u9fff]( [\u4e00-\u9fff]){3,}")


@dataclass
class Cleaner:
    """Cleans raw text with boilerplate patterns read from a data file."""

    full_line: list[re.Pattern[str]] = field(default_factory=list)
    contains: list[re.Pattern[str]] = field(default_factory=list)
    max_line_chars: int = 200

    @classmethod
    def from_settings(cls, settings: Settings) -> Cleaner:
        return cls.from_file(settings.data_path(BOILERPLATE_FILE))

    @classmethod
    def from_file(cls, path: Path) -> Cleaner:
        data = read_toml(path)
        return cls(
            full_line=[re.compile(p, re.IGNORECASE) for p in data.get("full_line", [])],
            contains=[re.compile(p, re.IGNORECASE) for p in data.get("contains", [])],
            max_line_chars=int(data.get("max_line_chars", 200)),
        )

    def clean(self, text: str) -> str:
        """Cleaned text: what is shown, quoted and chunked. clean(clean(x)) == clean(x)."""
        return self.clean_parts([text])[0]

    def clean_parts(self, parts: list[str]) -> tuple[str, list[int]]:
        """clean("".join(parts)), and where each part (a PDF's page) starts in it. A part that starts within a
        line starts where that line's rest starts in the cleaned line; one whose line is dropped starts at the
        next line kept."""
        normalized = [normalize_chars(part) for part in parts]
        bounds = [sum(len(n) for n in normalized[:i]) for i in range(len(parts))]
        raw = "".join(normalized).split("\n")
        line_starts = [0]
        for line in raw:
            line_starts.append(line_starts[-1] + len(line) + 1)
        lines = [normalize_line(line) for line in raw]
        seen: set[str] = set()
        kept: list[str] = []
        at: list[int | None] = []  # each raw line's offset in the cleaned text, None when dropped
        offset = 0
        for line in lines:
            if not line or self.is_boilerplate(line) or (len(line) >= MIN_DEDUP_CHARS and line in seen):
                at.append(None)
                continue
            if len(line) >= MIN_DEDUP_CHARS:
                seen.add(line)
            at.append(offset)
            kept.append(line)
            offset += len(line) + 1
        text = "\n".join(kept)
        following: list[int] = []  # offset of the first kept line at or after each raw line
        for pos in reversed(at):
            following.append(pos if pos is not None else (following[-1] if following else len(text)))
        following.reverse()
        starts: list[int] = []
        for bound in bounds:
            k = bisect.bisect_right(line_starts, bound) - 1
            pos = at[k] if k < len(at) else None
            if pos is None:
                starts.append(following[k] if k < len(following) else len(text))
            else:
                rest = normalize_line(raw[k][bound - line_starts[k] :])
                starts.append(pos + max(0, len(lines[k]) - len(rest)))
        return text, starts

    def is_boilerplate(self, line: str) -> bool:
        """True for navigation, footer and widget lines."""
        if any(p.fullmatch(line) for p in self.full_line):
            return True
        return len(line) <= self.max_line_chars and any(p.search(line) for p in self.contains)


def normalize_chars(text: str) -> str:
    """One kind of line break, no control or zero-width characters, half-width forms."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    return halfwidth(_INVISIBLE.sub("", text))


# Control and format characters (Unicode Cc, Cf) except newline and tab, as ranges (Unicode 15).
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def normalize_line(line: str) -> str:
    """Collapse runs of spaces, drop pinyin annotations, strip, close up letter-spaced headings."""
    line = _INLINE_WS.sub(" ", strip_pinyin(_INLINE_WS.sub(" ", line))).strip()
    return _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), line)
