"""Ingest pipeline: discover files, then load, clean, chunk, embed and commit each document."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ragtool.config import Settings
from ragtool.errors import LoadError, RagtoolError
from ragtool.index.corpus import Corpus
from ragtool.index.lock import index_lock
from ragtool.ingest.chunk import chunk_document
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.discover import Skipped, discover
from ragtool.ingest.injection import GROUNDING_FILE, injection_patterns, injection_spans
from ragtool.ingest.load import SUPPORTED, LoadedFile, load_file
from ragtool.ingest.meta import extract_meta
from ragtool.ingest.status import StatusWriter
from ragtool.models import Chunk, DocMeta, Document


class IngestReport(BaseModel):
    files: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates: int = 0
    chunks: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    seconds: float = 0.0
    lexical_seconds: float = 0.0  # until every document was searchable lexically (BM25)
    dense_docs: int = 0  # documents whose dense vectors this run wrote (new ones, or ones a stopped run left)
    embedded: int = 0  # chunks sent to the embedder (the rest came from the embedding cache)
    pending: int = 0  # documents still without dense vectors at the end (dense=False runs)


MAX_DOC_CHARS = 2_000_000  # about 50 times a long work report; longer texts take minutes to chunk

Progress = Callable[[str, float, int], None]  # (name, done: files, or chunks in the dense pass, total)


def prepare(loaded: LoadedFile, cleaner: Cleaner, settings: Settings) -> tuple[Document, list[Chunk]]:
    """Clean, describe and chunk one loaded file (no index access)."""
    if len(loaded.text) > MAX_DOC_CHARS:
        raise LoadError(f"document too long ({len(loaded.text):,} characters; limit {MAX_DOC_CHARS:,})")
    text = cleaner.clean(loaded.text)
    if not text.strip():
        raise LoadError("no text left after cleaning")
    meta = extract_meta(text, loaded.header, source=str(loaded.path), file_hash=loaded.file_hash)
    meta.injections = injection_spans(text, injection_patterns(settings.data_path(GROUNDING_FILE)))
    doc = Document(meta=meta, text=text)
    chunks = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap_sentences)
    doc.meta.chunks = len(chunks)
    return doc, chunks


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    reset: bool = False,
    progress: Progress | None = None,
    corpus: Corpus | None = None,
    dense: bool = True,
) -> IngestReport:
    """Ingest files and folders into the index. Bad files are skipped and reported, never fatal.

    Two passes. The lexical pass loads, cleans and chunks each file and commits it without vectors: it is
    searchable lexically (BM25) at once. The dense pass then embeds every document still without vectors (this
    run's, or those a stopped run left) and commits each one's vectors in one step. `dense=False` stops after
    the lexical pass. With `reset`, both passes build a new index beside the old one, which stays in use until
    the new one is complete and swapped in.

    The index lock is held only while the index is read or written, so questions are answered meanwhile.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    status = StatusWriter(settings.home, [str(p) for p in paths], reset)
    status.phase("starting")
    target: Corpus | None = None
    try:
        with index_lock(settings):
            live = corpus or Corpus(settings)
            live.store.finish_swap(live.staging_collection)  # a --reset a crash stopped while swapping
            if reset:
                target = live.staging()
            else:
                live.check_embedder()
                live.store.remove_orphans()
                target = live
        _lexical_pass(paths, target, settings, report, progress, status)
        if not reset:
            with index_lock(settings):
                target.lexical()  # built once, so the first question need not
        report.lexical_seconds = round(time.perf_counter() - t0, 3)
        status.phase("dense" if dense else "done", lexical_ready=report.lexical_seconds, added=report.added,
                     skipped=len(report.skipped))
        if dense:
            _dense_pass(target, settings, report, progress, status)
        if reset:
            status.phase("swapping")
            with index_lock(settings):
                live.store.swap_in(target.store)
        with index_lock(settings):
            live.lexical()
            report.pending = len(live.store.pending_ids())
    except BaseException as e:
        if reset:
            _drop_quietly(target, settings)
        if not isinstance(e, KeyboardInterrupt):  # Ctrl-C: `ragtool status` says stopped, to be resumed
            status.phase("failed", error=str(e) or type(e).__name__)
        raise
    report.seconds = round(time.perf_counter() - t0, 3)
    status.phase("done", finished=report.seconds, added=report.added, skipped=len(report.skipped))
    return report


def _drop_quietly(staged: Corpus | None, settings: Settings) -> None:
    """A failed --reset build goes; the old index was never touched."""
    if staged is None:
        return
    with contextlib.suppress(Exception), index_lock(settings, timeout=5):
        staged.store.drop()


def _lexical_pass(
    paths: Sequence[Path],
    corpus: Corpus,
    settings: Settings,
    report: IngestReport,
    progress: Progress | None,
    status: StatusWriter,
) -> None:
    with index_lock(settings):
        by_source = _committed_by_source(corpus.documents())
    cleaner = Cleaner.from_settings(settings)
    found = list(discover(paths, settings.follow_symlinks))
    files = [f for f in found if isinstance(f, Path)]
    report.skipped.extend(f for f in found if isinstance(f, Skipped))
    report.files = len(files)
    status.phase("lexical", files_total=len(files))
    for n, path in enumerate(files):
        if progress:
            progress(path.name, n, len(files))
        status.update(files_done=n)
        try:
            _ingest_one(path, corpus, cleaner, settings, by_source, report)
        except LoadError as e:
            report.skipped.append(Skipped(path=str(path), reason=str(e)))
        except RagtoolError:
            raise
        except FileNotFoundError:
            report.skipped.append(Skipped(path=str(path), reason="file vanished before it could be read"))
        except OSError as e:
            report.skipped.append(Skipped(path=str(path), reason=f"cannot read: {e.strerror or e}"))
    if progress:
        progress("", len(files), len(files))
    status.update(force=True, files_done=len(files))


def _dense_pass(
    corpus: Corpus, settings: Settings, report: IngestReport, progress: Progress | None, status: StatusWriter
) -> None:
    """Embed each document still without vectors (outside the lock; the embedding cache keeps every finished
    batch, so a stopped run's work is not redone) and commit its vectors (inside)."""
    with index_lock(settings):
        pending = corpus.store.pending_documents()
    if not pending:
        return
    total = sum(m.chunks for m in pending)
    done = 0
    status.update(force=True, docs_pending=len(pending), chunks_to_embed=total, chunks_embedded=0)

    def step(n: int) -> None:
        nonlocal done
        done += n
        status.update(chunks_embedded=done)
        if progress:
            progress(f"embedding {name}", done, total)

    def computed(texts: Sequence[str]) -> None:
        report.embedded += len(texts)

    for i, meta in enumerate(pending):
        name = Path(meta.source).name or meta.doc_id
        with index_lock(settings):
            chunks = corpus.store.chunks(meta.doc_id)
        if not chunks:  # removed meanwhile
            continue
        vectors = corpus.embed_chunks(chunks, on_batch=step, computed=computed)
        with index_lock(settings):
            wrote = corpus.store.put_vectors(meta.doc_id, [c.chunk_id for c in chunks], vectors)  # type: ignore[arg-type]
        report.dense_docs += wrote
        status.update(docs_dense_done=i + 1)


def _committed_by_source(docs: list[DocMeta]) -> dict[str, list[DocMeta]]:
    """Committed documents by absolute source path (more than one if a crash interrupted a replace)."""
    out: dict[str, list[DocMeta]] = {}
    for d in docs:
        if d.source:
            out.setdefault(os.path.abspath(d.source), []).append(d)
    return out


def _ingest_one(
    path: Path,
    corpus: Corpus,
    cleaner: Cleaner,
    settings: Settings,
    by_source: dict[str, list[DocMeta]],
    report: IngestReport,
) -> None:
    """Load and chunk one file outside the lock, then commit it lexical-only (and drop its old version) inside."""
    if path.suffix.lower() not in SUPPORTED:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}")
    key = os.path.abspath(path)
    olds = by_source.get(key, [])
    if olds:  # an unchanged file is known by its bytes' hash, without decoding it
        digest = _file_hash(path)
        if any(o.file_hash == digest for o in olds):
            _drop_stale(corpus, settings, olds, keep=digest, report=report)
            report.unchanged += 1
            return
    loaded = load_file(path)
    if any(o.file_hash == loaded.file_hash for o in olds):
        _drop_stale(corpus, settings, olds, keep=loaded.file_hash, report=report)
        report.unchanged += 1
        return
    doc, chunks = prepare(loaded, cleaner, settings)
    if any(o.doc_id == doc.meta.doc_id for o in olds):
        report.unchanged += 1
        return
    with index_lock(settings):
        known = corpus.store.get_document(doc.meta.doc_id)
    if known is not None:
        _count_known(known.meta, key, report)
        return
    dim = corpus.embedder.dim
    with index_lock(settings):
        known = corpus.store.get_document(doc.meta.doc_id)  # another process may have committed it meanwhile
        if known is not None:
            _count_known(known.meta, key, report)
            return
        corpus.store.put_document(doc, chunks, None, corpus.embedder.name, dim=dim)
        for old in olds:
            corpus.store.remove_document(old.doc_id)
    if olds:
        report.replaced += 1
    else:
        report.added += 1
    by_source[key] = [doc.meta]
    report.chunks += len(chunks)


def _file_hash(path: Path) -> str:
    """sha256 of the file's bytes, as load_file records it in DocMeta.file_hash."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _count_known(known: DocMeta, key: str, report: IngestReport) -> None:
    if known.source and os.path.abspath(known.source) == key:
        report.unchanged += 1
    else:
        report.duplicates += 1


def _drop_stale(
    corpus: Corpus, settings: Settings, olds: list[DocMeta], keep: str, report: IngestReport
) -> None:
    """Remove older versions of a file left committed beside the current one by an interrupted replace."""
    stale = [o for o in olds if o.file_hash != keep]
    if not stale:
        return
    with index_lock(settings):
        for old in stale:
            corpus.store.remove_document(old.doc_id)
    report.replaced += len(stale)
