"""Ingest pipeline: discover files, then load, clean, chunk, embed and commit each document."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ragtool.config import Settings
from ragtool.errors import LoadError, RagtoolError
from ragtool.index.corpus import Corpus
from ragtool.index.lock import index_lock
from ragtool.ingest.chunk import chunk_document
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import SUPPORTED, LoadedFile, load_file
from ragtool.ingest.meta import extract_meta
from ragtool.models import Chunk, DocMeta, Document


class Skipped(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    files: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates: int = 0
    chunks: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    seconds: float = 0.0


Progress = Callable[[str, int, int], None]  # (file name, files done, files total)


def discover(paths: Sequence[Path]) -> Iterator[Path | Skipped]:
    """Files under the given paths, recursively, each once; symlink loops are not followed twice."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[Path] = set()

    def walk(p: Path) -> Iterator[Path | Skipped]:
        try:
            if p.is_dir():
                st = p.stat()
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    return
                seen_dirs.add(key)
                for child in sorted(p.iterdir()):
                    if child.name.startswith("."):
                        continue
                    yield from walk(child)
            elif p.is_file():
                real = p.resolve()
                if real not in seen_files:
                    seen_files.add(real)
                    yield p
            elif p.is_symlink():
                yield Skipped(path=str(p), reason="broken symlink")
            elif not p.exists():
                yield Skipped(path=str(p), reason="no such file or folder")
            else:
                yield Skipped(path=str(p), reason="not a regular file")
        except OSError as e:
            yield Skipped(path=str(p), reason=f"cannot read: {e.strerror or e}")

    for p in paths:
        yield from walk(Path(p))


def prepare(loaded: LoadedFile, cleaner: Cleaner, settings: Settings) -> tuple[Document, list[Chunk]]:
    """Clean, describe and chunk one loaded file (no index access)."""
    text = cleaner.clean(loaded.text)
    if not text.strip():
        raise LoadError("no text left after cleaning")
    meta = extract_meta(text, loaded.header, source=str(loaded.path), file_hash=loaded.file_hash)
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
    """Ingest files and folders into the index. Bad files are skipped and reported, never fatal."""
    t0 = time.perf_counter()
    report = IngestReport()
    with index_lock(settings):
        corpus = corpus or Corpus(settings)
        if reset:
            corpus.store.reset()
        else:
            corpus.check_embedder()
            corpus.store.remove_orphans()
        cleaner = Cleaner.from_settings(settings)
        by_source = _committed_by_source(corpus.documents())
        found = list(discover(paths))
        files = [f for f in found if isinstance(f, Path)]
        report.skipped.extend(f for f in found if isinstance(f, Skipped))
        report.files = len(files)
        for n, path in enumerate(files):
            if progress:
                progress(path.name, n, len(files))
            try:
                _ingest_one(path, corpus, cleaner, settings, by_source, report)
            except LoadError as e:
                report.skipped.append(Skipped(path=str(path), reason=str(e)))
            except RagtoolError:
                raise
            except OSError as e:
                report.skipped.append(Skipped(path=str(path), reason=f"cannot read: {e.strerror or e}"))
        if progress:
            progress("", len(files), len(files))
        corpus.lexical()  # rebuild the BM25 index once, inside the lock
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _committed_by_source(docs: list[DocMeta]) -> dict[str, DocMeta]:
    return {os.path.abspath(d.source): d for d in docs if d.source}


def _ingest_one(
    path: Path,
    corpus: Corpus,
    cleaner: Cleaner,
    settings: Settings,
    by_source: dict[str, DocMeta],
    report: IngestReport,
) -> None:
    if path.suffix.lower() not in SUPPORTED:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}")
    key = os.path.abspath(path)
    old = by_source.get(key)
    loaded = load_file(path)
    if old and old.file_hash == loaded.file_hash:
        report.unchanged += 1
        return
    doc, chunks = prepare(loaded, cleaner, settings)
    if old and old.doc_id == doc.meta.doc_id:
        report.unchanged += 1
        return
    existing = corpus.store.get_document(doc.meta.doc_id)
    if existing is not None:
        report.duplicates += 1
        return
    vectors = corpus.embed_chunks(chunks)
    corpus.store.put_document(doc, chunks, vectors, corpus.embedder.name)  # type: ignore[arg-type]
    if old:
        corpus.store.remove_document(old.doc_id)
        report.replaced += 1
    else:
        report.added += 1
    by_source[key] = doc.meta
    report.chunks += len(chunks)
