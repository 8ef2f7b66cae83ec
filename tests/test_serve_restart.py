"""Accepted means kept: uploads a `ragtool serve` process accepted (202) are ingested even when it is killed with
SIGKILL right after; job state survives the restart, or says plainly what was lost. Real processes, real kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ragtool.config import Settings
from ragtool.index.corpus import Corpus

TOWNS = ["塘厦镇", "石碣镇", "清溪镇", "樟木头镇", "黄江镇", "谢岗镇"]
UPLOADS = len(TOWNS)


def serve(home: Path, corpus: Path) -> tuple[subprocess.Popen[str], str]:
    env = os.environ | {"RAGTOOL_HOME": str(home), "RAGTOOL_CORPUS": str(corpus), "RAGTOOL_EMBEDDER": "hash"}
    env.pop("RAGTOOL_SERVE_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "ragtool", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("ragtool serve: http://"), line + (proc.stderr.read() if proc.stderr else "")
    return proc, line.split()[2].rstrip("/")


def report(i: int) -> bytes:
    place = TOWNS[i]
    return (f"2025年{place}政府工作报告\n\n{place}2025年地区生产总值增长{i + 1}%左右。\n\n"
            + f"{place}推进各项工作，持续优化营商环境。\n" * 3000).encode()


def test_uploads_accepted_before_a_kill_are_ingested_after_the_restart(tmp_path: Path) -> None:
    home, corpus = tmp_path / "home", tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# 2025年凤岗镇政府工作报告\n\n凤岗镇地区生产总值增长5.5%左右。\n", encoding="utf-8")
    proc, url = serve(home, corpus)
    try:
        csrf = {"X-Ragtool-CSRF": httpx.get(f"{url}/api/csrf").json()["csrf"]}
        accepted = []
        for i in range(UPLOADS):
            r = httpx.post(f"{url}/api/ingest", files=[("files", (f"r{i}.txt", report(i)))], headers=csrf, timeout=60)
            assert r.status_code == 202, r.text
            accepted.append(r.json()["id"])
        lost_eval = httpx.post(f"{url}/api/eval", json={"suite": "seeds.jsonl"}, headers=csrf, timeout=60)
        assert lost_eval.status_code == 202
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in (home / "serve" / "jobs").glob("*.json")]
    unfinished = [r for r in records if r["job"]["state"] in ("queued", "running")]
    assert len(records) == UPLOADS + 1 and unfinished  # the kill did land before the work was done

    proc, url = serve(home, corpus)
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            deadline = time.monotonic() + 180
            jobs = []
            while time.monotonic() < deadline:
                jobs = [c.get(f"/api/jobs/{job_id}").json() for job_id in accepted]
                if all(j.get("state") in ("done", "failed") for j in jobs):
                    break
                time.sleep(0.3)
            assert all(j["state"] == "done" for j in jobs), jobs  # every accepted upload was ingested
            assert any("resumed after a server restart" in j["note"] for j in jobs)
            titles = " ".join(d["title"] for d in c.get("/api/docs", headers={"accept": "application/json"}).json())
            assert all(town in titles for town in TOWNS), titles
            answer = c.post("/api/ask", json={"question": f"{TOWNS[2]}2025年GDP目标"},
                            headers={"X-Ragtool-CSRF": c.get("/api/csrf").json()["csrf"]}).json()
            assert "3%" in answer["answer"]
            lost = c.get(f"/api/jobs/{lost_eval.json()['id']}").json()
            assert lost["state"] == "failed" and "run it again" in lost["error"]["message"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr
    uploads = sorted(p.name for p in (home / "uploads").iterdir() if not p.name.startswith("."))
    assert len(uploads) == UPLOADS  # each accepted file kept once, as its document's source
    corpus_index = Corpus(Settings(home=home, corpus=corpus, embedder="hash"))
    assert not corpus_index.store.pending_ids()  # every dense pass the kill cut short was resumed


def test_an_upload_never_accepted_is_swept_at_start(tmp_path: Path) -> None:
    """A file a killed server wrote but never answered 202 for (no job names it) is removed at the next start."""
    home, corpus = tmp_path / "home", tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# 2025年凤岗镇政府工作报告\n\n凤岗镇地区生产总值增长5.5%左右。\n", encoding="utf-8")
    (home / "uploads").mkdir(parents=True)
    orphan = home / "uploads" / "0123456789ab-orphan.txt"
    orphan.write_text("2025年孤儿镇通知。", encoding="utf-8")
    proc, url = serve(home, corpus)
    try:
        assert httpx.get(f"{url}/api/health").status_code == 200
        assert not orphan.exists()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_reader_processes_end_when_their_server_is_killed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# 2025年凤岗镇政府工作报告\n\n凤岗镇地区生产总值增长5.5%左右。\n", encoding="utf-8")
    proc, url = serve(tmp_path / "home", corpus)
    try:
        deadline = time.monotonic() + 60
        readers: list[int] = []
        while time.monotonic() < deadline and len(readers) < 2:  # serve.toml: readers = 2
            readers = [p for p in _children(proc.pid) if "ragtool" not in Path(f"/proc/{p}/cmdline").read_text()
                       or "multiprocessing" in Path(f"/proc/{p}/cmdline").read_text()]
            time.sleep(0.2)
        assert len(readers) >= 2, readers
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)  # returns only once no reader holds the server's output pipes
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in readers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in readers), "reader processes outlived their killed server"
