"""Long work (ingest, eval) runs on one background worker; the page polls its progress.

Every job is also a file under RAGTOOL_HOME/serve/jobs (written atomically at each change of state), so a job
accepted with 202 outlives the server: at start-up an unfinished ingest runs again (its files are kept under
uploads/ until then) and an unfinished eval says it was lost."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ragtool.fsutil import read_model_or_none, write_text_atomic
from ragtool.serve.errors import error_body

JobState = Literal["queued", "running", "done", "failed"]
JobKind = Literal["ingest", "eval"]
KEEP_JOBS = 100
JOBS_DIR = Path("serve") / "jobs"


class Job(BaseModel):
    """One background task and how far it got."""

    id: str
    kind: JobKind
    state: JobState = "queued"
    done: float = 0  # files (or cases) done; an ingest counts a file's chunks as a fraction of it
    total: int = 0
    current: str = ""  # the file or case being worked on
    result: Any = None  # the IngestReport or EvalRun as JSON, when done
    error: dict[str, Any] | None = None  # {"code", "message"} when failed
    started: float = Field(default_factory=time.time)
    seconds: float = 0.0
    note: str = ""  # e.g. that the job was resumed after a server restart


class JobRecord(BaseModel):
    """A job as written to disk: the job, and what it needs to run again after a restart."""

    job: Job
    paths: list[str] = Field(default_factory=list)  # an ingest's files and folders
    reset: bool = False


Work = Callable[[Callable[[str, float, int], None]], Any]  # work(progress) -> a pydantic model or JSON value


class Jobs:
    """One worker thread, so writes queue up in order; jobs are kept for polling (the newest KEEP_JOBS), in memory
    and, when a folder is given, on disk."""

    def __init__(self, folder: Path | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ragtool-job")
        self._records: dict[str, JobRecord] = {}
        self._lock = threading.Lock()
        self._folder = folder

    def submit(self, kind: JobKind, work: Work, paths: list[str] | None = None, reset: bool = False) -> Job:
        """Record the job (on disk before this returns), then queue it."""
        record = JobRecord(job=Job(id=uuid.uuid4().hex[:12], kind=kind), paths=paths or [], reset=reset)
        self._keep(record)
        self._pool.submit(self._run, record, work)
        return record.job.model_copy()

    def resume(self, record: JobRecord, work: Work | None, note: str) -> None:
        """Take up a job a previous server left unfinished: run it again, or (work None) mark it failed."""
        record.job.note = note
        if work is None:
            record.job.state = "failed"
            record.job.error = {"code": "failure", "message": note}
        else:
            record.job.state = "queued"
        self._keep(record)
        if work is not None:
            self._pool.submit(self._run, record, work)

    def unfinished(self) -> list[JobRecord]:
        """Jobs on disk a previous server accepted and did not finish (oldest first); finished ones are kept for
        polling."""
        if self._folder is None or not self._folder.is_dir():
            return []
        records = [r for p in self._folder.glob("*.json") if (r := read_model_or_none(p, JobRecord)) is not None]
        records.sort(key=lambda r: r.job.started)
        with self._lock:
            for r in records:
                self._records.setdefault(r.job.id, r)
        return [r for r in records if r.job.state in ("queued", "running")]

    def pending_paths(self, states: tuple[JobState, ...] = ("queued", "running")) -> set[str]:
        """Files named by jobs in these states (by default: not finished, so uploads waiting to be ingested)."""
        with self._lock:
            return {p for r in self._records.values() if r.job.state in states for p in r.paths}

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            record = self._records.get(job_id)
            return record.job.model_copy() if record else None

    def _keep(self, record: JobRecord) -> None:
        with self._lock:
            self._records[record.job.id] = record
            for old in list(self._records)[:-KEEP_JOBS]:
                del self._records[old]
                if self._folder is not None:
                    (self._folder / f"{old}.json").unlink(missing_ok=True)
        self._save(record)

    def _save(self, record: JobRecord) -> None:
        if self._folder is None:
            return
        with self._lock:
            text = record.model_dump_json()
        with contextlib.suppress(OSError):  # a full disk must not stop the job; it is still in memory
            write_text_atomic(self._folder / f"{record.job.id}.json", text)

    def _run(self, record: JobRecord, work: Work) -> None:
        job = record.job
        t0 = time.perf_counter()

        def progress(name: str, done: float, total: int) -> None:
            job.current, job.done, job.total = name, done, total

        job.state = "running"
        self._save(record)
        try:
            result = work(progress)
            job.result = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
            job.state = "done"
        except Exception as e:  # noqa: BLE001 - a failed job reports its error; the server goes on
            job.error = error_body(e)[1]["error"]
            job.state = "failed"
        job.seconds = round(time.perf_counter() - t0, 3)
        self._save(record)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
