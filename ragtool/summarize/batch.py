"""Summaries of many documents: targets, bounded concurrency, resume, atomic outputs, failure isolation."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ragtool.config import Settings, resolve_engine
from ragtool.errors import ExitCode, RagtoolError
from ragtool.fsutil import read_model_or_none, write_bytes_atomic, write_json_atomic, write_text_atomic
from ragtool.models import Chunk, Document, DocumentSummary, Usage
from ragtool.summarize.render import to_csv, to_jsonl, to_markdown

Format = Literal["json", "jsonl", "md", "csv"]
FORMATS: tuple[str, ...] = ("json", "jsonl", "md", "csv")
MANIFEST = ".ragtool-manifest"  # JSON; no .json suffix so *.json globs see summaries only
COMBINED = {"jsonl": "summaries.jsonl", "csv": "key_figures.csv"}
Progress = Callable[[str, int, int], None]


class NotFoundError(RagtoolError):
    exit_code = ExitCode.NOT_FOUND


@dataclass(frozen=True)
class Job:
    """One document to summarise."""

    doc: Document
    chunks: list[Chunk]

    @property
    def doc_id(self) -> str:
        return self.doc.meta.doc_id

    @property
    def doc_hash(self) -> str:
        return self.doc.meta.file_hash or self.doc.meta.doc_id


class Failure(BaseModel):
    doc_id: str
    error: str


class BatchReport(BaseModel):
    """What a batch run did; printed by `ragtool summarize --out DIR --json`."""

    out: str
    format: str
    engine: str
    prompt_version: str
    written: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)  # up to date in --out already
    failed: list[Failure] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)


class Entry(BaseModel):
    """What the manifest remembers of one summarised document."""

    doc_hash: str
    engine: str
    prompt_version: str
    file: str
    summary: DocumentSummary


class Manifest(BaseModel):
    format: str = ""
    docs: dict[str, Entry] = Field(default_factory=dict)

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        return read_model_or_none(out_dir / MANIFEST, cls) or cls()


# ---- targets ---------------------------------------------------------------------------------


def load_jobs(settings: Settings, targets: Sequence[str], all_docs: bool) -> tuple[list[Job], list[Failure]]:
    """Documents named by id/prefix in the index or by path (loaded without indexing), or every indexed one."""
    jobs: list[Job] = []
    failures: list[Failure] = []
    ids = [t for t in targets if not Path(t).exists()]
    for target in targets:
        if Path(target).exists():
            path_jobs, path_failures = _jobs_from_path(settings, Path(target))
            jobs += path_jobs
            failures += path_failures
    if ids or all_docs:
        index_jobs, missing = _jobs_from_index(settings, ids, all_docs)
        jobs += index_jobs
        failures += [Failure(doc_id=t, error="no such document in the index, nor such file") for t in missing]
    unique = {j.doc_id: j for j in jobs}
    return list(unique.values()), failures


def _jobs_from_path(settings: Settings, path: Path) -> tuple[list[Job], list[Failure]]:
    from ragtool.ingest.clean import Cleaner
    from ragtool.ingest.discover import Skipped, discover
    from ragtool.ingest.load import load_file
    from ragtool.ingest.ocr import OcrReader
    from ragtool.ingest.pipeline import prepare

    cleaner = Cleaner.from_settings(settings)
    jobs: list[Job] = []
    failures: list[Failure] = []
    with OcrReader.from_settings(settings) or contextlib.nullcontext() as ocr:  # scans and images, as ingest reads them
        for found in discover([path]):
            if isinstance(found, Skipped):
                failures.append(Failure(doc_id=found.path, error=found.reason))
                continue
            try:
                doc, chunks = prepare(load_file(found, ocr), cleaner, settings)
            except (RagtoolError, OSError) as e:
                failures.append(Failure(doc_id=str(found), error=_one_line(e)))
                continue
            jobs.append(Job(doc, chunks))
    return jobs, failures


def _jobs_from_index(settings: Settings, ids: Sequence[str], all_docs: bool) -> tuple[list[Job], list[str]]:
    from ragtool.index.corpus import Corpus
    from ragtool.index.lock import index_lock

    jobs: list[Job] = []
    missing: list[str] = []
    with index_lock(settings):
        corpus = Corpus(settings)
        wanted = [d.doc_id for d in corpus.documents()] if all_docs else list(ids)
        for doc_id in wanted:
            doc = corpus.get_document(doc_id)
            if doc is None:
                missing.append(doc_id)
            else:
                jobs.append(Job(doc, corpus.store.chunks(doc.meta.doc_id)))
    return jobs, missing


# ---- running ---------------------------------------------------------------------------------


def engine_version(settings: Settings, engine: str) -> str:
    if engine == "llm":
        from ragtool.summarize.llm import llm_version

        return llm_version(settings)
    from ragtool.summarize.extractive import extractive_version

    return extractive_version(settings)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def summarize_jobs(settings: Settings, jobs: Sequence[Job], engine: str, concurrency: int, use_cache: bool,
                   usage: Usage) -> Iterator[tuple[Job, DocumentSummary | Failure]]:
    """Summaries in completion order; a failing document yields a Failure and the others go on."""
    from ragtool.summarize.extractive import summarize_extractive

    lock = threading.Lock()

    def one(job: Job) -> DocumentSummary:
        if engine == "extractive":
            return summarize_extractive(settings, job.doc, job.chunks)
        from ragtool.summarize.llm import summarize_llm

        summary, u = summarize_llm(settings, job.doc, job.chunks, use_cache=use_cache)
        with lock:
            usage.add(u)
        return summary

    workers = max(1, concurrency if engine == "llm" else 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(one, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield job, future.result()
            except Exception as e:  # noqa: BLE001 - one bad document must not stop the batch
                yield job, Failure(doc_id=job.doc_id, error=_one_line(e))


def source_stem(job: Job) -> str:
    """The source file's name without its suffix, safe as a file name ('' when there is none)."""
    meta = job.doc.meta
    stem = Path(meta.source).stem if meta.source else ""
    if not stem or stem.startswith("stdin-"):
        return ""
    return "".join(c if c.isalnum() or c in "-_.()（）" else "_" for c in stem)[:100]


@dataclass
class Writer:
    """Writes outputs to --out atomically and keeps the manifest that resume reads."""

    out_dir: Path
    fmt: str
    engine: str
    version: str

    def __post_init__(self) -> None:
        self.manifest = Manifest.read(self.out_dir)
        self._lock = threading.Lock()
        self._names: dict[str, str] = {}

    def name_files(self, jobs: Sequence[Job]) -> None:
        """Summary files are named after their source files (厚街2024.md → 厚街2024.json), so an edited file
        keeps its summary's name; two sources with one name get their document id added."""
        stems: dict[str, list[str]] = {}
        for job in jobs:
            stems.setdefault(source_stem(job), []).append(job.doc_id)
        for stem, ids in stems.items():
            for doc_id in ids:
                self._names[doc_id] = stem if len(ids) == 1 and stem else f"{stem}-{doc_id[:8]}".lstrip("-")

    def file_for(self, job: Job) -> str:
        return COMBINED.get(self.fmt) or f"{self._names.get(job.doc_id) or source_stem(job) or job.doc_id}.{self.fmt}"

    def is_fresh(self, job: Job) -> bool:
        entry = self.manifest.docs.get(job.doc_id)
        return (entry is not None and self.manifest.format == self.fmt and entry.doc_hash == job.doc_hash
                and entry.engine == self.engine and entry.prompt_version == self.version
                and (self.out_dir / entry.file).is_file())

    def write_one(self, job: Job, summary: DocumentSummary) -> str:
        name = self.file_for(job)
        if self.fmt == "json":
            write_text_atomic(self.out_dir / name, summary.model_dump_json(indent=1) + "\n")
        elif self.fmt == "md":
            write_text_atomic(self.out_dir / name, to_markdown(summary))
        with self._lock:
            self.manifest.format = self.fmt
            self.manifest.docs[job.doc_id] = Entry(doc_hash=job.doc_hash, engine=self.engine,
                                                   prompt_version=self.version, file=name, summary=summary)
            if self.fmt in ("json", "md"):  # combined files are written once, at the end
                self._save_manifest()
        return name

    def write_combined(self, jobs: Sequence[Job]) -> str | None:
        if self.fmt not in COMBINED:
            return None
        summaries = [self.manifest.docs[j.doc_id].summary for j in jobs if j.doc_id in self.manifest.docs]
        path = self.out_dir / COMBINED[self.fmt]
        if self.fmt == "csv":
            write_bytes_atomic(path, to_csv(summaries))
        else:
            write_text_atomic(path, to_jsonl(summaries))
        self._save_manifest()
        return path.name

    def _save_manifest(self) -> None:
        write_json_atomic(self.out_dir / MANIFEST, self.manifest.model_dump(mode="json"))


def run_batch(settings: Settings, jobs: Sequence[Job], out_dir: Path, fmt: str, engine: str = "auto",
              concurrency: int = 4, use_cache: bool = True, progress: Progress | None = None,
              batch_api: Callable[[Sequence[Job]], Iterator[tuple[Job, DocumentSummary | Failure]]] | None = None,
              version: str | None = None) -> BatchReport:
    """Summarise `jobs` into `out_dir`, skipping documents already summarised with the same hash, engine and
    prompt version. Nothing is written when everything is up to date."""
    engine = resolve_engine(settings, engine)
    version = version or engine_version(settings, engine)
    writer = Writer(out_dir, fmt, engine, version)
    writer.name_files(jobs)
    report = BatchReport(out=os.fspath(out_dir), format=fmt, engine=engine, prompt_version=version)
    todo = [j for j in jobs if not writer.is_fresh(j)]
    report.skipped = [j.doc_id for j in jobs if writer.is_fresh(j)]
    results = batch_api(todo) if batch_api else summarize_jobs(settings, todo, engine, concurrency, use_cache,
                                                                report.usage)
    done = 0
    for job, result in results:
        done += 1
        if progress:
            progress(job.doc.meta.place or job.doc_id, done, len(todo))
        if isinstance(result, Failure):
            report.failed.append(result)
            writer.manifest.docs.pop(job.doc_id, None)
            continue
        try:
            name = writer.write_one(job, result)
        except OSError as e:
            report.failed.append(Failure(doc_id=job.doc_id, error=f"cannot write: {e.strerror or e}"))
            continue
        report.written.append(job.doc_id)
        if name not in report.files:
            report.files.append(name)
    combined_missing = fmt in COMBINED and not (out_dir / COMBINED[fmt]).exists()
    if report.written or combined_missing or (report.failed and fmt in COMBINED):
        combined = writer.write_combined(jobs)
        if combined:
            report.files = [combined]
    return report
