"""A damaged store is found before it is used, and repaired from the CLI.

chroma.sqlite3 is checked (SQLite header, then `PRAGMA quick_check` read-only) BEFORE chromadb opens it: Chroma's
Rust core panics on some damaged pages (exit 134, no message). A successful check is remembered by the file's
size and mtime, so a store is checked once after each write, not on every command. index.gen and the BM25 index
are derived files: `ragtool doctor` reports them damaged and `--repair` rebuilds them (commands work meanwhile:
a garbage generation token reads as unknown and a BM25 index that does not fit the store is rebuilt).

`ragtool doctor --repair` (ragtool/repair.py) moves a damaged store aside and rebuilds it from the source files.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

from ragtool.config import Settings
from ragtool.errors import DamagedStoreError
from ragtool.fsutil import read_json_or_none, write_json_atomic
from ragtool.index.live import pointer_path, read_pointer
from ragtool.index.lock import index_lock

SQLITE_MAGIC = b"SQLite format 3\x00"
CHECKED = "store.checked.json"
GEN = re.compile(r"[0-9a-f]{32}")


def sqlite_path(settings: Settings) -> Path:
    return settings.home / "chroma" / "chroma.sqlite3"


def sqlite_damage(path: Path, timeout: float = 10.0) -> str | None:
    """Why the SQLite file is unusable, or None (also when it does not exist yet)."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    if not head:
        return None  # an empty file is an empty database
    if head != SQLITE_MAGIC:
        return "not an SQLite database: bad header"
    try:
        con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout)  # rw: a hot journal left by a kill is rolled back, as Chroma would
        try:
            rows = con.execute("PRAGMA quick_check").fetchmany(3)
        finally:
            con.close()
    except sqlite3.Error as e:
        return f"SQLite: {e}"
    if rows != [("ok",)]:
        return f"SQLite integrity check: {'; '.join(str(r[0]) for r in rows)[:160]}"
    return None


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def check_store(settings: Settings) -> list[int] | None:
    """Raise DamagedStoreError if the embedded store's SQLite file is damaged (cheap when unchanged); returns the
    size and time of the file found sound (None: no file yet)."""
    path = sqlite_path(settings)
    stamp = _stamp(path)
    if stamp is None:
        return None
    record = settings.home / CHECKED
    if read_json_or_none(record) == {"sqlite": stamp}:
        return stamp
    why = sqlite_damage(path, settings.lock_timeout or 10.0)
    if why:
        raise DamagedStoreError(path, why)
    with contextlib.suppress(OSError):  # else checked again next time
        write_json_atomic(record, {"sqlite": stamp})
    return stamp


def opened_store(settings: Settings, checked: list[int] | None) -> None:
    """Chroma writes to its SQLite file whenever a client opens it: when this process found the file sound just
    before (`checked`) and opened it under the index lock, the change is its own, and the next process need not
    check the file again (a PRAGMA quick_check of the whole file on every cold `ragtool ask`)."""
    stamp = _stamp(sqlite_path(settings))
    if checked is not None and stamp is not None and stamp != checked:
        with contextlib.suppress(OSError):
            write_json_atomic(settings.home / CHECKED, {"sqlite": stamp})


def gen_damage(path: Path) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    return None if GEN.fullmatch(raw.decode("ascii", "replace")) else "not a generation token"


def lexical_damage(home: Path) -> tuple[Path, str] | None:
    """The saved BM25 index's damage, if any: unreadable, or not fitting its chunk list."""
    from ragtool.index.lexical import LexicalIndex

    base = home / "lexical"
    current = base / "current.json"
    if not current.exists():
        return None
    data = read_json_or_none(current)
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        return current, "unreadable pointer"
    target = base / data["signature"]
    why = LexicalIndex.damage(target)
    return (target, why) if why else None


def find_damage(settings: Settings) -> list[tuple[str, str]]:
    """Every damaged index file of an embedded store: (path, why)."""
    if settings.chroma_url:
        return []
    out: list[tuple[str, str]] = []
    with index_lock(settings):  # never read the SQLite file while another process writes it
        why = sqlite_damage(sqlite_path(settings))
    if why:
        out.append((str(sqlite_path(settings)), why))
    if why := gen_damage(settings.home / "index.gen"):
        out.append((str(settings.home / "index.gen"), why))
    if found := lexical_damage(settings.home):
        out.append((str(found[0]), found[1]))
    if read_pointer(settings) is None:
        out.append((str(pointer_path(settings)), "unreadable pointer to the live collections"))
    return out
