"""Shared fixtures: settings on a temp RAGTOOL_HOME with the hash embedder, and the seed corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ragtool.config import Settings

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DEVCORPUS = REPO / "evals" / "devcorpus"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's environment, ragtool.toml or network settings."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAGTOOL_CHROMA_URL", "RAGTOOL_HOME", "RAGTOOL_EMBEDDER",
                "RAGTOOL_CORPUS", "RAGTOOL_LLM_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", corpus=SEEDS, embedder="hash")


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest
