"""The same question gets the same answer in every process, and from the right year's document."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from corpora import session_over

from ragtool.api import Session
from ragtool.retrieve import fuse

# Two reports of one city a year apart: each names the mayor who delivered it.
REPORT_2025 = """Title: 韶关市第十五届人民代表大会第六次会议开幕 市委副书记、代市长林志远作政府工作报告
Date: 2025-02-19

2月19日,韶关市第十五届人民代表大会第六次会议开幕。市委副书记、代市长林志远向大会作政府工作报告。
政府工作报告显示,2024年,该市地区生产总值1680.5亿元,规模以上工业增加值增长6.1%。
2025年,韶关市地区生产总值预期增长5%左右,一般公共预算收入增长3%。
"""
REPORT_2024 = """Title: “数”读2024年韶关市政府工作报告
Date: 2024-01-19

“数”读2024年韶关市政府工作报告
韶关市本周进入两会时间。韶关市十五届人大四次会议于1月17日至18日召开。
1月17日,韶关市委副书记、市长陈国平作政府工作报告,明确2024年地区生产总值预期目标增长5.5%以上。
过去一年,韶关市建成10条市政路桥,新增城镇就业2.3万人。
"""


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"shaoguan_2025.txt": REPORT_2025, "shaoguan_2024.txt": REPORT_2024})


@pytest.mark.parametrize(("year", "mayor", "other"), [(2024, "陈国平", "林志远"), (2025, "林志远", "陈国平")])
def test_who_delivered_the_report_comes_from_that_years_document(
    two_years: Session, year: int, mayor: str, other: str
) -> None:
    a = two_years.ask(f"{year}年韶关两会上作政府工作报告的市长是谁", engine="extractive")
    assert a.status == "answered" and mayor in a.answer and other not in a.answer
    assert all(two_years.retriever.docs()[c.doc_id].year == year for c in a.citations)


_FUSE = """
import json
from ragtool.retrieve import fuse
print(json.dumps(fuse(["c-dense-first", "b-lex-first", "a-dense-only"], ["b-lex-first", "c-dense-first", "d-lex-only"])))
"""


def test_equal_fused_scores_rank_the_same_in_every_process() -> None:
    """Chunks tied after fusion (1st + 2nd vs 2nd + 1st) must not be ordered by the process's hash seed."""
    outputs = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        r = subprocess.run([sys.executable, "-c", _FUSE], capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        outputs.add(r.stdout)
    assert len(outputs) == 1
    order = [cid for cid, _ in json.loads(outputs.pop())]
    assert order[:2] == ["b-lex-first", "c-dense-first"]  # tied: by id
    assert order[2:] == ["a-dense-only", "d-lex-only"]  # one ranker each, same rank: by id


def test_fused_ranking_prefers_chunks_both_rankers_find() -> None:
    order = [cid for cid, _ in fuse(["x", "y", "z"], ["z", "y"])]
    assert order == ["z", "y", "x"]  # found by both rankers beats first in one alone
