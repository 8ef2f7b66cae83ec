"""A page on another origin attacks a running `ragtool serve` in headless Chromium: it must not plant, delete,
ingest, evaluate or spend LLM calls. Real uvicorn, a second local HTTP server for the attacker's page, and the fake
OpenAI server counting chat calls."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_openai import FakeOpenAI
from serve_helpers import ARGS, CHROMIUM, QUESTION, LiveServer, csrf_headers, playwright_or_skip, start_server
from summarize_fakes import map_reply

PLANTED = "2025年凤岗镇政府工作报告（修订）\n\n凤岗镇地区生产总值增长99%左右。\n"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.responder = map_reply  # a summary whose items quote the document (an abstract alone is no summary)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAI) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("cross_site"), configure=fake.configure)
    yield server
    server.stop()


def attack_page(target: str, doc_id: str) -> str:
    """Every write and costly call a page can make without reading anything from the target first."""
    return f"""<!doctype html><meta charset="utf-8"><title>attack</title>
<iframe name="sink"></iframe>
<form id="form" method="post" enctype="multipart/form-data" action="{target}/api/ingest" target="sink">
  <input name="files" value="x"><input name="paths" value="seeds">
</form>
<script>
const T = {target!r}, DOC = {doc_id!r};
const planted = () => {{
  const f = new FormData();
  f.append("files", new Blob([{PLANTED!r}], {{type: "text/plain"}}), "planted.txt");
  return f;
}};
const text = (o) => ({{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body: JSON.stringify(o)}});
const shots = [
  fetch(T + "/api/ingest", {{method: "POST", mode: "no-cors", body: planted()}}),
  fetch(T + "/api/ingest", {{method: "POST", mode: "no-cors", body: planted(), credentials: "include"}}),
  fetch(T + "/api/ingest", text({{paths: ["."], reset: true}})),
  fetch(T + "/api/ingest", {{method: "POST", body: planted(), headers: {{"X-Ragtool-CSRF": "guess"}}}}),
  fetch(T + "/api/docs/" + DOC, {{method: "DELETE", mode: "no-cors"}}),
  fetch(T + "/api/docs/" + DOC, {{method: "DELETE"}}),
  fetch(T + "/api/eval", text({{suite: "seeds.jsonl"}})),
  fetch(T + "/api/ask", text({{question: {QUESTION!r}, engine: "llm"}})),
  fetch(T + "/api/summaries/" + DOC, text({{engine: "llm"}})),
  fetch(T + "/api/figures", text({{engine: "llm"}})),
  fetch(T + "/api/compare", text({{question: {QUESTION!r}, engine: "llm"}})),
  fetch(T + "/api/csrf").then((r) => r.json()).then((j) => fetch(T + "/api/ingest",
        {{method: "POST", body: planted(), headers: {{"X-Ragtool-CSRF": j.csrf}}}})),
];
const images = [T + "/api/summaries/" + DOC + "?engine=llm", T + "/api/figures?engine=llm", T + "/api/figures",
                T + "/api/summaries/" + DOC].map((src) => new Promise((done) => {{
  const img = new Image(); img.onload = img.onerror = done; img.src = src; document.body.append(img);
}}));
const form = new Promise((done) => {{
  document.querySelector("iframe").onload = done; document.getElementById("form").submit();
}});
Promise.allSettled([...shots, ...images, form]).then((r) => {{
  window.csrfRead = r[11].status === "fulfilled";
  document.title = "done";
}});
</script>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A second web server on another port: the other origin."""
    root = tmp_path_factory.mktemp("attacker")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, server.server_address[1]
    server.shutdown()


@pytest.mark.parametrize("attacker_host", ["localhost", "127.0.0.1"])  # cross-site, and same-site (another port)
def test_a_page_on_another_origin_cannot_write_or_spend(
    live: LiveServer, fake: FakeOpenAI, attacker: tuple[Path, int], attacker_host: str
) -> None:
    sync_playwright = playwright_or_skip()
    root, port = attacker
    home = live.session.settings.home
    before_docs = httpx.get(f"{live.url}/api/docs", headers={"accept": "application/json"}).json()
    doc_id = next(d["doc_id"] for d in before_docs if "凤岗" in (d["place"] or ""))
    calls = len(fake.chat_requests)
    (root / "a.html").write_text(attack_page(live.url, doc_id), encoding="utf-8")
    reached: list[tuple[str, str, int]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page()
        page.on("response", lambda r: reached.append((r.request.method, r.url, r.status))
                if r.url.startswith(live.url) else None)
        page.goto(f"http://{attacker_host}:{port}/a.html")
        page.wait_for_function("document.title === 'done'", timeout=30_000)
        csrf_read = page.evaluate("window.csrfRead")
        browser.close()
    time.sleep(0.5)  # a job the server might have queued would have started by now

    assert csrf_read is False  # the attacker cannot read the token
    routes = {url.removeprefix(live.url).replace(doc_id, "ID") for _, url, _ in reached}
    simple = {"/api/ingest", "/api/eval", "/api/ask", "/api/summaries/ID", "/api/figures", "/api/compare"}
    assert simple <= routes, reached  # the simple requests did reach the server ...
    assert all(status == 403 for _, _, status in reached), reached  # ... and were all refused
    assert len(fake.chat_requests) == calls  # no LLM call spent
    after = httpx.get(f"{live.url}/api/docs", headers={"accept": "application/json"}).json()
    assert [d["doc_id"] for d in after] == [d["doc_id"] for d in before_docs]  # nothing planted, nothing deleted
    uploads = home / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    jobs = home / "serve" / "jobs"
    assert not jobs.exists() or not any(jobs.iterdir())  # no ingest or eval job was started
    answer = httpx.post(f"{live.url}/api/ask", json={"question": QUESTION, "engine": "extractive"},
                        headers=csrf_headers(live.url)).json()
    assert "99%" not in answer["answer"]


def test_the_page_itself_may_spend_and_get_only_reads(live: LiveServer, fake: FakeOpenAI) -> None:
    """The control: the same calls with the CSRF header do reach the LLM; GETs never do."""
    docs = httpx.get(f"{live.url}/api/docs", headers={"accept": "application/json"}).json()
    doc_id = docs[0]["doc_id"]
    calls = len(fake.chat_requests)
    got = httpx.get(f"{live.url}/api/summaries/{doc_id}", timeout=60)
    assert got.status_code == 200 and got.json()["engine"] == "extractive"
    assert httpx.get(f"{live.url}/api/summaries/{doc_id}", params={"engine": "llm"}).status_code == 400
    assert httpx.get(f"{live.url}/api/figures", timeout=60).status_code == 200
    assert len(fake.chat_requests) == calls
    assert httpx.post(f"{live.url}/api/summaries/{doc_id}", json={"engine": "llm"}).status_code == 403
    r = httpx.post(f"{live.url}/api/summaries/{doc_id}", json={"engine": "llm"}, headers=csrf_headers(live.url),
                   timeout=60)
    assert r.status_code == 200, r.text
    assert len(fake.chat_requests) > calls
