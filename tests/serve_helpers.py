"""A real uvicorn serving `ragtool serve`'s app on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.serve.app import create_app
from ragtool.serve.server import ServerLimits, uvicorn_config

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("RAGTOOL_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions"]
QUESTION = "凤岗2025年GDP目标?"


def playwright_or_skip() -> Any:
    """sync_playwright; a skip when playwright or chromium is missing (a failure in CI)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed")
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return sync_playwright


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (a skip when either is missing, a failure in CI)."""
    sync_playwright = playwright_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser: Any, width: int, height: int) -> Any:
    """A page of that size in zh-CN whose script errors and console errors collect in `page.errors`."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    return page


@dataclass
class LiveServer:
    url: str
    session: Session
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def seeds_copy(root: Path) -> Path:
    corpus = root / "corpus"
    shutil.copytree(REPO / "seeds", corpus)
    return corpus


def start_server(root: Path, *, token: str | None = None, loopback_only: bool = True,
                 max_upload_mb: float | None = None, limits: ServerLimits | None = None,
                 configure: Callable[[Settings], Settings] | None = None, readers: bool = False) -> LiveServer:
    """A synced Session over a copy of seeds/ (hash embedder) under `root`, served until stop() as `ragtool serve`
    serves it (serve.toml [server] limits unless `limits` is given; `readers`: with its reader processes)."""
    settings = Settings(home=root / "home", corpus=seeds_copy(root), embedder="hash")
    if configure is not None:
        settings = configure(settings)
    session = Session(settings, sync=False)
    session.sync_corpus()
    app = create_app(session, token=token, loopback_only=loopback_only, max_upload_mb=max_upload_mb, readers=readers)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, limits or ServerLimits.load(settings)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return LiveServer(url=f"http://127.0.0.1:{port}", session=session, server=server, thread=thread)


def csrf_headers(url: str) -> dict[str, str]:
    """The header every POST and DELETE needs, read as the page reads it."""
    return {"X-Ragtool-CSRF": httpx.get(f"{url}/api/csrf", timeout=30).json()["csrf"]}


def report_docx(path: Path, place: str, paragraphs: list[str]) -> Path:
    """A small government work report as a real .docx file."""
    import docx

    d = docx.Document()
    d.add_heading(f"2025年{place}政府工作报告", level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path
