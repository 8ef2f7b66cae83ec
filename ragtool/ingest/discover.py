"""Finding the files to ingest: folders walked recursively, each file once, problems reported not raised."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel


class Skipped(BaseModel):
    path: str
    reason: str


def discover(paths: Sequence[Path]) -> Iterator[Path | Skipped]:
    """Files under the given paths, recursively, each once; symlink loops are not followed twice."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[Path] = set()

    def walk(p: Path) -> Iterator[Path | Skipped]:
        try:
            if p.is_dir():
                st = p.stat()
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    return
                seen_dirs.add(key)
                for child in sorted(p.iterdir()):
                    if child.name.startswith("."):
                        continue
                    yield from walk(child)
            elif p.is_file():
                real = p.resolve()
                if real not in seen_files:
                    seen_files.add(real)
                    yield p
            elif p.is_symlink():
                yield Skipped(path=str(p), reason="broken symlink")
            elif not p.exists():
                yield Skipped(path=str(p), reason="no such file or folder")
            else:
                yield Skipped(path=str(p), reason="not a regular file")
        except OSError as e:
            yield Skipped(path=str(p), reason=f"cannot read: {e.strerror or e}")

    for p in paths:
        yield from walk(Path(p))
