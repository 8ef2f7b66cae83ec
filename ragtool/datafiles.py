"""Reading the editable data files (TOML word lists in ragtool/data/, or the user's RAGTOOL_DATA_DIR)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ragtool.errors import UsageError

if TYPE_CHECKING:  # for typing only: config reads its own TOML through this module
    from ragtool.config import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's contents; a missing or malformed file is a one-line usage error naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"cannot read data file {path}: {e}") from e


def load_data(settings: Settings, name: str) -> dict[str, Any]:
    """A data file by name, from RAGTOOL_DATA_DIR when the user has a copy there, else the bundled one."""
    return read_toml(settings.data_path(name))


def load_surnames(settings: Settings) -> tuple[frozenset[str], tuple[str, ...]]:
    """Single-character and compound surnames from surnames.txt (shared by ask and summarize)."""
    path = settings.data_path("surnames.txt")
    try:
        words = [w for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#") for w in line.split()]
    except OSError as e:
        raise UsageError(f"cannot read data file {path}: {e.strerror or e}") from e
    return frozenset(w for w in words if len(w) == 1), tuple(w for w in words if len(w) > 1)
