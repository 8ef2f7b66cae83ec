"""A simplified, annotation-free view of a text that maps every position back to the original.

Rules match on the view (half-width, simplified, pinyin annotations such as 鎮(zhèn) removed); quotes and
values are then cut from the original text, so they stay verbatim (traditional characters and all).
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtool.zh.script import pinyin_spans, simplified, strip_pinyin
from ragtool.zh.textnorm import halfwidth


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


def make_view(text: str) -> TextView:
    kept: list[str] = []
    index: list[int] = []
    pos = 0
    for a, b in pinyin_spans(text):
        kept.append(text[pos:a])
        index.extend(range(pos, a))
        pos = b
    kept.append(text[pos:])
    index.extend(range(pos, len(text)))
    return TextView(text, simplified(halfwidth("".join(kept))), index)
