"""The web page names the PDF page of a quote and marks it read by OCR: a two-page scan of Beijing's targets (page 2)
ingested beside the seeds, asked in a real browser (Playwright, Debian's chromium) against a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from scans import BEIJING, image_pdf, scanned_page, wrap
from serve_helpers import LiveServer, chromium, csrf_headers, new_page, start_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("ocr_web")
    server = start_server(root)
    title, paragraph = BEIJING.split("\n")
    scan = root / "beijing_scan.pdf"
    opening = [title, "各位代表：现在，我代表市人民政府，向大会报告工作。"]
    scan.write_bytes(image_pdf([scanned_page(opening, seed=4), scanned_page(wrap(paragraph, 30), seed=5, skew=1.5)]))
    report = server.session.ingest([scan])
    assert report.added == 1 and report.ocr_pages == 2, report
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(live: LiveServer) -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_the_citation_says_page_2_and_ocr_and_opens_the_quote(browser: Any, live: LiveServer) -> None:
    from playwright.sync_api import expect

    question = "北京2026年GDP增长目标?"
    answer = httpx.post(f"{live.url}/api/ask", json={"question": question}, headers=csrf_headers(live.url),
                        timeout=60).json()
    [cite] = [c for c in answer["citations"] if c["path"].endswith("beijing_scan.pdf")]
    assert cite["page"] == 2 and cite["ocr"] is True
    page = new_page(browser, 1280, 800)
    page.goto(f"{live.url}/?q={question}")
    citation = page.locator("button.citation", has_text="5%左右").first
    expect(citation).to_contain_text("第2页")
    expect(citation.locator(".cite-ocr")).to_have_text("OCR识别")
    citation.click()
    expect(page.locator("#highlight")).to_contain_text("地区生产总值增长5%左右")
    assert page.errors == []  # type: ignore[attr-defined]
