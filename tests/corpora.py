"""A Session over documents a test writes: the corpus folder, a temp home and the hash embedder, synced once."""

from __future__ import annotations

import pytest

from ragtool.api import Session
from ragtool.config import Settings


def session_over(tmp_path_factory: pytest.TempPathFactory, files: dict[str, str], collection: str | None = None) -> Session:
    """files: file name -> text. Module-scoped fixtures call this once for all their tests (`collection`: the
    module's own, where a test's environment names another)."""
    corpus = tmp_path_factory.mktemp("corpus")
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    named = {"collection": collection} if collection else {}
    session = Session(Settings(home=tmp_path_factory.mktemp("home"), corpus=corpus, embedder="hash", **named))
    session.sync_corpus()
    return session
