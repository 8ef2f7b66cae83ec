"""Finding the files to ingest: folders walked recursively, each file once, problems reported not raised.

The corpus stays the corpus: a symbolic link that leads outside the folder being ingested is not followed
(unless asked), devices, FIFOs and sockets are never read, and a file reached through two paths is one file,
named by its real path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel


class Skipped(BaseModel):
    path: str
    reason: str


def discover(paths: Sequence[Path], follow_symlinks: bool = False) -> Iterator[Path | Skipped]:
    """Real paths of the files under the given paths, recursively, each once; symlink loops are not followed
    twice, and symlinks leading outside the given folder only with `follow_symlinks`."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[Path] = set()

    def walk(p: Path, root: Path | None) -> Iterator[Path | Skipped]:
        try:
            if root is not None and not follow_symlinks and p.is_symlink():
                target = p.resolve()
                if target != root and root not in target.parents:
                    yield Skipped(path=str(p), reason=f"symlink to {target} leads outside {root}: not followed "
                                  "(use --follow-symlinks)")
                    return
            if p.is_dir():
                st = p.stat()
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    return
                seen_dirs.add(key)
                inside = root if root is not None else p.resolve()
                for child in sorted(p.iterdir()):
                    if child.name.startswith("."):
                        continue
                    yield from walk(child, inside)
            elif p.is_file():
                real = p.resolve()
                if real not in seen_files:
                    seen_files.add(real)
                    yield real
            elif p.is_symlink() and not p.exists():
                yield Skipped(path=str(p), reason="broken symlink")
            elif not p.exists():
                yield Skipped(path=str(p), reason="no such file or folder")
            else:
                yield Skipped(path=str(p), reason="not a regular file (device, FIFO or socket): not read")
        except OSError as e:
            yield Skipped(path=str(p), reason=f"cannot read: {e.strerror or e}")
        except RuntimeError:  # a symlink loop met by resolve() (Python < 3.13)
            yield Skipped(path=str(p), reason="symlink loop")

    for p in paths:
        yield from walk(Path(p), None)
