"""`ragtool eval` end to end on a tiny labelled suite written in tmp_path (hash embedder, real Chroma)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai import Fault, fake_openai  # noqa: F401
from typer.testing import CliRunner

from ragtool.cli.main import app
from ragtool.config import Settings
from ragtool.errors import ExitCode, UsageError
from ragtool.eval.run import run_suite

DOCS = {
    "a_town.txt": (
        "Title: 2025年甲溪镇政府工作报告\nDate: 2025-02-20\nURL: http://example.org/a\n\n"
        "甲溪镇人民政府镇长 王明远\n"
        "2024年,甲溪镇实现地区生产总值128.5亿元,同比增长4.2%。规上工业增加值46.3亿元。\n"
        "2025年全镇经济社会发展的主要预期目标为:地区生产总值增长6%左右,固定资产投资增长8%。\n"
    ),
    "b_town.txt": (
        "Title: 乙山镇召开党代会\nDate: 2024-01-18\nURL: http://example.org/b\n\n"
        "1月18日,中国共产党乙山镇第九届代表大会第二次会议召开。乙山镇党委书记李春华代表镇党委作报告。\n"
        "会议提出,2024年乙山镇经济增长预期目标为5.5%,社会消费品零售总额增长7%。\n"
    ),
    "c_town.txt": (
        "Title: 丙河区委常委会会议\nDate: 2025-01-10\nURL: http://example.org/c\n\n"
        "1月10日,丙河区委书记赵立新主持召开区委常委会会议,研究部署2025年重点工作。\n"
    ),
}

CASES = [
    {"id": "t01", "question": "甲溪2024年GDP多少", "answer": "128.5亿元", "must_include": ["128.5亿元"],
     "doc": "a_town.txt", "quote": "地区生产总值128.5亿元", "kind": "number", "tags": ["gdp", "actual"]},
    {"id": "t02", "question": "甲溪2025年GDP增长目标", "answer": "6%左右", "must_include": ["6%左右"],
     "doc": "a_town.txt", "quote": "地区生产总值增长6%左右", "kind": "number", "tags": ["gdp", "target"]},
    {"id": "t03", "question": "乙山镇党委书记是谁", "answer": "李春华", "must_include": ["李春华"],
     "doc": "b_town.txt", "quote": "乙山镇党委书记李春华", "kind": "name", "tags": ["official"], "free_text": True},
    {"id": "t04", "question": "乙山2024年GDP目标", "answer": "5.5%", "must_include": ["5.5%"],
     "doc": "b_town.txt", "quote": "经济增长预期目标为5.5%", "kind": "number", "tags": ["gdp", "target"]},
    {"id": "t05", "question": "丙河区委书记是谁", "answer": "赵立新", "must_include": ["赵立新"],
     "doc": "c_town.txt", "quote": "丙河区委书记赵立新", "kind": "name", "tags": ["official"]},
    {"id": "t06", "question": "甲溪2026年GDP目标", "answer": "", "must_include": [], "doc": "a_town.txt",
     "quote": "", "kind": "unanswerable", "tags": ["trap"]},
    {"id": "t07", "question": "甲溪镇长是谁<script>", "answer": "王明远", "must_include": ["张三丰"],
     "doc": "a_town.txt", "quote": "镇长 王明远", "kind": "name", "tags": ["mislabelled"]},
]
GDP_CASES = {"t01", "t02", "t04"}


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A tiny suite: docs/ beside cases.jsonl, as the devcorpus is laid out."""
    root = tmp_path / "tiny"
    (root / "docs").mkdir(parents=True)
    for name, text in DOCS.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "cases.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES), encoding="utf-8"
    )
    return root


def _eval(tmp_path: Path, suite: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    argv = ["eval", "--cases", str(suite / "cases.jsonl"), "--home", str(tmp_path / "home"), "--embedder", "hash",
            "--baseline", str(tmp_path / "baseline.json"), *args]
    return CliRunner().invoke(app, argv, env=env)


def test_eval_reports_metrics_failures_and_sources(tmp_path: Path, suite: Path) -> None:
    result = _eval(tmp_path, suite)
    assert result.exit_code == 0, result.output
    assert "hit@1" in result.output and "abstention" in result.output
    assert "t07 (name)" in result.output  # the mislabelled case fails ...
    assert "expected: 张三丰" in result.output
    assert "a_town.txt" in result.output  # ... with the sources retrieved for it


def test_eval_json_has_metrics_and_per_case_results(tmp_path: Path, suite: Path) -> None:
    result = _eval(tmp_path, suite, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["metrics"]["cases"] == len(CASES)
    assert data["baseline_key"] == "tiny/cases|extractive|hash"
    assert set(data["per_kind"]) == {"number", "name", "unanswerable"}
    assert "gdp" in data["per_tag"]
    by_id = {c["id"]: c for c in data["cases"]}
    assert by_id["t07"]["passed"] is False and by_id["t07"]["missing"] == ["张三丰"]
    assert by_id["t03"]["retrieved"][0] == "b_town.txt" and by_id["t03"]["rank"] == 1
    assert by_id["t06"]["rank"] is None
    assert data["metrics"]["citation_validity"] == 1.0


def test_filter_runs_only_the_selected_cases(tmp_path: Path, suite: Path) -> None:
    data = json.loads(_eval(tmp_path, suite, "--json", "--filter", "official").output)
    assert sorted(c["id"] for c in data["cases"]) == ["t03", "t05"]
    assert data["baseline_key"] == "tiny/cases[official]|extractive|hash"


def test_suite_is_indexed_apart_from_the_users_corpus(tmp_path: Path, suite: Path) -> None:
    first = _eval(tmp_path, suite, "--json")
    assert first.exit_code == 0
    eval_homes = list((tmp_path / "home" / "evals").iterdir())
    assert any(p.is_dir() and p.name.startswith("docs-") for p in eval_homes)
    assert not (tmp_path / "home" / "chroma").exists()
    settings = Settings(home=tmp_path / "home", embedder="hash")
    again = run_suite(settings, suite / "cases.jsonl")  # warm: same index, same results
    assert again.metrics.cases == len(CASES)
    assert [c.id for c in again.failures] == [c["id"] for c in json.loads(first.output)["cases"] if c["passed"] is False]


def test_check_passes_against_its_own_baseline_and_fails_on_a_planted_regression(tmp_path: Path, suite: Path) -> None:
    updated = _eval(tmp_path, suite, "--update-baseline")
    assert updated.exit_code == 0, updated.output
    baseline = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    entry = baseline["suites"]["tiny/cases|extractive|hash"]
    assert entry["cases"]["t01"] is True and entry["cases"]["t07"] is False

    assert _eval(tmp_path, suite, "--check").exit_code == 0

    broken = tmp_path / "broken-data"  # a lexicon that no longer knows GDP = 地区生产总值
    broken.mkdir()
    (broken / "lexicon.toml").write_text('version = "broken"\n', encoding="utf-8")
    result = _eval(tmp_path, suite, "--check", "--json", env={"RAGTOOL_DATA_DIR": str(broken)})
    assert result.exit_code == ExitCode.REGRESSION, result.output
    data = json.loads(result.output)
    assert data["gate"]["regressed"] is True
    assert data["gate"]["newly_failing"] and set(data["gate"]["newly_failing"]) <= GDP_CASES
    assert "pass_rate" in {d["metric"] for d in data["gate"]["drops"]}
    assert json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8")) == baseline  # --check never writes


def test_check_without_a_baseline_is_a_usage_error(tmp_path: Path, suite: Path) -> None:
    result = _eval(tmp_path, suite, "--check")
    assert isinstance(result.exception, UsageError)
    assert "--update-baseline" in str(result.exception)


def test_reports_are_written_with_escaped_text(tmp_path: Path, suite: Path) -> None:
    html_path, md_path = tmp_path / "out.html", tmp_path / "out.md"
    assert _eval(tmp_path, suite, "--report", str(html_path)).exit_code == 0
    assert _eval(tmp_path, suite, "--report", str(md_path)).exit_code == 0
    page = html_path.read_text(encoding="utf-8")
    assert "甲溪镇长是谁&lt;script&gt;" in page and "<script>" not in page
    assert "<svg" in page
    assert "张三丰" in md_path.read_text(encoding="utf-8")


def test_bad_cases_file_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "kind": "maybe"}\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", "from ragtool.cli.main import run; run()", "eval", "--cases", str(bad),
         "--home", str(tmp_path / "home"), "--embedder", "hash"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == ExitCode.USAGE
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error:") and proc.stderr.count("error:") == 1
    assert "bad.jsonl line 1: kind" in " ".join(proc.stderr.split())  # the console may wrap long lines


def test_provider_errors_exit_7_and_are_not_quality_failures(
    tmp_path: Path, suite: Path, fake_openai: object  # noqa: F811
) -> None:
    fake_openai.responder = lambda body: Fault.server_error(500)  # type: ignore[attr-defined]
    env = {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": fake_openai.api_key,  # type: ignore[attr-defined]
           "RAGTOOL_LLM_MAX_RETRIES": "0", "RAGTOOL_LLM_TIMEOUT": "5"}
    result = _eval(tmp_path, suite, "--engine", "llm", "--json", "--no-cache", env=env)
    assert result.exit_code == ExitCode.PROVIDER, result.output
    data = json.loads(result.output)
    llm_cases = [c for c in data["cases"] if c["error"]]
    assert llm_cases and data["provider_errors"] == len(llm_cases)
    assert all(c["passed"] is None for c in llm_cases)
    assert data["metrics"]["errors"] == len(llm_cases)
    refused = _eval(tmp_path, suite, "--engine", "llm", "--update-baseline", "--no-cache", env=env)
    assert refused.exit_code != 0
    assert not (tmp_path / "baseline.json").exists()


def test_judge_scores_free_text_cases_only(tmp_path: Path, suite: Path, fake_openai: object) -> None:  # noqa: F811
    fake_openai.responder = lambda body: {"correct": False, "reason": "名字不对"}  # type: ignore[attr-defined]
    settings = fake_openai.configure(Settings(home=tmp_path / "home", embedder="hash"))  # type: ignore[attr-defined]
    run = run_suite(settings, suite / "cases.jsonl", engine="extractive", judge=True)
    by_id = {c.id: c for c in run.cases}
    assert by_id["t03"].judged and by_id["t03"].passed is False and "名字不对" in by_id["t03"].reason
    assert not by_id["t05"].judged and not by_id["t05"].reason.startswith("judge")
    assert len(fake_openai.chat_requests) == 1  # type: ignore[attr-defined]


@pytest.mark.slow
def test_seed_suite_gate_catches_starved_retrieval(tmp_path: Path, seeds_copy: Path) -> None:
    """The real seed suite: a baseline on the default config, then --top-k 1 must fail --check."""
    cases = Path(__file__).resolve().parent.parent / "evals" / "seeds.jsonl"
    base = ["eval", "--cases", str(cases), "--corpus", str(seeds_copy), "--home", str(tmp_path / "home"),
            "--embedder", "hash", "--baseline", str(tmp_path / "baseline.json")]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "--update-baseline"]).exit_code == 0
    good = runner.invoke(app, [*base, "--check", "--json"])
    assert good.exit_code == 0, good.output
    data = json.loads(good.output)
    assert data["metrics"]["cases"] >= 80 and data["summary"]["ran"] is True
    starved = runner.invoke(app, [*base, "--check", "--top-k", "1", "--json"])
    assert starved.exit_code == ExitCode.REGRESSION, starved.output
    assert json.loads(starved.output)["gate"]["newly_failing"]


def test_a_suite_toml_asks_the_cases_among_other_folders_documents(tmp_path: Path, suite: Path) -> None:
    """The city suite is asked beside the provincial reports: suite.toml names both folders."""
    other = tmp_path / "other_docs"
    other.mkdir()
    (other / "d_county.txt").write_text(
        "Title: 丁林县政府工作报告\nDate: 2025-02-01\nURL: http://example.org/d\n\n"
        "丁林县人民政府县长 钱文辉\n2025年全县地区生产总值增长目标为7.5%左右。\n",
        encoding="utf-8",
    )
    cases = [*CASES, {"id": "t08", "question": "丁林县2025年GDP目标", "answer": "7.5%左右", "must_include": ["7.5%左右"],
                      "doc": "d_county.txt", "quote": "增长目标为7.5%左右", "kind": "number", "tags": ["other"]}]
    (suite / "cases.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    alone = _eval(tmp_path, suite, "--json")
    assert isinstance(alone.exception, UsageError) and "d_county.txt" in str(alone.exception)  # not in docs/ alone

    (suite / "suite.toml").write_text('corpus = ["docs", "../other_docs"]\n', encoding="utf-8")
    data = json.loads(_eval(tmp_path, suite, "--json", "--filter", "other").output)
    assert data["cases"][0]["passed"] is True and data["cases"][0]["retrieved"][0] == "d_county.txt"
    assert "other_docs" in data["corpus"]

    (suite / "suite.toml").write_text('corpus = "docs"\n', encoding="utf-8")
    bad = _eval(tmp_path, suite)
    assert isinstance(bad.exception, UsageError) and "must be a list" in str(bad.exception)
