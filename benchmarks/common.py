"""Shared helpers for the benchmark scripts: timing statistics, peak RSS, worker processes, tables, JSON.

Each measurement that needs its own peak RSS or a cold process runs in a worker subprocess
(`python benchmarks/<script>.py --worker ...`) that prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DEVCORPUS_DOCS = REPO / "evals" / "devcorpus" / "docs"
SUITES = {"seeds": (REPO / "evals" / "seeds.jsonl", SEEDS),
          "devcorpus": (REPO / "evals" / "devcorpus" / "qa.jsonl", DEVCORPUS_DOCS)}
OUT = REPO / "benchmarks" / "out"

# Keep the environment of the measured runs clean: no LLM, no remote store, nothing from the caller.
CLEARED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAGTOOL_CHROMA_URL", "RAGTOOL_HOME", "RAGTOOL_EMBEDDER",
               "RAGTOOL_CORPUS", "RAGTOOL_COLLECTION", "RAGTOOL_DATA_DIR")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(extra)
    return env


def run_worker(script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 3600) -> dict[str, Any]:
    """Run `python benchmarks/<script> --worker ARGS` in a fresh process; its last stdout line is JSON."""
    cmd = [sys.executable, str(REPO / "benchmarks" / script), "--worker", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env or clean_env(), timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"worker {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def emit(data: dict[str, Any]) -> None:
    """A worker's result: one JSON line on stdout."""
    print(json.dumps(data, ensure_ascii=False))


def machine() -> dict[str, Any]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_1min": round(load, 2) if load is not None else None,
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}


def write_json(name: str, data: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A rich table on stdout, and the same table as Markdown (for the README) when --markdown is given."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for c in columns:
        table.add_column(c, justify="left" if c == columns[0] else "right")
    for row in rows:
        table.add_row(*(fmt(v) for v in row))
    Console(width=170).print(table)
    if "--markdown" in sys.argv:
        print(f"\n**{title}**\n")
        print("| " + " | ".join(columns) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|")
        for row in rows:
            print("| " + " | ".join(fmt(v) for v in row) + " |")
        print()


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)
