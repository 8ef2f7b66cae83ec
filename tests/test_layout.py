"""Text as a reader sees it: PDF lines joined into sentences, headings kept, Markdown without markup, Word tables
by row, titles and dates from a file's own metadata, one rule set for document kinds."""

from __future__ import annotations

from pathlib import Path

from pdfs import text_pdf

from ragtool.config import Settings
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.layout import join_layout_lines
from ragtool.ingest.load import load_file
from ragtool.ingest.meta import extract_meta
from ragtool.models import DocMeta
from ragtool.zh.headings import heading_rules

PAGE_1 = """2025年凤岗镇政府工作报告
一、2024年工作回顾
过去一年，全镇实现地区生产总值411亿元，同比增长3.6%；规模以上工业增加值
增长5.2%，固定资产投资增长8.1%，社会消费品零售总额增长4.5%，外贸进出口
总额增长6.0%。
二、2025年主要目标
地区生产总值增长5.5%左右，规模以上工业增加值增长6%左右，固定资产投资增
"""
PAGE_2 = """- 2 -
长5%，一般公共预算收入增长3%。
（一）坚持项目为王
全年计划实施重点项目120个，完成投资150亿元，其中新开工项目45个，竣工项目30
个
三、保障措施
"""


def _meta(path: Path) -> tuple[str, DocMeta]:
    loaded = load_file(path)
    text = Cleaner.from_settings(Settings()).clean(loaded.text)
    return text, extract_meta(text, loaded.header, source=str(path))


def test_pdf_lines_broken_by_layout_are_joined_and_headings_stay() -> None:
    lines = join_layout_lines([PAGE_1, PAGE_2], heading_rules().patterns).split("\n")
    assert lines[0] == "2025年凤岗镇政府工作报告" and lines[1] == "一、2024年工作回顾"
    assert "规模以上工业增加值增长5.2%" in lines[2] and "外贸进出口总额增长6.0%。" in lines[2]
    assert lines[3] == "二、2025年主要目标"
    assert lines[4] == "地区生产总值增长5.5%左右，规模以上工业增加值增长6%左右，固定资产投资增长5%，一般公共预算收入增长3%。"
    assert lines[5] == "（一）坚持项目为王" and "- 2 -" not in "\n".join(lines)
    assert lines[6].endswith("竣工项目30个") and lines[7] == "三、保障措施"  # a short last line ends the paragraph


def _latin_pdf(path: Path, lines: list[str], title: str = "", date: str = "") -> None:
    ops = "BT /F1 12 Tf 20 360 Td " + " ".join(f"({ln}) Tj 0 -16 Td" for ln in lines) + " ET"
    meta = {"/Title": title} if title else {}
    if date:
        meta["/CreationDate"] = date
    path.write_bytes(text_pdf(ops.encode("latin-1"), width=600, height=400, metadata=meta))


def test_real_pdf_wrapped_sentence_is_one_line_and_its_metadata_gives_title_and_date(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    _latin_pdf(path, ["The gross domestic product of the town grew by 3.6 percent to", "411 billion yuan in 2024.",
                      "Targets"], title="2025年凤岗镇政府工作报告", date="D:20250311091500+08'00'")
    loaded = load_file(path)
    assert "grew by 3.6 percent to 411 billion yuan in 2024." in loaded.text
    _, meta = _meta(path)
    assert meta.title == "2025年凤岗镇政府工作报告" and meta.date == "2025-03-11"


def test_markdown_markup_never_reaches_titles_or_text(tmp_path: Path) -> None:
    path = tmp_path / "humen.md"
    path.write_text("# 虎门镇**2025年**政府工作报告\n\n## 一、主要目标\n\n地区生产总值增长**5%**左右，\n规上工业增加值"
                    "增长6%。详见[附件](http://example.org/a.pdf)。\n\n- 一是抓项目\n- 二是促消费\n\n"
                    "| 指标 | 2025年目标 |\n|---|---|\n| 地区生产总值 | 增长5% |\n", encoding="utf-8")
    text, meta = _meta(path)
    assert meta.title == "虎门镇2025年政府工作报告"
    assert "地区生产总值增长5%左右,规上工业增加值增长6%。详见附件。" in text
    assert "一是抓项目\n二是促消费" in text and "地区生产总值 | 增长5%" in text
    assert not any(mark in text for mark in ("#", "**", "](", "- 一"))


def test_word_table_rows_keep_their_columns_and_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "2025年凤岗镇政府工作报告"
    document.add_paragraph("主要指标如下。")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["指标", "2024年实际", "2025年目标"], ["地区生产总值", "411亿元", "增长5.5%"],
                             ["固定资产投资", "", "增长5%"]]):
        for c, value in enumerate(row):
            table.rows[r].cells[c].text = value
    document.add_paragraph("以上目标力争完成。")
    path = tmp_path / "report.docx"
    document.save(str(path))
    lines = load_file(path).text.split("\n")
    assert lines == ["主要指标如下。", "指标 | 2024年实际 | 2025年目标",
                     "地区生产总值 | 2024年实际: 411亿元 | 2025年目标: 增长5.5%",
                     "固定资产投资 |  | 2025年目标: 增长5%", "以上目标力争完成。"]
    _, meta = _meta(path)
    assert meta.title == "2025年凤岗镇政府工作报告"  # from the file's properties: the text has no title line


def test_economic_work_conference_is_a_kind(tmp_path: Path) -> None:
    cases = {
        "a.txt": ("Title: 新津区委十五届七次全体会议暨区委经济工作会议召开\n\n会议部署2025年工作。", "经济工作会议"),
        "b.txt": ("Title: 全市经济工作会议召开\n\n会议总结2024年经济工作。", "经济工作会议"),
        "c.txt": ("Title: 镇党委召开党委(扩大)会议传达学习中央经济工作会议精神\n\n会议强调。", "党委会议"),
        "d.txt": ("Title: 中国共产党凤岗镇第十四届代表大会第四次会议暨镇党委经济工作会议召开\n\n大会。", "党代会"),
    }
    for name, (body, kind) in cases.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
        assert _meta(tmp_path / name)[1].kind == kind, name
