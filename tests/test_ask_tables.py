"""Figures in a .docx or HTML table row (地区生产总值 | 2024年实际 | 2025年目标) are read with their column headers by ask
and compare, as a sentence stating them would be."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from ragtool.api import Session
from ragtool.config import Settings

ROWS = [
    ("指标", "2024年实际", "2025年目标"),
    ("地区生产总值", "411亿元", "增长5.5%"),
    ("一般公共预算收入", "25.3亿元", "增长3%"),
    ("固定资产投资", "增长6.1%", "增长7%"),
]


def _plan(path: Path, place: str, rows: list[tuple[str, str, str]]) -> None:
    document = docx.Document()
    document.add_paragraph(f"{place}2025年国民经济和社会发展计划")
    document.add_paragraph("一、主要指标")
    table = document.add_table(rows=len(rows), cols=3)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.rows[r].cells[c].text = text
    document.add_paragraph("二、主要任务")
    document.add_paragraph("全力扩大有效投资,加快建设现代化产业体系。")
    document.save(str(path))


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Session:
    corpus = tmp_path_factory.mktemp("corpus")
    _plan(corpus / "songxi_plan.docx", "松溪县", ROWS)
    cells = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in row)}</tr>" for row in [ROWS[0], ("地区生产总值", "388亿元", "增长6%")])
    (corpus / "pucheng_plan.html").write_text(
        f"<html><head><title>浦城县2025年国民经济和社会发展计划</title></head><body><nav>首页 新闻</nav>"
        f"<p>一、主要指标</p><table>{cells}</table><p>二、主要任务</p></body></html>", encoding="utf-8")
    session = Session(Settings(home=tmp_path_factory.mktemp("home"), corpus=corpus, embedder="hash"))
    session.sync_corpus()
    return session


@pytest.mark.parametrize(
    ("question", "value", "not_value"),
    [
        ("松溪县2025年GDP增长目标", "增长5.5%", "411亿元"),
        ("松溪县2024年地区生产总值多少", "411亿元", "5.5%"),
        ("松溪县2025年固定资产投资目标", "增长7%", "6.1%"),
        ("松溪县2024年一般公共预算收入", "25.3亿元", "3%"),
    ],
)
def test_a_table_cell_is_read_under_its_column_header(plans: Session, question: str, value: str, not_value: str) -> None:
    a = plans.ask(question, engine="extractive")
    assert a.status == "answered", question
    assert value in a.answer and not_value not in a.answer
    assert value in "".join(c.quote for c in a.citations)


def test_compare_reads_each_places_table(plans: Session) -> None:
    rows = {r.place: r for r in plans.compare("比较松溪县和浦城县2025年地区生产总值增长目标", engine="extractive")}
    assert "5.5%" in (rows["松溪县"].value or "")
    assert "6%" in (rows["浦城县"].value or "")


def test_an_html_table_is_read_the_same_way(plans: Session) -> None:
    a = plans.ask("浦城县2025年GDP增长目标", engine="extractive")
    assert a.status == "answered" and "6%" in a.answer and "388亿元" not in a.answer
