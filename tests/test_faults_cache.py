"""The embedding cache (SQLite) survives damage: a corrupt row is ignored and rewritten, a file that is not a
database is set aside and rebuilt, and either way ingest gives the same vectors as without a cache.
(The LLM response cache is covered in test_faults_llm.py, through the CLI.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from faultkit import tally

from ragtool.config import Settings
from ragtool.index.cache import EmbeddingCache, embed_with_cache, text_hash
from ragtool.index.corpus import Corpus
from ragtool.index.embed import HashEmbedder
from ragtool.ingest.pipeline import ingest_paths

TEXTS = ["凤岗镇地区生产总值增长5%", "小榄镇党委书记", "金湾区固定资产投资"]


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the passages it really embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed_passages(texts)


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "embeddings.sqlite"


def test_corrupt_row_is_ignored_and_rewritten(cache_path: Path) -> None:
    embedder = CountingEmbedder()
    want = embed_with_cache(embedder, EmbeddingCache(cache_path), TEXTS)
    with sqlite3.connect(cache_path) as db:  # a torn blob and a wrong dimension
        db.execute("UPDATE emb SET vec = ? WHERE hash = ?", (b"\x01\x02\x03", text_hash(TEXTS[0])))
        db.execute("UPDATE emb SET dim = 7 WHERE hash = ?", (text_hash(TEXTS[1]),))

    embedder.embedded = 0
    tally(faults=2)
    got = embed_with_cache(embedder, EmbeddingCache(cache_path), TEXTS)
    assert np.array_equal(got, want)
    assert embedder.embedded == 2  # only the two damaged rows were recomputed

    embedder.embedded = 0
    assert np.array_equal(embed_with_cache(embedder, EmbeddingCache(cache_path), TEXTS), want)
    assert embedder.embedded == 0  # and they were written back whole


def test_cache_file_that_is_not_a_database_is_rebuilt(cache_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = EmbeddingCache(cache_path)
    want = embed_with_cache(embedder, cache, TEXTS)
    cache.close()  # between two runs, something wrecks the file
    cache_path.write_bytes(b"\x00garbage after a crash of some other tool" * 100)
    for extra in cache_path.parent.glob("*-[ws][ah][lm]"):  # -wal, -shm
        extra.unlink()

    embedder.embedded = 0
    tally(faults=1)
    assert np.array_equal(embed_with_cache(embedder, EmbeddingCache(cache_path), TEXTS), want)
    assert embedder.embedded == 3
    assert cache_path.with_name(cache_path.name + ".corrupt").exists()  # kept for inspection, not reused


def test_ingest_with_a_corrupted_cache_gives_the_same_index(settings: Settings, seeds_copy: Path) -> None:
    ingest_paths([seeds_copy], settings)
    want = {c.chunk_id: c.text for c in Corpus(settings).store.all_chunks()}
    cache = settings.home / "cache" / "embeddings.sqlite"
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE emb SET vec = substr(vec, 1, 10)")

    ingest_paths([seeds_copy], settings, reset=True)
    corpus = Corpus(settings)
    got = {c.chunk_id: c.text for c in corpus.store.all_chunks()}
    tally(faults=1, docs=len(corpus.documents()), lost=len({cid.rsplit("-", 1)[0] for cid in set(want) - set(got)}))
    assert got == want
    first = next(iter(want))
    vector = HashEmbedder().embed_passages([corpus.store.get_chunks([first])[0].search_text])[0]
    assert corpus.store.query(vector, 1)[0][0].chunk_id == first  # vectors were recomputed, not garbage
