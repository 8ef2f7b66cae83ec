"""A real uvicorn serving `ragtool serve`'s app on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.serve.app import create_app
from ragtool.serve.server import ServerLimits, uvicorn_config

REPO = Path(__file__).resolve().parent.parent


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
                 max_upload_mb: float | None = None, limits: ServerLimits | None = None) -> LiveServer:
    """A synced Session over a copy of seeds/ (hash embedder) under `root`, served until stop() as `ragtool serve`
    serves it (serve.toml [server] limits unless `limits` is given)."""
    settings = Settings(home=root / "home", corpus=seeds_copy(root), embedder="hash")
    session = Session(settings, sync=False)
    session.sync_corpus()
    app = create_app(session, token=token, loopback_only=loopback_only, max_upload_mb=max_upload_mb)
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
