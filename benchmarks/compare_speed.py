"""Compare speed over 31 places (issue 23 item 2): `ragtool compare` warm in one Session and as a cold CLI process.

The corpus is the 15 provincial reports (evals/provincial/docs) and 16 city/county reports (evals/cities/docs, one
per place), copied into benchmarks/out/compare31-docs; the index is built once per embedder in
benchmarks/out/homes/<embedder>-compare31 and reused.

* warm: one Session, the first compare of each question not counted, then --runs compares: median and p95, with how
  many query embeddings and Chroma calls one compare makes;
* cold: `python -m ragtool compare QUESTION` in a fresh process (--cold-runs, median wall and CPU seconds);
* each row beside the machine's 1-minute load average (a shared 2-core machine: read the ratios, not one figure).

    python benchmarks/compare_speed.py --embedder local --label before
    python benchmarks/compare_speed.py --embedder local --label after      # also prints the `before` rows beside

Goal (issue 23): <= 2 s warm, <= 4 s cold, local embedder. Writes benchmarks/out/compare_speed-<embedder>-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from typing import Any

from common import OUT, REPO, clean_env, median, percentile, print_table, write_json

DOCS = OUT / "compare31-docs"
QUESTIONS = ("2026年地区生产总值增长目标", "省长是谁")
SUPERLATIVE = "哪个省2026年地区生产总值增长目标最高"
CITY_SKIP = ("_2025", "_targets", "_party")  # a second document of a place already in
GOAL_WARM_S, GOAL_COLD_S = 2.0, 4.0


def corpus() -> None:
    """15 provincial reports and the first 16 city reports of distinct places."""
    if DOCS.is_dir() and len(list(DOCS.glob("*.txt"))) == 31:
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    for p in sorted((REPO / "evals" / "provincial" / "docs").glob("*.txt")):
        shutil.copy(p, DOCS / p.name)
    cities = [p for p in sorted((REPO / "evals" / "cities" / "docs").glob("*.txt")) if not any(s in p.stem for s in CITY_SKIP)]
    for p in cities[:16]:
        shutil.copy(p, DOCS / f"city_{p.name}")


def load() -> float:
    return round(os.getloadavg()[0], 2)


def counted(session: Any) -> dict[str, int]:
    """Count the session's query embeddings and Chroma calls (wrappers on this session's objects only)."""
    counts = {"embed": 0, "chroma": 0}
    embedder, store = session.corpus.embedder, session.corpus.store
    embed, safe = embedder.embed_query, store._safe

    def embed_query(text: str) -> Any:
        counts["embed"] += 1
        return embed(text)

    def chroma(fn: Any, writing: bool = False) -> Any:
        counts["chroma"] += 1
        return safe(fn, writing)

    embedder.embed_query = embed_query
    store._safe = chroma
    return counts


def warm(embedder: str, runs: int) -> list[dict[str, Any]]:
    from ragtool.api import Session
    from ragtool.config import Settings

    session = Session(Settings(home=OUT / "homes" / f"{embedder}-compare31", corpus=DOCS, embedder=embedder), sync=False)
    counts = counted(session)
    out = []
    for question in (*QUESTIONS, SUPERLATIVE):
        def once(q: str = question) -> tuple[float, int]:
            t = time.perf_counter()
            if q == SUPERLATIVE:
                rows = session.ask(q, engine="extractive").comparison
            else:
                rows = session.compare(q, engine="extractive")
            return time.perf_counter() - t, sum(r.status != "not_found" for r in rows)

        start = dict(counts)
        first, answered = once()
        before = dict(counts)
        times = [once()[0] for _ in range(runs)]
        out.append({"question": ("ask: " if question == SUPERLATIVE else "") + question, "answered": answered,
                    "first_s": round(first, 3), "warm_p50_s": round(median(times), 3),
                    "warm_p95_s": round(percentile(times, 95), 3),
                    "first_embeds": before["embed"] - start["embed"], "first_chroma_calls": before["chroma"] - start["chroma"],
                    "embeds": (counts["embed"] - before["embed"]) / runs,
                    "chroma_calls": (counts["chroma"] - before["chroma"]) / runs, "load": load()})
    return out


def cold(embedder: str, runs: int) -> list[dict[str, Any]]:
    env = clean_env(RAGTOOL_HOME=str(OUT / "homes" / f"{embedder}-compare31"), RAGTOOL_CORPUS=str(DOCS),
                    RAGTOOL_EMBEDDER=embedder)
    out = []
    for question in (QUESTIONS[0], SUPERLATIVE):
        cmd = [sys.executable, "-m", "ragtool", *(["ask"] if question == SUPERLATIVE else ["compare"]), question,
               "--engine", "extractive", "--json"]
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=True, cwd=OUT)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        out.append({"question": ("ask: " if question == SUPERLATIVE else "") + question, "runs": runs,
                    "cold_p50_s": round(median(walls), 3), "cold_cpu_p50_s": round(median(cpus), 3), "load": load()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="local", choices=["local", "hash"])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per question (default 5)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold CLI runs per question (default 3)")
    parser.add_argument("--label", default="after", help="name of this measurement (before/after)")
    parser.add_argument("--markdown", action="store_true", help="also print the tables as Markdown")
    args = parser.parse_args()

    from ragtool.api import record_sync
    from ragtool.config import Settings
    from ragtool.ingest.pipeline import ingest_paths

    corpus()
    settings = Settings(home=OUT / "homes" / f"{args.embedder}-compare31", corpus=DOCS, embedder=args.embedder)
    ingest_paths([DOCS], settings)
    record_sync(settings)  # the CLI runs find the corpus synced
    results = {"label": args.label, "embedder": args.embedder, "warm": warm(args.embedder, args.runs),
               "cold": cold(args.embedder, args.cold_runs)}
    write_json(f"compare_speed-{args.embedder}-{args.label}", results)
    labels = [args.label]
    other = OUT / f"compare_speed-{args.embedder}-before.json"
    if args.label != "before" and other.exists():
        labels.insert(0, "before")
    every = {lab: results if lab == args.label else json.loads((OUT / f"compare_speed-{args.embedder}-{lab}.json").read_text("utf-8"))
             for lab in labels}
    print_table(f"compare over 31 places, warm in one Session · {args.embedder} embedder · medians of {args.runs} runs "
                f"(goal ≤ {GOAL_WARM_S:g} s)",
                ["question", "run", "answered", "first s", "warm p50 s", "warm p95 s", "embeds first / warm",
                 "Chroma calls first / warm", "load 1 min"],
                [[r["question"], lab, r["answered"], r["first_s"], r["warm_p50_s"], r["warm_p95_s"],
                  f"{r.get('first_embeds', '?')} / {r['embeds']:g}", f"{r.get('first_chroma_calls', '?')} / {r['chroma_calls']:g}",
                  r["load"]] for lab in labels for r in every[lab]["warm"]])
    print_table(f"compare over 31 places as a cold CLI process · {args.embedder} embedder (goal ≤ {GOAL_COLD_S:g} s)",
                ["question", "run", "runs", "wall p50 s", "CPU p50 s", "load 1 min"],
                [[r["question"], lab, r["runs"], r["cold_p50_s"], r["cold_cpu_p50_s"], r["load"]]
                 for lab in labels for r in every[lab]["cold"]])


if __name__ == "__main__":
    main()
