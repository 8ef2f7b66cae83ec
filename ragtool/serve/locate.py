"""Where a quote sits in a document's cleaned text, so the page can scroll to it and highlight it."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def locate(text: str, quote: str, start: int | None = None, end: int | None = None) -> tuple[int, int] | None:
    """(start, end) of `quote` in `text`: the given offsets when they hold it, else the occurrence nearest to
    `start`, else a match that ignores whitespace (a quote may fold line breaks). None when it is not there."""
    if not quote:
        return None
    if start is not None and end is not None and 0 <= start <= end <= len(text) and text[start:end] == quote:
        return start, end
    found = _all(text, quote)
    if found:
        near = start or 0
        best = min(found, key=lambda i: abs(i - near))
        return best, best + len(quote)
    return _loose(text, quote, start or 0)


def _all(text: str, quote: str) -> list[int]:
    out, i = [], text.find(quote)
    while i >= 0:
        out.append(i)
        i = text.find(quote, i + 1)
    return out


def _loose(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Match with whitespace removed on both sides, mapped back to offsets in `text`."""
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in keep)
    needle = _SPACE.sub("", quote)
    if not needle:
        return None
    hits = _all(squeezed, needle)
    if not hits:
        return None
    best = min(hits, key=lambda j: abs(keep[j] - near))
    return keep[best], keep[best + len(needle) - 1] + 1
