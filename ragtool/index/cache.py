"""Embedding cache keyed by (embedder, text hash), in SQLite so every write is atomic."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ragtool.errors import StoreError
from ragtool.index.embed import Embedder


class _Corrupt(Exception):
    """The cache file is not a usable SQLite database."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (embedder, text hash). A corrupt row is ignored; a corrupt file is set aside and rebuilt."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot open embedding cache {path}: {e.strerror or e}") from e
        try:
            self._db = self._connect()
        except _Corrupt:
            path.replace(path.with_name(path.name + ".corrupt"))
            self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(str(self.path), timeout=30)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open embedding cache {self.path}: {e}") from e
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS emb (embedder TEXT, hash TEXT, dim INT, vec BLOB,"
                " PRIMARY KEY (embedder, hash))"
            )
            db.commit()
        except sqlite3.OperationalError as e:  # locked, read-only, disk full: not the file's fault
            db.close()
            raise StoreError(f"cannot open embedding cache {self.path}: {e}") from e
        except sqlite3.DatabaseError as e:  # "file is not a database", "disk image is malformed"
            db.close()
            raise _Corrupt from e
        return db

    def get_many(self, embedder: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors by text hash; rows that are corrupt, or of another size than most, are ignored."""
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            part = list(hashes[i : i + 500])
            marks = ",".join("?" * len(part))
            try:
                rows = self._db.execute(
                    f"SELECT hash, dim, vec FROM emb WHERE embedder=? AND hash IN ({marks})", [embedder, *part]
                ).fetchall()
            except sqlite3.Error:  # an unreadable page: recompute these
                continue
            for h, d, blob in rows:
                if blob is not None and d and len(blob) == 4 * d:
                    found[h] = np.frombuffer(blob, dtype=np.float32).copy()
        sizes = Counter(v.shape[0] for v in found.values())
        if len(sizes) > 1:
            usual = sizes.most_common(1)[0][0]
            found = {h: v for h, v in found.items() if v.shape[0] == usual}
        return found

    def put_many(self, embedder: str, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO emb VALUES (?, ?, ?, ?)",
                    [(embedder, h, int(v.shape[0]), v.astype(np.float32).tobytes()) for h, v in items.items()],
                )
        except sqlite3.Error as e:
            raise StoreError(f"cannot write embedding cache: {e}") from e

    def close(self) -> None:
        self._db.close()


def embed_with_cache(
    embedder: Embedder,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    batch: int = 64,
    on_batch: Callable[[int], None] | None = None,
    computed: Callable[[Sequence[str]], None] | None = None,
) -> np.ndarray:
    """Embed passages, computing only those not cached. on_batch(n) reports progress; computed(texts) is told
    which texts went to the embedder (not found in the cache)."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get_many(embedder.name, hashes) if cache else {}  # no dim: it may cost a server call
    todo = [i for i, h in enumerate(hashes) if h not in known]
    if on_batch and len(texts) - len(todo):
        on_batch(len(texts) - len(todo))
    for start in range(0, len(todo), batch):
        idx = todo[start : start + batch]
        vecs = embedder.embed_passages([texts[i] for i in idx])
        if computed:
            computed([texts[i] for i in idx])
        fresh = {hashes[i]: vecs[j] for j, i in enumerate(idx)}
        known.update(fresh)
        if cache:
            cache.put_many(embedder.name, fresh)
        if on_batch:
            on_batch(len(idx))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([known[h] for h in hashes])
