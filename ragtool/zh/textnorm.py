"""Character-level normalisation shared by ingest, retrieval, answers and eval."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_WS = re.compile(r"\s+")

# Full-width ASCII variants (U+FF01..U+FF5E) map to U+0021..U+007E; U+3000 is the ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def halfwidth(text: str) -> str:
    """Full-width digits, letters and ASCII punctuation to their half-width forms."""
    return text.translate(_FULLWIDTH)


@lru_cache(maxsize=1)
def _t2s_converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def t2s(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC). Keeps length for almost all characters."""
    if not text:
        return text
    return str(_t2s_converter().convert(text))


def fold(text: str) -> str:
    """Loose form used to compare quotes: half-width, simplified, no whitespace."""
    return _WS.sub("", t2s(halfwidth(text)))


def fold_ws(text: str) -> str:
    """Half-width with no whitespace: what quote verification compares."""
    return _WS.sub("", halfwidth(text))
