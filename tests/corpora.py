"""A Session over documents a test writes: the corpus folder, a temp home and the hash embedder, synced once."""

from __future__ import annotations

import pytest

from ragtool.api import Session
from ragtool.config import Settings


def session_over(tmp_path_factory: pytest.TempPathFactory, files: dict[str, str]) -> Session:
    """files: file name -> text. Module-scoped fixtures call this once for all their tests."""
    corpus = tmp_path_factory.mktemp("corpus")
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    session = Session(Settings(home=tmp_path_factory.mktemp("home"), corpus=corpus, embedder="hash"))
    session.sync_corpus()
    return session
