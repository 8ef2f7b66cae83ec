"""What the server holds: one Session, its background jobs, the token and limits, and an answer memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ragtool.api import Session
from ragtool.datafiles import load_data
from ragtool.serve.jobs import Jobs
from ragtool.serve.readers import Readers


@dataclass(frozen=True)
class Limits:
    """serve.toml [limits]: what one request may hold."""

    max_upload_bytes: int = 50 << 20
    max_upload_files: int = 20
    max_request_bytes: int = 200 << 20  # all files of one upload request together
    answer_cache: int = 1024
    name_chars: int = 120
    max_fields: int = 16  # form fields that are not files
    max_field_bytes: int = 64 << 10
    max_part_header_bytes: int = 4 << 10  # one header line of a multipart part
    max_json_bytes: int = 1 << 20  # a JSON (any other than multipart) request body
    readers: int = 2  # reader processes answering new questions in parallel (0: the server process answers)

    @classmethod
    def load(cls, session: Session, max_upload_mb: float | None = None) -> Limits:
        data = load_data(session.settings, "serve.toml").get("limits", {})
        mb = float(data.get("max_upload_mb", 50)) if max_upload_mb is None else max_upload_mb
        ints = {k: int(data[k]) for k in ("max_upload_files", "answer_cache", "name_chars", "max_fields", "readers")
                if k in data}
        if "max_field_kb" in data:
            ints["max_field_bytes"] = int(float(data["max_field_kb"]) * 1024)
        if "max_request_mb" in data:
            ints["max_request_bytes"] = int(float(data["max_request_mb"]) * (1 << 20))
        if "max_json_kb" in data:
            ints["max_json_bytes"] = int(float(data["max_json_kb"]) * 1024)
        if "max_part_header_kb" in data:
            ints["max_part_header_bytes"] = int(float(data["max_part_header_kb"]) * 1024)
        return cls(max_upload_bytes=int(mb * (1 << 20)), **ints)


@dataclass
class State:
    session: Session
    limits: Limits
    token: str | None = None
    csrf: str = ""  # the per-server token a write must carry (GET /api/csrf)
    jobs: Jobs = field(default_factory=Jobs)
    readers: Readers | None = None  # started with the server when limits.readers > 0
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
