"""What OCR is asked to read and in what order its lines come out, without running the model: garbage text layers,
reading order of boxes (columns, headings, skew, tables), and page starts carried through layout and cleaning."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pdfs import text_pdf

from ragtool.config import Settings
from ragtool.errors import LoadError
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.layout import join_pages, ocr_lines
from ragtool.ingest.load import load_file
from ragtool.ingest.ocr import OcrLimits, OcrReader, unreadable
from ragtool.ingest.pipeline import ingest_paths, prepare
from ragtool.models import DocMeta
from ragtool.sourcemap import page_of

LIMITS = OcrLimits()


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("2025年全镇经济增长预期目标确定为5%。", False),
        ("Gross regional product grew by 5.2 percent in 2024.", False),
        ("", True),
        ("   \n 12 \n", True),  # a page number alone: a scanned page
        ("\ufffd" * 40, True),  # CJK font without ToUnicode
        ("\ue000\ue001\ue002\ue003" * 10 + "年", True),  # private-use glyph codes
        ("ÕÕÕ¿Ö÷ÕÕ¹ú¼Ò¾­¼Ã" * 3, True),  # GBK bytes read as Latin-1
        ("!\"#$%&'()*+,-./" * 3, True),  # CIDs mapped to ASCII punctuation
    ],
)
def test_text_layer_is_ocred_when_empty_or_garbage(text: str, bad: bool) -> None:
    assert unreadable(text, LIMITS) is bad


def _quad(x0: float, y0: float, x1: float, y1: float, angle: float = 0.0) -> list[list[float]]:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [[x * c - y * s, x * s + y * c] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]


def test_two_columns_under_a_heading_are_read_column_by_column() -> None:
    boxes = [(_quad(100, 20, 900, 60), "政府工作报告")]
    for i in range(4):
        y = 100 + 40 * i
        boxes.append((_quad(50, y, 460, y + 30), f"左栏第{i + 1}行文字内容"))
        boxes.append((_quad(540, y, 950, y + 30), f"右栏第{i + 1}行文字内容"))
    boxes.append((_quad(50, 300, 950, 330), "全文结束的一行"))
    quads, texts = zip(*boxes[::-1], strict=True)  # OCR's order is no order
    lines = ocr_lines(list(quads), list(texts))
    assert lines == ["政府工作报告", *(f"左栏第{i}行文字内容" for i in range(1, 5)),
                     *(f"右栏第{i}行文字内容" for i in range(1, 5)), "全文结束的一行"]


def test_a_table_is_read_row_by_row() -> None:
    rows = [("指标", "目标"), ("地区生产总值", "增长5%"), ("固定资产投资", "增长3%"), ("社会消费品零售总额", "增长4%")]
    quads, texts = [], []
    for i, (name, value) in enumerate(rows):
        y = 40 * i
        quads += [_quad(50, y, 50 + 30 * len(name), y + 30), _quad(700, y, 700 + 30 * len(value), y + 30)]
        texts += [name, value]
    assert ocr_lines(quads, texts) == ["指标目标", "地区生产总值增长5%", "固定资产投资增长3%", "社会消费品零售总额增长4%"]


def test_a_skewed_page_keeps_its_lines_and_their_pieces_in_order() -> None:
    quads = [_quad(50, 100, 400, 130, 2.0), _quad(430, 100, 900, 130, 2.0), _quad(50, 145, 900, 175, 2.0)]
    assert ocr_lines(quads, ["第一行的前半", "第一行的后半", "第二行"]) == ["第一行的前半第一行的后半", "第二行"]


def test_pages_start_where_their_first_line_starts_through_layout_and_cleaning() -> None:
    long = "会议指出要聚焦重点关键以实干争先勇挑大梁的担当和拼劲推动中国式现代化的实践打开新"
    pages = ["一、总体要求\n" + long + "\n局面。", "", "  ", "二、主要目标\n2025年经济增长预期目标确定为5%。\n3"]
    text, starts = join_pages(pages)
    assert starts[1] == starts[2] == starts[3] == text.index("二、主要目标")
    cleaner = Cleaner()
    cleaned, clean_starts = cleaner.clean_parts([text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)])
    assert cleaned == cleaner.clean(text)
    meta = DocMeta(doc_id="d", pages=clean_starts)
    assert page_of(meta, cleaned.index("5%")) == 4 and page_of(meta, cleaned.index("局面")) == 1


def test_pdf_pages_are_named_by_citations_offsets(tmp_path: Path, settings: Settings) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for words in (b"First page about roads;", b"Second page about the 5.5 percent growth target;"):
        writer.add_page(PdfReader(_bytes_io(text_pdf(b"BT /F1 12 Tf 20 100 Td (" + words + b") Tj ET"))).pages[0])
    path = tmp_path / "two.pdf"
    with path.open("wb") as f:
        writer.write(f)
    doc, _ = prepare(load_file(path), Cleaner.from_settings(settings), settings)
    assert len(doc.meta.pages) == 2 and doc.meta.ocr == []
    assert page_of(doc.meta, doc.text.index("5.5 percent")) == 2


def _bytes_io(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


def test_without_ocr_images_and_scanned_pdfs_are_skipped_saying_why(tmp_path: Path, settings: Settings) -> None:
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("L", (200, 100), 255).save(folder / "photo.png")
    Image.new("L", (200, 100), 255).save(folder / "scan.pdf")
    report = ingest_paths([folder], settings.model_copy(update={"ocr": False}), dense=False)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "OCR, which is off" in reasons["photo.png"]
    assert "no text layer" in reasons["scan.pdf"] and "OCR is off" in reasons["scan.pdf"]


def test_the_setting_turns_ocr_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAGTOOL_OCR", "false")
    assert OcrReader.from_settings(Settings(home=tmp_path)) is None
    monkeypatch.delenv("RAGTOOL_OCR")
    (tmp_path / "ragtool.toml").write_text("ocr = false\n", encoding="utf-8")
    assert OcrReader.from_settings(Settings(home=tmp_path)) is None


def test_an_image_larger_than_the_limit_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "huge.png"
    Image.new("1", (4000, 3000), 1).save(path)  # 12 M pixels in a few kB
    with OcrReader(OcrLimits(max_image_pixels=10_000_000)) as ocr, pytest.raises(LoadError, match="image too large"):
        load_file(path, ocr)


def test_a_sentence_carried_over_a_page_break_is_cited_on_the_page_it_is_printed_on() -> None:
    long = "会议指出要聚焦重点关键以实干争先勇挑大梁的担当和拼劲推动中国式现代化的实践打开新"
    text, starts = join_pages(["一、总体要求\n" + long, "局面。2025年经济增长预期目标确定为5%。"])
    assert "打开新局面。2025年" in text  # one line: the page break was only layout
    cleaned, clean_starts = Cleaner().clean_parts([text[: starts[1]], text[starts[1] :]])
    meta = DocMeta(doc_id="d", pages=clean_starts)
    assert page_of(meta, cleaned.index("会议指出")) == 1
    assert page_of(meta, cleaned.index("局面")) == page_of(meta, cleaned.index("2025年经济")) == 2


def test_a_broken_image_is_one_line_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with OcrReader(OcrLimits()) as ocr, pytest.raises(LoadError, match="cannot parse png file"):
        load_file(path, ocr)


def test_pages_come_from_the_cache_one_by_one_within_the_page_limit(tmp_path: Path) -> None:
    from PIL import Image
    from scans import image_pdf

    pdf = image_pdf([Image.new("L", (100, 100), 255) for _ in range(3)])
    seen: list[tuple[int, int]] = []
    with OcrReader(OcrLimits(max_pages=2), tmp_path / "cache", lambda done, total: seen.append((done, total))) as ocr:
        ocr._store("f" * 64, 0, ([_quad(10, 10, 90, 40)], ["第一页"]))  # what an earlier, stopped ingest read
        ocr._store("f" * 64, 1, ([_quad(10, 10, 90, 40)], ["第二页"]))
        read = ocr.read_pdf(pdf, [0, 1, 2], "f" * 64)
    assert read.texts == {0: "第一页", 1: "第二页"}  # no page read twice: the model never started
    assert read.notes == ["p. 3 not read by OCR (limit 2 pages per document: limits.toml [ocr] max_pages)"]
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_status_says_which_page_ocr_is_reading(tmp_path: Path) -> None:
    from faultkit import cli, cli_env

    from ragtool.ingest.status import StatusWriter

    status = StatusWriter(tmp_path / "home", ["scans"], reset=False)  # this process: a running ingest
    status.phase("lexical", files_total=5)
    status.update(force=True, files_done=2, ocr_file="scan.pdf", ocr_pages_done=3, ocr_pages_total=40)
    r = cli("status", env=cli_env(tmp_path / "home"))
    assert "lexical pass · 2 of 5 files · OCR scan.pdf p. 3 of 40" in r.stdout, r.stdout + r.stderr


def test_ingest_no_ocr_skips_images_saying_why(tmp_path: Path) -> None:
    from faultkit import cli, cli_env
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("L", (200, 100), 255).save(folder / "photo.jpg")
    r = cli("ingest", str(folder), "--no-ocr", "--json", env=cli_env(tmp_path / "home"))
    assert r.code == 4, r.stderr
    [skipped] = json.loads(r.stdout)["skipped"]
    assert skipped["path"].endswith("photo.jpg") and "OCR, which is off" in skipped["reason"]
