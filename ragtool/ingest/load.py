"""Load files into text: encodings, Title/Date/URL headers, HTML, PDF, DOCX. (minimal version, to be extended)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ragtool.errors import LoadError

SUPPORTED = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}


@dataclass
class LoadedFile:
    path: Path
    text: str  # decoded text with any Title/Date/URL header removed
    header: dict[str, str] = field(default_factory=dict)  # keys: title, date, url (as written)
    encoding: str = "utf-8"
    file_hash: str = ""  # sha256 hex of the raw bytes


def load_file(path: Path) -> LoadedFile:
    """Read one file. Raises LoadError with a one-line reason when it cannot be used."""
    if path.suffix.lower() not in SUPPORTED:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}")
    raw = path.read_bytes()
    if not raw.strip():
        raise LoadError("empty file")
    text = raw.decode("utf-8-sig")
    header, body = parse_header(text)
    return LoadedFile(path, body, header, "utf-8", hashlib.sha256(raw).hexdigest())


def parse_header(text: str) -> tuple[dict[str, str], str]:
    """Split a leading 'Title:/Date:/URL:' header from the body."""
    header: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines) and i < 6:
        key, sep, value = lines[i].partition(":")
        if sep and key.strip().lower() in {"title", "date", "url"}:
            header[key.strip().lower()] = value.strip()
            i += 1
        else:
            break
    return header, "\n".join(lines[i:]) if header else text
