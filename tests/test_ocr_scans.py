"""Scanned documents as users have them, read by the real OCR model: a seed report printed, skewed and noised into
an image-only PDF, and a photo of a provincial report's target paragraph, ingested beside text documents. Their
figures are answered from the scans, citations name the PDF page and say the quote was read by OCR."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from faultkit import SEEDS, cli, cli_env
from pdfs import text_pdf
from pypdf import PdfReader, PdfWriter
from scans import BEIJING, image_pdf, scanned_page, wrap

from ragtool.config import PACKAGE_DIR

REPO = Path(__file__).resolve().parent.parent
FENGGANG = SEEDS / "000_1f8b0461ee0e1c02.txt"
TARGET = "2025年全镇经济增长预期目标确定为5%。"  # evals/seeds.jsonl s001
MOJIBAKE = "凤岗镇经济".encode("gbk") * 3  # GBK bytes a font without ToUnicode map extracts as ÕÕ¹ú…
ANNEX = "Annex: contact the Fenggang town office at 0769-87771234;"  # a page with a text layer, kept


def _scanned_corpus(folder: Path) -> None:
    """Seed 000 as a two-page scan (its GDP target on page 2; page 1 with a broken text layer, as a CJK PDF
    without ToUnicode has) and a third page of real text, a photo of Beijing's target paragraph, and three other
    seeds as text."""
    folder.mkdir(parents=True)
    body = FENGGANG.read_text(encoding="utf-8").split("\n", 4)[4]
    at = body.index(TARGET)
    title = "2025年这样干！中国共产党凤岗镇第十四届代表大会第四次会议暨镇党委经济工作会议召开"
    pages = [scanned_page(wrap(title + "\n" + body[:100], 34), seed=1),
             scanned_page(wrap(body[at - 90 : at + 40], 34), seed=2, skew=-1.0)]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(image_pdf(pages))))
    writer.pages[0].merge_page(_pdf_page(b"3 Tr (" + MOJIBAKE + b") Tj"))  # an invisible, broken text layer
    writer.add_page(_pdf_page(b"(" + ANNEX.encode() + b") Tj"))
    with (folder / "fenggang_scan.pdf").open("wb") as f:
        writer.write(f)
    scanned_page(wrap(BEIJING, 30), seed=3, skew=2.0).save(folder / "beijing_photo.png")
    for seed in ("001", "003", "004"):
        [path] = SEEDS.glob(f"{seed}_*.txt")
        shutil.copy(path, folder / path.name)


def _pdf_page(text: bytes) -> Any:
    return PdfReader(io.BytesIO(text_pdf(b"BT /F1 12 Tf 20 100 Td " + text + b" ET"))).pages[0]


def _limits_with(folder: Path, **ocr: float) -> Path:
    """A data dir whose limits.toml changes [ocr] settings."""
    folder.mkdir(parents=True)
    text = (PACKAGE_DIR / "data" / "limits.toml").read_text(encoding="utf-8")
    for key, value in ocr.items():
        text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line for line in text.split("\n"))
    (folder / "limits.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("scans")
    _scanned_corpus(base / "corpus")
    env = cli_env(base / "home")
    r = cli("ingest", str(base / "corpus"), "--json", env=env, timeout=600)
    assert r.code == 0, r.stderr
    return {"base": base, "env": env, "report": json.loads(r.stdout)}


def _ask(scanned: dict[str, Any], question: str) -> dict[str, Any]:
    r = cli("ask", question, "--json", "--no-sync", env=scanned["env"])
    assert r.code == 0, r.stderr
    return dict(json.loads(r.stdout))


def test_scans_are_ingested_page_by_page_beside_text(scanned: dict[str, Any]) -> None:
    report = scanned["report"]
    assert report["added"] == 5 and report["skipped"] == [] and report["notes"] == []
    assert report["ocr_pages"] == 3


def test_a_good_text_layer_is_kept_and_a_broken_one_read_by_ocr(scanned: dict[str, Any]) -> None:
    r = cli("docs", "--json", env=scanned["env"])
    [meta] = [m for m in json.loads(r.stdout) if m["source"].endswith("fenggang_scan.pdf")]
    assert meta["place"] == "凤岗镇" and len(meta["pages"]) == 3
    text = json.loads(cli("docs", "show", meta["doc_id"], "--json", env=scanned["env"]).stdout)["text"]
    annex = text.index(ANNEX)  # verbatim: read from the text layer, not by OCR
    assert "凤岗镇第十四届代表大会" in text[: meta["pages"][1]] and "Õ" not in text  # page 1 OCRed, its layer dropped
    assert annex >= meta["pages"][2] and all(end <= annex for _, end in meta["ocr"])
    assert len(meta["ocr"]) == 2 and "经济增长预期目标确定为5%" in text[meta["ocr"][1][0] : meta["ocr"][1][1]]


def test_a_scanned_reports_headline_figure_is_answered_with_its_page(scanned: dict[str, Any]) -> None:
    answer = _ask(scanned, "凤岗党代会定的2025年经济增长目标是多少")
    assert answer["status"] == "answered" and "5%" in answer["answer"]
    [cite] = [c for c in answer["citations"] if c["path"].endswith("fenggang_scan.pdf")]
    assert "经济增长预期目标确定为5%" in cite["quote"]
    assert cite["page"] == 2 and cite["ocr"] is True


def test_the_cli_names_the_page_and_says_ocr(scanned: dict[str, Any]) -> None:
    r = cli("ask", "凤岗党代会定的2025年经济增长目标是多少", "--no-sync", env=scanned["env"])
    assert r.code == 0, r.stderr
    assert "fenggang_scan.pdf p. 2 (read by OCR)" in " ".join(r.stdout.split())  # however the line wraps


def test_a_photo_of_a_provincial_target_paragraph_is_answered(scanned: dict[str, Any]) -> None:
    answer = _ask(scanned, "北京2026年GDP增长目标?")
    assert "5%左右" in answer["answer"]
    [cite] = [c for c in answer["citations"] if c["path"].endswith("beijing_photo.png")]
    assert cite["ocr"] is True and cite["page"] is None  # an image has no pages to name


def test_a_stopped_ingest_does_not_read_a_page_twice(scanned: dict[str, Any]) -> None:
    """The pages read are cached by the file's hash: a rebuild reads them all from the cache, even with a time
    limit per page no real OCR could meet."""
    data = _limits_with(scanned["base"] / "data-fast", page_seconds=0.001)
    env = {**scanned["env"], "RAGTOOL_DATA_DIR": str(data)}
    r = cli("ingest", str(scanned["base"] / "corpus"), "--reset", "--json", env=env, timeout=600)
    assert r.code == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ocr_pages"] == 3 and report["skipped"] == [] and report["notes"] == []


def test_a_page_over_the_time_limit_is_left_out_saying_why(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    scanned_page(wrap(BEIJING, 30), seed=3).save(folder / "photo.png")
    data = _limits_with(tmp_path / "data", page_seconds=0.001)
    r = cli("ingest", str(folder), "--json", env=cli_env(tmp_path / "home", RAGTOOL_DATA_DIR=str(data)), timeout=600)
    assert r.code == 4, r.stderr
    [skipped] = json.loads(r.stdout)["skipped"]
    assert "OCR took longer than 0.001 s" in skipped["reason"]
