"""`ragtool serve`'s reader processes (ragtool.serve.readers): new questions answered in parallel by other processes,
through a real uvicorn, with the same answers as the server process gives; a reader that dies is replaced."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import LiveServer, start_server

from ragtool.serve.readers import answer_bytes
from ragtool.serve.schemas import AskRequest
from ragtool.serve.state import State

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [json.loads(line)["question"] for line in (REPO / "evals" / "seeds.jsonl").read_text("utf-8").splitlines()
             if line.strip()][:16]


def state(live: LiveServer) -> State:
    st: State = live.server.config.app.state.ragtool
    return st


def wait_ready(live: LiveServer) -> None:
    readers = state(live).readers
    assert readers is not None, "the server started no readers"
    deadline = time.monotonic() + 180
    while not readers.ready:
        assert time.monotonic() < deadline, "reader processes did not start"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("serve_readers"), readers=True)
    wait_ready(server)
    yield server
    server.stop()


def without_timings(raw: bytes | str) -> dict[str, Any]:
    data = json.loads(raw)
    data["usage"].pop("seconds", None)
    return dict(data)


def ask(c: httpx.Client, question: str) -> httpx.Response:
    return c.post("/api/ask", json={"question": question, "engine": "extractive", "context": True})


def test_readers_answer_as_the_server_process_does_in_parallel(live: LiveServer) -> None:
    readers = state(live).readers
    assert readers is not None and len(readers.pids()) == 2 and os.getpid() not in readers.pids()
    with httpx.Client(base_url=live.url, timeout=120) as c:
        c.headers["X-Ragtool-CSRF"] = c.get("/api/csrf").json()["csrf"]
        with ThreadPoolExecutor(8) as pool:  # 8 clients, every question new to the server
            got = list(pool.map(lambda q: ask(c, q), QUESTIONS))
    assert [r.status_code for r in got] == [200] * len(QUESTIONS)
    for question, r in zip(QUESTIONS, got, strict=True):
        body = AskRequest(question=question, engine="extractive", context=True)
        assert without_timings(r.content) == without_timings(answer_bytes(live.session, body)), question


def test_a_reader_error_is_the_json_error_of_the_server(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=120) as c:
        c.headers["X-Ragtool-CSRF"] = c.get("/api/csrf").json()["csrf"]
        r = c.post("/api/ask", json={"question": "GDP目标", "doc": "no-such-document"})
    assert r.status_code in (400, 404) and r.json()["error"]["message"]


def test_a_killed_reader_is_replaced_and_the_question_answered(live: LiveServer) -> None:
    readers = state(live).readers
    assert readers is not None
    before = readers.pids()
    os.kill(before[0], signal.SIGKILL)
    time.sleep(0.5)
    with httpx.Client(base_url=live.url, timeout=180) as c:
        c.headers["X-Ragtool-CSRF"] = c.get("/api/csrf").json()["csrf"]
        r = ask(c, "凤岗镇2025年地区生产总值增长目标是多少")
        assert r.status_code == 200, r.text
        assert "5.5%" in r.json()["answer"]
        wait_ready(live)
        after = readers.pids()
        assert after and before[0] not in after
        assert ask(c, "凤岗镇党委书记是谁").status_code == 200


NEW_REPORT = """白鹭湾镇2026年政府工作报告

2025年，白鹭湾镇实现地区生产总值58.6亿元，增长6.2%。全年新建蓝莓种植基地3200亩，带动农户增收。
"""
BLUEBERRY = ["白鹭湾镇新建蓝莓种植基地多少亩", "请问白鹭湾镇新建了多少亩蓝莓种植基地", "白鹭湾镇蓝莓种植基地新建多少亩",
             "白鹭湾镇2025年新建的蓝莓种植基地有多少亩"]


def test_readers_answer_from_a_document_committed_after_they_opened_and_not_from_a_removed_one(
    live: LiveServer, tmp_path: Path
) -> None:
    wait_ready(live)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "白鹭湾镇.txt").write_text(NEW_REPORT, encoding="utf-8")
    live.session.ingest([tmp_path / "new"])  # the server's own ingest, as POST /api/ingest runs it
    doc = next(m.doc_id for m in live.session.documents() if "白鹭湾" in m.title + m.source)
    with httpx.Client(base_url=live.url, timeout=120) as c:
        c.headers["X-Ragtool-CSRF"] = c.get("/api/csrf").json()["csrf"]
        with ThreadPoolExecutor(4) as pool:  # both readers get some
            got = list(pool.map(lambda q: ask(c, q), BLUEBERRY))
        for r in got:
            assert r.status_code == 200, r.text
            assert "3200" in r.json()["answer"] and doc in {x["doc_id"] for x in r.json()["citations"]}
        assert c.delete(f"/api/docs/{doc}").status_code == 200
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda q: ask(c, "麻烦查一下" + q), BLUEBERRY))
        for r in got:
            assert r.status_code == 200, r.text
            assert "3200" not in r.json()["answer"]
            assert not any(x["doc_id"] == doc for x in r.json()["context"] + r.json()["citations"])


def test_stopping_the_server_stops_its_readers(tmp_path: Path) -> None:
    server = start_server(tmp_path, readers=True)
    wait_ready(server)
    readers = state(server).readers
    assert readers is not None
    pids = readers.pids()
    server.stop()
    assert pids and not any(alive(pid) for pid in pids)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
