"""Progress of the latest ingest, in RAGTOOL_HOME/ingest.status.json, for `ragtool status` and other processes.

The ingest writes it (atomically, at most about once a second) as it goes: the lexical pass over files, then
the dense pass over documents' chunks. A reader tells a running ingest from a dead one by its pid.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ragtool.config import Settings
from ragtool.fsutil import read_model_or_none, write_json_atomic

STATUS_FILE = "ingest.status.json"
LOG_FILE = "ingest.log"
WRITE_EVERY = 1.0  # seconds between progress writes (phase changes are written at once)

Phase = Literal["starting", "lexical", "dense", "swapping", "done", "failed"]


class IngestStatus(BaseModel):
    pid: int = 0
    phase: Phase = "starting"
    paths: list[str] = Field(default_factory=list)
    reset: bool = False
    files_total: int = 0
    files_done: int = 0
    docs_pending: int = 0  # documents waiting for their dense vectors when the dense pass started
    docs_dense_done: int = 0
    chunks_to_embed: int = 0
    chunks_embedded: int = 0  # cached or computed
    ocr_file: str = ""  # the file OCR is reading (lexical pass), its pages read and to read
    ocr_pages_done: int = 0
    ocr_pages_total: int = 0
    started: float = 0.0
    updated: float = 0.0
    lexical_ready: float | None = None  # seconds from start to every document searchable lexically
    finished: float | None = None
    error: str = ""
    added: int = 0
    skipped: int = 0

    @property
    def running(self) -> bool:
        return self.phase not in ("done", "failed") and pid_alive(self.pid)


def status_path(home: Path) -> Path:
    return home / STATUS_FILE


def read_status(home: Path) -> IngestStatus | None:
    return read_model_or_none(status_path(home), IngestStatus)


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StatusWriter:
    """Keeps one ingest's status file up to date; write errors never stop the ingest."""

    def __init__(self, home: Path, paths: list[str], reset: bool) -> None:
        now = time.time()
        self.home = home
        self.status = IngestStatus(pid=os.getpid(), paths=paths, reset=reset, started=now, updated=now)
        self._last = 0.0
        # another ingest still running keeps the file (a background ingest, while `ask` syncs the corpus)
        other = read_status(home)
        self.quiet = other is not None and other.pid != os.getpid() and ingest_state(other) == "running"

    def update(self, force: bool = False, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self.status, name, value)
        now = time.time()
        if self.quiet or (not force and now - self._last < WRITE_EVERY):
            return
        self.status.updated = now
        self._last = now
        with contextlib.suppress(OSError):
            write_json_atomic(status_path(self.home), self.status.model_dump())

    def phase(self, phase: Phase, **fields: object) -> None:
        self.update(force=True, phase=phase, **fields)

    def since_start(self) -> float:
        return round(time.time() - self.status.started, 3)


def ingest_running(home: Path) -> bool:
    """Whether another process's ingest is running on this home (its dense pass will embed what is pending)."""
    status = read_status(home)
    return status is not None and status.pid != os.getpid() and ingest_state(status) == "running"


def ingest_state(status: IngestStatus | None) -> str:
    """running, stopped (its process died before the end), done, failed, or none."""
    if status is None:
        return "none"
    if status.phase in ("done", "failed"):
        return status.phase
    return "running" if pid_alive(status.pid) else "stopped"


def start_background(home: Path, args: list[str]) -> int:
    """Start `ragtool ingest ARGS` in its own session (a closed terminal or Ctrl-C does not stop it), output to
    RAGTOOL_HOME/ingest.log; returns its pid once its status file says it is starting."""
    import subprocess
    import sys

    home.mkdir(parents=True, exist_ok=True)
    log = (home / LOG_FILE).open("ab")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ragtool", "ingest", *args],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
    finally:
        log.close()
    current = read_status(home)
    if current is None or current.pid != proc.pid:  # the child has not written its own yet
        now = time.time()
        write_json_atomic(status_path(home), IngestStatus(pid=proc.pid, started=now, updated=now).model_dump())
    return proc.pid


def ingest_args(settings: Settings, targets: list[Path], reset: bool = False) -> list[str]:
    """`ragtool ingest` arguments for another process with these settings (no targets: resume the dense pass)."""
    args = [str(t.resolve()) for t in targets] + ["--home", str(settings.home.resolve())]
    args += ["--reset"] if reset else []
    args += ["--embedder", settings.embedder]
    args += ["--chroma-url", settings.chroma_url] if settings.chroma_url else []
    args += ["--follow-symlinks"] if settings.follow_symlinks else []
    args += [] if settings.ocr else ["--no-ocr"]
    return args


def resume_in_background(settings: Settings) -> int | None:
    """Start a bare `ragtool ingest` (the dense pass of every document still without vectors) in the background,
    unless an ingest already runs on this home; returns its pid."""
    if ingest_running(settings.home):
        return None
    return start_background(settings.home.resolve(), ingest_args(settings, []))
