"""Growth benchmark: a synthetic corpus of 1x, 10x and 100x the seeds (copies with other place names and
numbers, so every document and content hash differs; copy 0 is the seeds themselves, so the labelled seed
questions keep their answers). At each size: ingest seconds, index size on disk, warm query p50/p95 over the
seed questions, and peak RSS — each size in a fresh process with a fresh RAGTOOL_HOME.

    python benchmarks/growth.py                          # hash at 1x, 10x, 100x (~5 min here)
    python benchmarks/growth.py --scales 1,10 --embedder local   # local: ~3-6 chunks/s on 2 cores

Writes benchmarks/out/growth.json.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import REPO, SEEDS, emit, median, peak_rss_mb, percentile, print_table, run_worker, write_json

_PLACE = re.compile(r"([\u4e00-\u9fff]{2})(镇|鎮|区|區|县|縣|街道|社区|社區)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_TAILS = "山河湖海林泉溪岗洲田"


def synthetic_stem(copy: int, n: int) -> str:
    """A two-character place stem unique to (copy, n)."""
    k = copy * 7 + n
    return _STEMS[k % 10] + _TAILS[(k // 10) % 10] if k < 100 else _STEMS[k % 10] + _TAILS[(k // 10) % 10] + str(k // 100)


def variant(text: str, copy: int) -> str:
    """The seed text with its place names renamed and its numbers changed, consistently within the copy."""
    if copy == 0:
        return text
    stems: dict[str, str] = {}

    def place(m: re.Match[str]) -> str:
        stem = stems.setdefault(m.group(1), synthetic_stem(copy, len(stems)))
        return stem + m.group(2)

    def number(m: re.Match[str]) -> str:
        raw = m.group(0)
        if "." in raw:
            return f"{float(raw) * (1 + copy / 1000):.{len(raw.split('.')[1])}f}"
        return raw if len(raw) == 4 and raw.startswith("20") else str(int(raw) + copy)  # keep years

    return _NUMBER.sub(number, _PLACE.sub(place, text))


def build_corpus(dest: Path, scale: int) -> int:
    files = sorted(p for p in SEEDS.iterdir() if p.is_file())
    for copy in range(scale):
        for f in files:
            (dest / f"{copy:03d}_{f.name}").write_text(variant(f.read_text(encoding="utf-8"), copy), encoding="utf-8")
    return scale * len(files)


def disk_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def worker(scale: int, embedder: str, questions: int) -> dict[str, Any]:
    from ragtool.api import Session
    from ragtool.config import Settings
    from ragtool.eval.cases import load_cases
    from ragtool.ingest.pipeline import ingest_paths

    cases = [c for c in load_cases(REPO / "evals" / "seeds.jsonl") if c.answerable][:questions]
    with tempfile.TemporaryDirectory() as tmp:
        corpus, home = Path(tmp) / "corpus", Path(tmp) / "home"
        corpus.mkdir()
        docs = build_corpus(corpus, scale)
        settings = Settings(home=home, corpus=corpus, embedder=embedder)
        t0 = time.perf_counter()
        report = ingest_paths([corpus], settings)
        ingest_s = time.perf_counter() - t0
        size = disk_mb(home)
        session = Session(settings, sync=False)
        session.ask(cases[0].question, engine="extractive")  # warm-up
        totals: list[float] = []
        hits = 0
        for case in cases:
            t0 = time.perf_counter()
            answer, got = session.ask_with_context(case.question, engine="extractive")
            totals.append((time.perf_counter() - t0) * 1000)
            hits += any(Path(h.meta.source).name == f"000_{case.doc}" for h in got[:5])
    return {"scale": scale, "embedder": embedder, "docs": docs, "added": report.added, "chunks": report.chunks,
            "ingest_s": ingest_s, "index_mb": size, "query_p50_ms": percentile(totals, 50),
            "query_p95_ms": percentile(totals, 95), "query_median_ms": median(totals), "questions": len(cases),
            "hit_at_5": hits / len(cases), "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--scales", default="1,10,100", help="comma-separated multiples of the seeds")
    ap.add_argument("--embedder", default="hash", help="hash (default) or local")
    ap.add_argument("--questions", type=int, default=40, help="labelled seed questions timed at each size")
    ap.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    args = ap.parse_args()
    if args.worker is not None:
        emit(worker(int(args.worker[0]), args.embedder, args.questions))
        return
    rows_data = []
    for scale in (int(s) for s in args.scales.split(",")):
        r = run_worker("growth.py", str(scale), "--embedder", args.embedder, "--questions", str(args.questions))
        print(f"  {scale}x: ingest {r['ingest_s']:.1f}s", file=sys.stderr)
        rows_data.append(r)
    base = rows_data[0]
    rows = []
    for r in rows_data:
        f = r["chunks"] / base["chunks"]
        rows.append([f"{r['scale']}x", r["docs"], r["chunks"], r["ingest_s"], f"{r['ingest_s'] / base['ingest_s'] / f:.2f}",
                     r["index_mb"], r["query_p50_ms"], r["query_p95_ms"], f"{r['query_p95_ms'] / base['query_p95_ms']:.2f}",
                     r["hit_at_5"], r["peak_rss_mb"]])
    print_table(f"Growth with the {args.embedder} embedder (one fresh process per size)",
                ["size", "docs", "chunks", "ingest s", "ingest s/chunk vs 1x", "index MiB", "query p50 ms",
                 "query p95 ms", "p95 vs 1x", "hit@5", "peak RSS MiB"], rows)
    path = write_json(f"growth-{args.embedder}", {"embedder": args.embedder, "sizes": rows_data})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
