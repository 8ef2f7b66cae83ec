"""Checking answers, computing metrics, the baseline gate and the reports, on hand-made results."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.errors import UsageError
from ragtool.eval.cases import EvalCase
from ragtool.eval.check import check_answer
from ragtool.eval.gate import check_against, compare, entry_for, load_baseline, save_baseline
from ragtool.eval.metrics import compute_metrics, first_rank, grouped_metrics, percentile
from ragtool.eval.report import render_html, render_markdown, write_report
from ragtool.eval.results import CaseResult, EvalRun
from ragtool.models import Answer, Candidate


def _case(kind: str, must: list[str], **kw: object) -> EvalCase:
    return EvalCase(id="c1", question="凤岗2025年GDP目标?", kind=kind, must_include=must, doc="a.txt", **kw)  # type: ignore[arg-type]


def _answer(text: str, status: str = "answered", candidates: list[str] | None = None) -> Answer:
    cands = [Candidate(value=v, quote=v, doc_id="d", title="t") for v in candidates or []]
    return Answer(question="q", answer=text, status=status, candidates=cands)  # type: ignore[arg-type]


def test_number_case_passes_when_the_fact_is_written_differently() -> None:
    assert check_answer(_case("number", ["5.5%左右"]), _answer("地区生产总值增长百分之五点五左右")).passed
    assert check_answer(_case("number", ["411亿元"]), _answer("4110000万元")).passed


def test_number_case_fails_and_names_the_missing_fact() -> None:
    result = check_answer(_case("number", ["5%"]), _answer("增长5.5%左右"))
    assert not result.passed
    assert result.missing == ["5%"]


def test_candidate_values_count_except_for_lists() -> None:
    answer = _answer("见候选", candidates=["5.5%左右"])
    assert check_answer(_case("number", ["5.5%"]), answer).passed
    assert not check_answer(_case("list", ["5.5%"]), answer).passed


@pytest.mark.parametrize("kind", ["number", "name", "date", "yesno"])
def test_a_short_answer_kind_fails_when_the_answer_is_a_passage(kind: str) -> None:
    fact = "5.5%左右"
    assert check_answer(_case(kind, [fact]), _answer("是：" + fact)).passed
    long = _answer("综合考虑各方面因素，" * 10 + fact)
    result = check_answer(_case(kind, [fact]), long)
    assert not result.passed and "100" in result.reason
    assert check_answer(_case("list", [fact]), long).passed  # a list may be long


@pytest.mark.parametrize(
    ("gold", "said", "passes"),
    [
        ("不是,增长4.5%", "不是：居民人均可支配收入增长4.5%", True),
        ("不是,增长4.5%", "是：居民人均可支配收入增长4.5%", False),  # the fact is there, the verdict is wrong
        ("是,增长4.5%", "不是：居民人均可支配收入增长4.5%", False),
        ("有,增长4.5%", "是：居民人均可支配收入增长4.5%", True),  # 有 and 是 both say yes
        ("没有,增长4.5%", "不是：增长4.5%", True),
        ("是,增长4.5%", "居民人均可支配收入增长4.5%", False),  # no verdict at all
        ("增长4.5%", "居民人均可支配收入增长4.5%", True),  # a gold answer without a verdict checks none
    ],
)
def test_a_yes_no_answer_must_say_the_labelled_verdict(gold: str, said: str, passes: bool) -> None:
    assert check_answer(_case("yesno", ["4.5%"], answer=gold), _answer(said)).passed is passes


def test_unanswerable_passes_only_when_not_found() -> None:
    case = _case("unanswerable", [])
    assert check_answer(case, _answer("", "not_found")).passed
    wrong = check_answer(case, _answer("5%", "answered"))
    assert not wrong.passed and "not_found" in wrong.reason


def test_conflict_needs_the_conflicting_status_and_both_values() -> None:
    case = _case("conflict", ["5.5%", "5%"], docs=["b.txt"])
    both = _answer("两个来源不一致", "conflicting", candidates=["增长5.5%左右", "5%"])
    assert check_answer(case, both).passed
    assert not check_answer(case, _answer("5.5%和5%", "answered")).passed
    one = check_answer(case, _answer("", "conflicting", candidates=["增长5.5%左右"]))
    assert not one.passed and one.missing == ["5%"]


def _result(cid: str, kind: str, passed: bool | None, rank: int | None = 1, seconds: float = 0.1,
            citations: int = 1, valid: int = 1, error: str = "", tags: list[str] | None = None) -> CaseResult:
    return CaseResult(id=cid, question="q", kind=kind, passed=passed, rank=rank, seconds=seconds,
                      citations=citations, valid_citations=valid, error=error, tags=tags or [])


def test_metrics_per_kind_and_errors_apart() -> None:
    results = [
        _result("a", "number", True, rank=1, seconds=0.1),
        _result("b", "number", False, rank=3, seconds=0.2, valid=0),
        _result("c", "unanswerable", True, rank=None, seconds=0.3, citations=0, valid=0),
        _result("d", "conflict", False, rank=None, seconds=0.4),
        _result("e", "number", None, error="LLM server returned 500"),
    ]
    m = compute_metrics(results)
    assert (m.cases, m.scored, m.errors, m.passed) == (5, 4, 1, 2)
    assert m.pass_rate == 0.5
    assert m.answer_accuracy == 0.5
    assert m.abstention_accuracy == 1.0
    assert m.conflict_detection == 0.0
    assert m.hit_at_1 == pytest.approx(1 / 3, abs=1e-4)  # a, b, d are answerable; only a at rank 1
    assert m.hit_at_5 == pytest.approx(2 / 3, abs=1e-4)
    assert m.mrr == pytest.approx((1 + 1 / 3 + 0) / 3, abs=1e-4)
    assert m.citation_validity == pytest.approx(2 / 3, abs=1e-4)
    assert m.latency_p50 == 0.2
    per_kind = grouped_metrics(results, lambda r: [r.kind])
    assert per_kind["number"].errors == 1 and per_kind["number"].pass_rate == 0.5


def test_right_source_is_the_first_citation_of_answered_cases_only() -> None:
    def cited(cid: str, kind: str, docs: list[str]) -> CaseResult:
        return CaseResult(id=cid, question="q", kind=kind, passed=True, sources=["a.txt"], cited=docs)

    m = compute_metrics([
        cited("right", "number", ["a.txt", "b.txt"]),
        cited("parent", "name", ["province.txt", "a.txt"]),  # the province's report cited first: wrong source
        cited("abstained", "number", []),  # not_found: no source to judge
        cited("unanswerable", "unanswerable", ["x.txt"]),
    ])
    assert m.source_accuracy == 0.5


def test_rank_is_the_first_labelled_source_and_percentiles_use_nearest_rank() -> None:
    assert first_rank(["x.txt", "b.txt", "a.txt"], ["a.txt", "b.txt"]) == 2
    assert first_rank(["x.txt"], ["a.txt"]) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    assert percentile([], 0.5) is None


def _run(results: list[CaseResult], engine: str = "extractive") -> EvalRun:
    run = EvalRun(suite="evals/seeds", engine=engine, embedder="hash", top_k=8, cases=results)
    run.metrics = compute_metrics(results)
    run.per_kind = grouped_metrics(results, lambda r: [r.kind])
    run.per_tag = grouped_metrics(results, lambda r: r.tags)
    return run


def test_gate_flags_drops_beyond_tolerance_and_lists_newly_failing_cases() -> None:
    good = _run([_result("a", "number", True), _result("b", "number", True), _result("c", "name", True)])
    worse = _run([_result("a", "number", True), _result("b", "number", False), _result("c", "name", True)])
    gate = compare(worse, entry_for(good), tolerance=0.02)
    assert gate.regressed
    assert "pass_rate" in {d.metric for d in gate.drops}
    assert "kind:number.pass_rate" in {d.metric for d in gate.drops}
    assert gate.newly_failing == ["b"]
    assert not compare(worse, entry_for(good), tolerance=0.5).regressed
    assert not compare(good, entry_for(good), tolerance=0.0).regressed


def test_baseline_keeps_suites_and_engines_apart(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    extractive = _run([_result("a", "number", True)])
    llm = _run([_result("a", "number", False)], engine="llm")
    save_baseline(path, extractive)
    save_baseline(path, llm)
    entries = load_baseline(path)
    assert set(entries) == {"evals/seeds|extractive|hash", "evals/seeds|llm|hash"}
    assert entries["evals/seeds|extractive|hash"].cases == {"a": True}
    assert not check_against(path, extractive, 0.02).regressed
    with pytest.raises(UsageError, match="no baseline"):
        check_against(path, _run([_result("a", "number", True)], engine="other"), 0.02)


def test_corrupt_baseline_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError, match="baseline"):
        load_baseline(path)


def _hostile_run() -> EvalRun:
    bad = _result("x<1>", "number", False, tags=["<b>tag</b>"])
    bad.question = "凤岗<script>alert(1)</script>GDP?"
    bad.got = "</td><script>steal()</script>"
    bad.must_include = ["5% | <img src=x>"]
    return _run([bad, _result("ok", "name", True)])


def test_html_report_is_self_contained_and_escapes_all_text(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_report(path, _hostile_run())
    page = path.read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page and "<style>" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<link" not in page and "src=" not in page.replace("src=x", "")


def test_markdown_report_keeps_tables_intact() -> None:
    text = render_markdown(_hostile_run())
    assert "<script>" not in text
    row = next(line for line in text.splitlines() if line.startswith("| x&lt;1&gt;"))
    assert row.count(" | ") == 6  # seven cells: the pipe inside the fact is escaped
    assert "5% \\| &lt;img src=x&gt;" in row


def test_report_suffix_must_be_html_or_md(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_report(tmp_path / "report.pdf", _hostile_run())
    assert render_html(_hostile_run()).startswith("<!DOCTYPE html>")


def test_summary_facts_match_through_synonyms_scripts_and_units() -> None:
    from ragtool.config import Settings
    from ragtool.eval.summary import FigureFact, OfficialFact, SummaryFacts, check_summary, indicator_canon
    from ragtool.models import DocumentSummary, KeyFigure, Official, Priority

    facts = SummaryFacts(
        doc="002.txt",
        figures=[FigureFact(indicator="地区生产总值", value="411亿元", year=2024, type="actual"),
                 FigureFact(indicator="地区生产总值", value="5.5%", year=2025, type="target", qualifier="左右"),
                 FigureFact(indicator="进出口总额", value="311.9亿元", year=2024, type="actual")],
        officials=[OfficialFact(name="趙錫雄", role="镇党委书记")],
        priorities=["投资扩能"],
    )
    summary = DocumentSummary(
        doc_id="d",
        key_figures=[KeyFigure(indicator="GDP", value="4110000", unit="万元", year=2024, type="actual", quote="q"),
                     KeyFigure(indicator="地区生产总值", value="增长5.5%", qualifier="左右", year=2025,
                               type="target", quote="q"),
                     KeyFigure(indicator="进出口总额", value="311.9", unit="亿元", year=2025, type="actual", quote="q")],
        officials=[Official(name="赵锡雄", role="镇党委书记")],
        priorities=[Priority(text="全力实施投资扩能行动", quote="q")],
    )
    found = {r.expected: r.found for r in check_summary(facts, summary, indicator_canon(Settings()))}
    assert found == {
        "地区生产总值 411亿元 2024 actual": True,
        "地区生产总值 5.5%左右 2025 target": True,
        "进出口总额 311.9亿元 2024 actual": False,  # the summary gives the wrong year
        "趙錫雄 镇党委书记": True,
        "投资扩能": True,
    }
