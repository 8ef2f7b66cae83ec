"""Question types in one registry: what a question asks for, and everything that follows from it.

A type is one object: its cue words (question.toml [qtype], read by `bind`), its precedence (its place in
`REGISTRY`: the first type whose cue is in the question wins), its extractor (a module of
ragtool.answer.extractors), whether the answer's year, plan and target must fit the question (timed), whether
parallel sentences may answer it (framed: 四大行动 in four sentences), its answer-length rule (short: one value, a
name, a date or 是/否 with the fact) and the eval kind that checks it. A new type is one entry here, its cue words
in question.toml and its extractor module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

MAX_SHORT_ANSWER = 100  # characters a short answer may have (a value, a name, a date, 是/否 with the fact)


@dataclass(frozen=True)
class QuestionType:
    name: str
    extractor: str  # module of ragtool.answer.extractors
    timed: bool = False  # the answer's year, plan, target and unit must fit the question's
    framed: bool = False  # a frame of parallel sentences may answer it (哪些方面, 四大行动)
    short: bool = False  # answered with one short span (at most MAX_SHORT_ANSWER characters)
    topical: bool = False  # its target words name what is asked (主要预期目标有哪些), they are kept as words to find
    newest: bool = False  # without a year asked, the newest document's answer is preferred (who holds a post now)
    eval_kind: str = ""  # the eval case kind that checks it ("" when none does)
    yields_to: tuple[str, str] = ("", "")  # (pattern, type) it gives way to: 有几个 without 哪 counts
    cues: tuple[str, ...] = ()  # bound from question.toml [qtype.<name>]
    finals: tuple[str, ...] = ()  # cue words that count only at the question's end (…了吗, 超过10%没有), [qtype_final]
    finals_unless: tuple[str, ...] = ()  # ... unless the question has one of these (你知道市长是谁吗 asks who)

    def matches(self, text: str) -> bool:
        end = text.rstrip("?？!！。.… \t\n")
        final = any(end.endswith(f) for f in self.finals) and not any(w in text for w in self.finals_unless)
        return any(cue in text for cue in self.cues) or final


REGISTRY: tuple[QuestionType, ...] = (  # in order of precedence
    QuestionType("yesno", "yesno", timed=True, short=True, eval_kind="yesno"),
    QuestionType("date", "date", short=True, newest=True, eval_kind="date"),
    QuestionType("venue", "venue", short=True, eval_kind="what"),
    QuestionType("post", "post", short=True, newest=True, eval_kind="what"),
    QuestionType("name", "name", short=True, newest=True, eval_kind="name",
                 yields_to=(r"^(?!.*(?:出席|列席|主持)).*(?:有谁|有哪些人|哪些人|哪几位|哪些领导)", "list")),  # several
                 # people: a list, unless they are asked by an act the name reader knows (有哪些领导出席)
    QuestionType("list", "listing", framed=True, topical=True, eval_kind="list", yields_to=(r"^(?!.*(?:哪|是什么|有什么)).*(?:多少|几[个项大方]?(?!项))", "number")),
    QuestionType("what", "what", framed=True, topical=True, eval_kind="what"),
    QuestionType("number", "number", timed=True, short=True, eval_kind="number"),
    QuestionType("other", "sentence", framed=True),
)
BY_NAME = {t.name: t for t in REGISTRY}
FALLBACK = BY_NAME["other"]
TIMED = frozenset(t.name for t in REGISTRY if t.timed)
FRAMED = frozenset(t.name for t in REGISTRY if t.framed)
# eval kinds every type of which answers short (a venue is short, but other what-answers are not)
NEWEST = frozenset(t.name for t in REGISTRY if t.newest)
SHORT_KINDS = frozenset(k for k in {t.eval_kind for t in REGISTRY} - {""}
                        if all(t.short for t in REGISTRY if t.eval_kind == k))


def get(name: str) -> QuestionType:
    return BY_NAME.get(name, FALLBACK)


def bind(cues: dict[str, list[str]], finals: dict[str, list[str]] | None = None) -> tuple[QuestionType, ...]:
    """The registry with each type's cue words from question.toml [qtype] (and [qtype_final]: words at the end)."""
    finals = finals or {}
    unless = tuple(str(w) for w in finals.get("unless", []))
    return tuple(replace(t, cues=tuple(str(c) for c in cues.get(t.name, [])),
                         finals=tuple(str(c) for c in finals.get(t.name, [])), finals_unless=unless) for t in REGISTRY)


def classify(text: str, types: tuple[QuestionType, ...]) -> str:
    """The first type (by precedence) whose cue word is in the question; 'other' when none is."""
    for t in types:
        if t.matches(text):
            pattern, other = t.yields_to
            if pattern and re.search(pattern, text):
                return other
            return t.name
    return FALLBACK.name
