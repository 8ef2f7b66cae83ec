"""One extractor per answer type. Each reads one evidence sentence and returns candidate spans with the features
only it can judge (its `fit`); the shared features and the one scorer do the rest (ragtool.answer.features,
ragtool.answer.scorer). A new question type is a module here and an entry in the registry (ragtool.qtypes)."""

from __future__ import annotations

from collections.abc import Callable

from ragtool import qtypes
from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors import date, listing, name, number, post, sentence, venue, what, yesno

Extractor = Callable[[Evidence, Context], list[Span]]

_MODULES = {m.__name__.rsplit(".", 1)[1]: m for m in (date, listing, name, number, post, sentence, venue, what, yesno)}


def extractor_for(qtype: str) -> Extractor:
    """The extractor the registry names for a question type."""
    extract: Extractor = _MODULES[qtypes.get(qtype).extractor].extract
    return extract
