"""One lock file per RAGTOOL_HOME, so two processes never write the index at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from ragtool.config import Settings
from ragtool.errors import IndexBusyError, StoreError


@contextmanager
def index_lock(settings: Settings, timeout: float | None = None) -> Iterator[None]:
    """Hold the index lock, waiting at most `timeout` seconds (default: settings.lock_timeout).
    Taking it again in the same thread while it is held does not wait."""
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create RAGTOOL_HOME {settings.home}: {e.strerror or e}") from e
    path = settings.home / "index.lock"
    wait = settings.lock_timeout if timeout is None else timeout
    lock = FileLock(str(path), is_singleton=True)  # re-entrant: nested holds in one thread do not deadlock
    try:
        lock.acquire(timeout=wait)
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
