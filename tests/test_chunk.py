"""Chunking the seeds: budget, offsets, coverage, headings, ids, overlap and search text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.ingest.chunk import chunk_document, count_tokens
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file
from ragtool.ingest.meta import extract_meta
from ragtool.models import Chunk, DocMeta, Document
from ragtool.zh.textnorm import t2s

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
DOCS = sorted((REPO / "evals" / "devcorpus" / "docs").glob("*.txt"))


def _document(path: Path, settings: Settings) -> Document:
    loaded = load_file(path)
    text = Cleaner.from_settings(settings).clean(loaded.text)
    return Document(meta=extract_meta(text, loaded.header, source=str(path), settings=settings), text=text)


def _check_invariants(doc: Document, chunks: list[Chunk], budget: int) -> None:
    assert chunks
    covered = bytearray(len(doc.text))
    for i, chunk in enumerate(chunks):
        assert chunk.index == i
        assert chunk.chunk_id == f"{doc.meta.doc_id}-{i:04d}"
        assert chunk.doc_id == doc.meta.doc_id
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.tokens == count_tokens(chunk.text) <= budget
        assert chunk.text == chunk.text.strip()
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    missed = [c for c, hit in zip(doc.text, covered, strict=True) if not hit and not c.isspace()]
    assert not missed


@pytest.mark.parametrize("path", SEEDS + DOCS, ids=lambda p: p.name[:12])
@pytest.mark.parametrize("budget", [300, 80])
def test_invariants(settings: Settings, path: Path, budget: int) -> None:
    doc = _document(path, settings)
    _check_invariants(doc, chunk_document(doc, budget=budget, overlap=1, settings=settings), budget)


def _seed_002(settings: Settings) -> tuple[Document, list[Chunk]]:
    doc = _document(next(p for p in SEEDS if p.name.startswith("002")), settings)
    return doc, chunk_document(doc, budget=300, overlap=1, settings=settings)


def test_sections_are_carried(settings: Settings) -> None:
    _, chunks = _seed_002(settings)
    target = [c for c in chunks if "地区生产总值增长5.5%左右" in c.text]
    assert target
    assert all(c.section == "2025年工作安排" or c.section.startswith(("一、", "(一)")) for c in target)
    review = [c for c in chunks if "实现地区生产总值411亿元" in c.text]
    assert review and review[0].section == "2024年工作回顾"
    numbered = [c for c in chunks if "推动产业深度协同" in c.text]
    assert numbered[0].section.startswith("一、坚持协同发展")


def test_search_text_has_context_header(settings: Settings) -> None:
    doc, chunks = _seed_002(settings)
    for chunk in chunks:
        header, _, body = chunk.search_text.partition("\n")
        assert header.startswith("凤岗镇 · 2025年凤岗镇政府工作报告")
        assert body == t2s(chunk.text)
    target = next(c for c in chunks if "2025年全镇经济社会发展的主要预期目标" in c.text)
    assert "凤岗镇" in target.search_text and "2025年工作安排" in target.search_text


def test_traditional_text_is_searchable_in_simplified(settings: Settings) -> None:
    doc = _document(next(p for p in SEEDS if p.name.startswith("004")), settings)
    chunks = chunk_document(doc, budget=300, overlap=1, settings=settings)
    assert chunks[0].search_text.startswith("小榄镇 · ")
    assert any("小榄镇召开党委(扩大)会议" in c.search_text for c in chunks)
    assert any("小欖鎮召開黨委(擴大)會議" in c.text for c in chunks)


def test_chunk_ids_are_stable(settings: Settings) -> None:
    doc, chunks = _seed_002(settings)
    again = chunk_document(
        _document(Path(doc.meta.source), settings), budget=300, overlap=1, settings=settings
    )
    assert [(c.chunk_id, c.start, c.end) for c in again] == [(c.chunk_id, c.start, c.end) for c in chunks]


def test_neighbours_share_a_sentence_and_end_at_punctuation(settings: Settings) -> None:
    doc, chunks = _seed_002(settings)
    shared = sum(1 for a, b in zip(chunks, chunks[1:], strict=False) if b.start < a.end)
    assert shared >= len(chunks) // 2
    # a chunk ends at a sentence end, a line end, or (for a sentence alone over budget) a clause end
    for chunk in chunks:
        assert chunk.end == len(doc.text) or chunk.text[-1] in "。!?;”)]》,、:" or doc.text[chunk.end] == "\n"
    assert sum(1 for c in chunks if c.text[-1] in ",、:") <= 2
    no_overlap = chunk_document(doc, budget=300, overlap=0, settings=settings)
    assert all(b.start >= a.end for a, b in zip(no_overlap, no_overlap[1:], strict=False))


def test_over_long_sentence_is_split_at_commas_then_by_tokens(settings: Settings) -> None:
    clauses = ",".join(f"第{i}项重点工作扎实推进并取得明显成效" for i in range(60)) + "。"
    unbroken = "经济社会发展" * 400
    text = f"2025年工作安排\n{clauses}\n{unbroken}"
    doc = Document(meta=DocMeta(doc_id="0" * 16, title="测试", place="凤岗镇"), text=text)
    chunks = chunk_document(doc, budget=50, overlap=1, settings=settings)
    _check_invariants(doc, chunks, 50)
    clause_chunks = [c for c in chunks if c.end <= text.index(unbroken)]
    assert all(c.text.endswith((",", "。")) for c in clause_chunks)
    assert all(c.section == "2025年工作安排" for c in chunks)


def test_empty_text_gives_no_chunks(settings: Settings) -> None:
    doc = Document(meta=DocMeta(doc_id="0" * 16), text="")
    assert chunk_document(doc, settings=settings) == []
