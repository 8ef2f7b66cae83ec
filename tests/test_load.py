"""Loading real files: encodings, headers, HTML, PDF, DOCX and the files that must be refused."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from pdfs import text_pdf
from pypdf import PdfWriter

from ragtool.errors import LoadError
from ragtool.ingest.chunk import chunk_document
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import MAX_FILE_BYTES, load_file
from ragtool.ingest.meta import extract_meta
from ragtool.models import Document

REPO = Path(__file__).resolve().parent.parent
SEED_000 = REPO / "seeds" / "000_1f8b0461ee0e1c02.txt"
TRAD_010 = REPO / "evals" / "devcorpus" / "docs" / "010_xiangang.txt"


def _chunks(path: Path, cleaner: Cleaner) -> list[str]:
    loaded = load_file(path)
    text = cleaner.clean(loaded.text)
    meta = extract_meta(text, loaded.header, source=str(path))
    return [c.text for c in chunk_document(Document(meta=meta, text=text), budget=300, overlap=1)]


@pytest.fixture
def cleaner(settings) -> Cleaner:  # type: ignore[no-untyped-def]
    return Cleaner.from_settings(settings)


def test_header_is_parsed_and_removed() -> None:
    loaded = load_file(SEED_000)
    assert loaded.header["title"].startswith("2025年这样干")
    assert loaded.header["date"] == "None"
    assert loaded.header["url"].startswith("http://www.dg.gov.cn/")
    assert not loaded.text.lstrip().startswith(("Title:", "URL:", "Date:"))
    assert loaded.text.lstrip().startswith("1月16日")
    assert len(loaded.file_hash) == 64


@pytest.mark.parametrize(
    ("source", "codec"),
    [(SEED_000, "gb18030"), (SEED_000, "gbk"), (TRAD_010, "big5")],
)
def test_cjk_encodings_load_to_the_same_text_and_chunks(
    tmp_path: Path, cleaner: Cleaner, source: Path, codec: str
) -> None:
    original = source.read_text(encoding="utf-8").replace("\xa0", " ")  # GBK and Big5 have no NBSP
    utf8 = tmp_path / f"utf8{source.suffix}"
    utf8.write_text(original, encoding="utf-8")
    copy = tmp_path / f"copy{source.suffix}"
    copy.write_bytes(original.encode(codec))
    assert load_file(copy).text == load_file(utf8).text
    assert _chunks(copy, cleaner) == _chunks(utf8, cleaner)


def test_short_big5_and_gbk_snippets_are_told_apart(tmp_path: Path) -> None:
    big5 = tmp_path / "b.txt"
    big5.write_bytes("會議由蜆岡鎮黨委書記劉飛主持。".encode("big5"))
    gbk = tmp_path / "g.txt"
    gbk.write_bytes("会议强调,2025年是规划收官之年。".encode("gbk"))
    assert load_file(big5).text == "會議由蜆岡鎮黨委書記劉飛主持。"
    assert load_file(gbk).text == "会议强调,2025年是规划收官之年。"


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SEED_000.read_bytes())
    loaded = load_file(path)
    assert loaded.header["title"].startswith("2025年这样干")
    assert not loaded.text.startswith("\ufeff")


def _refused(path: Path) -> str:
    with pytest.raises(LoadError) as info:
        load_file(path)
    message = str(info.value)
    assert message and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("garbage.txt", b"\x80\x81\xfe\xff\xc3\x28" * 200, "cannot decode"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("zero.txt", b"", "empty"),
        ("blank.md", b" \n\t\r\n  ", "empty"),
        ("ideographic-spaces.txt", "\u3000\u3000\n".encode(), "whitespace"),
        ("image.gif", b"GIF89a", "unsupported"),
        ("noext", b"hello", "unsupported"),
        ("fake.docx", "这不是压缩包".encode(), "not a zip"),
        ("fake.pdf", b"%PDF-1.4 broken", "PDF"),
    ],
)
def test_unusable_files_give_one_line_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert reason in _refused(path)


def test_oversized_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    t0 = time.perf_counter()
    assert "too large" in _refused(path)
    assert time.perf_counter() - t0 < 1.0


def test_long_single_line_loads_and_cleans(tmp_path: Path, cleaner: Cleaner) -> None:
    path = tmp_path / "long.txt"
    path.write_text("经济发展,项目建设" * 400_000, encoding="utf-8")  # ~10 MB, one line
    loaded = load_file(path)
    assert len(cleaner.clean(loaded.text)) == len(loaded.text)


def test_html_keeps_text_and_drops_scripts(tmp_path: Path) -> None:
    junk = "<script>var tracker = 'SECRET_JS';</script><style>.x{color:red}</style>" * 50
    page = (
        "<html><head><title>2025年凤岗镇政府工作报告</title>"
        '<meta name="PubDate" content="2025-03-11 15:14">' + junk + "</head><body>"
        "<nav>首页 导航栏</nav>" + junk + "<h1>政府工作报告</h1>"
        "<p>实现地区生产总值<b>411亿元</b>,同比增长3.6%。</p><div>2025年工作安排<br>增长5.5%左右</div>"
        "<noscript>请启用脚本</noscript></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.header == {"title": "2025年凤岗镇政府工作报告", "date": "2025-03-11 15:14"}
    assert "实现地区生产总值411亿元,同比增长3.6%。" in loaded.text.split("\n")
    assert "2025年工作安排" in loaded.text.split("\n")
    for gone in ("SECRET_JS", "color:red", "导航栏", "请启用脚本"):
        assert gone not in loaded.text


def test_html_in_gbk_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes("<html><body><p>凤岗镇经济社会发展主要预期目标</p></body></html>".encode("gbk"))
    assert "凤岗镇经济社会发展主要预期目标" in load_file(path).text


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("2025年凤岗镇政府工作报告")
    document.add_paragraph("地区生产总值增长5.5%左右。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "指标"
    table.rows[0].cells[1].text = "411亿元"
    path = tmp_path / "report.docx"
    document.save(str(path))
    text = load_file(path).text
    assert "地区生产总值增长5.5%左右。" in text
    assert "411亿元" in text


def test_zip_bomb_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"0" * 30_000_000)
    assert "zip bomb" in _refused(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as f:
        writer.write(f)
    assert _refused(path).startswith("PDF has no text layer (scanned?)")


def test_pdf_with_text(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf(b"BT /F1 12 Tf 20 100 Td (GDP grew 5.5 percent in 2024.) Tj ET"))
    assert "GDP grew 5.5 percent in 2024." in load_file(path).text
