"""Evidence: whole sentences of the documents around the retrieved chunks, each with its section and time frame.

Sentences are read from the document, not the chunk, so an answer is never cut at a chunk boundary; every
sentence knows the numbered heading it sits under (一、…（一）…) and so the part of the report it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ragtool.models import DocMeta, Document, RetrievedChunk
from ragtool.textnorm import t2s
from ragtool.timeframe import TimeCues, TimeFrame, Timeline
from ragtool.zh.script import simplified

SHORT_LINE = 40  # an unpunctuated line this short runs on into the next (headings broken across lines)
NEIGHBOURHOOD = 150  # characters around a retrieved chunk whose sentences are also read (headings, lead-ins)
_TERMINAL = "。！？!?；;：:"
_GLOSSARY_TERM = re.compile(r"[”\"」』]\s*[：:]$")  # 6.轨道交通“四网融合”：\n指… runs on into its definition
_HEADING = re.compile(r"^[ \t\u3000]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])[^\n]{0,60}$", re.M)
_FOOTNOTE = re.compile(r"\[\d{1,3}\]")


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
    timeline: Timeline | None = None  # the document's time frames (ragtool.timeframe)

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
            self._views[doc.meta.doc_id] = _DocView(simp, sentence_spans(doc.text), _headings(simp), timeline)
        return self._views[doc.meta.doc_id]

    def simplified(self, doc: Document) -> str:
        return self.view(doc).simp

    def with_title(self, doc: Document) -> str:
        """The simplified text and title: what a document says about itself."""
        return self.view(doc).simp + "\n" + t2s(doc.meta.title)

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


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of a document: ended by 。！？, or by a line break after a terminal mark or a long line.
    Short unpunctuated lines run on ("主要预期目标\\n是：…"); headings stand alone."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        end_here = ch in "。！？!?"
        if ch == "\n":
            line = text[max(start, text.rfind("\n", 0, i) + 1) : i].strip()
            end_here = not line or line[-1] in _TERMINAL or len(line) > SHORT_LINE or bool(_HEADING.match(line))
            end_here = end_here and not _GLOSSARY_TERM.search(line)
            nxt = text[i + 1 : text.find("\n", i + 1) if text.find("\n", i + 1) >= 0 else len(text)]
            end_here = end_here or bool(_HEADING.match(nxt))
        if end_here or i == len(text) - 1:
            stop = i + 1 if ch != "\n" else i
            seg = text[start:stop]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg.rstrip())
            if seg.strip():
                spans.append((start + lead, start + trail))
            start = i + 1
    return spans


def _headings(simp: str) -> list[tuple[int, str, int]]:
    out = []
    for m in _HEADING.finditer(simp):
        line = m.group().strip()
        depth = 1 if line[0] not in "（(" else 2
        out.append((m.start(), _FOOTNOTE.sub("", line), depth))
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
