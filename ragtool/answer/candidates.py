"""Typed answer candidates: a span of an evidence sentence, with named features in [0, 1] and a score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ragtool.answer.evidence import Evidence, EvidenceReader
from ragtool.query import ParsedQuery, Vocabulary
from ragtool.zh.meeting import MeetingReader
from ragtool.zh.officials import OfficialFinder
from ragtool.zh.quantity import QuantityGrammar
from ragtool.zh.words import WordRules


@dataclass
class Span:
    """One candidate answer: e.text[start:end] (value may add a year or a verdict to it)."""

    e: Evidence
    start: int
    end: int
    value: str
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    vetoed: str = ""  # the constraint it broke, if any
    at: int = -1  # where in the sentence its time frame is read (up to there); -1: the end of the span


@dataclass
class Context:
    """What every extractor may read: the parsed question and the word lists."""

    q: ParsedQuery
    vocab: Vocabulary
    officials: OfficialFinder
    reader: EvidenceReader
    target_after: tuple[str, ...] = ()  # qualifiers after a value that make it a target (左右, 以上)
    units_of: Callable[[str], tuple[str, ...]] = lambda canonical: ()  # the units an indicator is measured in
    combined: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 城乡 → 城镇, 农村 (before 分别)
    gap_stops: tuple[str, ...] = ()  # 占…比重 between an indicator and a value: the value is another figure's
    # whether an indicator named at text[start:] as form is the document's own (Lexicon.own_figure)
    own_figure: Callable[[str, int, str, tuple[str, ...]], bool] = lambda text, start, form, own: True
    # whether text[start:] stands on its own: after punctuation, a scope word or the own place (Lexicon.scoped)
    scoped: Callable[[str, int, tuple[str, ...]], bool] = lambda text, start, own: True
    meeting: MeetingReader = field(default_factory=lambda: MeetingReader({}))  # when and where a meeting opened
    # a graded feature value, scoring.toml [grades.<feature>] (Scorer.grade)
    grade: Callable[[str, str], float] = lambda feature, case: 0.5
    quantities: QuantityGrammar | None = None  # the one reader of values (lexicon.toml [quantity])
    figure_words: Callable[[str], tuple[str, ...]] = lambda key: ()  # lexicon.toml [figures] word lists
    words: WordRules = field(default_factory=lambda: WordRules(frozenset()))  # word boundaries (words.toml)
    directive_verbs: tuple[str, ...] = ()  # 要聚焦…, 要坚持…: lexicon.toml [priorities] directive_verbs

    @property
    def grammar(self) -> QuantityGrammar:
        assert self.quantities is not None, "Context built without the quantity grammar"
        return self.quantities
