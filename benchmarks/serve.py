"""`ragtool serve` latency over HTTP: POST /api/ask with the seed questions (evals/seeds.jsonl), warm.

A real `ragtool serve` process (extractive engine, local embedder by default) on a free loopback port; clients are
httpx connections in threads of this process. Each scenario first asks every question once (not counted), then
sends --requests requests, the questions in turn, from 1 and from 8 concurrent clients:

* answer memory off (serve.toml `answer_cache = 0`): every request retrieves and answers;
* answer memory on (the default): a question asked before on the same index is answered from memory.

    python benchmarks/serve.py                 # local embedder (first run builds its index: about a minute)
    python benchmarks/serve.py --embedder hash --requests 300 --markdown

Then new questions (each seed question with one of several openings, so none is in the answer memory) from 1, 8
and 32 clients, without and with a `ragtool ingest` running beside, for serve.toml `readers` 0 (the server process
answers) and 2 (reader processes):

    python benchmarks/serve.py --only-new --embedder local --new-requests 100 --runs 3

Each scenario serves a fresh copy of the seeds' index (so the ingests of earlier runs do not grow it); with --runs,
the scenarios are repeated in turn and the table shows medians, beside the range of the 1-minute load average.

Goals: p95 <= 60 ms with 8 clients and 0 errors over 1,000 requests (answer memory); new questions with 8 clients
p95 <= 250 ms and >= 1.8x one client's throughput, with an ingest p95 <= 600 ms. Writes benchmarks/out/serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from common import OUT, REPO, SEEDS, clean_env, median, percentile, print_table, write_json

HOMES = OUT / "homes"
GOAL_P95_MS = 60.0
GOAL_NEW_P95_MS, GOAL_INGEST_P95_MS = 250.0, 600.0


def questions() -> list[str]:
    lines = (REPO / "evals" / "seeds.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(line)["question"] for line in lines if line.strip()]
    return list(dict.fromkeys(out))


def start(embedder: str, limits: str = "", home: Path | None = None) -> tuple[subprocess.Popen[str], str]:
    """`ragtool serve` over the seeds, with `limits` as its serve.toml [limits] lines (answer_cache = 0, readers = 2)."""
    env = clean_env(RAGTOOL_HOME=str(home or HOMES / f"serve-{embedder}"), RAGTOOL_CORPUS=str(SEEDS),
                    RAGTOOL_EMBEDDER=embedder)
    if limits:
        data = Path(tempfile.mkdtemp(prefix="ragtool_serve_bench_"))
        (data / "serve.toml").write_text(f"[limits]\n{limits}\n", encoding="utf-8")
        env["RAGTOOL_DATA_DIR"] = str(data)
    proc = subprocess.Popen([sys.executable, "-m", "ragtool", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ragtool serve: "):
        proc.kill()
        raise SystemExit(f"ragtool serve did not start: {line}{proc.stderr.read() if proc.stderr else ''}")
    return proc, line.split()[2].rstrip("/")


def load(url: str, qs: list[str], clients: int, requests: int) -> dict[str, Any]:
    """Send `requests` asks from `clients` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def client() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=30) as c:
            c.headers["X-Ragtool-CSRF"] = c.get("/api/csrf").json()["csrf"]  # every POST carries it
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                t0 = time.perf_counter()
                try:
                    ok = c.post("/api/ask", json={"question": qs[n % len(qs)], "engine": "extractive"}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(ms)
                    errors += not ok

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for f in [pool.submit(client) for _ in range(clients)]:
            f.result()
    wall = time.perf_counter() - t0
    return {"clients": clients, "requests": len(latencies), "errors": errors,
            "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies), 1), "per_s": round(len(latencies) / wall, 1)}


PREFIXES = ("", "请问", "我想知道", "请告诉我", "麻烦查一下", "帮我看看", "想了解", "问一下", "查询", "请帮我查")


def new_questions(qs: list[str]) -> list[str]:
    """Distinct questions the server has not seen: each seed question with one of several polite openings."""
    return [p + q for p in PREFIXES for q in qs]


def ingest_beside(embedder: str, n: int, home: Path) -> subprocess.Popen[bytes]:
    """`ragtool ingest` of the devcorpus reports (each made new with a line of its own) into the served index."""
    folder = Path(tempfile.mkdtemp(prefix="ragtool_serve_ingest_"))
    for p in sorted((REPO / "evals" / "devcorpus" / "docs").glob("*.txt")):
        (folder / p.name).write_text(p.read_text("utf-8") + f"\n（第{n}次载入 {time.time()}）\n", encoding="utf-8")
    env = clean_env(RAGTOOL_HOME=str(home), RAGTOOL_CORPUS=str(SEEDS), RAGTOOL_EMBEDDER=embedder)
    return subprocess.Popen([sys.executable, "-m", "ragtool", "ingest", str(folder)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)


def seeds_home(embedder: str) -> Path:
    """The seeds indexed once (HOMES/serve-<embedder>); each new-question scenario serves a copy of it, so that
    every scenario and every run starts from the same index, whatever earlier ingests added."""
    base = HOMES / f"serve-{embedder}"
    if not (base / "sync.json").exists():
        env = clean_env(RAGTOOL_HOME=str(base), RAGTOOL_CORPUS=str(SEEDS), RAGTOOL_EMBEDDER=embedder)
        subprocess.run([sys.executable, "-m", "ragtool", "ask", "--json", "GDP目标"], env=env, check=False,
                       capture_output=True)  # syncs the corpus: both passes
        subprocess.run([sys.executable, "-m", "ragtool", "ingest"], env=env, check=True, capture_output=True)
    return base


def new_question_runs(args: argparse.Namespace, qs: list[str]) -> list[dict[str, Any]]:
    """New questions (answer memory on, every question distinct) from 1, 8 and 32 clients, without and with an
    ingest running beside, with the server process answering (readers = 0) and with reader processes."""
    fresh = iter(new_questions(qs)[len(qs):] * (args.runs + 1))
    results = []
    base = seeds_home(args.embedder)
    # the runs with an ingest last: a stopped ingest leaves documents waiting for their dense pass
    scenarios = [(i, r) for i in (False, True) for r in args.readers]
    for run, (ingest, readers) in [(n, sc) for n in range(args.runs) for sc in scenarios]:
        home = Path(tempfile.mkdtemp(prefix="ragtool_serve_home_")) / "home"
        shutil.copytree(base, home)
        proc, url = start(args.embedder, f"readers = {readers}", home)
        try:
            load(url, qs, 1, len(qs))  # warm, and readers up: the plain seed questions once
            time.sleep(20 if readers else 0)  # the readers start beside the warm-up
            for clients in args.clients:
                batch = [q for _, q in zip(range(args.new_requests), fresh, strict=False)]
                writer = ingest_beside(args.embedder, len(results), home) if ingest else None
                if writer is not None:
                    time.sleep(2)  # its lexical pass is under way
                try:
                    r = load(url, batch, clients, len(batch))
                finally:
                    if writer is not None:
                        writer.terminate()
                        writer.wait(timeout=30)
                results.append({"run": run, "readers": readers, "ingest": "yes" if ingest else "no", "load_1min":
                                round(os.getloadavg()[0], 2), **r})
                print(f"  run {run} readers {readers} ingest {ingest} clients {clients}: {r}", file=sys.stderr)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(home.parent, ignore_errors=True)
    return results


def medians(new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per scenario (readers, ingest, clients): the median of each figure over the runs, and the loads seen."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in new:
        groups.setdefault((r["readers"], r["ingest"], r["clients"]), []).append(r)
    out = []
    for (readers, ingest, clients), rs in groups.items():
        row: dict[str, Any] = {"readers": readers, "ingest": ingest, "clients": clients, "runs": len(rs)}
        for key in ("requests", "errors", "p50_ms", "p95_ms", "max_ms", "per_s"):
            row[key] = round(median([r[key] for r in rs]), 1)
        row["errors"] = sum(r["errors"] for r in rs)
        loads = sorted(r["load_1min"] for r in rs)
        row["load_1min"] = f"{loads[0]:g}–{loads[-1]:g}" if len(loads) > 1 else f"{loads[0]:g}"
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="local", choices=["local", "hash"])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--new-requests", type=int, default=100, help="new questions per scenario (default 100)")
    parser.add_argument("--clients", type=lambda v: [int(x) for x in v.split(",")], default=[1, 8, 32])
    parser.add_argument("--readers", type=lambda v: [int(x) for x in v.split(",")], default=[0, 2],
                        help="serve.toml readers to compare (default 0,2)")
    parser.add_argument("--only-new", action="store_true", help="only the new-question runs")
    parser.add_argument("--runs", type=int, default=1, help="new-question runs, interleaved; medians (default 1)")
    parser.add_argument("--markdown", action="store_true", help="Also print the table as Markdown.")
    args = parser.parse_args()
    qs = questions()
    results = []
    for memory in () if args.only_new else (False, True):
        proc, url = start(args.embedder, "" if memory else "answer_cache = 0")
        try:
            load(url, qs, 1, len(qs))  # warm: every question once
            for clients in (1, 8):
                r = load(url, qs, clients, args.requests)
                results.append({"answer memory": "on" if memory else "off", **r})
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    columns = ["answer memory", "clients", "requests", "errors", "p50_ms", "p95_ms", "max_ms", "per_s"]
    if results:
        print_table(f"ragtool serve, POST /api/ask, {len(qs)} seed questions, extractive, {args.embedder} embedder",
                    columns, [[r[c] for c in columns] for r in results])
        worst = max(r["p95_ms"] for r in results if r["clients"] == 8)
        print(f"goal p95 <= {GOAL_P95_MS:g} ms with 8 clients: worst {worst:g} ms "
              f"({'met' if worst <= GOAL_P95_MS else 'missed'}), errors {sum(r['errors'] for r in results)}")
    new = new_question_runs(args, qs)
    table = medians(new)
    base = {(r["readers"], r["ingest"]): r["per_s"] for r in table if r["clients"] == 1}
    cols = ["readers", "ingest", "clients", "runs", "errors", "p50_ms", "p95_ms", "max_ms", "per_s", "x 1 client",
            "load_1min"]
    print_table(f"ragtool serve, new questions (every one distinct), extractive, {args.embedder} embedder "
                f"(goal 8 clients: p95 <= {GOAL_NEW_P95_MS:g} ms, >= 1.8x one client; with an ingest p95 <= "
                f"{GOAL_INGEST_P95_MS:g} ms)",
                cols, [[*(r[c] for c in cols[:9]), round(r["per_s"] / base[(r["readers"], r["ingest"])], 2)
                        if base.get((r["readers"], r["ingest"])) else None, r["load_1min"]] for r in table])
    path = write_json("serve", {"embedder": args.embedder, "questions": len(qs), "results": results, "new": new,
                                "new_medians": table})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
