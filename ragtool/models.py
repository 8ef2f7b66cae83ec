"""Pydantic models at ragtool's boundaries: documents, chunks, answers and summaries."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ragtool.zh.quantity import Quantity

DocKind = Literal["政府工作报告", "党代会", "党委会议", "经济工作会议", "other"]
AnswerStatus = Literal["answered", "not_found", "conflicting"]


class DocMeta(BaseModel):
    """Metadata of one ingested document."""

    doc_id: str
    title: str = ""
    date: str | None = None  # ISO YYYY-MM-DD when known
    year: int | None = None
    place: str | None = None  # main place, e.g. 凤岗镇
    level: str | None = None  # the main place's level: 省, 市, 区, 县, 镇 or 街道
    places: list[str] = Field(default_factory=list)  # every place named in title and text
    place_code: str | None = None  # the main place's gazetteer code (a town's: its parent's code + "/" + its name)
    place_chain: list[str] = Field(default_factory=list)  # the main place's parents, province first: 江苏省, 常州市
    also_about: list[str] = Field(default_factory=list)  # codes of sibling places it reports on too (成德眉资四市)
    kind: DocKind = "other"
    form: Literal["report", "news", ""] = ""  # a meeting's full report, or news of the meeting (开幕, 主持…)
    url: str | None = None
    source: str = ""  # path the document was loaded from
    file_hash: str = ""  # sha256 of the raw file bytes
    chunks: int = 0
    injections: list[list[int]] = Field(default_factory=list)  # [start, end] of sentences that instruct a model
    pages: list[int] = Field(default_factory=list)  # PDFs: where each page starts in the cleaned text
    ocr: list[list[int]] = Field(default_factory=list)  # [start, end] of the text read by OCR (scanned pages, images)


class Document(BaseModel):
    """A cleaned document: `text` is what is shown and quoted."""

    meta: DocMeta
    text: str


class Chunk(BaseModel):
    """A slice of a document's cleaned text, with what is embedded and indexed for it."""

    chunk_id: str  # f"{doc_id}-{index:04d}", stable across re-ingest
    doc_id: str
    index: int
    text: str  # original cleaned text, text == document.text[start:end]
    start: int
    end: int
    section: str = ""  # nearest heading above the chunk
    search_text: str = ""  # context header + simplified (t2s) text: embedded and indexed
    tokens: int = 0


def chunk_doc_id(chunk_id: str) -> str:
    """The document a chunk id belongs to."""
    return chunk_id.rsplit("-", 1)[0]


class Citation(BaseModel):
    doc_id: str
    title: str
    chunk_id: str
    quote: str  # verbatim from the chunk's original text
    start: int  # offsets of the quote in the document's cleaned text
    end: int
    source: str = ""  # where the document came from: its URL, else the file path
    path: str = ""  # the file it was loaded from
    place: str | None = None
    date: str | None = None
    kind: str = "other"
    source_start: int | None = None  # the quote's offsets in the original file's text (None: file gone or changed)
    source_end: int | None = None
    source_quote: str = ""  # the quote as the file writes it, when cleaning changed it (pinyin, full-width forms)
    injection: bool = False  # the quote is (in) a sentence that reads as an instruction to the model
    page: int | None = None  # the PDF page the quote is on (1-based)
    ocr: bool = False  # the quote was read by OCR from a scanned page or an image


class ContextChunk(BaseModel):
    """A retrieved chunk as `ask --show-context` shows it, in score order."""

    rank: int
    chunk_id: str
    doc_id: str
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    title: str = ""
    place: str | None = None
    date: str | None = None
    section: str = ""
    start: int = 0
    end: int = 0
    text: str = ""


class Candidate(BaseModel):
    """One source's value when sources disagree."""

    value: str
    quote: str
    doc_id: str
    title: str
    date: str | None = None
    kind: str = "other"
    quantity: Quantity | None = None  # the value read by the quantity grammar (ragtool.zh.quantity)


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    seconds: dict[str, float] = Field(default_factory=dict)  # per stage: sync, embed, retrieve, answer

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.total_tokens += other.total_tokens
        self.calls += other.calls
        self.cached_calls += other.cached_calls
        for stage, secs in other.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + secs


class ExplainedCandidate(BaseModel):
    """A candidate answer the extractive engine weighed (ask --explain): its features and score."""

    value: str
    score: float
    vetoed: str = ""  # the constraint it broke (time, role, place …), if any
    doc_id: str
    title: str = ""
    sentence: str = ""
    section: str = ""
    features: dict[str, float] = Field(default_factory=dict)


class ComparisonRow(BaseModel):
    """One place's (or one document's) answer in a comparison (ragtool compare, 哪个…最高 questions)."""

    place: str | None = None  # the document's main place, e.g. 凤岗镇
    level: str | None = None  # 省, 市, 区, 县, 镇 or 街道
    doc_id: str = ""
    title: str = ""
    date: str | None = None
    year: int | None = None
    question: str = ""  # the ordinary question asked of this one document
    value: str = ""  # the answer as written (the answer span); "" when not found
    figure: str = ""  # the number in it as written (5.5%左右, 4.5%—5%), "" when it holds none
    low: float | None = None  # the figure parsed: 4.5%—5% -> 4.5 / 5 / %; 5.5%左右 -> 5.5 / 5.5 / %
    high: float | None = None
    unit: str = ""
    quantity: Quantity | None = None  # the typed value: signed, with its magnitude (sorting compares its base value)
    status: AnswerStatus = "not_found"
    quote: str = ""  # the verified quote of the first citation
    citations: list[Citation] = Field(default_factory=list)
    candidates: list[Candidate] = Field(default_factory=list)  # when the document states several values
    confidence: float = 0.0
    engine: str = ""


class Answer(BaseModel):
    """The one answer model, shared by both engines and printed by --json."""

    question: str
    answer: str = ""
    status: AnswerStatus = "not_found"
    citations: list[Citation] = Field(default_factory=list)
    candidates: list[Candidate] = Field(default_factory=list)
    confidence: float = 0.0
    engine: str = ""
    quantity: Quantity | None = None  # the answer's value, typed (ragtool.zh.quantity); None when it holds none
    notes: list[str] = Field(default_factory=list)  # what was assumed in reading the question (凤刚 → 凤岗)
    # "injection": a retrieved document holds a sentence that tries to instruct the model (never used as evidence)
    flags: list[str] = Field(default_factory=list)
    explanation: list[ExplainedCandidate] = Field(default_factory=list)  # ask --explain
    comparison: list[ComparisonRow] = Field(default_factory=list)  # comparison questions: one row per place
    context: list[ContextChunk] = Field(default_factory=list)  # ask --show-context: the retrieved chunks
    usage: Usage = Field(default_factory=Usage)


class RetrievedChunk(BaseModel):
    """A chunk returned by retrieval, with its scores."""

    chunk: Chunk
    meta: DocMeta
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


# ---- summaries -------------------------------------------------------------------------------


class Official(BaseModel):
    name: str
    role: str
    quote: str = ""
    chunk_id: str = ""


class KeyFigure(BaseModel):
    indicator: str  # canonical name, e.g. 地区生产总值
    value: str  # as written, e.g. "411" or "增长5.5%"
    unit: str = ""  # 亿元, %, 家 ...
    year: int | None = None
    type: Literal["actual", "target"] = "actual"
    qualifier: str = ""  # 左右, 以上, 同比增长 ...
    quote: str
    chunk_id: str = ""
    number: float | None = None  # the amount alone: 411 for 411亿元; None for a change or a word value (持平)
    change: str = ""  # the change, signed: +3.6% (增长3.6%), -2.1% (下降2.1%); an amount gets the change that follows it
    as_written: str = ""  # the value as the text writes it: 411亿元, 增长3.6%, 4.5%—5%


class Priority(BaseModel):
    text: str
    quote: str
    chunk_id: str = ""


class DocumentSummary(BaseModel):
    """Structured summary of one document; every quoted item is verified against its chunk."""

    doc_id: str
    title: str = ""
    place: str | None = None
    kind: str = "other"
    date: str | None = None
    meeting: str = ""
    officials: list[Official] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    abstract: str = Field("", max_length=400)
    engine: str = ""
    prompt_version: str = ""


def context_chunks(hits: list[RetrievedChunk], k: int) -> list[ContextChunk]:
    """The k best retrieved chunks, best first (retrieval may return more: every named place gets a say)."""
    best = sorted(hits, key=lambda h: -h.score)[:k]
    return [
        ContextChunk(rank=i, chunk_id=h.chunk.chunk_id, doc_id=h.chunk.doc_id, score=round(h.score, 6),
                     dense_rank=h.dense_rank, lexical_rank=h.lexical_rank, title=h.meta.title, place=h.meta.place,
                     date=h.meta.date, section=h.chunk.section, start=h.chunk.start, end=h.chunk.end,
                     text=h.chunk.text)
        for i, h in enumerate(best, 1)
    ]
