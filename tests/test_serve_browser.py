"""The web app in a real browser: Playwright driving Debian's chromium against a real uvicorn.

In CI (CI=true) a missing chromium or playwright is a failure, not a skip. Screenshots go to
RAGTOOL_SCREENSHOTS (default: a temp folder)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import QUESTION, LiveServer, chromium, csrf_headers, new_page, report_docx, start_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("serve_browser"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(live: LiveServer) -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("RAGTOOL_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_deep_link_answers_and_citation_opens_highlighted_quote(browser: Any, live: LiveServer, shots: Path) -> None:
    from playwright.sync_api import expect

    expected = httpx.post(f"{live.url}/api/ask", json={"question": QUESTION}, headers=csrf_headers(live.url)).json()
    first = expected["citations"][0]
    page = new_page(browser, 1280, 800)
    page.goto(f"{live.url}/?q={QUESTION}")
    expect(page.locator(".answer-text")).to_contain_text("5.5%")
    expect(page.locator("#answer .badge")).to_have_text("来源不一致")  # the two Fenggang documents disagree
    expect(page.locator(".candidate")).to_have_count(2)
    citation = page.locator(".citation").first
    expect(citation).to_contain_text("凤岗镇")
    expect(citation).to_contain_text(first["title"])
    page.screenshot(path=str(shots / "ask-desktop.png"), full_page=False)
    assert (shots / "ask-desktop.png").stat().st_size > 10_000
    citation.click()
    mark = page.locator("#doc-text mark")
    expect(mark).to_have_count(1)
    assert mark.text_content() == first["quote"]
    expect(mark).to_be_in_viewport()
    assert page.locator("#h-doc").text_content() == first["title"]
    page.screenshot(path=str(shots / "document-desktop.png"))
    page.go_back()
    page.locator("#place-chips .chip", has_text="金湾区").click()  # the filter chips narrow the question
    expect(page.locator("#place-chips .chip[aria-pressed=true]")).to_have_text("金湾区")
    page.fill("#q", "2025年GDP目标")
    page.keyboard.press("Enter")
    expect(page.locator(".answer-text")).to_contain_text("7%左右")
    expect(page.locator("#answer .badge")).to_have_text("已回答")
    page.locator(".citation").first.click()
    page.locator("#lang").click()  # English
    expect(page.locator("nav a[data-view=ask]")).to_have_text("Ask")
    page.go_back()
    expect(page.locator(".answer-text")).to_contain_text("7%左右")
    expect(page.locator("#answer .badge")).to_have_text("Answered")
    expect(page.locator("#place-chips .chip").first).to_have_text("All")
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    page.context.close()


def test_phone_width_has_no_sideways_scroll(browser: Any, live: LiveServer, shots: Path) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, 390, 844)
    page.goto(f"{live.url}/?q={QUESTION}")
    expect(page.locator(".answer-text")).to_contain_text("5.5%")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "ask-phone.png"), full_page=True)
    page.keyboard.press("Tab")  # the skip link comes first, then the navigation: keyboard reachable
    assert page.evaluate("document.activeElement.className") == "skip"
    page.goto(f"{live.url}/#compare")
    page.fill("#cq", "2025年GDP增长目标")
    page.keyboard.press("Enter")
    expect(page.locator(".chart .bar").first).to_be_visible()
    page.locator(".chart .bar").first.focus()
    page.keyboard.press("Enter")  # a bar opens its quote from the keyboard too
    expect(page.locator("#bar-detail blockquote")).not_to_be_empty()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "compare-phone.png"), full_page=True)
    page.context.close()
    assert (shots / "ask-phone.png").stat().st_size > 10_000


def test_upload_docx_compare_range_and_delete(browser: Any, live: LiveServer, shots: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    docx = report_docx(tmp_path / "清溪镇 2025 报告.docx", "清溪镇", [
        "2025年3月10日在清溪镇第十八届人民代表大会第五次会议上",
        "2025年经济社会发展的主要预期目标是：地区生产总值增长4.5%—5%；规上工业增加值增长6%。",
    ])
    page = new_page(browser, 1280, 800)
    page.goto(f"{live.url}/#docs")
    expect(page.locator("#doc-table tbody tr")).to_have_count(len(live.session.documents()))
    page.set_input_files("#files", str(docx))
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator("#upload-status")).to_contain_text("新增 1", timeout=30_000)
    row = page.locator("#doc-table tbody tr", has_text="2025年清溪镇政府工作报告")
    expect(row).to_have_count(1)
    page.fill("#doc-search", "清溪")
    expect(page.locator("#doc-table tbody tr")).to_have_count(1)
    page.fill("#doc-search", "")

    page.goto(f"{live.url}/#compare")
    page.fill("#cq", "2025年GDP增长目标")
    page.locator("#compare-form button").click()
    bar = page.locator(".chart .bar[data-place=清溪镇]")
    expect(bar).to_have_count(1)
    expect(bar.locator(".bar-range")).to_have_count(1)  # 4.5%—5% drawn as a range
    assert page.locator(".chart .bar[data-place=凤岗镇] .bar-range").count() == 0  # 5.5%左右 is one value
    bar.click()
    expect(page.locator("#bar-detail blockquote")).to_contain_text("4.5%—5%")
    page.screenshot(path=str(shots / "compare-desktop.png"))
    with page.expect_download() as dl:
        page.locator("#compare-csv").click()
    csv = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("place,level,year")
    assert re.search(r"^清溪镇,镇,2025,.*,4\.5,5,%,answered,", csv, re.M)

    page.goto(f"{live.url}/#docs")
    page.once("dialog", lambda d: d.accept())
    row = page.locator("#doc-table tbody tr", has_text="2025年清溪镇政府工作报告")
    row.locator("button.danger").click()
    expect(page.locator("#doc-table tbody tr", has_text="2025年清溪镇政府工作报告")).to_have_count(0)
    assert "清溪镇" not in {d.place for d in live.session.documents()}
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    page.context.close()


def test_document_text_is_never_rendered_as_html(browser: Any, live: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    hostile = tmp_path / "hostile.txt"  # plain text keeps the tags as text (Markdown's parser would drop them)
    hostile.write_text("2025年测试镇工作报告\n\n测试镇 <img src=x onerror=\"window.pwned=1\"> <b>粗体</b> "
                       "地区生产总值增长6%。\n", encoding="utf-8")
    page = new_page(browser, 1280, 800)
    page.goto(f"{live.url}/#docs")
    page.set_input_files("#files", str(hostile))
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator("#upload-status")).to_contain_text("新增 1", timeout=30_000)
    page.locator("#doc-table a", has_text="测试镇").first.click()
    expect(page.locator("#doc-text")).to_contain_text("<b>粗体</b>")
    assert page.locator("#doc-text img, #doc-text b").count() == 0
    assert page.evaluate("window.pwned") is None
    page.context.close()


def test_token_is_asked_for_once(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    server = start_server(tmp_path, token="page-token-123", loopback_only=False)
    try:
        page = new_page(browser, 1280, 800)
        page.goto(f"{server.url}/?q={QUESTION}")
        dialog = page.locator("#token-dialog")
        expect(dialog).to_be_visible()
        page.fill("#token-input", "page-token-123")
        page.locator("#token-form button").click()
        expect(page.locator(".answer-text")).to_contain_text("5.5%")
        page.reload()  # remembered: not asked again
        expect(page.locator(".answer-text")).to_contain_text("5.5%")
        expect(dialog).to_be_hidden()
        page.context.close()
    finally:
        server.stop()


def test_summaries_and_figures_load_through_posts_with_the_csrf_header(browser: Any, live: LiveServer) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, 1280, 800)
    posts: list[tuple[str, str | None]] = []
    page.on("request", lambda r: posts.append((r.url, r.headers.get("x-ragtool-csrf")))
            if r.method == "POST" else None)
    page.goto(f"{live.url}/#summaries")
    expect(page.locator("#sum-out h2")).to_be_visible()
    expect(page.locator("#fig-out table")).to_be_visible()
    assert any("/api/summaries/" in url for url, _ in posts) and any(url.endswith("/api/figures") for url, _ in posts)
    assert all(token for _, token in posts)
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()
