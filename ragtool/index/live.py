"""Which Chroma collections are the live index: a pointer file names them, and is replaced atomically.

`ingest --reset` builds a new generation of collections (<collection>__g<token>_chunks and _docs) beside the
live one. The swap is one atomic replace of RAGTOOL_HOME/live.json; the previous generation is deleted after it
(garbage). So a kill at any point leaves the pointer naming a complete index: the old one before the replace,
the new one after. Generations nobody points to are deleted by the next ingest while no --reset is running.
"""

from __future__ import annotations

import os
import re
import signal
import uuid
from collections.abc import Iterable
from pathlib import Path

from ragtool.config import Settings
from ragtool.errors import StoreError
from ragtool.fsutil import read_json_or_none, write_json_atomic

POINTER = "live.json"
FAULT_ENV = "RAGTOOL_FAULT_KILL_AT"  # tests: the process kills itself (SIGKILL) at this named step
SWAP_STEPS = ("marked", "pointer", "announced", "gc-docs", "gc-chunks")  # kill_point names, in order


def pointer_path(settings: Settings) -> Path:
    return settings.home / POINTER


def new_generation(base: str) -> str:
    return f"{base}__g{uuid.uuid4().hex[:8]}"


def generations(base: str, collections: Iterable[str]) -> set[str]:
    """The generations of `base` among collection names: base itself, base__g<token>, and the older base__next."""
    pattern = re.compile(rf"({re.escape(base)}(?:__g[0-9a-f]{{8}}|__next)?)_(?:chunks|docs)")
    return {m.group(1) for name in collections if (m := pattern.fullmatch(name))}


def read_pointer(settings: Settings) -> str | None:
    """The live generation the pointer names; `base` when there is no pointer (an index never reset);
    None when the pointer file is unreadable."""
    path = pointer_path(settings)
    if not path.exists():
        return settings.collection
    data = read_json_or_none(path)
    if not isinstance(data, dict):
        return None
    name = data.get(settings.collection, settings.collection)
    return name if isinstance(name, str) and generations(settings.collection, [f"{name}_docs"]) else None


def write_pointer(settings: Settings, name: str) -> None:
    """Point the live index at generation `name` (call under the index lock: read, modify, replace)."""
    path = pointer_path(settings)
    data = read_json_or_none(path)
    data = data if isinstance(data, dict) else {}
    data[settings.collection] = name
    try:
        write_json_atomic(path, data)
    except OSError as e:
        raise StoreError(f"cannot write {path}: {e.strerror or e}") from e


def kill_point(step: str) -> None:
    """Fault injection for the crash tests: die here, as a kill -9 would, when RAGTOOL_FAULT_KILL_AT names `step`."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)
