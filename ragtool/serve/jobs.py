"""Long work (ingest, eval) runs on one background worker; the page polls its progress."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, Field

from ragtool.serve.errors import error_body

JobState = Literal["queued", "running", "done", "failed"]
KEEP_JOBS = 100


class Job(BaseModel):
    """One background task and how far it got."""

    id: str
    kind: Literal["ingest", "eval"]
    state: JobState = "queued"
    done: float = 0  # files (or cases) done; an ingest counts a file's chunks as a fraction of it
    total: int = 0
    current: str = ""  # the file or case being worked on
    result: Any = None  # the IngestReport or EvalRun as JSON, when done
    error: dict[str, Any] | None = None  # {"code", "message"} when failed
    started: float = Field(default_factory=time.time)
    seconds: float = 0.0


Work = Callable[[Callable[[str, float, int], None]], Any]  # work(progress) -> a pydantic model or JSON value


class Jobs:
    """One worker thread, so writes queue up in order; jobs are kept for polling (the newest KEEP_JOBS)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ragtool-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, kind: Literal["ingest", "eval"], work: Work) -> Job:
        job = Job(id=uuid.uuid4().hex[:12], kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-KEEP_JOBS]:
                del self._jobs[old]
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job.model_copy() if job else None

    def _run(self, job: Job, work: Work) -> None:
        t0 = time.perf_counter()

        def progress(name: str, done: float, total: int) -> None:
            job.current, job.done, job.total = name, done, total

        job.state = "running"
        try:
            result = work(progress)
            job.result = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
            job.state = "done"
        except Exception as e:  # noqa: BLE001 - a failed job reports its error; the server goes on
            job.error = error_body(e)[1]["error"]
            job.state = "failed"
        job.seconds = round(time.perf_counter() - t0, 3)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
