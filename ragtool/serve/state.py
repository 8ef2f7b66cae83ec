"""What the server holds: one Session, its background jobs, the token and limits, and an answer memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ragtool.api import Session
from ragtool.datafiles import load_data
from ragtool.serve.jobs import Jobs


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int = 50 << 20
    max_upload_files: int = 20
    answer_cache: int = 1024
    name_chars: int = 120

    @classmethod
    def load(cls, session: Session, max_upload_mb: float | None = None) -> Limits:
        data = load_data(session.settings, "serve.toml").get("limits", {})
        mb = float(data.get("max_upload_mb", 50)) if max_upload_mb is None else max_upload_mb
        return cls(max_upload_bytes=int(mb * (1 << 20)), max_upload_files=int(data.get("max_upload_files", 20)),
                   answer_cache=int(data.get("answer_cache", 1024)), name_chars=int(data.get("name_chars", 120)))


@dataclass
class State:
    session: Session
    limits: Limits
    token: str | None = None
    jobs: Jobs = field(default_factory=Jobs)
    # The Session's caches are not thread-safe: reads take turns (writes also hold the index lock).
    read_lock: threading.RLock = field(default_factory=threading.RLock)
    _memory_lock: threading.Lock = field(default_factory=threading.Lock)
    _answers: OrderedDict[tuple[Any, ...], bytes] = field(default_factory=OrderedDict)

    def remembered(self, key: tuple[Any, ...]) -> bytes | None:
        with self._memory_lock:
            got = self._answers.get(key)
            if got is not None:
                self._answers.move_to_end(key)
            return got

    def remember(self, key: tuple[Any, ...], value: bytes) -> None:
        if self.limits.answer_cache <= 0:
            return
        with self._memory_lock:
            self._answers[key] = value
            while len(self._answers) > self.limits.answer_cache:
                self._answers.popitem(last=False)
