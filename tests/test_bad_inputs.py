"""Bad input files beside good ones: each bad file is skipped with a one-line reason, the good ones are
ingested, and what was already in the index stays as it was (ragtool.ingest.pipeline, the `ingest` CLI)."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from faultkit import SEEDS, cli, cli_env
from pypdf import PdfWriter

from ragtool.config import Settings
from ragtool.index.corpus import Corpus
from ragtool.ingest.pipeline import IngestReport, ingest_paths

BODY = "凤岗镇召开2025年经济工作会议。会议指出，全镇地区生产总值增长5%，规上工业增加值增长4.5%。\n"
BODY_TRAD = "鳳崗鎮召開2025年經濟工作會議。會議指出，全鎮地區生產總值增長5%，規上工業增加值增長4.5%。\n"

# file name -> words its skip reason must contain
BAD = {
    "binary.txt": "binary",
    "zero.txt": "empty",
    "blank.md": "empty",
    "one-line.txt": "too long",
    "oversized.txt": "too large",
    "bad-utf8.txt": "decode",
    "scan.pdf": "no text layer",
    "not-a-zip.docx": "not a zip",
    "bomb.docx": "zip bomb",
    "table.xlsx": "unsupported",
    "dangling.txt": "broken symlink",
}


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    return buf.getvalue()


def _blank_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with path.open("wb") as f:
        writer.write(f)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder of good and bad files, a symlink loop and a dangling link."""
    d = tmp_path / "mixed in 文件夹"
    sub = d / "子 目录"
    sub.mkdir(parents=True)
    (d / "gbk.txt").write_bytes(("Title: 凤岗镇经济工作会议\n\n" + BODY * 10).encode("gbk"))
    (d / "big5.txt").write_bytes(("Title: 鳳崗鎮經濟工作會議\n\n" + BODY_TRAD.replace("2025", "2024") * 10).encode("big5"))
    (sub / "空格 和 中文 名.txt").write_text("Title: 塘厦镇工作会议\n\n" + BODY.replace("凤岗", "塘厦") * 10, "utf-8")
    scripts = "<script>alert('注入脚本')</script><style>p{color:red}</style>"
    (d / "page.html").write_text(
        f"<html><head><title>厚街镇会议</title>{scripts}</head><body>{scripts}"
        f"<p>{BODY.replace('凤岗', '厚街') * 5}</p><noscript>请启用脚本</noscript>{scripts}</body></html>", "utf-8")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 400)
    (d / "zero.txt").write_bytes(b"")
    (d / "blank.md").write_text(" \n\n\t \n", "utf-8")
    (d / "one-line.txt").write_bytes(b"a" * 50_000_000)  # 50 MB, no line break: just under the byte limit
    with (d / "oversized.txt").open("wb") as f:
        f.truncate(60 * 1024 * 1024)  # sparse: refused by size before it is read
    (d / "bad-utf8.txt").write_bytes(BODY.encode()[:40] + b"\xff\xfe\xfd\xc3\x28" * 40 + BODY.encode())
    _blank_pdf(d / "scan.pdf")
    (d / "not-a-zip.docx").write_bytes(b"PK not really a zip " * 50)
    (d / "bomb.docx").write_bytes(_bomb())
    (d / "table.xlsx").write_bytes(b"PK\x03\x04")
    (sub / "loop").symlink_to(d, target_is_directory=True)
    (d / "dangling.txt").symlink_to(d / "gone.txt")
    return d


@pytest.fixture
def indexed(settings: Settings) -> Settings:
    """An index that already holds one seed document."""
    ingest_paths([sorted(SEEDS.glob("*.txt"))[0]], settings)
    return settings


def _by_name(report: IngestReport) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in report.skipped}


def test_bad_files_are_skipped_with_reasons_and_good_ones_ingested(mixed: Path, indexed: Settings) -> None:
    before = {m.doc_id: m for m in Corpus(indexed).documents()}
    started = time.perf_counter()
    report = ingest_paths([mixed], indexed)
    assert time.perf_counter() - started < 60  # the 50 MB line neither hangs nor is chunked
    reasons = _by_name(report)
    assert set(reasons) == set(BAD)
    for name, words in BAD.items():
        assert words in reasons[name], (name, reasons[name])
        assert "\n" not in reasons[name] and len(reasons[name]) < 200
    assert report.added == 4

    corpus = Corpus(indexed)
    docs = {m.doc_id: m for m in corpus.documents()}
    assert {k: v for k, v in docs.items() if k in before} == before  # the existing document is untouched
    new = {Path(m.source).name: corpus.get_document(m.doc_id) for m in docs.values() if m.doc_id not in before}
    assert set(new) == {"gbk.txt", "big5.txt", "空格 和 中文 名.txt", "page.html"}
    assert "地区生产总值增长5%" in new["gbk.txt"].text  # type: ignore[union-attr]
    assert "鳳崗鎮" in new["big5.txt"].text  # type: ignore[union-attr]
    assert "塘厦镇" in new["空格 和 中文 名.txt"].text  # type: ignore[union-attr]
    page = new["page.html"].text  # type: ignore[union-attr]
    assert "厚街镇" in page and "alert" not in page and "color:red" not in page and "请启用脚本" not in page


def test_a_file_that_vanishes_before_it_is_read_is_skipped(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(BODY.replace("凤岗", name[0] + "镇") * 5, "utf-8")

    def remove_b(name: str, done: int, total: int) -> None:  # called just before each file is read
        if name == "b.txt":
            (folder / "b.txt").unlink()

    report = ingest_paths([folder], settings, progress=remove_b)
    assert _by_name(report) == {"b.txt": "file vanished before it could be read"}
    assert report.added == 2


def test_cli_lists_skipped_files_and_exits_4(mixed: Path, tmp_path: Path) -> None:
    for name in ("one-line.txt", "oversized.txt", "bomb.docx"):  # covered above; keep this run short
        os.unlink(mixed / name)
    env = cli_env(tmp_path / "home")
    r = cli("ingest", str(mixed), "--json", env=env)
    assert r.code == 4, r.stderr
    data = json.loads(r.stdout)
    skipped = {Path(s["path"]).name: s["reason"] for s in data["skipped"]}
    assert set(skipped) == set(BAD) - {"one-line.txt", "oversized.txt", "bomb.docx"}
    assert data["added"] == 4

    again = cli("ingest", str(mixed), env=env)
    assert again.code == 4
    assert "Traceback" not in again.stderr
    for name in skipped:
        assert any(line.startswith("skipped ") and name in line for line in again.lines()), name
    assert "added 0" in again.stdout and "unchanged 4" in again.stdout
