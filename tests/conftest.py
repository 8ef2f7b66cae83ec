"""Shared fixtures: settings on a temp RAGTOOL_HOME with the hash embedder, and the seed corpus."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_server import TEST_URL_VAR, drop_collections, unique_collection

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


# A test module that names one of these reaches the vector store (ingest, ask, eval, summarize, CLI).
INDEX_ENTRY_POINTS = ("ragtool.api", "ragtool.cli", "ragtool.index.corpus", "ragtool.index.store",
                      "ragtool.ingest.pipeline", "ragtool.eval.run", "ragtool.summarize", '"-m", "ragtool"')


def _reaches_index(module: object) -> bool:
    source = Path(getattr(module, "__file__", "") or "")
    return source.is_file() and any(name in source.read_text(encoding="utf-8") for name in INDEX_ENTRY_POINTS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """With RAGTOOL_TEST_CHROMA_URL set (CI), tests of modules that reach the index run twice: on the
    embedded store and on that Chroma server (tests that ask for `chroma_url` already use a server)."""
    if (os.environ.get(TEST_URL_VAR) and "store_backend" in metafunc.fixturenames
            and "chroma_url" not in metafunc.fixturenames and _reaches_index(metafunc.module)):
        metafunc.parametrize("store_backend", ["embedded", "chroma-server"], indirect=True)


@pytest.fixture(autouse=True)
def store_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _isolated_env: None) -> Iterator[str]:
    """The vector store tests use. "chroma-server" points RAGTOOL_CHROMA_URL (so every Settings, CLI run and
    subprocess) at the shared server, with a collection of the test's own that is dropped afterwards."""
    backend = getattr(request, "param", "embedded")
    monkeypatch.delenv("RAGTOOL_COLLECTION", raising=False)
    if backend != "chroma-server":
        yield backend
        return
    url = os.environ[TEST_URL_VAR].rstrip("/")
    collection = unique_collection()
    monkeypatch.setenv("RAGTOOL_CHROMA_URL", url)
    monkeypatch.setenv("RAGTOOL_COLLECTION", collection)
    yield backend
    drop_collections(url, collection)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", corpus=SEEDS, embedder="hash")


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest
