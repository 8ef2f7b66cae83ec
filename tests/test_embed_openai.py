"""OpenAIEmbedder against the fake server's /v1/embeddings over real HTTP."""

from __future__ import annotations

import numpy as np
import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai, hash_vector  # noqa: F401

from ragtool.config import Settings
from ragtool.errors import ProviderError
from ragtool.index.cache import EmbeddingCache, embed_with_cache
from ragtool.index.embed import make_embedder
from ragtool.index.embed_openai import OpenAIEmbedder

TEXTS = ["地区生产总值增长5%左右", "一般公共预算收入", "镇党委书记", "固定资产投资", "", "民生实事"]


@pytest.fixture
def emb_settings(fake_openai: FakeOpenAI, settings: Settings) -> Settings:  # noqa: F811
    return fake_openai.configure(settings, embedder="openai", embed_model="bge-m3", embed_batch=2,
                                 llm_timeout=2.0, llm_max_retries=1)


def test_batches_and_shapes(fake_openai: FakeOpenAI, emb_settings: Settings) -> None:  # noqa: F811
    fake_openai.embed_dim = 48
    emb = make_embedder(emb_settings)
    assert isinstance(emb, OpenAIEmbedder) and emb.name == "openai:bge-m3"
    vecs = emb.embed_passages(TEXTS)
    assert vecs.shape == (6, 48) and vecs.dtype == np.float32
    assert emb.dim == 48
    sizes = [len(r.body["input"]) for r in fake_openai.embedding_requests]
    assert sizes == [2, 2, 2]
    assert all(r.body["model"] == "bge-m3" for r in fake_openai.embedding_requests)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vecs[0], hash_vector(TEXTS[0], 48), atol=1e-5)  # row order follows the input


def test_query_vector_matches_passage_vector(fake_openai: FakeOpenAI, emb_settings: Settings) -> None:  # noqa: F811
    emb = OpenAIEmbedder(emb_settings)
    q = emb.embed_query("镇党委书记")
    assert q.shape == (32,)
    assert np.allclose(q, emb.embed_passages(["镇党委书记"])[0])


def test_dim_is_probed_when_needed_first(fake_openai: FakeOpenAI, emb_settings: Settings) -> None:  # noqa: F811
    fake_openai.embed_dim = 24
    emb = OpenAIEmbedder(emb_settings)
    assert emb.dim == 24 and len(fake_openai.embedding_requests) == 1
    assert emb.embed_passages([]).shape == (0, 24)
    assert len(fake_openai.embedding_requests) == 1


def test_with_embedding_cache_only_new_texts_are_sent(
    fake_openai: FakeOpenAI, emb_settings: Settings  # noqa: F811
) -> None:
    cache = EmbeddingCache(emb_settings.home / "emb.sqlite")
    emb = OpenAIEmbedder(emb_settings)
    first = embed_with_cache(emb, cache, TEXTS[:3], batch=emb_settings.embed_batch)
    sent = len(fake_openai.embedding_requests)
    again = embed_with_cache(emb, cache, TEXTS[:3] + ["新文本"], batch=emb_settings.embed_batch)
    assert np.allclose(again[:3], first)
    new_inputs = [r.body["input"] for r in fake_openai.embedding_requests[sent:]]
    assert new_inputs == [["新文本"]]
    cache.close()


def test_server_errors_are_retried(fake_openai: FakeOpenAI, emb_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_embeddings(Fault.rate_limit(), None)
    emb = OpenAIEmbedder(emb_settings)
    assert emb.embed_passages(TEXTS[:2]).shape == (2, 32)
    assert emb.calls == 2


def test_failures_are_provider_errors(fake_openai: FakeOpenAI, emb_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_embeddings(Fault.server_error(), Fault.server_error())
    with pytest.raises(ProviderError, match="embedding server .* HTTP 500"):
        OpenAIEmbedder(emb_settings).embed_query("x")
    fake_openai.models = {"bge-m3"}
    wrong = emb_settings.model_copy(update={"embed_model": "no-such-embedder"})
    with pytest.raises(ProviderError, match="no-such-embedder"):
        OpenAIEmbedder(wrong).embed_passages(["x"])
    down = emb_settings.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1", "llm_max_retries": 0})
    with pytest.raises(ProviderError, match="127.0.0.1:9"):
        OpenAIEmbedder(down).embed_query("x")
