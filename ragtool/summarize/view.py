"""A simplified, annotation-free view of a text that maps every position back to the original.

Rules match on the view (half-width, simplified, pinyin annotations such as 鎮(zhèn) removed); quotes and
values are then cut from the original text, so they stay verbatim (traditional characters and all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtool.textnorm import halfwidth, t2s

# An in-line pinyin annotation right after a Han character: 現(xiàn), 預(yù).
PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*|[a-z]+\d)\)")


@dataclass(frozen=True)
class TextView:
    original: str
    text: str  # the view
    index: list[int]  # index[i]: position in `original` of view character i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of view span [start, end)."""
        return self.index[start], self.index[end - 1] + 1

    def cut(self, start: int, end: int) -> str:
        """The original text of view span [start, end), annotations included (verbatim)."""
        a, b = self.span(start, end)
        return self.original[a:b]

    def clean_cut(self, start: int, end: int) -> str:
        """The original text of a view span without pinyin annotations (as written, for display)."""
        return strip_pinyin(self.cut(start, end))


def strip_pinyin(text: str) -> str:
    return PINYIN.sub("", text)


def make_view(text: str) -> TextView:
    kept: list[str] = []
    index: list[int] = []
    pos = 0
    for m in PINYIN.finditer(text):
        kept.append(text[pos : m.start()])
        index.extend(range(pos, m.start()))
        pos = m.end()
    kept.append(text[pos:])
    index.extend(range(pos, len(text)))
    plain = halfwidth("".join(kept))
    simple = t2s(plain)
    if len(simple) != len(plain):  # OpenCC changed the length somewhere: convert char by char
        simple = "".join(t2s(ch)[:1] or ch for ch in plain)
    return TextView(text, simple, index)
