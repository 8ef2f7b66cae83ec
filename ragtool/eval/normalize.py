"""Normalise answers and expected facts so that equal facts compare equal as substrings.

Half-width, simplified script, no pinyin annotations or whitespace, Chinese numerals as digits
(百分之五点五 = 5.5%, 五次 = 5次), amounts with 万/亿 and plain numbers of five or more digits
rescaled to 万 (4.11亿 = 41100万 = 411000000), decimals without trailing zeros, and dates as 2025年3月3日. `%` and 百分点 stay distinct.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ragtool.config import PACKAGE_DIR
from ragtool.datafiles import read_toml
from ragtool.zh.dates import canonical_dates
from ragtool.zh.lexicon import FILE, Lexicon
from ragtool.zh.numerals import to_digits
from ragtool.zh.quantity import QuantityGrammar
from ragtool.zh.script import strip_pinyin
from ragtool.zh.textnorm import halfwidth, t2s

_DROP = re.compile(r"[\s\u200b\ufeff“”‘’\"'《》「」『』〈〉]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_WAN = Decimal(10_000)


def normalize(text: str, rescale: bool = True) -> str:
    """The canonical comparison form of `text` (see the module docstring); amounts as written with rescale=False."""
    s = t2s(halfwidth(text or ""))
    s = strip_pinyin(s)
    s = _DROP.sub("", s)
    s = _THOUSANDS.sub("", s)
    s = canonical_dates(s)
    s = to_digits(s)
    s = canonical_dates(s)
    s = _amounts(s) if rescale else s
    return s.lower()


def contains(haystack: str, needle: str) -> bool:
    """Whether normalised `needle` occurs in normalised `haystack`, never inside a longer number
    (5% is not found in 5.5% or 15%, 41 not in 411). A bare decimal (1000.86) is also found as written before an
    amount's magnitude (1000.86亿元)."""
    h, n = normalize(haystack), normalize(needle)
    if not n:
        return True
    if _number_in(h, n):
        return True
    bare = normalize(needle, rescale=False)
    return bool(_BARE_DECIMAL.fullmatch(bare)) and _number_in(normalize(haystack, rescale=False), bare)


_BARE_DECIMAL = re.compile(r"\d+\.\d+")


def _number_in(h: str, n: str) -> bool:
    start = r"(?<![\d.])" if n[0].isdigit() else ""
    end = r"(?!\d|\.\d)" if n[-1].isdigit() else ""
    return re.search(start + re.escape(n) + end, h) is not None


@lru_cache(maxsize=1)
def _grammar() -> QuantityGrammar:
    """The quantity grammar of the packaged lexicon: gold answers are compared the same way on every machine."""
    return Lexicon.from_table(read_toml(PACKAGE_DIR / "data" / FILE)).quantities


def _amounts(s: str) -> str:
    """Numbers as the quantity grammar reads them, amounts in 万 (see _rescale)."""
    grammar = _grammar()
    toks = grammar.tokens(s)
    out, pos = [], 0
    for i, t in enumerate(toks):
        if t.kind != "NUM" or not t.text[0].isdigit() or t.start < pos:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        mag = nxt.text if nxt is not None and nxt.kind == "MAG" and nxt.start == t.end else ""
        factor = grammar.words.magnitudes.get(mag, 1.0)
        if factor < 10_000:
            mag = ""
        end = t.end + len(mag)
        out += [s[pos : t.start], _rescale(t.text, mag, Decimal(str(factor)))]
        pos = end
    return "".join(out) + s[pos:]


def _rescale(number: str, magnitude: str, factor: Decimal) -> str:
    """Amounts in 万: 4.11亿 -> 41100万, 120000 -> 12万; shorter plain numbers only lose trailing zeros."""
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return number + magnitude
    if magnitude:
        return f"{_plain(value * factor / _WAN)}万"
    if "." not in number and len(number) >= 5:
        return f"{_plain(value / _WAN)}万"
    return _plain(value) if "." in number else number


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 4110000, 5.5."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
