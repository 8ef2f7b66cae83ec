"""Figures in a .docx, HTML or PDF table row (地区生产总值 | 2024年实际 | 2025年目标) are read with their column headers by
ask, compare and summarize, as a sentence stating them would be."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from pdfs import chinese_pdf

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.ingest.load import load_file

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


def _pdf_plan(place: str, rows: list[tuple[str, str, str]]) -> bytes:
    """A plan as a PDF: its table drawn cell by cell at three x positions, as PDF writers lay tables out."""
    table = [[(50, a), (250, b), (400, c)] for a, b, c in rows]
    return chinese_pdf([[(50, f"{place}2025年国民经济和社会发展计划")], [(50, "一、主要指标")], *table,
                        [(50, "二、主要任务")], [(50, "全力扩大有效投资，加快建设现代化产业体系。")]])


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Session:
    corpus = tmp_path_factory.mktemp("corpus")
    _plan(corpus / "songxi_plan.docx", "松溪县", ROWS)
    cells = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in row)}</tr>" for row in [ROWS[0], ("地区生产总值", "388亿元", "增长6%")])
    (corpus / "pucheng_plan.html").write_text(
        f"<html><head><title>浦城县2025年国民经济和社会发展计划</title></head><body><nav>首页 新闻</nav>"
        f"<p>一、主要指标</p><table>{cells}</table><p>二、主要任务</p></body></html>", encoding="utf-8")
    (corpus / "zhenghe_plan.pdf").write_bytes(_pdf_plan("政和县", [ROWS[0], ("地区生产总值", "120亿元", "增长6.5%")]))
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


def test_a_pdf_table_is_read_as_rows_with_their_column_headers(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(_pdf_plan("政和县", ROWS))
    lines = load_file(path).text.split("\n")
    assert "地区生产总值 | 2024年实际: 411亿元 | 2025年目标: 增长5.5%" in lines
    assert "固定资产投资 | 2024年实际: 增长6.1% | 2025年目标: 增长7%" in lines
    assert "全力扩大有效投资,加快建设现代化产业体系。" in lines or "全力扩大有效投资，加快建设现代化产业体系。" in lines


def test_a_pdf_tables_figures_are_asked_and_compared(plans: Session) -> None:
    a = plans.ask("政和县2025年GDP增长目标", engine="extractive")
    assert a.status == "answered" and "6.5%" in a.answer and "120亿元" not in a.answer
    rows = {r.place: r for r in plans.compare("比较松溪县和政和县2024年地区生产总值", engine="extractive")}
    assert "411亿元" in (rows["松溪县"].value or "") and "120亿元" in (rows["政和县"].value or "")


@pytest.mark.parametrize("place", ["松溪县", "浦城县", "政和县"])
def test_a_summary_lists_each_table_figure_with_its_year_role_and_row(plans: Session, place: str) -> None:
    doc = next(d for d in plans.corpus.documents() if d.place == place)
    figures = plans.summarize(doc.doc_id, engine="extractive").key_figures
    gdp = {(f.year, f.type): f for f in figures if f.indicator == "地区生产总值"}
    target, actual = gdp[(2025, "target")], gdp[(2024, "actual")]
    assert target.change.startswith("+") and actual.number is not None
    assert target.quote.startswith("地区生产总值") and target.value in target.quote  # the row is its source
