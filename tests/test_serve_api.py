"""The JSON API of `ragtool serve`, through a real uvicorn on a free loopback port, with httpx."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_helpers import LiveServer, report_docx, start_server

from ragtool.api import Session
from ragtool.models import Answer, ComparisonRow, DocMeta, DocumentSummary
from ragtool.serve.state import Limits

QUESTION = "凤岗2025年GDP目标?"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("serve_api"))
    yield server
    server.stop()


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=60) as c:
        c.headers["X-Ragtool-CSRF"] = c.get("/api/csrf").json()["csrf"]  # what the page does once
        yield c


def wait_job(client: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def assert_error(r: httpx.Response, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["message"]
    return str(err["message"])


# ---- ask, compare, health -------------------------------------------------------------------------


def test_ask_returns_the_answer_model_the_cli_prints(client: httpx.Client, live: LiveServer) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    data = r.json()
    assert "5.5%" in data["answer"] and data["status"] == "conflicting"
    assert data["context"] == []
    answer = Answer.model_validate(data)
    direct = live.session.ask(QUESTION)
    assert answer.answer == direct.answer and answer.citations == direct.citations
    assert set(data) == set(direct.model_dump())
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert r.headers["cache-control"] == "no-store"


def test_ask_with_context_and_filters(client: httpx.Client) -> None:
    data = client.post("/api/ask", json={"question": "GDP目标", "place": "凤岗", "year": 2025, "context": True}).json()
    assert data["context"], "the retrieved chunks were asked for"
    assert {c["place"] for c in data["context"]} == {"凤岗镇"}


def test_ask_errors_are_json_with_the_cli_meaning(client: httpx.Client) -> None:
    assert_error(client.post("/api/ask", json={"question": "   "}), 400, "usage")
    assert "year" in assert_error(client.post("/api/ask", json={"question": "GDP", "year": 3000}), 400, "usage")
    assert_error(client.post("/api/ask", json={"question": "GDP", "engine": "magic"}), 400, "usage")
    assert_error(client.post("/api/ask", content=b"not json", headers={"content-type": "application/json"}), 400, "usage")
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert client.post("/api/ask", json={"question": "凤岗2031年的登月计划是什么"}).json()["status"] == "not_found"


def test_health_and_openapi(client: httpx.Client) -> None:
    health = client.get("/api/health").json()
    assert health["ok"] and health["documents"] >= 5 and health["auth"] is False
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/ask", "/api/docs", "/api/docs/{doc_id}", "/api/ingest", "/api/summaries/{doc_id}",
                 "/api/figures", "/api/eval", "/api/health", "/api/compare"):
        assert path in spec["paths"]
    assert "Answer" in json.dumps(spec["components"]["schemas"])
    page = client.get("/api/docs", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html") and "apidocs.js" in page.text


def test_compare_rows_and_csv(client: httpx.Client) -> None:
    rows = [ComparisonRow.model_validate(r) for r in
            client.post("/api/compare", json={"question": "2025年GDP增长目标", "sort": "value"}).json()]
    by_place = {r.place: r for r in rows}
    assert by_place["凤岗镇"].low == 5.5 and by_place["凤岗镇"].unit == "%"
    assert by_place["厚街镇"].status == "not_found"  # kept in the table, not dropped
    csv = client.post("/api/compare", json={"question": "2025年GDP增长目标", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith("place,level,year,date,value")


# ---- documents -----------------------------------------------------------------------------------


def test_documents_list_view_and_quote_position(client: httpx.Client) -> None:
    docs = [DocMeta.model_validate(d) for d in client.get("/api/docs").json()]
    assert len(docs) >= 5
    cite = client.post("/api/ask", json={"question": QUESTION}).json()["citations"][0]
    view = client.get(f"/api/docs/{cite['doc_id']}", params={"quote": cite["quote"]}).json()  # no offsets given
    h = view["highlight"]
    assert view["text"][h["start"]:h["end"]] == cite["quote"]
    assert (h["start"], h["end"]) == (cite["start"], cite["end"])
    loose = client.get(f"/api/docs/{cite['doc_id'][:8]}", params={"quote": " ".join(cite["quote"])}).json()
    assert loose["highlight"] is not None  # a quote whose whitespace differs is still found
    assert client.get(f"/api/docs/{cite['doc_id']}", params={"quote": "这句话不在文中"}).json()["highlight"] is None
    assert_error(client.get("/api/docs/ffffffffffff"), 404, "not_found")


def test_upload_docx_is_indexed_listed_and_deletable(client: httpx.Client, live: LiveServer, tmp_path: Path) -> None:
    path = report_docx(tmp_path / "r.docx", "塘厦镇", ["2025年经济社会发展的主要预期目标是：地区生产总值增长6%左右。"])
    r = client.post("/api/ingest", files=[("files", ("../../塘厦 报告;rm -rf.docx", path.read_bytes()))])
    assert r.status_code == 202
    job = wait_job(client, r.json()["id"])
    assert job["state"] == "done" and job["result"]["added"] == 1 and job["total"] == 1
    doc = next(d for d in client.get("/api/docs").json() if d["place"] == "塘厦镇")
    source = Path(doc["source"])
    uploads = (live.session.settings.home / "uploads").resolve()
    assert source.parent == uploads and source.name.endswith("-塘厦_报告_rm_-rf.docx")
    assert client.post("/api/ask", json={"question": "塘厦2025年GDP目标"}).json()["answer"].find("6%") >= 0
    removed = client.delete(f"/api/docs/{doc['doc_id']}").json()
    assert removed == {"doc_id": doc["doc_id"], "removed": True}
    assert not source.exists()  # the uploaded copy goes with it
    assert_error(client.delete(f"/api/docs/{doc['doc_id']}"), 404, "not_found")
    assert all(d["place"] != "塘厦镇" for d in client.get("/api/docs").json())


def test_uploads_that_are_not_indexed_are_deleted(client: httpx.Client, live: LiveServer, tmp_path: Path) -> None:
    uploads = live.session.settings.home / "uploads"
    before = set(uploads.iterdir()) if uploads.exists() else set()
    seed = next(p for p in sorted(live.session.settings.corpus.rglob("*")) if p.suffix in (".md", ".txt"))
    files = [("files", ("copy-of-a-seed" + seed.suffix, seed.read_bytes())),  # a duplicate of an indexed document
             ("files", ("broken.pdf", b"%PDF-1.4 not really a pdf")),  # refused by the loader
             ("files", ("kept.txt", "2025年麻涌镇政府工作报告\n\n麻涌镇推进工作。".encode()))]
    job = wait_job(client, client.post("/api/ingest", files=files).json()["id"])
    assert job["state"] == "done" and job["result"]["duplicates"] == 1 and len(job["result"]["skipped"]) == 1
    again = wait_job(client, client.post("/api/ingest", files=files[2:]).json()["id"])
    assert again["result"]["unchanged"] == 1  # the same upload again is the same file, kept once
    added = {p.name for p in set(uploads.iterdir()) - before}
    assert len(added) == 1 and next(iter(added)).endswith("-kept.txt"), added


def test_upload_limits_and_names(client: httpx.Client, live: LiveServer) -> None:
    assert_error(client.post("/api/ingest", files=[("files", ("x.exe", b"MZ"))]), 400, "usage")
    assert_error(client.post("/api/ingest", files=[("files", ("empty.txt", b""))]), 400, "usage")
    assert_error(client.post("/api/ingest", content=b"x", headers={"content-type": "text/plain"}), 400, "usage")
    state = live.server.config.app.state.ragtool
    before = state.limits
    state.limits = Limits(max_upload_bytes=4096, max_upload_files=2)
    try:
        assert_error(client.post("/api/ingest", files=[("files", ("big.txt", "长" * 5000))]), 413, "too_large")
        few = [("files", (f"{i}.txt", b"2025")) for i in range(3)]
        assert_error(client.post("/api/ingest", files=few), 413, "too_large")
        state.limits = Limits(max_upload_bytes=4096, max_upload_files=5, max_request_bytes=6000)
        two = [("files", (f"half{i}.txt", "长" * 1300)) for i in range(2)]
        assert "per request" in assert_error(client.post("/api/ingest", files=two), 413, "too_large")
        one_empty = [("files", ("first.txt", "2025年第一镇通知。")), ("files", ("second.txt", b""))]
        assert_error(client.post("/api/ingest", files=one_empty), 400, "usage")
    finally:
        state.limits = before
    written = {p.name for p in (live.session.settings.home / "uploads").glob("*")} if (
        live.session.settings.home / "uploads").exists() else set()
    assert not any(n.endswith(("big.txt", "x.exe", "empty.txt", "half0.txt", "first.txt")) for n in written)


def test_ingest_server_side_paths_stay_in_the_corpus(client: httpx.Client, live: LiveServer) -> None:
    corpus = live.session.settings.corpus
    (corpus / "more").mkdir()
    (corpus / "more" / "石碣.md").write_text("# 2025年石碣镇政府工作报告\n\n石碣镇2025年地区生产总值增长5%。\n",
                                           encoding="utf-8")
    r = client.post("/api/ingest", json={"paths": ["more"]})
    job = wait_job(client, r.json()["id"])
    assert job["result"]["added"] == 1
    assert any(d["place"] == "石碣镇" for d in client.get("/api/docs").json())
    assert_error(client.post("/api/ingest", json={"paths": ["../"]}), 400, "usage")
    assert_error(client.post("/api/ingest", json={"paths": ["/etc"]}), 400, "usage")
    assert_error(client.post("/api/ingest", json={"paths": ["nope"]}), 404, "not_found")


def test_job_progress_streams_as_server_sent_events(client: httpx.Client, tmp_path: Path) -> None:
    files = [("files", (f"n{i}.txt", f"2025年第{i}号测试镇通知\n\n测试镇召开会议{i}。".encode())) for i in range(3)]
    job = client.post("/api/ingest", files=files).json()
    events = []
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert events[-1]["state"] == "done" and events[-1]["result"]["files"] == 3
    assert_error(client.get("/api/jobs/nope"), 404, "not_found")


def test_reads_go_on_during_an_ingest(client: httpx.Client, live: LiveServer) -> None:
    files = [("files", (f"bulk{i}.txt", ("2025年测试镇会议纪要。" + "测试镇推进工作。" * 400 + f"{i}").encode()))
             for i in range(4)]
    job = client.post("/api/ingest", files=files).json()
    answers = []
    while client.get(f"/api/jobs/{job['id']}").json()["state"] in ("queued", "running"):
        answers.append(client.post("/api/ask", json={"question": QUESTION}).json())
        docs = client.get("/api/docs").json()
        assert all(d["chunks"] > 0 for d in docs)  # only whole documents are ever listed
    assert wait_job(client, job["id"])["state"] == "done"
    assert all("5.5%" in a["answer"] for a in answers)


# ---- summaries, figures, eval -----------------------------------------------------------------------


def test_summary_and_figures(client: httpx.Client) -> None:
    doc = next(d for d in client.get("/api/docs").json() if d["title"] == "2025年凤岗镇政府工作报告")
    summary = DocumentSummary.model_validate(client.get(f"/api/summaries/{doc['doc_id']}").json())
    assert summary.doc_id == doc["doc_id"] and summary.key_figures and all(f.quote for f in summary.key_figures)
    rows = client.get("/api/figures", params={"indicator": "地区生产总值", "place": "凤岗"}).json()
    assert rows and all(r["indicator"] == "地区生产总值" and r["place"] == "凤岗镇" for r in rows)
    csv = client.get("/api/figures", params={"format": "csv", "indicator": "地区生产总值"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("doc_id,place,date,kind,indicator") and len(lines) > len(rows)
    assert_error(client.get("/api/summaries/ffffffffffff"), 404, "not_found")


def test_eval_runs_a_suite_and_its_report(client: httpx.Client) -> None:
    suites = client.get("/api/eval/suites").json()
    assert "seeds.jsonl" in suites
    job = client.post("/api/eval", json={"suite": "seeds.jsonl", "filter": "s001"}).json()
    done = wait_job(client, job["id"])
    assert done["state"] == "done", done
    run = done["result"]
    assert run["metrics"]["cases"] == 1 and run["metrics"]["passed"] == 1
    report = client.get(f"/api/eval/{job['id']}/report.html")
    assert report.status_code == 200 and "ragtool eval" in report.text and "attachment" in report.headers["content-disposition"]
    assert_error(client.post("/api/eval", json={"suite": "../../etc/passwd"}), 400, "usage")


# ---- safety: token, host, headers -------------------------------------------------------------------


def test_token_rule(tmp_path: Path) -> None:
    server = start_server(tmp_path, token="s3cret-token", loopback_only=False)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            assert_error(c.get("/api/health"), 401, "unauthorized")
            assert_error(c.post("/api/ask", json={"question": QUESTION}), 401, "unauthorized")
            assert_error(c.get("/api/docs", headers={"authorization": "Bearer wrong"}), 401, "unauthorized")
            auth = {"authorization": "Bearer s3cret-token"}
            assert c.get("/api/health", headers=auth).json()["auth"] is True
            assert "5.5%" in c.post("/api/ask", json={"question": QUESTION}, headers=auth).json()["answer"]
            page = c.get("/")  # the page itself loads, then asks for the token once
            assert page.status_code == 200 and "token-dialog" in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
    finally:
        server.stop()


def test_loopback_server_refuses_foreign_host_names(client: httpx.Client) -> None:
    assert_error(client.get("/api/health", headers={"host": "attacker.example:8000"}), 403, "forbidden")
    assert client.get("/api/health", headers={"host": "localhost:8000"}).status_code == 200


def test_non_loopback_bind_needs_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RAGTOOL_SERVE_TOKEN"} | {"RAGTOOL_HOME": str(tmp_path / "h")}
    r = subprocess.run([sys.executable, "-m", "ragtool", "serve", "--host", "0.0.0.0", "--port", "0"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert "RAGTOOL_SERVE_TOKEN" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "h").exists()  # refused before anything is opened


def test_serve_prints_its_url_and_stops_on_ctrl_c(tmp_path: Path, store_backend: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# 2025年凤岗镇政府工作报告\n\n凤岗镇地区生产总值增长5.5%左右。\n", encoding="utf-8")
    env = os.environ | {"RAGTOOL_HOME": str(tmp_path / "h"), "RAGTOOL_CORPUS": str(corpus), "RAGTOOL_EMBEDDER": "hash"}
    proc = subprocess.Popen([sys.executable, "-m", "ragtool", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("ragtool serve: http://127.0.0.1:"), line
        url = line.split()[2]
        assert httpx.get(url + "api/health", timeout=10).json()["documents"] == 1
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "stopped" in stderr and "Traceback" not in stderr


def test_api_and_cli_json_have_the_same_shapes(client: httpx.Client, live: LiveServer) -> None:
    """GET /api/docs lists what `ragtool docs --json` prints; both come from the one Session."""
    settings = live.session.settings
    env = os.environ | {"RAGTOOL_HOME": str(settings.home), "RAGTOOL_EMBEDDER": "hash",
                        "RAGTOOL_COLLECTION": settings.collection}
    if settings.chroma_url:
        env["RAGTOOL_CHROMA_URL"] = settings.chroma_url
    cli = subprocess.run([sys.executable, "-m", "ragtool", "docs", "--json"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == client.get("/api/docs").json()
    session: Session = live.session
    first = session.documents()[0]
    assert session.document(first.doc_id[:8]).meta == first
    with pytest.raises(Exception, match="no indexed document"):
        session.document("ffffffffffff")


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
           stdin: str | None = None) -> tuple[subprocess.Popen[str], str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.md").write_text("# 2025年凤岗镇政府工作报告\n\n凤岗镇地区生产总值增长5.5%左右。\n", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if k != "RAGTOOL_SERVE_TOKEN"}
    full = base | {"RAGTOOL_HOME": str(tmp_path / "h"), "RAGTOOL_CORPUS": str(corpus), "RAGTOOL_EMBEDDER": "hash"}
    source = tmp_path / "stdin.txt"
    source.write_text(stdin or "", encoding="utf-8")
    with source.open(encoding="utf-8") as given:
        proc = subprocess.Popen([sys.executable, "-m", "ragtool", "serve", "--port", "0", *args], stdin=given,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full | (env or {}))
    assert proc.stdout is not None
    return proc, proc.stdout.readline()


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "Traceback" not in stderr
    return stderr


def test_a_loopback_host_other_than_127_0_0_1_answers_at_the_url_it_announces(tmp_path: Path) -> None:
    proc, line = _serve(tmp_path, "--host", "127.0.0.2")
    try:
        assert line.startswith("ragtool serve: http://127.0.0.2:"), line
        url = line.split()[2]
        assert httpx.get(url + "api/health", timeout=10).status_code == 200
        assert httpx.get(url + "api/health", headers={"host": "evil.example"}, timeout=10).status_code == 403
    finally:
        _stop(proc)


def test_the_token_comes_from_a_file_stdin_or_the_environment_never_argv(tmp_path: Path) -> None:
    secret = "file-token-0123456789"
    (tmp_path / "token").write_text(secret + "\n", encoding="utf-8")
    for args, env, stdin in ((["--token-file", str(tmp_path / "token")], None, None),
                             (["--token-file", "-"], None, secret + "\n"),
                             ([], {"RAGTOOL_SERVE_TOKEN": secret}, None)):
        proc, line = _serve(tmp_path, "--host", "0.0.0.0", *args, env=env, stdin=stdin)
        try:
            url = line.split()[2]
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                assert secret.encode() not in f.read()  # not visible in `ps`
            assert httpx.get(url + "api/health", timeout=10).status_code == 401
            auth = {"authorization": f"Bearer {secret}"}
            assert httpx.get(url + "api/health", headers=auth, timeout=10).json()["auth"] is True
            announced = line + proc.stdout.readline() if proc.stdout else line
            assert secret not in announced and "…" in announced  # masked
        finally:
            _stop(proc)
    proc, line = _serve(tmp_path, "--host", "0.0.0.0", "--token", secret)
    stderr = _stop(proc)
    assert "--token is visible" in stderr and secret not in stderr
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    proc, line = _serve(tmp_path, "--token-file", str(empty))
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "is empty" in stderr and "Traceback" not in stderr
