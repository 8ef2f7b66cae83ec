"""Files are read as what they are (issue 22, low items): a PDF named .txt is loaded as a PDF, an image named .txt is
skipped with its reason, Japanese encodings are not read as GB18030 mojibake, and pypdf's warnings on a PDF it
reads fine stay out of the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pdfs
from faultkit import cli, cli_env, tally
from test_fuzz_loaders import loads_or_refuses

from ragtool.ingest.load import LoadedFile

LINE = b"BT /F1 12 Tf 20 100 Td (Regional GDP grew 5 percent in 2025.) Tj ET"
JAPANESE = "日本の地方自治体の予算について説明します。東京都の総生産は前年比で増加しました。" * 3
CHINESE = "凤岗镇2025年地区生产总值增长5.5%左右，一般公共预算收入增长3%。" * 3


def test_a_pdf_named_txt_is_loaded_as_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(pdfs.text_pdf(LINE))
    loaded = loads_or_refuses(path)
    tally(hostile=1)
    assert isinstance(loaded, LoadedFile) and loaded.encoding == "pdf"
    assert loaded.text.strip() == "Regional GDP grew 5 percent in 2025."


def test_an_image_named_txt_is_skipped_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    tally(hostile=1)
    assert loads_or_refuses(path) == "not a text file: its content is a PNG image"


def test_japanese_encodings_are_read_as_japanese_and_chinese_ones_as_chinese(tmp_path: Path) -> None:
    for codec, text in (("shift_jis", JAPANESE), ("euc_jp", JAPANESE), ("gbk", CHINESE), ("gb18030", CHINESE)):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(text.encode(codec))
        loaded = loads_or_refuses(path)
        assert isinstance(loaded, LoadedFile), loaded
        assert loaded.text == text, f"{codec} read as {loaded.encoding}"


def test_pypdf_warnings_on_a_readable_pdf_are_not_printed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = pdfs.text_pdf(LINE)
    (corpus / "xref.pdf").write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n999", raw))  # pypdf recovers
    run = cli("ingest", str(corpus), env=cli_env(tmp_path / "home"))
    assert run.code == 0, run.stderr
    assert "added 1" in run.stdout
    assert "startxref" not in run.stderr and "Object Streams" not in run.stderr, run.stderr
