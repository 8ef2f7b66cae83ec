"""Embeddings from any OpenAI-compatible /v1/embeddings endpoint (OpenAI, vLLM, Ollama, Xinference, TEI)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ragtool.config import Settings
from ragtool.errors import ProviderError
from ragtool.llm.client import base_url_of, make_openai, not_api_reply, provider_error

_PROBE = "维度探测"  # embedded once when the dimension is needed before any real call


class OpenAIEmbedder:
    """Batched by settings.embed_batch; retries are the openai client's; vectors are L2-normalised."""

    tokens_per_second = 2_000.0  # a server's throughput is unknown: assume a modest one

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.embed_model
        self.name = f"openai:{self.model}"
        self.calls = 0  # HTTP requests sent, retries included
        self._dim: int | None = None
        self._client: Any = None

    @property
    def dim(self) -> int:
        """Vector size, discovered from the first response (a one-text probe call if needed)."""
        if self._dim is None:
            self._embed([_PROBE])
        assert self._dim is not None
        return self._dim

    @dim.setter
    def dim(self, value: int) -> None:
        self._dim = value

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = max(1, self.settings.embed_batch)
        parts = [self._embed(texts[i : i + batch]) for i in range(0, len(texts), batch)]
        return np.concatenate(parts, axis=0)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]

    def _count(self, request: Any) -> None:
        self.calls += 1

    def _bad_reply(self, what: str) -> ProviderError:
        url = base_url_of(self.settings)
        return ProviderError(f"embedding server {url} (model {self.model!r}) returned {what}: check the embedding "
                             "server and RAGTOOL_EMBED_MODEL")

    def _checked(self, rows: list[Any]) -> np.ndarray:
        """The vectors as one float32 matrix; empty, ragged, non-numeric, NaN or infinite ones are the server's
        fault (exit 7), found here before they reach the index."""
        sizes = {len(r) if isinstance(r, list | tuple) else -1 for r in rows}
        if -1 in sizes:
            raise self._bad_reply("vectors that are not lists of numbers")
        if 0 in sizes:
            raise self._bad_reply("empty vectors")
        if len(sizes) > 1:
            raise self._bad_reply(f"vectors of different sizes ({', '.join(map(str, sorted(sizes)))})")
        try:
            vecs = np.asarray(rows, dtype=np.float32)
        except (TypeError, ValueError):
            raise self._bad_reply("vectors that are not lists of numbers") from None
        if vecs.ndim != 2 or (self._dim is not None and vecs.shape[1] != self._dim):
            raise self._bad_reply(f"vectors of shape {vecs.shape}, expected size {self._dim}")
        if not np.all(np.isfinite(vecs)):
            raise self._bad_reply("vectors with NaN or infinite values")
        return vecs

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        import openai

        if self._client is None:
            self._client = make_openai(self.settings, self._count)
        # Some servers reject empty strings; a space embeds as "nothing" everywhere.
        inputs = [t if t.strip() else " " for t in texts]
        from ragtool.llm.transport import call_deadline

        try:
            with call_deadline(self.settings.llm_timeout):
                resp = self._client.embeddings.create(model=self.model, input=inputs)
        except (openai.OpenAIError, ValueError) as e:  # API errors, a body that is not JSON, an HTML page
            raise provider_error(e, self.settings, model=self.model, service="embedding") from None
        if not hasattr(resp, "data"):
            raise not_api_reply(resp, self.settings, service="embedding")
        rows = sorted(resp.data or [], key=lambda d: d.index)
        vecs = self._checked([r.embedding for r in rows]) if rows else None
        if vecs is None or len(vecs) != len(inputs):
            raise self._bad_reply(f"{len(rows)} vectors for {len(inputs)} texts")
        self._dim = int(vecs.shape[1])
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms == 0, 1.0, norms)
