"""`ragtool doctor --repair`: rebuild what is damaged or lost, from the source files.

A damaged store is moved aside (RAGTOOL_HOME/damaged-<time>/) and rebuilt from the source files: those the damaged
registry still names, those of the last corpus sync, and RAGTOOL_CORPUS. Damaged derived files (index.gen, the
BM25 index, the live pointer) are rebuilt from the intact store. Documents whose chunks are missing are ingested
again from their source files. Above both index/ and ingest/: the rebuild is an ordinary ingest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from pathlib import Path

from pydantic import BaseModel, Field

from ragtool.config import Settings
from ragtool.fsutil import read_json_or_none, write_json_atomic
from ragtool.index.corpus import Corpus
from ragtool.index.health import CHECKED, find_damage, sqlite_path
from ragtool.index.live import write_pointer
from ragtool.index.lock import index_lock
from ragtool.ingest.pipeline import ingest_paths


class RepairReport(BaseModel):
    damaged: list[dict[str, str]] = Field(default_factory=list)  # path, why
    moved_to: str | None = None
    rebuilt: bool = False  # the store itself was rebuilt (else only derived files were)
    sources: int = 0  # source files found to rebuild from
    missing: list[str] = Field(default_factory=list)  # sources the damaged index named that are gone
    added: int = 0
    incomplete: int = 0  # documents found with missing chunks
    reingested: int = 0  # of those, written again from their source files
    skipped: list[dict[str, str]] = Field(default_factory=list)


_META_SOURCE = re.compile(rb'"source":\s*"((?:[^"\\]|\\.){1,4096})"')


def salvage_sources(path: Path) -> list[str]:
    """Source paths the damaged registry still names: by SQL where its pages still read, and from each
    document record's JSON found in the raw bytes (which outlives damaged pages)."""
    found: set[str] = set()
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("SELECT string_value FROM embedding_metadata WHERE key = 'source'").fetchall()
            found |= {str(r[0]) for r in rows if r and r[0]}
        finally:
            con.close()
    except sqlite3.Error:
        pass
    try:
        raw = path.read_bytes()
    except OSError:
        raw = b""
    for m in _META_SOURCE.finditer(raw):
        with contextlib.suppress(ValueError):
            found.add(json.loads(b'"' + m.group(1) + b'"'))
    return sorted(s for s in found if s)


def _sync_sources(settings: Settings) -> list[str]:
    saved = read_json_or_none(settings.home / "sync.json")
    files = saved.get("files") if isinstance(saved, dict) else None
    return sorted(files) if isinstance(files, dict) else []


def repair(settings: Settings) -> RepairReport:
    """Move the damaged store aside and rebuild it from the source files; only derived files when those alone
    are damaged; then ingest again every document whose chunks are missing. The index lock is held while files
    are moved; the rebuild is an ordinary ingest."""
    report = RepairReport()
    with index_lock(settings):
        damage = find_damage(settings)
        report.damaged = [{"path": p, "why": w} for p, w in damage]
        if not damage:
            _reingest_incomplete(settings, report)
            return report
        aside = settings.home / f"damaged-{time.strftime('%Y%m%dT%H%M%S')}"
        aside.mkdir(parents=True, exist_ok=True)
        report.moved_to = str(aside)
        store_damaged = any(p == str(sqlite_path(settings)) for p, _ in damage)
        named = salvage_sources(sqlite_path(settings)) if store_damaged else []
        # without vectors.gen, every other process opens a new Chroma client at its next read (index/store.py)
        moving = ["chroma", "index.gen", "vectors.gen", CHECKED, "lexical"] if store_damaged else ["index.gen", "lexical"]
        for name in moving:
            src = settings.home / name
            if src.exists():
                os.replace(src, aside / name)
        if not store_damaged:
            live = Corpus(settings)  # an unreadable pointer reads as the newest complete build
            write_pointer(settings, live.store.name)
            live.lexical()  # rebuilt from the intact store
            _reingest_incomplete(settings, report)
            return report
    report.rebuilt = True
    sources = list(dict.fromkeys([*named, *_sync_sources(settings)]))
    report.missing = [s for s in sources if not Path(s).is_file()]
    paths = [Path(s) for s in sources if Path(s).is_file()]
    if Path(settings.corpus).exists():
        paths.append(Path(settings.corpus))
    report.sources = len(paths)
    if paths:
        ingest = ingest_paths(paths, settings)
        report.added = ingest.added + ingest.replaced
        report.skipped = [s.model_dump() for s in ingest.skipped]
    write_json_atomic(aside / "README.json", {"damaged": report.damaged, "rebuilt_from": [str(p) for p in paths]})
    return report


def _reingest_incomplete(settings: Settings, report: RepairReport) -> None:
    """Ingest again the source files of documents whose chunks are missing (ingest writes them anew)."""
    with index_lock(settings):
        incomplete = Corpus(settings).store.incomplete_documents()
    report.incomplete = len(incomplete)
    gone = [m.source for m in incomplete if not Path(m.source).is_file()]
    report.missing.extend(gone)
    paths = [Path(m.source) for m in incomplete if m.source not in gone]
    if paths:
        ingest = ingest_paths(paths, settings)
        report.reingested = ingest.repaired
        report.skipped.extend(s.model_dump() for s in ingest.skipped)
