"""A naive RAG baseline for side-by-side runs: fixed 512-token chunks of the loaded text, dense retrieval only
(one Chroma query with the raw question's vector), no query understanding, no context headers, no cleaning.
It uses the same loader, embedder and embedding cache as ragtool, so only the retrieval design differs."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK_TOKENS = 512


def fixed_chunks(text: str, size: int = CHUNK_TOKENS) -> list[str]:
    """Consecutive windows of `size` cl100k tokens (the tokenizer ragtool chunks with), no overlap."""
    from ragtool.ingest.chunk import _encoding

    enc = _encoding()
    ids = enc.encode(text, disallowed_special=())
    return [enc.decode(ids[i : i + size]) for i in range(0, len(ids), size)]


@dataclass
class NaiveHit:
    source: str  # file name
    score: float


class NaiveRAG:
    """Dense-only retrieval over fixed-size chunks in an in-memory Chroma collection (cosine)."""

    def __init__(self, embedder: Any, collection: Any, sources: list[str]) -> None:
        self.embedder = embedder
        self.collection = collection
        self.sources = sources

    @classmethod
    def build(cls, files: list[Path], embedder: Any, cache_path: Path) -> NaiveRAG:
        import chromadb

        from ragtool.index.cache import EmbeddingCache, embed_with_cache
        from ragtool.ingest.load import load_file

        texts: list[str] = []
        sources: list[str] = []
        for path in files:
            for chunk in fixed_chunks(load_file(path).text):
                texts.append(chunk)
                sources.append(path.name)
        cache = EmbeddingCache(cache_path)
        vectors = embed_with_cache(embedder, cache, texts, batch=64)
        cache.close()
        client = chromadb.EphemeralClient()
        col = client.create_collection(f"naive{uuid.uuid4().hex[:8]}", embedding_function=None,
                                       metadata={"hnsw:space": "cosine"})
        ids = [str(i) for i in range(len(texts))]
        col.add(ids=ids, embeddings=vectors.tolist(), documents=texts)
        return cls(embedder, col, sources)

    def search(self, question: str, k: int) -> tuple[list[NaiveHit], dict[str, float]]:
        """Top-k chunks for the raw question, with per-stage seconds (embed, retrieve)."""
        t0 = time.perf_counter()
        vec = self.embedder.embed_query(question)
        t1 = time.perf_counter()
        got = self.collection.query(query_embeddings=[vec.tolist()], n_results=min(k, len(self.sources)),
                                    include=["distances"])
        t2 = time.perf_counter()
        hits = [NaiveHit(self.sources[int(i)], 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0],
                                                                              strict=True)]
        return hits, {"embed": t1 - t0, "retrieve": t2 - t1}
