"""Chinese numerals as numbers, through cn2an: 三千 -> 3000, 两万 -> 20000, 一千二百 -> 1200, 二〇二五 -> 2025.

    number("三十")      -> 30       (digits too: number("75") -> 75; None when not a number)
    year_value("二〇二五") -> 2025    (a year written digit by digit)
    to_digits("增长百分之五点五") -> "增长5.5%"
"""

from __future__ import annotations

import re
import warnings
from typing import Any

YEAR_DIGITS = "〇○零一二三四五六七八九"  # ○ (a circle) is how 〇 is often typed
NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
NUMERAL = f"[{NUMERAL_CHARS}]+"
_YEAR_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_ANY_NUMERAL = re.compile(f"[{NUMERAL_CHARS}点]")
# A lone digit (一 of 一是, 进一步) as cn2an reads it: most texts need no more, and loading cn2an costs a cold
# `ragtool ask` about 0.13 s (its patterns are compiled at import).
_LONE_DIGIT = {c: int(d) for c, d in _YEAR_DIGIT.items() if c != "○"}


def _cn2an() -> Any:
    import cn2an  # loads its tables on first use only

    return cn2an


def number(text: str) -> int | None:
    """An integer written in digits or Chinese numerals (三十, 二十五, 三千, 两万, 一千二百); None otherwise."""
    s = text.strip()
    if s.isdigit():
        return int(s)
    if s in _LONE_DIGIT:
        return _LONE_DIGIT[s]
    if not s or not _ANY_NUMERAL.search(s):
        return None
    if len(s) > 1 and all(c in _YEAR_DIGIT or c == "两" for c in s):  # digit by digit: a year, not a count
        return year_value(s)  # 一二三 (一二三次产业) is a list, None
    for form in (s, "一" + s) if s[0] in "百千万亿" else (s,):  # 百 is 一百
        try:
            value = _cn2an().cn2an(form, "normal")
        except (ValueError, KeyError, IndexError):
            continue
        return int(value) if value == int(value) else None
    return None


def year_value(text: str) -> int | None:
    """A four-digit year in digits or Chinese digits (2025, 二〇二五, 二零二五); None otherwise."""
    if text.isdigit():
        return int(text) if len(text) == 4 else None
    digits = "".join(_YEAR_DIGIT.get(c, "") for c in text)
    return int(digits) if len(digits) == 4 == len(text) else None


def to_digits(text: str) -> str:
    """Chinese numerals in `text` as Arabic digits (cn2an.transform); text cn2an cannot read is left as is."""
    if not _ANY_NUMERAL.search(text):
        return text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return str(_cn2an().transform(text, "cn2an"))
        except (ValueError, KeyError, IndexError):
            return text
