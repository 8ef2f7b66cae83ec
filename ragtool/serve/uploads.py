"""Uploaded files: sanitised names, a size limit, and a home under RAGTOOL_HOME/uploads only."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from ragtool.fsutil import write_bytes_atomic
from ragtool.ingest.load import SUPPORTED
from ragtool.serve.errors import HttpError

UPLOAD_DIR = "uploads"
SUFFIXES = tuple(sorted(SUPPORTED))
_UNSAFE = re.compile(r"[^\w.\-\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
MAX_GIVEN_CHARS = 1024  # a longer name is refused, not cut
MAX_NAME_BYTES = 200  # of the saved name's UTF-8 (file systems allow 255, the hash prefix takes 13)


def safe_name(name: str, max_chars: int = 120) -> str:
    """A file name with no folders, no control or shell characters and a supported suffix, short enough for any
    file system."""
    if len(name) > MAX_GIVEN_CHARS:
        raise HttpError(400, "usage", f"file name longer than {MAX_GIVEN_CHARS} characters")
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUFFIXES:
        raise HttpError(400, "usage", f"unsupported file type {suffix or '(none)'}: upload {', '.join(SUFFIXES)}")
    stem = _UNSAFE.sub("_", stem).strip("._") or "upload"
    stem = stem[: max(1, max_chars - len(suffix))]
    room = MAX_NAME_BYTES - len(suffix)
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore") + suffix


def save_upload(data: bytes, clean: str, home: Path) -> Path:
    """Write one upload (its name made safe already) under home/uploads as <content hash>-<name>."""
    if not data:
        raise HttpError(400, "usage", f"{clean} is empty")
    folder = (home / UPLOAD_DIR).resolve()
    path = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{clean}"
    if path.parent != folder:  # cannot happen with a safe name; never write elsewhere
        raise HttpError(400, "usage", f"bad file name {clean!r}")
    write_bytes_atomic(path, data)
    return path


def under(base: Path, relative: str) -> Path:
    """`relative` resolved inside `base`; anything that escapes it (.., absolute, symlinks out) is refused."""
    if "\x00" in relative:
        raise HttpError(400, "usage", "bad path: it contains a NUL character")
    root = base.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise HttpError(400, "usage", f"path {relative!r} is outside the corpus folder")
    if not target.exists():
        raise HttpError(404, "not_found", f"no such file or folder under the corpus folder: {relative}")
    return target


def is_upload(source: str, home: Path) -> bool:
    folder = (home / UPLOAD_DIR).resolve()
    return bool(source) and Path(os.path.abspath(source)).parent == folder
