"""One lock file per RAGTOOL_HOME, so two processes never write the index at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ragtool.config import Settings
from ragtool.errors import IndexBusyError, StoreError

# How often a waiting process tries the lock again. Holds are short (one document's write, one read), and the
# server's readers take it a dozen times per question: at filelock's default 50 ms, each busy try cost a question up
# to 50 ms more, and a writer that takes it again within that time starved them.
POLL_SECONDS = 0.005
_held = threading.local()  # lock paths this thread holds, with their depth: a nested hold costs nothing


@contextmanager
def index_lock(settings: Settings, timeout: float | None = None) -> Iterator[None]:
    """Hold the index lock, waiting at most `timeout` seconds (default: settings.lock_timeout).
    Taking it again in the same thread while it is held does not wait."""
    path = settings.home / "index.lock"
    depth: dict[Path, int] = _held.__dict__.setdefault("depth", {})
    if depth.get(path):
        depth[path] += 1
        try:
            yield
        finally:
            depth[path] -= 1
        return
    with _acquired(settings, path, timeout):
        depth[path] = 1
        try:
            yield
        finally:
            depth[path] = 0


@contextmanager
def _acquired(settings: Settings, path: Path, timeout: float | None) -> Iterator[None]:
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create RAGTOOL_HOME {settings.home}: {e.strerror or e}") from e
    wait = settings.lock_timeout if timeout is None else timeout
    lock = FileLock(str(path), is_singleton=True)
    try:
        lock.acquire(timeout=wait, poll_interval=POLL_SECONDS)
    except Timeout as e:
        raise IndexBusyError(
            f"index busy: another ragtool process holds {path}; waited {wait:g}s (set RAGTOOL_LOCK_TIMEOUT to wait longer)"
        ) from e
    except OSError as e:
        raise StoreError(f"cannot lock {path}: {e.strerror or e}") from e
    try:
        yield
    finally:
        lock.release()


@contextmanager
def reset_lock(settings: Settings, required: bool = True) -> Iterator[bool]:
    """Held for a whole `ingest --reset` (its build runs mostly outside the index lock). Yields whether it was
    taken: when another process holds it, raise IndexBusyError if `required`, else yield False (the caller must
    then leave the other's build alone). Never waits: a --reset takes minutes."""
    path = settings.home / "reset.lock"
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create RAGTOOL_HOME {settings.home}: {e.strerror or e}") from e
    lock = FileLock(str(path), is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if required:
            raise IndexBusyError(
                "another `ragtool ingest --reset` is rebuilding this index; wait for it to finish "
                "(`ragtool status` shows its progress)"
            ) from None
        yield False
        return
    except OSError as e:
        raise StoreError(f"cannot lock {path}: {e.strerror or e}") from e
    try:
        yield True
    finally:
        lock.release()
