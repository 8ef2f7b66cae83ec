"""The offline engine: rules over the text, driven by the tables in ragtool/data/."""

from __future__ import annotations

from ragtool.config import Settings
from ragtool.models import Chunk, Document, DocumentSummary
from ragtool.summarize.context import document_context
from ragtool.summarize.figures import FigureExtractor
from ragtool.summarize.officials import find_officials
from ragtool.summarize.overview import find_meeting, make_abstract
from ragtool.summarize.priorities import PriorityFinder
from ragtool.summarize.provenance import (
    assign_chunks,
    dedupe,
    figure_key,
    official_key,
    priority_key,
    verified,
)
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import make_view


def extractive_version(settings: Settings) -> str:
    """Version of the rules and data files: part of every extractive summary, used by resume."""
    return Rules.load(settings).version


def summarize_extractive(settings: Settings, doc: Document, chunks: list[Chunk]) -> DocumentSummary:
    rules = Rules.load(settings)
    view = make_view(doc.text)
    ctx = document_context(doc, rules, view)
    prio = PriorityFinder(rules, ctx)
    headings = prio.headings(view)
    forward = [f for is_forward, f in headings if is_forward]
    priorities = prio.programmes(view) + (forward or [f for _, f in headings]) or prio.directives(view)
    by_id = {c.chunk_id: c for c in chunks}
    title = doc.meta.title
    max_items = int(rules.priorities.get("max_items", 15))
    officials = assign_chunks(find_officials(rules, view), chunks)
    figures = assign_chunks(FigureExtractor(rules, ctx).extract(view), chunks)
    return DocumentSummary(
        doc_id=doc.meta.doc_id, title=title, place=doc.meta.place, kind=doc.meta.kind, date=doc.meta.date,
        meeting=find_meeting(doc),
        officials=dedupe(verified(officials, by_id, title), official_key),
        key_figures=dedupe(verified(figures, by_id, title), figure_key),
        priorities=dedupe(verified(assign_chunks(priorities, chunks), by_id, title), priority_key)[:max_items],
        abstract=make_abstract(doc, rules),
        engine="extractive", prompt_version=rules.version,
    )
