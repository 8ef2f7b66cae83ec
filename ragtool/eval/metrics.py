"""Per-case results and the metrics computed from them (overall, per kind, per tag)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from ragtool.eval.cases import ANSWERABLE_KINDS
from ragtool.eval.results import CaseResult, Metrics

# Metrics where higher is better; the regression gate compares these.
QUALITY_METRICS = (
    "pass_rate", "answer_accuracy", "abstention_accuracy", "conflict_detection",
    "hit_at_1", "hit_at_5", "mrr", "citation_validity", "source_accuracy", "summary_recall", "row_accuracy",
)


def compute_metrics(results: Iterable[CaseResult]) -> Metrics:
    """Metrics over one group of results; errored cases count only in `errors`."""
    all_results = list(results)
    rs = [r for r in all_results if r.scored]
    answerable = [r for r in rs if r.kind not in ("unanswerable", "compare")]
    m = Metrics(cases=len(all_results), scored=len(rs), errors=len(all_results) - len(rs))
    m.passed = sum(1 for r in rs if r.passed)
    m.pass_rate = _rate(rs, lambda r: bool(r.passed))
    m.answer_accuracy = _rate([r for r in rs if r.kind in ANSWERABLE_KINDS], lambda r: bool(r.passed))
    m.abstention_accuracy = _rate([r for r in rs if r.kind == "unanswerable"], lambda r: bool(r.passed))
    m.conflict_detection = _rate([r for r in rs if r.kind == "conflict"], lambda r: bool(r.passed))
    m.hit_at_1 = _rate(answerable, lambda r: r.rank is not None and r.rank <= 1)
    m.hit_at_5 = _rate(answerable, lambda r: r.rank is not None and r.rank <= 5)
    m.mrr = _mean([1.0 / r.rank if r.rank else 0.0 for r in answerable])
    compared = [r for r in rs if r.kind == "compare"]
    rows = sum(r.rows for r in compared)
    m.row_accuracy = round(sum(r.rows_right for r in compared) / rows, 4) if rows else None
    m.rows_not_found = sum(len(r.rows_not_found) for r in compared) if compared else None
    cited = sum(r.citations for r in rs)
    m.citation_validity = round(sum(r.valid_citations for r in rs) / cited, 4) if cited else None
    m.grounding = round(sum(r.grounded_citations for r in rs) / cited, 4) if cited else None
    answered = [r for r in rs if r.kind in ANSWERABLE_KINDS and r.cited]
    m.source_accuracy = _rate(answered, lambda r: r.cited[0] in r.sources)
    latencies = sorted(r.seconds for r in rs)
    m.latency_p50 = percentile(latencies, 0.50)
    m.latency_p95 = percentile(latencies, 0.95)
    m.tokens_total = sum(r.tokens for r in all_results)
    m.tokens_per_case = round(m.tokens_total / len(all_results), 1) if all_results else None
    m.llm_calls = sum(r.llm_calls for r in all_results)
    m.cached_calls = sum(r.cached_calls for r in all_results)
    return m


def grouped_metrics(results: list[CaseResult], key: Callable[[CaseResult], Iterable[str]]) -> dict[str, Metrics]:
    """Metrics per group, where `key` gives the groups a result belongs to (its kind, its tags)."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        for g in key(r):
            groups.setdefault(g, []).append(r)
    return {g: compute_metrics(groups[g]) for g in sorted(groups)}


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    index = max(0, math.ceil(p * len(sorted_values)) - 1)
    return round(sorted_values[index], 4)


def first_rank(retrieved: list[str], sources: list[str]) -> int | None:
    """1-based rank of the first retrieved document that is one of the labelled sources."""
    for i, name in enumerate(retrieved, 1):
        if name in sources:
            return i
    return None


def _rate(rs: list[CaseResult], ok: Callable[[CaseResult], bool]) -> float | None:
    return round(sum(1 for r in rs if ok(r)) / len(rs), 4) if rs else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
