"""Script: pinyin annotations and the simplified view of traditional text.

    strip_pinyin("鎮(zhèn)政府")   -> "鎮政府"
    simplified("廣東省")          -> "广东省"   (same length as its input, always)
"""

from __future__ import annotations

import re

from ragtool.zh.textnorm import t2s

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A latin syllable with a tone mark (or a tone number: xian4) in parentheses right after a Han character:
# 鎮(zhèn), 現 (xiàn), 預(yu4). Parentheses without a tone, such as 国内生产总值(GDP), are real and kept.
PINYIN = re.compile(
    rf"(?<=[\u3400-\u9fff])(?: ?\((?:(?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,7}}|[a-zü]{{1,6}}[1-5])\))+"
)


def strip_pinyin(text: str) -> str:
    """Text without ruby-style pinyin after Han characters; real parentheses are kept."""
    return PINYIN.sub("", text)


def pinyin_spans(text: str) -> list[tuple[int, int]]:
    """Where strip_pinyin cuts: the spans of the pinyin annotations of `text`."""
    return [m.span() for m in PINYIN.finditer(text)]


def simplified(text: str) -> str:
    """Simplified script (OpenCC t2s) of the same length as `text`, so positions carry over. The one fallback
    rule: when OpenCC changes the length (a phrase conversion), convert character by character."""
    simple = t2s(text)
    if len(simple) == len(text):
        return simple
    return "".join(t2s(ch)[:1] or ch for ch in text)
