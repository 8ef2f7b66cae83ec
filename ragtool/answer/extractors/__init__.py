"""One extractor per answer type. Each reads one evidence sentence and returns candidate spans with the features
only it can judge (its `fit`); the shared features and the one scorer do the rest (ragtool.answer.features,
ragtool.answer.scorer). A new question type is a module here, an entry below and its cue words in question.toml."""

from __future__ import annotations

from collections.abc import Callable

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors import date, listing, name, number, sentence, what, yesno

Extractor = Callable[[Evidence, Context], list[Span]]

EXTRACTORS: dict[str, Extractor] = {
    "number": number.extract,
    "name": name.extract,
    "date": date.extract,
    "list": listing.extract,
    "what": what.extract,
    "yesno": yesno.extract,
    "other": sentence.extract,
}
