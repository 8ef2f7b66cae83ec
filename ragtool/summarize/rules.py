"""Tables the extractive summary reads: the indicator lexicon (lexicon.toml) and official titles (officials.toml)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_surnames, read_toml
from ragtool.zh.lexicon import FILE as LEXICON_FILE
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.timeframe import TimeCues
from ragtool.zh.words import WORDS_FILE, WordRules, word_rules

DATA_FILES = (LEXICON_FILE, "officials.toml", "surnames.txt", WORDS_FILE)


@dataclass(frozen=True)
class Rules:
    """Everything the extractive engine reads from data files, plus a version string of those files."""

    lexicon: Lexicon
    officials: dict[str, Any]  # officials.toml, with "surnames" and "compound_surnames" added
    version: str
    words: WordRules = field(default_factory=lambda: WordRules(frozenset()))  # word boundaries (words.toml)

    @classmethod
    def load(cls, settings: Settings) -> Rules:
        digest = hashlib.sha256()
        for name in DATA_FILES:
            digest.update(settings.data_path(name).read_bytes())
        single, compound = load_surnames(settings)
        officials = read_toml(settings.data_path("officials.toml"))
        officials = {**officials, "surnames": "".join(sorted(single)), "compound_surnames": list(compound)}
        return cls(Lexicon.load(settings), officials, f"extractive-v1+{digest.hexdigest()[:8]}", word_rules(settings))

    @cached_property
    def time_cues(self) -> TimeCues:
        return TimeCues.from_lexicon(self.lexicon)

    def form_to_indicator(self) -> dict[str, str]:
        return self.lexicon.document_forms()

    def figure_cue(self, key: str) -> list[str]:
        return self.lexicon.figure_words(key)

    def figure_setting(self, key: str, default: int) -> int:
        return int(self.lexicon.figures.get(key, default))

    def section_cue(self, key: str) -> list[str]:
        return self.lexicon.section_words(key)

    @property
    def priorities(self) -> dict[str, Any]:
        return self.lexicon.priorities

    @property
    def abstract(self) -> dict[str, Any]:
        return self.lexicon.abstract
