"""Which response_format mode each server and model accepts, remembered on disk (RAGTOOL_HOME/llm_modes.json).

Servers differ: OpenAI and vLLM take json_schema; llama-cpp-python refuses it (HTTP 500, "Input should be 'text'
or 'json_object'"); some proxies take neither. The first refusal is paid once per server and model, not per run.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ragtool.fsutil import read_model_or_none, write_json_atomic

Mode = Literal["json_schema", "json_object", "plain"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "plain")
FILE_NAME = "llm_modes.json"


class ModeRecord(BaseModel):
    mode: Mode
    reason: str = ""  # the server's refusal of the modes before it, one line
    checked: str = ""  # ISO time


class ModeBook(BaseModel):
    servers: dict[str, ModeRecord] = Field(default_factory=dict)  # "<base_url> <model>" -> record


def key_of(base_url: str, model: str) -> str:
    return f"{base_url.rstrip('/')} {model}"


class ModeMemory:
    """The remembered working mode per server and model; writes are atomic, a corrupt file reads as empty."""

    def __init__(self, home: Path) -> None:
        self.path = home / FILE_NAME

    def book(self) -> ModeBook:
        return read_model_or_none(self.path, ModeBook) or ModeBook()

    def get(self, base_url: str, model: str) -> ModeRecord | None:
        return self.book().servers.get(key_of(base_url, model))

    def put(self, base_url: str, model: str, mode: Mode, reason: str = "") -> None:
        book = self.book()
        key = key_of(base_url, model)
        old = book.servers.get(key)
        if old is not None and old.mode == mode and (old.reason == reason or not reason):
            return
        book.servers[key] = ModeRecord(mode=mode, reason=reason or (old.reason if old else ""),
                                       checked=datetime.now(UTC).isoformat(timespec="seconds"))
        with contextlib.suppress(OSError):  # forgetting only costs one refused call next run
            write_json_atomic(self.path, book.model_dump())
