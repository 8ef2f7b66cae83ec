"""Evidence: whole sentences of the documents around the retrieved chunks, each with its section and time frame.

Sentences are read from the document, not the chunk, so an answer is never cut at a chunk boundary; every
sentence knows the numbered heading it sits under (一、…（一）…) and so the part of the report it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ragtool.models import DocMeta, Document, RetrievedChunk
from ragtool.zh.headings import HeadingRules, heading_rules, numbered, section_heading_test
from ragtool.zh.script import simplified
from ragtool.zh.sentences import sentences
from ragtool.zh.textnorm import t2s
from ragtool.zh.timeframe import TimeCues, TimeFrame, Timeline

SECTION_LEVELS = 2  # the heading levels an evidence sentence names as its section (一、 and （一）)
NEIGHBOURHOOD = 150  # characters around a retrieved chunk whose sentences are also read (headings, lead-ins)
_FOOTNOTE = re.compile(r"\[\d{1,3}\]")
_SPACED = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")


@dataclass
class Evidence:
    doc: Document
    meta: DocMeta
    start: int  # sentence span in the document's cleaned text
    end: int
    text: str  # original sentence
    simp: str  # simplified sentence, same length
    rank: int  # retrieval rank of the chunk it came from
    section: str  # the headings above it, outermost first, simplified
    timeline: Timeline | None = None  # the document's time frames (ragtool.zh.timeframe)

    def frame_at(self, pos: int) -> TimeFrame:
        """The time frame of what the sentence says up to pos (pass the end of the value)."""
        return self.timeline.at(self.start + pos) if self.timeline else TimeFrame()


@dataclass
class _DocView:
    simp: str
    sentences: list[tuple[int, int]]
    headings: list[tuple[int, str, int]]  # (offset, heading text, depth)
    timeline: Timeline


class EvidenceReader:
    """Reads sentences (with sections and frames) from documents, caching each document's split."""

    def __init__(self, document: Callable[[str], Document | None], cues: TimeCues) -> None:
        self.document = document
        self.cues = cues
        self._views: dict[str, _DocView] = {}

    def view(self, doc: Document) -> _DocView:
        if doc.meta.doc_id not in self._views:
            simp = simplified(doc.text)
            timeline = Timeline.build(simp, doc.meta.year, self.cues)
            rules = heading_rules()
            is_section = section_heading_test(rules, SECTION_LEVELS)
            self._views[doc.meta.doc_id] = _DocView(
                simp, sentences(doc.text, is_section), _headings(simp, rules), timeline
            )
        return self._views[doc.meta.doc_id]

    def simplified(self, doc: Document) -> str:
        return self.view(doc).simp

    def with_title(self, doc: Document) -> str:
        """The simplified text and title: what a document says about itself, words printed with spaces between their
        characters (县 长, 政 府 工 作 报 告) read as written without them."""
        return _SPACED.sub("", self.view(doc).simp) + "\n" + t2s(doc.meta.title)

    def evidence(self, hits: list[RetrievedChunk]) -> list[Evidence]:
        """Whole sentences of the documents around the retrieved chunks, each once, best rank first."""
        out: dict[tuple[str, int], Evidence] = {}
        for rank, hit in enumerate(hits):
            doc = self.document(hit.meta.doc_id)
            if doc is None:
                continue
            view = self.view(doc)
            lo, hi = hit.chunk.start - NEIGHBOURHOOD, hit.chunk.end + NEIGHBOURHOOD // 3
            for start, end in view.sentences:
                if end <= lo or start >= hi or (doc.meta.doc_id, start) in out:
                    continue
                if len(doc.text[start:end].strip()) >= 4:
                    out[(doc.meta.doc_id, start)] = self.sentence(doc, start, end, rank)
        return list(out.values())

    def sentence(self, doc: Document, start: int, end: int, rank: int) -> Evidence:
        view = self.view(doc)
        section = _section_at(view.headings, start)
        return Evidence(doc, doc.meta, start, end, doc.text[start:end], view.simp[start:end], rank, section, view.timeline)

    def all_sentences(self, doc: Document, rank: int = 0) -> list[Evidence]:
        return [self.sentence(doc, s, e, rank) for s, e in self.view(doc).sentences]


def _headings(simp: str, rules: HeadingRules) -> list[tuple[int, str, int]]:
    """The section headings (levels 1 and 2: 一、 and （一）) as (offset, heading, level)."""
    out = []
    pos = 0
    for line in simp.split("\n"):
        found = numbered(line, rules)
        if found is not None and found.level <= SECTION_LEVELS:
            out.append((pos, _FOOTNOTE.sub("", line[: found.end].strip()), found.level))
        pos += len(line) + 1
    return out


def _section_at(headings: list[tuple[int, str, int]], pos: int) -> str:
    """The top-level heading above pos and the second-level one under it, if any."""
    top, sub = "", ""
    for at, text, depth in headings:
        if at > pos:
            break
        if depth == 1:
            top, sub = text, ""
        else:
            sub = text
    return " / ".join(h for h in (top, sub) if h)
