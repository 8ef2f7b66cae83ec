"""Regression gate: the baseline file, and comparing a run with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ragtool.errors import UsageError
from ragtool.eval.metrics import QUALITY_METRICS
from ragtool.eval.results import EvalRun, Metrics
from ragtool.fsutil import read_json_or_none, write_json_atomic


class BaselineEntry(BaseModel):
    """The accepted numbers of one suite + engine + embedder."""

    suite: str
    engine: str
    embedder: str
    top_k: int
    updated: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)  # quality metrics, incl. kind:<k>.pass_rate
    cases: dict[str, bool] = Field(default_factory=dict)  # case id -> passed


class Drop(BaseModel):
    metric: str
    baseline: float
    current: float


class GateResult(BaseModel):
    drops: list[Drop] = Field(default_factory=list)
    newly_failing: list[str] = Field(default_factory=list)
    newly_passing: list[str] = Field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.drops)


def gated_metrics(run: EvalRun) -> dict[str, float]:
    """The numbers the gate compares: overall quality metrics and each kind's pass rate."""
    out = _quality(run.metrics, "")
    for kind, m in run.per_kind.items():
        if m.pass_rate is not None:
            out[f"kind:{kind}.pass_rate"] = m.pass_rate
    if run.summary.recall is not None:
        out["summary_recall"] = run.summary.recall
    return out


def _quality(m: Metrics, prefix: str) -> dict[str, float]:
    values = {name: getattr(m, name, None) for name in QUALITY_METRICS}
    return {prefix + k: float(v) for k, v in values.items() if v is not None}


def entry_for(run: EvalRun) -> BaselineEntry:
    return BaselineEntry(
        suite=run.suite, engine=run.engine, embedder=run.embedder, top_k=run.top_k, updated=run.started,
        metrics=gated_metrics(run),
        cases={c.id: bool(c.passed) for c in run.cases if c.passed is not None},
    )


def load_baseline(path: Path) -> dict[str, BaselineEntry]:
    """Entries by key; a missing file is empty, a corrupt one a usage error."""
    if not path.exists():
        return {}
    data = read_json_or_none(path)
    if not isinstance(data, dict) or not isinstance(data.get("suites", {}), dict):
        raise UsageError(f"baseline file {path} is not valid JSON of the expected shape")
    try:
        return {k: BaselineEntry.model_validate(v) for k, v in data.get("suites", {}).items()}
    except ValidationError as e:
        raise UsageError(f"baseline file {path}: {e.errors()[0]['msg']}") from None


def save_baseline(path: Path, run: EvalRun) -> None:
    """Store this run's numbers under its key, keeping other suites and engines; atomic."""
    entries = load_baseline(path)
    entries[run.baseline_key] = entry_for(run)
    data: dict[str, Any] = {
        "version": 1,
        "suites": {k: entries[k].model_dump() for k in sorted(entries)},
    }
    write_json_atomic(path, data)


def compare(run: EvalRun, baseline: BaselineEntry, tolerance: float) -> GateResult:
    """Metrics more than `tolerance` below the baseline, and cases whose outcome changed.
    A metric this run could not measure (e.g. every case of a kind hit a provider error) is skipped."""
    current = gated_metrics(run)
    drops = [
        Drop(metric=name, baseline=base, current=current[name])
        for name, base in sorted(baseline.metrics.items())
        if name in current and current[name] < base - tolerance - 1e-9
    ]
    now = {c.id: c.passed for c in run.cases if c.passed is not None}
    newly_failing = [cid for cid, ok in now.items() if ok is False and baseline.cases.get(cid) is True]
    newly_passing = [cid for cid, ok in now.items() if ok is True and baseline.cases.get(cid) is False]
    return GateResult(drops=drops, newly_failing=newly_failing, newly_passing=newly_passing)


def check_against(path: Path, run: EvalRun, tolerance: float) -> GateResult:
    """Compare with the stored baseline for this run's key; no entry is a usage error."""
    entry = load_baseline(path).get(run.baseline_key)
    if entry is None:
        raise UsageError(
            f"no baseline for {run.baseline_key} in {path}; run `ragtool eval --update-baseline` first"
        )
    return compare(run, entry, tolerance)
