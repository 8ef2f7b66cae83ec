"""Library API: what the CLI, the eval harness and users' scripts call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from typing_extensions import TypedDict, Unpack

if TYPE_CHECKING:
    from ragtool.ingest.pipeline import IngestReport

from ragtool.answer.grounding import mark_injections
from ragtool.compare import CompareCues, GroupBy, SortKey, answer_question, read_intent
from ragtool.compare import compare as compare_rows
from ragtool.config import Settings, resolve_engine
from ragtool.errors import UsageError
from ragtool.index.corpus import Corpus
from ragtool.index.lock import index_lock
from ragtool.models import Answer, ComparisonRow, DocMeta, Document, DocumentSummary, RetrievedChunk
from ragtool.query import ParsedQuery, Vocabulary, check_question, parse_query
from ragtool.retrieve import Filters, Retriever
from ragtool.wording import Wording
from ragtool.zh.lexicon import Lexicon

EngineName = Literal["auto", "extractive", "llm"]
INLINE_DENSE_SECONDS = 3.0  # a corpus sync embeds in-process when that takes about this long at most


class Engine(Protocol):
    name: str

    def answer(self, question: str, hits: list[RetrievedChunk], query: ParsedQuery, explain: bool = False) -> Answer: ...


class UnknownDocumentError(UsageError):
    """No indexed document has this id or id prefix (exit code 2; HTTP 404)."""


class AskOptions(TypedDict, total=False):
    engine: EngineName
    top_k: int | None
    place: str | None
    year: int | None
    doc: str | None
    use_cache: bool
    explain: bool


class Session:
    """An open index plus engines, reused across many questions (ask -f, eval)."""

    def __init__(self, settings: Settings, *, sync: bool = True) -> None:
        self.settings = settings
        self.sync = sync
        self._synced = False
        self._engines: dict[tuple[str, bool], Engine] = {}
        self._summaries: dict[str, tuple[str, str, DocumentSummary]] = {}  # doc_id -> (content, engine, summary)
        self._cache_thread: int | None = None

    @cached_property
    def corpus(self) -> Corpus:
        return Corpus(self.settings)  # its store takes the index lock to open (it may create the collections)

    @cached_property
    def wording(self) -> Wording:
        return Wording.load(self.settings)

    @cached_property
    def vocab(self) -> Vocabulary:
        return Vocabulary.load(self.settings)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.corpus)

    @cached_property
    def lexicon(self) -> Lexicon:
        return Lexicon.load(self.settings)

    @cached_property
    def compare_cues(self) -> CompareCues:
        return CompareCues.load(self.settings)

    def sync_corpus(self, progress: Callable[[str, float, int], None] | None = None) -> IngestReport | None:
        """Ingest RAGTOOL_CORPUS when the index is empty or the corpus changed since the last sync: the lexical
        pass here, the dense pass too when it takes a moment (see dense_seconds), else in a background
        `ragtool ingest` that `ragtool status` follows. Questions meanwhile are answered from the lexical index."""
        if not is_stale(self.settings, self.corpus):
            return None
        from ragtool.ingest.pipeline import ingest_paths
        from ragtool.ingest.status import ingest_running, resume_in_background

        self._own_cache()
        report = ingest_paths([self.settings.corpus], self.settings, progress=progress, corpus=self.corpus,
                              dense=False)
        record_sync(self.settings)
        if not report.pending or ingest_running(self.settings.home):  # a running ingest's dense pass embeds
            return report
        if self.dense_seconds() <= INLINE_DENSE_SECONDS:
            resumed = ingest_paths([], self.settings, progress=progress, corpus=self.corpus)
            report.dense_docs, report.embedded, report.pending = resumed.dense_docs, resumed.embedded, resumed.pending
        else:
            report.background = resume_in_background(self.settings)
        return report

    def dense_seconds(self) -> float:
        """Roughly how long embedding every document still without vectors takes (chunks × chunk size ÷ the
        embedder's throughput; chunks found in the embedding cache cost less)."""
        with index_lock(self.settings):
            chunks = sum(m.chunks for m in self.corpus.store.pending_documents())
        return chunks * self.settings.chunk_tokens / self.corpus.embedder.tokens_per_second

    def engine(self, name: str, use_cache: bool = True) -> Engine:
        key = (name, use_cache)
        if key not in self._engines:
            if name == "llm":
                from ragtool.answer.extractive import ExtractiveEngine
                from ragtool.answer.llm import LLMEngine

                checker = self.engine("extractive")
                assert isinstance(checker, ExtractiveEngine)
                self._engines[key] = LLMEngine(self.settings, use_cache=use_cache, checker=checker)
            else:
                from ragtool.answer.extractive import ExtractiveEngine

                self._engines[key] = ExtractiveEngine(
                    self.settings, self.vocab, self.retriever.document, self.retriever.doc_chunks
                )
        return self._engines[key]

    def ask(self, question: str, **opts: Unpack[AskOptions]) -> Answer:
        """The answer alone (see ask_with_context for the options)."""
        return self.ask_with_context(question, **opts)[0]

    def ask_with_context(
        self,
        question: str,
        *,
        engine: EngineName = "auto",
        top_k: int | None = None,
        place: str | None = None,
        year: int | None = None,
        doc: str | None = None,
        use_cache: bool = True,
        explain: bool = False,
    ) -> tuple[Answer, list[RetrievedChunk]]:
        """The answer and the retrieved chunks it was drawn from (best first)."""
        q = check_question(question)
        name = resolve_engine(self.settings, engine)
        if year is not None and not 1900 <= year <= 2100:
            raise UsageError(f"bad --year {year}: expected a year such as 2025")
        k = self.settings.top_k if top_k is None else top_k
        if k < 1:
            raise UsageError("--top-k must be at least 1")
        seconds: dict[str, float] = {}
        if self.sync and not self._synced:
            t0 = time.perf_counter()
            self.sync_corpus()
            self._synced = True
            seconds["sync"] = time.perf_counter() - t0
        with index_lock(self.settings):
            self.corpus.check_embedder()
            self.retriever.refresh()
            t0 = time.perf_counter()
            places = self.retriever.places()
            reading = self.wording.rewrite(q, places.names, self.corpus.lexical().knows)
            pq = parse_query(reading.text, self.vocab, places)
            seconds["parse"] = time.perf_counter() - t0
            routed = not doc and not place and self._is_comparison(pq)
        if routed:  # 哪个镇…最高, 比较A和B, 各镇…分别: every place asked once (ragtool.compare)
            return self._compare_answer(question, reading.notes, year, engine, top_k, use_cache), []
        # each of its index reads holds the lock, its embedding does not: other processes' questions run meanwhile
        retrieval = self.retriever.retrieve(pq, k, Filters(place=place, year=year, doc=doc))
        seconds.update(retrieval.seconds)
        t0 = time.perf_counter()
        if engine == "auto" and name == "llm":
            answer = self._auto_answer(q, retrieval.hits, pq, explain, use_cache)
        else:
            answer = self.engine(name, use_cache).answer(q, retrieval.hits, pq, explain=explain)
        answer.notes = [*reading.notes, *answer.notes, *([retrieval.note] if retrieval.note else [])]
        mark_injections(answer, retrieval.hits)
        seconds["answer"] = time.perf_counter() - t0
        for stage, secs in seconds.items():
            answer.usage.seconds[stage] = round(answer.usage.seconds.get(stage, 0.0) + secs, 4)
        answer.question = question
        self._attach_sources(answer)
        return answer, retrieval.hits

    def _auto_answer(
        self, q: str, hits: list[RetrievedChunk], pq: ParsedQuery, explain: bool, use_cache: bool
    ) -> Answer:
        """--engine auto with an LLM configured: both engines, combined (ragtool.answer.hybrid); the LLM gets
        llm_auto_seconds at most, and its failure leaves the extractive answer."""
        from ragtool.answer.hybrid import combine, llm_missed
        from ragtool.answer.llm import LLMEngine
        from ragtool.errors import ProviderError

        extractive = self.engine("extractive").answer(q, hits, pq, explain=explain)
        key = ("llm-auto", use_cache)
        if key not in self._engines:
            from ragtool.answer.extractive import ExtractiveEngine

            checker = self.engine("extractive")
            assert isinstance(checker, ExtractiveEngine)
            quick = self.settings.model_copy(
                update={"llm_timeout": min(self.settings.llm_timeout, self.settings.llm_auto_seconds)})
            self._engines[key] = LLMEngine(quick, use_cache=use_cache, checker=checker)
        engine = self._engines[key]
        assert isinstance(engine, LLMEngine)
        try:
            llm = engine.answer(q, hits, pq, explain=explain)
        except ProviderError as e:
            return llm_missed(extractive, str(e))
        return combine(llm, extractive, pq, backed=engine.backed(llm, hits, pq))

    def _attach_sources(self, answer: Answer) -> Answer:
        """Each citation's source, place, date, kind and offsets in the original file (ragtool.sourcemap)."""
        from ragtool.sourcemap import attach_sources

        ids = {c.doc_id for c in answer.citations} | {c.doc_id for r in answer.comparison for c in r.citations}
        docs = {d: self.retriever.document(d) for d in ids}
        return attach_sources(answer, self.retriever.docs(), {d: len(doc.text) for d, doc in docs.items() if doc})

    def _is_comparison(self, pq: ParsedQuery) -> bool:
        return read_intent(pq, self.compare_cues) is not None

    def _compare_answer(
        self, question: str, notes: list[str], year: int | None, engine: EngineName, top_k: int | None,
        use_cache: bool,
    ) -> Answer:
        t0 = time.perf_counter()
        answer = answer_question(self, question, year=year, engine=engine, top_k=top_k, use_cache=use_cache)
        assert answer is not None
        answer.notes = [*notes, *answer.notes]
        answer.usage.seconds["compare"] = round(time.perf_counter() - t0, 4)
        return answer

    def compare(
        self,
        question: str,
        *,
        places: list[str] | None = None,
        year: int | None = None,
        level: str | None = None,
        all_docs: bool = False,
        by: GroupBy = "place",
        sort: SortKey | None = None,
        engine: EngineName = "auto",
        top_k: int | None = None,
        use_cache: bool = True,
    ) -> list[ComparisonRow]:
        """One row per place (its newest document; `all_docs`: one per document; `by="year"`: one per place and
        year): the question asked of each document alone, through the same engine as ask. Rows not found stay.
        Places and a level the question names (比较凤岗和金湾…, 各省…) are added to `places` and `level`."""
        check_question(question)
        if year is not None and not 1900 <= year <= 2100:
            raise UsageError(f"bad --year {year}: expected a year such as 2025")
        if top_k is not None and top_k < 1:
            raise UsageError("--top-k must be at least 1")
        if by not in ("place", "year"):
            raise UsageError(f"bad --by {by!r}: place or year")
        if sort not in (None, "place", "value"):
            raise UsageError(f"bad --sort {sort!r}: place or value")
        resolve_engine(self.settings, engine)
        if self.sync and not self._synced:
            self.sync_corpus()
            self._synced = True
        _, rows, _ = compare_rows(self, question, places=places, year=year, level=level, all_docs=all_docs, by=by,
                             sort=sort, engine=engine, top_k=top_k, use_cache=use_cache)
        return rows

    # ---- documents, ingest, summaries: what `ragtool docs/ingest/summarize` and the server call

    def documents(self) -> list[DocMeta]:
        """Every committed document's metadata, by place, date and id."""
        with index_lock(self.settings):
            return self.corpus.documents()

    def document(self, doc_id: str) -> Document:
        """A committed document by id or unique id prefix, with its cleaned text."""
        with index_lock(self.settings):
            doc = self.corpus.get_document(doc_id)
            if doc is None:
                check_prefix(doc_id, self.corpus.store.doc_ids())
        if doc is None:
            raise UnknownDocumentError(f"no indexed document with id {doc_id!r} (see `ragtool docs`)")
        return doc

    def remove(self, doc_id: str) -> DocMeta:
        """Remove a document and its chunks from the index (under the index lock); returns its metadata. Its
        source file, if still on disk, is excluded from later ingests of its folder (and the corpus sync)."""
        from ragtool.ingest.exclusions import exclude

        with index_lock(self.settings):
            doc = self.corpus.get_document(doc_id)
            if doc is None:
                check_prefix(doc_id, self.corpus.store.doc_ids())
                raise UnknownDocumentError(f"no indexed document with id {doc_id!r} (see `ragtool docs`)")
            exclude(self.settings.home, doc.meta, time.time())  # first: a crash after it loses nothing
            self.corpus.store.remove_document(doc.meta.doc_id)
        self._summaries.pop(doc.meta.doc_id, None)
        return doc.meta

    def ingest(
        self, paths: list[Path], *, reset: bool = False, progress: Callable[[str, float, int], None] | None = None
    ) -> IngestReport:
        """Ingest files and folders (bad files are skipped and reported); writes take the index lock per document."""
        from ragtool.ingest.pipeline import ingest_paths

        if reset:
            self._summaries.clear()
        self._own_cache()
        return ingest_paths(paths, self.settings, reset=reset, progress=progress, corpus=self.corpus)

    def _own_cache(self) -> None:
        """The embedding cache's SQLite connection works only in the thread that opened it: ingest from another
        thread (the server's worker) opens its own."""
        here = threading.get_ident()
        if self._cache_thread not in (None, here):
            self.corpus.__dict__.pop("cache", None)
        self._cache_thread = here

    def summarize(self, doc_id: str, *, engine: EngineName = "auto", use_cache: bool = True) -> DocumentSummary:
        """A document's verified structured summary (remembered per document content and engine)."""
        from ragtool.summarize import summarize_document

        name = resolve_engine(self.settings, engine)
        doc = self.document(doc_id)
        key = doc.meta.file_hash or doc.meta.doc_id
        got = self._summaries.get(doc.meta.doc_id)
        if got is not None and got[0] == key and got[1] == name:
            return got[2]
        with index_lock(self.settings):
            chunks = self.corpus.store.chunks(doc.meta.doc_id)
        summary = summarize_document(self.settings, doc, chunks, engine=name, use_cache=use_cache)
        self._summaries[doc.meta.doc_id] = (key, name, summary)
        return summary

    def figures(
        self, *, indicator: str | None = None, place: str | None = None, engine: EngineName = "auto"
    ) -> list[DocumentSummary]:
        """Every document's summary, its key figures filtered by indicator and place (substring matches)."""
        out = []
        for meta in self.documents():
            if place and place not in (meta.place or ""):
                continue
            s = self.summarize(meta.doc_id, engine=engine)
            figures = [f for f in s.key_figures if not indicator or indicator in f.indicator]
            out.append(s.model_copy(update={"key_figures": figures}))
        return out


def check_prefix(prefix: str, ids: list[str]) -> None:
    """A document id prefix must name one document, like git's: an ambiguous one is a usage error listing some."""
    matches = sorted(d for d in ids if prefix and d.startswith(prefix))
    if len(matches) > 1 and prefix not in matches:
        shown = ", ".join(m[:12] for m in matches[:5])
        raise UsageError(f"id prefix {prefix!r} is ambiguous: {shown}{' …' if len(matches) > 5 else ''}")


def doc_row(meta: DocMeta) -> dict[str, Any]:
    """One document as `ragtool docs --json` and GET /api/docs list it: every metadata field, doc_id first."""
    return meta.model_dump(mode="json")


# ---- corpus sync -------------------------------------------------------------------------------


def _fingerprint(settings: Settings) -> dict[str, list[int]]:
    from ragtool.ingest.discover import discover

    out: dict[str, list[int]] = {}
    for p in discover([settings.corpus], settings.follow_symlinks):
        if isinstance(p, Path):
            try:
                st = p.stat()
            except OSError:
                continue
            out[str(p.resolve())] = [st.st_size, st.st_mtime_ns]
    return out


def is_stale(settings: Settings, corpus: Corpus) -> bool:
    from ragtool.fsutil import read_json_or_none

    if not corpus.store.doc_ids():
        return Path(settings.corpus).exists()
    saved = read_json_or_none(settings.home / "sync.json")
    return saved != {"corpus": str(Path(settings.corpus).resolve()), "files": _fingerprint(settings)}


def record_sync(settings: Settings) -> None:
    from ragtool.fsutil import write_json_atomic

    write_json_atomic(
        settings.home / "sync.json",
        {"corpus": str(Path(settings.corpus).resolve()), "files": _fingerprint(settings)},
    )
