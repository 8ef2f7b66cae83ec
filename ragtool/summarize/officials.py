"""Officials of a document for its summary: the shared finder (ragtool.zh.officials) over the document's view."""

from __future__ import annotations

from ragtool.models import Official
from ragtool.summarize.provenance import Found
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import TextView
from ragtool.zh.officials import OfficialFinder


def find_officials(rules: Rules, view: TextView) -> list[Found[Official]]:
    """Officials named in the whole text, with the span of each quote in the original text."""
    out: list[Found[Official]] = []
    for m in OfficialFinder(rules.officials).find(view.text):
        official = Official(name=view.clean_cut(*m.name), role=view.clean_cut(*m.role), quote=view.cut(*m.span))
        out.append(Found(official, view.span(*m.span)))
    return out
