"""A Session open on an index (a server's reader, `ask -f`) takes documents another process commits or removes by
updating its BM25 index, not by re-reading and re-tokenizing every chunk, and ranks exactly as a fresh build does."""

from __future__ import annotations

import shutil
from pathlib import Path

import bm25s
import numpy as np
import pytest

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.index.lexical import TERMS_FILE, LexicalIndex, tokenize
from ragtool.index.store import VectorStore
from ragtool.models import chunk_doc_id

REPO = Path(__file__).resolve().parent.parent
NEW_REPORT = """白鹭湾镇2026年政府工作报告

一、2025年工作回顾
2025年，白鹭湾镇实现地区生产总值58.6亿元，增长6.2%。全年新建蓝莓种植基地3200亩，带动农户增收。

二、2026年主要目标
地区生产总值增长6%左右，新建冷链物流中心一个。
"""
QUESTION = "白鹭湾镇新建蓝莓种植基地多少亩"
QUERIES = ["地区生产总值增长", "城镇新增就业", "粮食产量", "蓝莓种植基地", "2025年 固定资产投资 增长", "乡村振兴 重点工作"]


@pytest.fixture
def home(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sorted((REPO / "seeds").glob("*.txt"))[:6]:
        shutil.copy(p, corpus)
    settings = Settings(home=tmp_path / "home", corpus=corpus, embedder="hash")
    Session(settings, sync=False).ingest([corpus])
    return settings


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts reads of every chunk (what a full BM25 rebuild does)."""
    calls: list[int] = []
    real = VectorStore.all_chunks

    def counted(self: VectorStore) -> list:  # type: ignore[type-arg]
        calls.append(1)
        return real(self)

    monkeypatch.setattr(VectorStore, "all_chunks", counted)
    return calls


def new_doc_hits(session: Session, new_doc: str) -> list[str]:
    answer, hits = session.ask_with_context(QUESTION, engine="extractive")
    return [h.chunk.chunk_id for h in hits if h.chunk.doc_id == new_doc]


def reference_scores(settings: Settings, query: str) -> np.ndarray:
    """BM25 scores of a query by bm25s.BM25.index() over every committed chunk, the way ragtool built it before."""
    store = VectorStore(settings)
    chunks = store.chunks_of(store.doc_ids())
    retriever = bm25s.BM25()
    retriever.index([tokenize(c.search_text) or ["\u0000"] for c in chunks], show_progress=False)
    tokens = [t for t in tokenize(query) if t in retriever.vocab_dict]
    return np.asarray(retriever.get_scores(tokens)) if tokens else np.zeros(len(chunks))


def scores(index: LexicalIndex, query: str) -> np.ndarray:
    tokens = [t for t in tokenize(query) if index.knows(t)]
    return np.asarray(index._retriever.get_scores(tokens)) if tokens else np.zeros(len(index.chunk_ids))  # type: ignore[union-attr]


def test_a_reader_finds_a_document_committed_after_it_opened_and_loses_a_removed_one(
    home: Settings, tmp_path: Path, full_builds: list[int]
) -> None:
    reader = Session(home, sync=False)
    reader.ask("地区生产总值增长目标", engine="extractive")  # open, with the lexical index of the 6 reports
    assert not reader.corpus.lexical().knows("蓝莓")

    writer = Session(home, sync=False)  # another process's ingest
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "白鹭湾镇.txt").write_text(NEW_REPORT, encoding="utf-8")
    writer.ingest([tmp_path / "new"])
    new_doc = next(m.doc_id for m in writer.documents() if "白鹭湾" in m.title + m.source)
    full_builds.clear()

    answer = reader.ask(QUESTION, engine="extractive")
    assert "3200" in answer.answer and new_doc in {c.doc_id for c in answer.citations}
    assert new_doc_hits(reader, new_doc)
    assert full_builds == []  # updated with the new document's chunks only

    lexical = reader.corpus.lexical()
    for q in QUERIES:  # the updated index ranks exactly as a build from every chunk by bm25s does
        assert np.array_equal(scores(lexical, q), reference_scores(home, q)), q
    full_builds.clear()

    writer.remove(new_doc)
    assert new_doc_hits(reader, new_doc) == []
    assert not reader.corpus.lexical().knows("蓝莓")  # its words left the vocabulary with it
    assert not any(chunk_doc_id(c) == new_doc for c in reader.corpus.lexical().chunk_ids)
    assert full_builds == []
    for q in QUERIES:
        assert np.array_equal(scores(reader.corpus.lexical(), q), reference_scores(home, q)), q


def test_a_new_process_updates_the_saved_index_and_an_index_without_term_counts_is_rebuilt(
    home: Settings, tmp_path: Path, full_builds: list[int]
) -> None:
    Session(home, sync=False).ask("地区生产总值增长目标", engine="extractive")  # the saved index of the 6 reports
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "白鹭湾镇.txt").write_text(NEW_REPORT, encoding="utf-8")
    Session(home, sync=False).ingest([tmp_path / "new"])  # an ingest builds no BM25 index
    full_builds.clear()

    cold = Session(home, sync=False)  # a later `ragtool ask`: the saved index, updated
    assert "3200" in cold.ask(QUESTION, engine="extractive").answer
    assert full_builds == []
    for q in QUERIES:
        assert np.array_equal(scores(cold.corpus.lexical(), q), reference_scores(home, q)), q

    for saved in (home.home / "lexical").glob(f"*/{TERMS_FILE}"):  # as saved by an earlier release
        saved.unlink()
    doc = next(m.doc_id for m in cold.documents() if "白鹭湾" in m.title + m.source)
    Session(home, sync=False).remove(doc)
    again = Session(home, sync=False)
    assert "3200" not in again.ask(QUESTION, engine="extractive").answer
    assert len(full_builds) == 1  # rebuilt from every chunk, once
    for q in QUERIES:
        assert np.array_equal(scores(again.corpus.lexical(), q), reference_scores(home, q)), q


@pytest.mark.embedded_store  # the embedded client's own view of the files; a server's client sees every write
def test_a_reader_keeps_its_vector_index_through_lexical_commits_and_finds_new_vectors_after_the_dense_pass(
    home: Settings, tmp_path: Path
) -> None:
    from ragtool.ingest.pipeline import ingest_paths

    reader = Session(home, sync=False)
    reader.ask("地区生产总值增长目标", engine="extractive")
    client = reader.corpus.store._client
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "白鹭湾镇.txt").write_text(NEW_REPORT, encoding="utf-8")
    ingest_paths([tmp_path / "new"], home, dense=False)  # another process's lexical pass: no vectors yet
    new_doc = next(m.doc_id for m in reader.documents() if "白鹭湾" in m.title + m.source)

    answer, hits = reader.ask_with_context(QUESTION, engine="extractive")
    assert "3200" in answer.answer and any(h.chunk.doc_id == new_doc for h in hits)
    assert reader.corpus.store._client is client  # no new Chroma client for a lexical-only commit

    ingest_paths([], home)  # its dense pass: the reader must now see the new vectors
    answer, hits = reader.ask_with_context(QUESTION, engine="extractive")
    assert reader.corpus.store._client is not client
    assert any(h.chunk.doc_id == new_doc and h.dense_rank is not None for h in hits)
