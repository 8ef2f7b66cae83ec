"""Reader processes: new questions answered in parallel, one Session per process over the same index.

The Session's caches are not thread-safe and most of a question's work holds the GIL, so one process answers one
question at a time. `ragtool serve` starts serve.toml `readers` processes (default 2) that each open the index and
answer POST /api/ask; the server keeps the answer memory and runs ingests itself. Each reader sees the index as any
other process does (index.gen tells it of every write). A reader that dies is replaced and its question asked again
once."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from ragtool.errors import RagtoolError

if TYPE_CHECKING:
    from ragtool.api import Session
    from ragtool.config import Settings
    from ragtool.serve.schemas import AskRequest

# The one Session of a reader process (set by _open in that process only).
_session: Session | None = None


def _open(settings: Settings, server: int) -> None:
    """A reader's start: open the index and load what every question needs, before the first one arrives."""
    global _session  # noqa: PLW0603 - one Session per reader process, made once
    import signal

    from ragtool.api import Session

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its readers
    threading.Thread(target=_exit_with_parent, args=(server,), daemon=True, name="parent-watch").start()

    _session = Session(settings, sync=False)
    _session.retriever.refresh()
    _session.corpus.lexical()
    _session.engine("extractive")
    _session.wording  # noqa: B018 - loaded now, not on the first question
    _session.vocab  # noqa: B018


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """A reader ends when its server is gone, even killed with SIGKILL (it would otherwise live on, an orphan
    holding the server's output pipes), also when that happened before the reader got this far."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def _ready() -> int:
    return os.getpid()


def answer_bytes(session: Session, body: AskRequest) -> bytes:
    """POST /api/ask's answer as JSON bytes (what a reader and the in-process path both return)."""
    from ragtool.models import context_chunks

    answer, hits = session.ask_with_context(
        body.question, engine=body.engine, top_k=body.top_k, place=body.place, year=body.year, doc=body.doc,
        explain=body.explain)
    if body.context:
        answer.context = context_chunks(hits, body.top_k or session.settings.top_k)
    return answer.model_dump_json().encode()


def _answer(body_json: str) -> bytes:
    from ragtool.serve.schemas import AskRequest

    assert _session is not None, "reader process not opened"
    return answer_bytes(_session, AskRequest.model_validate_json(body_json))


class ReaderDied(RagtoolError):
    """A reader process died twice on the same question."""


class Readers:
    """A pool of `count` reader processes over settings' index."""

    def __init__(self, settings: Settings, count: int) -> None:
        if settings.embedder == "local" and settings.embed_threads is None:
            settings = settings.model_copy(update={"embed_threads": 1})  # one core each: the readers share them
        self.settings = settings
        self.count = count
        self._lock = threading.Lock()
        self._warming: list[Future[int]] = []
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_open, initargs=(self.settings, os.getpid()))
        # start (and warm) every reader now; until they are up, the server process answers
        self._warming = [pool.submit(_ready) for _ in range(self.count)]
        return pool

    @property
    def ready(self) -> bool:
        """Every reader has opened the index (a reader that failed to start leaves the server answering)."""
        return all(f.done() and f.exception() is None for f in self._warming)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()

    async def ask(self, body: AskRequest) -> bytes:
        """The answer from a reader; a reader that dies is replaced and the question asked once more."""
        data = body.model_dump_json()
        for attempt in range(2):
            pool = self._pool
            try:
                future: Future[bytes] = pool.submit(_answer, data)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self._replace(pool)
                if attempt:
                    break
        raise ReaderDied("a reader process died answering this question (twice); see the server's log")

    def pids(self) -> list[int]:
        """The reader processes' ids (tests, `ragtool status`)."""
        return [p.pid for p in dict(getattr(self._pool, "_processes", None) or {}).values() if p.pid]

    def close(self, seconds: float = 5.0) -> None:
        """Stop the readers: each ends after its question, or is terminated after `seconds`."""
        processes = list(dict(getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + seconds
        for p in processes:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.terminate()
                p.join(1.0)
