"""Compare benchmark: one question over every provincial report (evals/provincial/docs, 15 full-length 2026
reports), warm, in one Session, as `ragtool compare` runs it: each report asked once through the same engine as ask.

* cold: the first compare of each question in a fresh Session on a built index (reads the documents, builds caches);
* warm: --runs further compares of the same question: median and p95, and per document (the goal, <= 2 s for 31
  reports, is about 65 ms per report);
* the superlative through `ask` (哪个省…最高), which routes to the same comparison.

    RAGTOOL_EMBEDDER=hash python benchmarks/compare.py            # hash embedder (default), 7 warm runs
    python benchmarks/compare.py --runs 15 --embedder local --markdown

The index persists in benchmarks/out/homes/<embedder>-provincial. Writes benchmarks/out/compare.json.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import OUT, REPO, median, peak_rss_mb, percentile, print_table, write_json

DOCS = REPO / "evals" / "provincial" / "docs"
QUESTIONS = ("2026年GDP增长目标", "2025年地区生产总值", "省长是谁")
SUPERLATIVE = "哪个省2026年GDP增长目标最高"
GOAL_SECONDS, GOAL_DOCS = 2.0, 31


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="warm runs per question (default 7)")
    parser.add_argument("--embedder", default="hash", help="hash (default) or local")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    args = parser.parse_args()

    from ragtool.api import Session
    from ragtool.config import Settings
    from ragtool.ingest.pipeline import ingest_paths

    settings = Settings(home=OUT / "homes" / f"{args.embedder}-provincial", corpus=DOCS, embedder=args.embedder)
    t0 = time.perf_counter()
    ingest_paths([DOCS], settings)
    ingest_s = time.perf_counter() - t0
    session = Session(settings, sync=False)
    docs = len(session.corpus.store.doc_ids())

    rows: list[list[Any]] = []
    results: list[dict[str, Any]] = []
    for question in (*QUESTIONS, SUPERLATIVE):
        def once(q: str = question) -> tuple[float, int]:
            t = time.perf_counter()
            if q == SUPERLATIVE:
                answer = session.ask(q, engine="extractive")
                answered = sum(r.status != "not_found" for r in answer.comparison)
            else:
                answered = sum(r.status != "not_found" for r in session.compare(q, engine="extractive"))
            return time.perf_counter() - t, answered

        cold, answered = once()
        warm = [once()[0] for _ in range(args.runs)]
        med, p95 = median(warm), percentile(warm, 95)
        label = f"ask: {question}" if question == SUPERLATIVE else question
        rows.append([label, docs, answered, cold, med, p95, med / docs * 1000, med / docs * GOAL_DOCS])
        results.append({"question": question, "docs": docs, "rows_answered": answered, "cold_s": round(cold, 4),
                        "warm_median_s": round(med, 4), "warm_p95_s": round(p95, 4),
                        "per_doc_ms": round(med / docs * 1000, 2), "estimated_31_s": round(med / docs * GOAL_DOCS, 3),
                        "warm_runs": [round(w, 4) for w in warm]})
    print_table(
        f"compare over {docs} provincial reports · embedder {args.embedder} · {args.runs} warm runs "
        f"(goal: ≤ {GOAL_SECONDS:g} s warm for {GOAL_DOCS} reports)",
        ["question", "docs", "answered", "cold s", "warm p50 s", "warm p95 s", "ms / doc", f"est. {GOAL_DOCS} docs s"],
        rows,
    )
    path = write_json("compare", {"embedder": args.embedder, "ingest_s": round(ingest_s, 2), "peak_rss_mb": peak_rss_mb(),
                                  "results": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
