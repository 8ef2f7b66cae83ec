"""Word boundaries, so that no answer, quote or summary line starts or ends inside a word (增|长, 深|刻把握).

Without a segmenter: a boundary is the text's edge, punctuation or a space, a change of script (汉字 ↔ digits or
Latin letters), or either side of a one-character function word or a listed word of words.toml (的, 和, 等; 增长,
聚焦 …). A cut that falls inside a word moves outward to the nearest boundary.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ragtool.config import Settings, load_settings
from ragtool.datafiles import read_toml

WORDS_FILE = "words.toml"
ELLIPSIS = "…"


@dataclass(frozen=True)
class WordRules:
    function_chars: frozenset[str]
    words: frozenset[str] = frozenset()
    longest: int = 0  # characters of the longest listed word


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float = 0.0) -> WordRules:
    data = read_toml(path)
    words = frozenset(str(w) for w in data.get("words", []) if len(str(w)) >= 2)
    return WordRules(frozenset(str(data.get("function_chars", ""))), words, max(map(len, words), default=0))


def word_rules(settings: Settings | None = None) -> WordRules:
    """The rules of words.toml (the user's copy in RAGTOOL_DATA_DIR, else the bundled one)."""
    path = (settings or load_settings()).data_path(WORDS_FILE)
    return _load(path, path.stat().st_mtime)


def _script(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "han"
    if ch.isdigit() or ch in ".%％":
        return "num"
    if ch.isascii() and ch.isalpha():
        return "latin"
    return "mark" if unicodedata.category(ch)[0] in "PZSC" else "other"


def is_boundary(text: str, i: int, rules: WordRules) -> bool:
    """Whether a cut between text[i-1] and text[i] falls between two words."""
    if i <= 0 or i >= len(text):
        return True
    a, b = text[i - 1], text[i]
    sa, sb = _script(a), _script(b)
    if "mark" in (sa, sb) or sa != sb:
        return True
    if sa != "han":
        return False
    if a in rules.function_chars or b in rules.function_chars:
        return True
    return any(text[i : i + n] in rules.words or text[i - n : i] in rules.words for n in range(2, rules.longest + 1))


def snap(text: str, start: int, end: int, rules: WordRules) -> tuple[int, int]:
    """(start, end) moved outward to the nearest word boundaries (深刻把握… not 刻把握…, 增长 not 增)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo = next(i for i in range(start, -1, -1) if is_boundary(text, i, rules))
    hi = next(i for i in range(end, len(text) + 1) if is_boundary(text, i, rules))
    return lo, hi


def shorten(text: str, limit: int, rules: WordRules) -> str:
    """`text` itself if it has at most `limit` characters, else cut at the last word boundary that leaves room
    for an ellipsis (…), never inside a word (or, with no boundary at all, at the limit)."""
    if len(text) <= limit:
        return text
    room = max(1, limit - len(ELLIPSIS))
    cut = next((i for i in range(room, 0, -1) if is_boundary(text, i, rules)), room)
    return text[:cut].rstrip("，,、；;：: ") + ELLIPSIS
