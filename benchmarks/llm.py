"""LLM benchmark: the extractive engine, the LLM engine and the hybrid (--engine auto) side by side on labelled
suites, against any OpenAI-compatible server (a local llama.cpp / Ollama / vLLM, or an API).

Per engine it prints: pass rate (the eval harness's check), abstention (not_found), grounding (answered with every
citation grounded), repairs (citations the engine re-chose or values it completed), errors (calls that failed),
seconds per question (median and mean) and LLM tokens per question. Cases tagged `sealed` are never asked; compare
cases are left out (they ask every place). The LLM's replies are cached under --home, so the hybrid's LLM call is
usually a cache hit of the LLM engine's: its seconds are then the extractive engine's plus the cached lookup.

    OPENAI_BASE_URL=http://127.0.0.1:8081/v1 OPENAI_API_KEY=local RAGTOOL_LLM_MODEL=qwen2.5-coder-1.5b-instruct \\
        python benchmarks/llm.py --suites provincial --sample 10 --timeout 600 --context-tokens 2500
    python benchmarks/llm.py --suites seeds,devcorpus --engines extractive      # no server needed

Writes benchmarks/out/llm.json (every case's result per engine, and the machine).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import OUT, REPO, SUITES, machine, print_table

sys.path.insert(0, str(REPO))

# suite -> (cases, corpus folder or None: the folders its suite.toml names, else docs/ beside the cases)
ALL_SUITES: dict[str, tuple[Path, Path | None]] = {
    **SUITES, "provincial": (REPO / "evals" / "provincial" / "qa.jsonl", None),
    "cities": (REPO / "evals" / "cities" / "qa.jsonl", None)}
ENGINES = {"extractive": "extractive", "llm": "llm", "hybrid": "auto"}
REPAIR_NOTES = ("citation repaired", "answer completed")


def cases_of(path: Path, sample: int, seed: int, tag: str = "") -> list[Any]:
    from ragtool.eval.cases import load_cases

    cases = [c for c in load_cases(path) if "sealed" not in c.tags and c.kind != "compare"
             and (not tag or tag in c.tags)]
    if sample and sample < len(cases):
        cases = sorted(random.Random(seed).sample(cases, sample), key=lambda c: c.id)
    return cases


def settings_for(args: argparse.Namespace, cases: Path, corpus: Path | None) -> tuple[Any, list[Path]]:
    from pydantic import SecretStr

    from ragtool.config import Settings
    from ragtool.eval.run import resolve_corpus, suite_settings

    update: dict[str, Any] = {"home": Path(args.home), "embedder": args.embedder, "llm_max_retries": args.retries}
    if args.base_url:
        update["openai_base_url"] = args.base_url
    if args.api_key:
        update["openai_api_key"] = SecretStr(args.api_key)
    if args.model:
        update["llm_model"] = args.model
    if args.timeout:
        update["llm_timeout"] = args.timeout
        update["llm_auto_seconds"] = args.timeout  # the hybrid is measured, not cut short
    if args.context_tokens:
        update["llm_context_tokens"] = args.context_tokens
    base = Settings().model_copy(update=update)
    folders = resolve_corpus(cases, corpus, base)
    return suite_settings(base, folders), folders


def row_of(runner: Any, case: Any) -> dict[str, Any]:
    result, answer = runner.run(case)
    notes = answer.notes if answer is not None else []
    return {**result.model_dump(include={"id", "kind", "passed", "status", "seconds", "tokens", "error",
                                         "citations", "grounded_citations", "got"}),
            "repairs": sum(1 for x in notes if x.startswith(REPAIR_NOTES)), "notes": notes}


def run_cases(runners: dict[str, Any], cases: list[Any], rows: dict[str, list[dict[str, Any]]],
              saved: Callable[[], None], progress: bool) -> None:
    """Every engine on one case before the next case (so a run cut short still compares the engines on the same
    cases); `saved` after each case (a real model on a CPU takes minutes a question)."""
    for n, case in enumerate(cases, 1):
        for engine, runner in runners.items():
            row = row_of(runner, case)
            rows[engine].append(row)
            if progress:
                mark = "ok " if row["passed"] else ("ERR" if row["error"] else "-- ")
                print(f"  [{engine} {n}/{len(cases)}] {mark} {case.id} {row['seconds']:.1f}s {row['got'][:40]!r}",
                      file=sys.stderr, flush=True)
        saved()


def summary(rows: list[dict[str, Any]]) -> list[Any]:
    n = len(rows) or 1
    answered = [r for r in rows if r["status"] == "answered"]
    grounded = [r for r in answered if r["citations"] and r["grounded_citations"] == r["citations"]]
    secs = [r["seconds"] for r in rows] or [0.0]
    return [len(rows), sum(bool(r["passed"]) for r in rows) / n, sum(r["status"] == "not_found" for r in rows) / n,
            len(grounded) / (len(answered) or 1), sum(r["repairs"] for r in rows), sum(bool(r["error"]) for r in rows),
            statistics.median(secs), statistics.fmean(secs), statistics.fmean([r["tokens"] or 0 for r in rows] or [0])]


def report(results: dict[str, dict[str, list[dict[str, Any]]]], host: dict[str, Any]) -> None:
    """The table; a run cut short counts the cases every engine answered."""
    table = []
    for suite, engines in results.items():
        done = min((len(rows) for rows in engines.values()), default=0)
        table += [[f"{suite} · {engine}", *summary(rows[:done])] for engine, rows in engines.items()]
    print_table(f"LLM benchmark ({host['cpus']} CPUs, load {host['load_1min']})",
                ["suite · engine", "cases", "pass", "abstain", "grounded", "repairs", "errors", "s/q p50",
                 "s/q mean", "tokens/q"], table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suites", default="seeds", help=f"comma-separated: {', '.join(ALL_SUITES)}")
    ap.add_argument("--engines", default="extractive,llm,hybrid", help="comma-separated: extractive, llm, hybrid")
    ap.add_argument("--sample", type=int, default=0, help="ask a seeded random sample of this many cases per suite")
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--filter", default="", help="only cases with this tag (e.g. dev); sealed ones never")
    ap.add_argument("--base-url", default="", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    ap.add_argument("--api-key", default="", help="default: OPENAI_API_KEY")
    ap.add_argument("--model", default="", help="default: RAGTOOL_LLM_MODEL")
    ap.add_argument("--timeout", type=float, default=0, help="seconds per LLM call (default: RAGTOOL_LLM_TIMEOUT)")
    ap.add_argument("--retries", type=int, default=1)
    ap.add_argument("--context-tokens", type=int, default=0, help="default: RAGTOOL_LLM_CONTEXT_TOKENS")
    ap.add_argument("--embedder", default="hash")
    ap.add_argument("--home", default=str(OUT / "homes" / "llm"))
    ap.add_argument("--no-cache", action="store_true", help="ask the LLM again even when a reply is cached")
    ap.add_argument("--out", default=str(OUT / "llm.json"), help="where the JSON results go")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--report", default="", help="print the table of a saved run (its --out file, complete or not)")
    args = ap.parse_args()
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        report(saved["results"], saved["machine"])
        return

    from ragtool.api import Session
    from ragtool.eval.run import CaseRunner, prepare_index

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES] + [s for s in args.suites.split(",") if s not in ALL_SUITES]
    if unknown:
        raise SystemExit(f"unknown engine or suite: {', '.join(unknown)}")
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:  # atomic: the file is whole after every case
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps({"machine": machine(), "args": vars(args), "results": results},
                                  ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(out)

    for suite in args.suites.split(","):
        path, corpus = ALL_SUITES[suite]
        settings, folders = settings_for(args, path, corpus)
        if any(e != "extractive" for e in engines) and not settings.llm_configured:
            raise SystemExit("no LLM server: set OPENAI_BASE_URL (and OPENAI_API_KEY) or pass --base-url")
        prepare_index(settings, folders)
        session = Session(settings, sync=False)
        cases = cases_of(path, args.sample, args.seed, args.filter)
        results[suite] = {engine: [] for engine in engines}
        runners = {engine: CaseRunner(session, ENGINES[engine], None, not args.no_cache) for engine in engines}
        run_cases(runners, cases, results[suite], save, not args.quiet)
    report(results, machine())
    save()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
