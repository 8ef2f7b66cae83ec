"""Files removed with `docs rm` stay removed: an ingest of a folder (the corpus sync too) skips them.

They are remembered in RAGTOOL_HOME/excluded.json (absolute path -> the removed document's id and title).
`ragtool docs` and `ragtool status` list them; ingesting such a file by its own path brings it back.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from ragtool.errors import StoreError
from ragtool.fsutil import read_model_or_none, write_json_atomic
from ragtool.models import DocMeta

FILE = "excluded.json"


class Excluded(BaseModel):
    doc_id: str
    title: str = ""
    removed: float = 0.0  # time.time()


class Exclusions(BaseModel):
    files: dict[str, Excluded] = Field(default_factory=dict)  # absolute source path -> what was removed


def load(home: Path) -> Exclusions:
    return read_model_or_none(home / FILE, Exclusions) or Exclusions()


def _save(home: Path, data: Exclusions) -> None:
    try:
        write_json_atomic(home / FILE, data.model_dump())
    except OSError as e:
        raise StoreError(f"cannot write {home / FILE}: {e.strerror or e}") from e


def exclude(home: Path, meta: DocMeta, when: float) -> bool:
    """Remember a removed document's source file, if it still exists (call under the index lock)."""
    if not meta.source or not Path(meta.source).is_file():
        return False
    data = load(home)
    data.files[os.path.abspath(meta.source)] = Excluded(doc_id=meta.doc_id, title=meta.title, removed=when)
    _save(home, data)
    return True


def readmit(home: Path, paths: list[str]) -> list[str]:
    """Forget the exclusion of files ingested by their own path; returns those that were excluded."""
    data = load(home)
    back = [p for p in paths if p in data.files]
    if back:
        for p in back:
            del data.files[p]
        _save(home, data)
    return back
