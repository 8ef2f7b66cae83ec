"""Print, as JSON, what a fresh process sees in the index configured by the environment.

Run as a script by faultkit.index_state: python tests/index_probe.py QUERY...
"""

from __future__ import annotations

import json
import sys

from ragtool.config import Settings
from ragtool.index.embed import make_embedder
from ragtool.index.store import VectorStore


def main(queries: list[str]) -> None:
    settings = Settings()
    store = VectorStore(settings)
    docs = {m.doc_id: m.model_dump() for m in store.documents()}
    chunks: dict[str, list[int]] = {}
    for doc_id in docs:
        chunks[doc_id] = [c.index for c in store.chunks(doc_id)]
    committed = set(docs)
    every = store._chunks.get(include=["metadatas"])  # noqa: SLF001 - orphans are invisible to the public API
    orphans = sorted({m["doc_id"] for m in every["metadatas"] or []} - committed)
    embedder = make_embedder(settings)
    found = {q: [c.chunk_id for c, _ in store.query(embedder.embed_query(q), 5)] for q in queries}
    pending = sorted(store.pending_ids())  # committed, searchable lexically, dense vectors not written yet
    json.dump({"docs": docs, "chunks": chunks, "orphans": orphans, "queries": found, "pending": pending}, sys.stdout,
              ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
