"""Normalise answers and expected facts so that equal facts compare equal as substrings.

Half-width, simplified script, no pinyin annotations or whitespace, Chinese numerals as digits
(百分之五点五 = 5.5%, 五次 = 5次), amounts with 万/亿 and plain numbers of five or more digits
rescaled to 万 (4.11亿 = 41100万 = 411000000), decimals without trailing zeros, and dates as 2025年3月3日. `%` and 百分点 stay distinct.
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ragtool.config import PACKAGE_DIR
from ragtool.datafiles import read_toml
from ragtool.lexicon import FILE, Lexicon
from ragtool.textnorm import halfwidth, t2s
from ragtool.zh.quantity import QuantityGrammar

_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]+\)")
_DROP = re.compile(r"[\s\u200b\ufeff“”‘’\"'《》「」『』〈〉]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_WAN = Decimal(10_000)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CN_DATE = re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日")


def normalize(text: str) -> str:
    """The canonical comparison form of `text` (see the module docstring)."""
    s = t2s(halfwidth(text or ""))
    s = _PINYIN.sub("", s)
    s = _DROP.sub("", s)
    s = _THOUSANDS.sub("", s)
    s = _dates(s)
    s = _cn_numerals(s)
    s = _dates(s)
    s = _amounts(s)
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


def _cn_numerals(s: str) -> str:
    """Chinese numerals to Arabic digits, via cn2an; text cn2an cannot parse is left as it is."""
    import cn2an

    if not re.search(r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点]", s):
        return s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return str(cn2an.transform(s, "cn2an"))
        except (ValueError, KeyError, IndexError):
            return s


def _dates(s: str) -> str:
    s = _ISO_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", s)
    return _CN_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", s)


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
