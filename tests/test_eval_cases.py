"""The labelled seed suite is consistent with the seed documents, and bad case files are usage errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ragtool.errors import UsageError
from ragtool.eval.cases import EvalCase, load_cases, select
from ragtool.eval.normalize import contains
from ragtool.eval.summary import load_summary_facts

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
EVALS = REPO / "evals"
KEYS = ["id", "question", "answer", "must_include", "doc", "quote", "kind", "tags"]


def _raw(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_cases() -> list[EvalCase]:
    return load_cases(EVALS / "seeds.jsonl")


def test_seed_suite_has_the_required_counts(seed_cases: list[EvalCase]) -> None:
    kinds = Counter(c.kind for c in seed_cases)
    assert len(seed_cases) >= 80
    assert kinds["unanswerable"] >= 8
    assert kinds["conflict"] >= 3
    assert {"number", "name", "list", "date"} <= set(kinds)
    assert len({c.id for c in seed_cases}) == len(seed_cases)


def test_seed_lines_keep_the_devcorpus_key_order() -> None:
    for line in (EVALS / "seeds.jsonl").read_text(encoding="utf-8").splitlines():
        keys = list(json.loads(line))
        assert keys[: len(KEYS)] == KEYS, keys
        assert set(keys[len(KEYS):]) <= {"free_text", "docs"}


def test_every_quote_is_verbatim_in_its_seed(seed_cases: list[EvalCase]) -> None:
    for c in seed_cases:
        for name in c.sources:
            assert (SEEDS / name).is_file(), f"{c.id}: unknown doc {name}"
        if c.kind == "unanswerable":
            assert c.quote == "" and c.answer == "" and c.must_include == []
        else:
            assert c.quote and c.quote in _raw(c.doc), f"{c.id}: quote not in {c.doc}"


def test_every_fact_is_in_the_gold_answer(seed_cases: list[EvalCase]) -> None:
    for c in seed_cases:
        for fact in c.must_include:
            assert contains(c.answer, fact), f"{c.id}: {fact!r} not in answer {c.answer!r}"


def test_conflict_cases_name_every_source_and_both_values(seed_cases: list[EvalCase]) -> None:
    conflicts = [c for c in seed_cases if c.kind == "conflict"]
    fenggang = [c for c in conflicts if c.question.startswith("凤岗2025年GDP")]
    assert fenggang, "the 凤岗 2025 GDP target conflict must be labelled"
    for c in conflicts:
        assert len(c.sources) >= 2
        for value, doc in zip(c.must_include, c.sources, strict=False):
            assert contains(_raw(doc), value), f"{c.id}: {value} not in {doc}"


def test_summary_facts_are_in_their_documents() -> None:
    for facts in load_summary_facts(EVALS / "summary_facts.jsonl"):
        text = _raw(facts.doc)
        for f in facts.figures:
            assert contains(text, f.value), f"{facts.doc}: {f.value}"
        for o in facts.officials:
            assert contains(text, o.name), f"{facts.doc}: {o.name}"
        for p in facts.priorities:
            assert contains(text, p)


@pytest.mark.parametrize(("name", "least"), [("probe_news.jsonl", 60), ("probe_news2.jsonl", 40)])
def test_every_probe_quote_is_in_its_document(name: str, least: int) -> None:
    """evals/cities/probe_news*.jsonl: a new user's questions on meeting news, yes/no and dates (probe_news2 held out
    while the first was tuned on); each quote is cut from its document (pinyin annotations kept as printed)."""
    cases = load_cases(EVALS / "cities" / name)
    folders = [EVALS / "cities" / "docs", EVALS / "provincial" / "docs"]
    assert len(cases) >= least
    for c in cases:
        path = next((f / c.doc for f in folders if (f / c.doc).is_file()), None)
        assert path is not None, f"{c.id}: unknown doc {c.doc}"
        assert "probe" in c.tags
        if c.kind != "unanswerable":
            assert c.quote and c.quote in path.read_text(encoding="utf-8"), f"{c.id}: quote not in {c.doc}"


def test_devcorpus_cases_load_in_the_same_format() -> None:
    cases = load_cases(EVALS / "devcorpus" / "qa.jsonl")
    assert len(cases) == 76
    assert all(c.tags == [] for c in cases)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "question": "q"', "line 1: invalid JSON"),
        ('{"id": "a", "question": "q", "kind": "opinion"}', "line 1: kind"),
        ('{"id": "a", "question": "q", "kind": "number", "must_include": []}', "must_include"),
        ('{"id": "a", "question": "q", "kind": "conflict", "must_include": ["5%"]}', "both values"),
        ('{"id": "a", "question": "q", "kind": "unanswerable", "colour": 1}', "colour"),
        ('{"id": "a", "question": "q", "kind": "unanswerable"}\n{"id": "a", "question": "r", "kind": "unanswerable"}',
         "line 2: duplicate case id"),
        ("\n\n", "has no cases"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_case_files_are_one_line_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_cases(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_cases_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_cases(tmp_path / "nope.jsonl")


def test_filter_selects_by_tag_kind_or_id(seed_cases: list[EvalCase]) -> None:
    assert {c.kind for c in select(seed_cases, "conflict")} == {"conflict"}
    assert all("traditional" in c.tags for c in select(seed_cases, "traditional"))
    assert [c.id for c in select(seed_cases, "s001")] == ["s001"]
    with pytest.raises(UsageError, match="matches no case"):
        select(seed_cases, "no-such-tag")
