"""Ingest pipeline: discover files, then load, clean, chunk, embed and commit each document."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ragtool.answer.grounding import Grounding, injection_spans
from ragtool.config import Settings
from ragtool.errors import LoadError, RagtoolError
from ragtool.index.corpus import Corpus
from ragtool.index.lock import index_lock
from ragtool.ingest.chunk import chunk_document
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.discover import Skipped, discover
from ragtool.ingest.load import SUPPORTED, LoadedFile, load_file
from ragtool.ingest.meta import extract_meta
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


MAX_DOC_CHARS = 2_000_000  # about 50 times a long work report; longer texts take minutes to chunk

Progress = Callable[[str, float, int], None]  # (file name, files done with a fraction for chunks, files total)


def prepare(loaded: LoadedFile, cleaner: Cleaner, settings: Settings) -> tuple[Document, list[Chunk]]:
    """Clean, describe and chunk one loaded file (no index access)."""
    if len(loaded.text) > MAX_DOC_CHARS:
        raise LoadError(f"document too long ({len(loaded.text):,} characters; limit {MAX_DOC_CHARS:,})")
    text = cleaner.clean(loaded.text)
    if not text.strip():
        raise LoadError("no text left after cleaning")
    meta = extract_meta(text, loaded.header, source=str(loaded.path), file_hash=loaded.file_hash)
    meta.injections = injection_spans(text, Grounding.load(settings))
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
) -> IngestReport:
    """Ingest files and folders into the index. Bad files are skipped and reported, never fatal.

    The index lock is held only while the index is read or written (setup, each document's commit, the
    lexical rebuild), so questions can be answered between documents; files are read, chunked and
    embedded outside it.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    with index_lock(settings):
        corpus = corpus or Corpus(settings)
        if reset:
            corpus.store.reset()
        else:
            corpus.check_embedder()
            corpus.store.remove_orphans()
        by_source = _committed_by_source(corpus.documents())
    cleaner = Cleaner.from_settings(settings)
    found = list(discover(paths, settings.follow_symlinks))
    files = [f for f in found if isinstance(f, Path)]
    report.skipped.extend(f for f in found if isinstance(f, Skipped))
    report.files = len(files)
    for n, path in enumerate(files):
        if progress:
            progress(path.name, n, len(files))
        try:
            _ingest_one(path, corpus, cleaner, settings, by_source, report, _chunk_progress(progress, path, n, len(files)))
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
    with index_lock(settings):
        corpus.lexical()  # rebuild the BM25 index once
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _chunk_progress(progress: Progress | None, path: Path, n: int, total: int) -> Callable[[int, int], None] | None:
    """update(chunks done, chunks in file): moves the bar within file n, so a large file does not look stuck."""
    if progress is None:
        return None

    def update(done: int, chunks: int) -> None:
        progress(f"{done}/{chunks} chunks · {path.name}", n + done / max(chunks, 1), total)

    return update


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
    chunk_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Load, chunk and embed one file outside the lock, then commit it (and drop its old version) inside."""
    if path.suffix.lower() not in SUPPORTED:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}")
    key = os.path.abspath(path)
    olds = by_source.get(key, [])
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
    embedded = 0

    def on_batch(n: int) -> None:
        nonlocal embedded
        embedded += n
        if chunk_progress:
            chunk_progress(embedded, len(chunks))

    vectors = corpus.embed_chunks(chunks, on_batch=on_batch)
    with index_lock(settings):
        known = corpus.store.get_document(doc.meta.doc_id)  # another process may have committed it meanwhile
        if known is not None:
            _count_known(known.meta, key, report)
            return
        corpus.store.put_document(doc, chunks, vectors, corpus.embedder.name)  # type: ignore[arg-type]
        for old in olds:
            corpus.store.remove_document(old.doc_id)
    if olds:
        report.replaced += 1
    else:
        report.added += 1
    by_source[key] = [doc.meta]
    report.chunks += len(chunks)


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
