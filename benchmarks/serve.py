"""`ragtool serve` latency over HTTP: POST /api/ask with the seed questions (evals/seeds.jsonl), warm.

A real `ragtool serve` process (extractive engine, local embedder by default) on a free loopback port; clients are
httpx connections in threads of this process. Each scenario first asks every question once (not counted), then
sends --requests requests, the questions in turn, from 1 and from 8 concurrent clients:

* answer memory off (serve.toml `answer_cache = 0`): every request retrieves and answers;
* answer memory on (the default): a question asked before on the same index is answered from memory.

    python benchmarks/serve.py                 # local embedder (first run builds its index: about a minute)
    python benchmarks/serve.py --embedder hash --requests 300 --markdown

Goal: p95 <= 60 ms with 8 clients and 0 errors over 1,000 requests. Writes benchmarks/out/serve.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from common import OUT, REPO, SEEDS, clean_env, percentile, print_table, write_json

HOMES = OUT / "homes"
GOAL_P95_MS = 60.0


def questions() -> list[str]:
    lines = (REPO / "evals" / "seeds.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(line)["question"] for line in lines if line.strip()]
    return list(dict.fromkeys(out))


def start(embedder: str, memory: bool) -> tuple[subprocess.Popen[str], str]:
    env = clean_env(RAGTOOL_HOME=str(HOMES / f"serve-{embedder}"), RAGTOOL_CORPUS=str(SEEDS),
                    RAGTOOL_EMBEDDER=embedder)
    if not memory:
        data = Path(tempfile.mkdtemp(prefix="ragtool_serve_bench_"))
        (data / "serve.toml").write_text("[limits]\nanswer_cache = 0\n", encoding="utf-8")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="local", choices=["local", "hash"])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--markdown", action="store_true", help="Also print the table as Markdown.")
    args = parser.parse_args()
    qs = questions()
    results = []
    for memory in (False, True):
        proc, url = start(args.embedder, memory)
        try:
            load(url, qs, 1, len(qs))  # warm: every question once
            for clients in (1, 8):
                r = load(url, qs, clients, args.requests)
                results.append({"answer memory": "on" if memory else "off", **r})
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    columns = ["answer memory", "clients", "requests", "errors", "p50_ms", "p95_ms", "max_ms", "per_s"]
    print_table(f"ragtool serve, POST /api/ask, {len(qs)} seed questions, extractive, {args.embedder} embedder",
                columns, [[r[c] for c in columns] for r in results])
    worst = max(r["p95_ms"] for r in results if r["clients"] == 8)
    print(f"goal p95 <= {GOAL_P95_MS:g} ms with 8 clients: worst {worst:g} ms "
          f"({'met' if worst <= GOAL_P95_MS else 'missed'}), errors {sum(r['errors'] for r in results)}")
    path = write_json("serve", {"embedder": args.embedder, "questions": len(qs), "results": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
