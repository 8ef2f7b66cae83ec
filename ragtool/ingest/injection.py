"""Sentences that read as instructions to a model (possible prompt injection), flagged when a document is ingested.

The patterns are the `injection` list of grounding.toml; answers mark citations of flagged sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ragtool.datafiles import read_toml
from ragtool.zh.sentences import sentences
from ragtool.zh.textnorm import halfwidth

GROUNDING_FILE = "grounding.toml"


@lru_cache(maxsize=8)
def injection_patterns(path: Path) -> tuple[re.Pattern[str], ...]:
    """The injection patterns of a grounding.toml (case-insensitive)."""
    return tuple(re.compile(p, re.I) for p in read_toml(path).get("injection", []))


def injection_spans(text: str, patterns: Iterable[re.Pattern[str]]) -> list[list[int]]:
    """[start, end] of each sentence of `text` that reads as an instruction to the model."""
    found = tuple(patterns)
    out: list[list[int]] = []
    for start, end in sentences(text):
        sentence = halfwidth(text[start:end])
        if any(p.search(sentence) for p in found):
            out.append([start, end])
    return out
