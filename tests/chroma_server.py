"""A real Chroma server for tests: the `chroma run` CLI from the chromadb package, on loopback.

CI starts one server for the whole run and exports its URL as RAGTOOL_TEST_CHROMA_URL (see .ci/run).
The `chroma_url` fixture uses that server when the variable is set and otherwise starts its own for the
session, so server tests always run (they are never skipped)::

    from chroma_server import chroma_url  # noqa: F401
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

TEST_URL_VAR = "RAGTOOL_TEST_CHROMA_URL"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_cli() -> str:
    """The `chroma` executable installed beside this Python, else the one on PATH."""
    found = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if found is None:
        raise RuntimeError("the `chroma` CLI (from the chromadb package) is not installed")
    return found


def heartbeat(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class ChromaServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_chroma_server(workdir: Path, timeout: float = 60.0) -> ChromaServer:
    """Start `chroma run` on a free loopback port and wait until it answers its heartbeat."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "chroma.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [chroma_cli(), "run", "--path", str(workdir / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    server = ChromaServer(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma server exited with {proc.returncode}: {log.read_text(errors='replace')[-500:]}")
        if heartbeat(server.url):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"chroma server did not answer its heartbeat within {timeout:g}s")


def unique_collection(prefix: str = "t") -> str:
    """A collection name no other test uses (tests share one server)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def drop_collections(url: str, prefix: str) -> None:
    """Delete every collection on the server whose name starts with `prefix` (test clean-up)."""
    import chromadb

    parsed = urlparse(url)
    client = chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000)
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(prefix):
            client.delete_collection(name)


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a running Chroma server: CI's (RAGTOOL_TEST_CHROMA_URL) or one started for this session."""
    shared = os.environ.get(TEST_URL_VAR)
    if shared:
        if not heartbeat(shared, timeout=5):
            raise RuntimeError(f"{TEST_URL_VAR}={shared} does not answer its heartbeat")
        yield shared.rstrip("/")
        return
    server = start_chroma_server(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield server.url
    finally:
        server.stop()
