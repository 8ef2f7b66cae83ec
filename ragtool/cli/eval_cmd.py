"""`ragtool eval`: run a labelled suite, print metrics and failures, gate against a baseline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ragtool.cli.common import ChromaUrl, EmbedderOpt, EngineOpt, Home, JsonOpt, NoCache, TopK, settings_from
from ragtool.cli.output import err, out, print_json, progress_bar
from ragtool.config import PACKAGE_DIR
from ragtool.errors import ExitCode, ProviderError, UsageError

if TYPE_CHECKING:  # the eval modules load only when eval runs (ragtool ask starts faster)
    from ragtool.eval.gate import GateResult
    from ragtool.eval.results import EvalRun

DEFAULT_CASES = Path("evals/seeds.jsonl")
DEFAULT_BASELINE = Path("evals/baseline.json")


def eval_command(
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="Labelled cases (JSONL), default evals/seeds.jsonl; devcorpus qa.jsonl works too."),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="Documents the cases refer to (default: docs/ beside the cases file, else RAGTOOL_CORPUS)."),
    ] = None,
    engine: EngineOpt = "extractive",
    top_k: TopK = None,
    label: Annotated[str | None, typer.Option("--filter", help="Only cases with this tag, kind or id.")] = None,
    json_out: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Also write a report: out.html or out.md.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 8 if a metric falls below baseline − tolerance.")] = False,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Store this run's metrics as the accepted baseline.")
    ] = False,
    baseline: Annotated[
        Path, typer.Option("--baseline", help="Baseline file (per suite, engine and embedder).")
    ] = DEFAULT_BASELINE,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Allowed drop per metric, e.g. 0.02.")] = 0.02,
    judge: Annotated[bool, typer.Option("--judge", help="Score free_text cases with an LLM judge.")] = False,
    no_cache: NoCache = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Run the eval suite: answer accuracy, abstention, conflicts, retrieval hit@k/MRR, citations, latency.

    Exit codes: 0 ok, 2 usage error (e.g. a bad cases file), 7 provider errors occurred (not counted as
    quality failures), 8 --check found a regression (takes precedence over 7).
    """
    from ragtool.config import resolve_engine
    from ragtool.eval.gate import check_against
    from ragtool.eval.report import print_run, write_report
    from ragtool.eval.run import run_suite

    if not 0 <= tolerance < 1:
        raise UsageError("--tolerance must be between 0 and 1")
    if check and update_baseline:
        raise UsageError("use either --check or --update-baseline, not both")
    if report is not None and report.suffix.lower() not in {".html", ".htm", ".md", ".markdown"}:
        raise UsageError(f"--report must end in .html or .md, not {report.name!r}")
    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url)
    engine_name = resolve_engine(settings, engine)
    cases_path = _cases_path(cases)
    with progress_bar("eval", enabled=not json_out) as update:
        run = run_suite(
            settings, cases_path, corpus=corpus, engine=engine_name, top_k=top_k, label=label,
            use_cache=not no_cache, judge=judge, progress=lambda done, total: update("", done, total),
        )
    gate = check_against(baseline, run, tolerance) if check else None
    if report is not None:
        write_report(report, run, gate)
    if json_out:
        print_json(_json(run, gate))
    else:
        print_run(out, run, gate)
    if update_baseline:
        _update(baseline, run, json_out)
    _exit(run, gate)


def _cases_path(cases: Path | None) -> Path:
    """--cases, or evals/seeds.jsonl here, or the copy in the ragtool checkout."""
    if cases is not None:
        return cases
    if DEFAULT_CASES.exists():
        return DEFAULT_CASES
    bundled = PACKAGE_DIR.parent / DEFAULT_CASES
    return bundled if bundled.exists() else DEFAULT_CASES


def _update(path: Path, run: EvalRun, quiet: bool) -> None:
    from ragtool.eval.gate import save_baseline

    if run.infrastructure_failed:
        raise ProviderError(
            f"baseline not updated: {len(run.provider_errors)} case(s) hit provider errors"
            + (f", summaries failed: {run.summary.error}" if run.summary.error else "")
        )
    save_baseline(path, run)
    if not quiet:
        err.print(f"baseline updated: {path} [{run.baseline_key}]", markup=False, highlight=False)


def _json(run: EvalRun, gate: GateResult | None) -> dict[str, Any]:
    data = run.model_dump(mode="json")
    data["baseline_key"] = run.baseline_key
    data["provider_errors"] = len(run.provider_errors)
    data["gate"] = None if gate is None else {**gate.model_dump(mode="json"), "regressed": gate.regressed}
    return data


def _exit(run: EvalRun, gate: GateResult | None) -> None:
    if gate is not None and gate.regressed:
        raise typer.Exit(ExitCode.REGRESSION)
    if run.infrastructure_failed:
        raise typer.Exit(ExitCode.PROVIDER)
