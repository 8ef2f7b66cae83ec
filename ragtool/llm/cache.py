"""On-disk cache of LLM replies: one JSON file per request key, written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ragtool.fsutil import read_model_or_none, write_json_atomic


class CachedReply(BaseModel):
    content: str
    model: str = ""
    mode: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0


def request_key(request: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that shapes a reply (model, messages, params)."""
    canonical = json.dumps(request, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Replies under `folder`/<key>.json. A missing or corrupt entry reads as None."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> CachedReply | None:
        return read_model_or_none(self.path(key), CachedReply)

    def put(self, key: str, reply: CachedReply) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs a repeated call
            write_json_atomic(self.path(key), reply.model_dump())
