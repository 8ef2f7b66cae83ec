"""Normalise answers and expected facts so that equal facts compare equal as substrings.

Half-width, simplified script, no pinyin annotations or whitespace, Chinese numerals as digits
(百分之五点五 = 5.5%, 五次 = 5次), amounts with 万/亿 and plain numbers of five or more digits
rescaled to 万 (4.11亿 = 41100万 = 411000000), decimals without trailing zeros, and dates as 2025年3月3日. `%` and 百分点 stay distinct.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ragtool.textnorm import halfwidth, t2s
from ragtool.zh.dates import canonical_dates
from ragtool.zh.numerals import to_digits
from ragtool.zh.script import strip_pinyin

_DROP = re.compile(r"[\s\u200b\ufeff“”‘’\"'《》「」『』〈〉]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万亿|亿|万)?")
_SCALE = {"万": Decimal(1), "亿": Decimal(10_000), "万亿": Decimal(100_000_000)}


def normalize(text: str) -> str:
    """The canonical comparison form of `text` (see the module docstring)."""
    s = t2s(halfwidth(text or ""))
    s = strip_pinyin(s)
    s = _DROP.sub("", s)
    s = _THOUSANDS.sub("", s)
    s = canonical_dates(s)
    s = to_digits(s)
    s = canonical_dates(s)
    s = _AMOUNT.sub(_rescale, s)
    return s.lower()


def contains(haystack: str, needle: str) -> bool:
    """Whether normalised `needle` occurs in normalised `haystack`, never inside a longer number
    (5% is not found in 5.5% or 15%, 41 not in 411)."""
    h, n = normalize(haystack), normalize(needle)
    if not n:
        return True
    start = r"(?<![\d.])" if n[0].isdigit() else ""
    end = r"(?!\d|\.\d)" if n[-1].isdigit() else ""
    return re.search(start + re.escape(n) + end, h) is not None


def _rescale(m: re.Match[str]) -> str:
    """Amounts in 万: 4.11亿 -> 41100万, 120000 -> 12万; shorter plain numbers only lose trailing zeros."""
    number, unit = m.group(1), m.group(2)
    try:
        value = Decimal(number)
    except InvalidOperation:
        return m.group(0)
    if unit:
        return f"{_plain(value * _SCALE[unit])}万"
    if "." not in number and len(number) >= 5:
        return f"{_plain(value / _SCALE['亿'])}万"
    return _plain(value) if "." in number else number


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 4110000, 5.5."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
