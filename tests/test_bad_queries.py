"""Bad questions and arguments through the real `ragtool` CLI: a one-line message, the documented exit code
(2 usage, 3 not found), never a traceback, and the index unharmed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from faultkit import SEEDS, Run, cli, cli_env

from ragtool.config import Settings
from ragtool.index.corpus import Corpus
from ragtool.ingest.pipeline import ingest_paths

# (arguments after `ask`, expected exit code, words the one-line error must contain)
USAGE_CASES: list[tuple[list[str], str]] = [
    ([""], "empty question"),
    (["   \t "], "empty question"),
    (["凤" * 10_000], "too long"),
    (["？！。，、……!?..."], "no words"),
    (["😀🚀🎉👍"], "no words"),
    (["GDP目标", "--place", "火星"], "unknown place"),
    (["GDP目标", "--year", "二零二五"], "--year"),
    (["GDP目标", "--year", "99999"], "--year"),
    (["GDP目标", "--top-k", "0"], "--top-k"),
    (["GDP目标", "--engine", "magic"], "unknown engine"),
    (["GDP目标", "--doc", "no-such-doc"], "no-such-doc"),
    ([], "no question"),
    (["GDP目标", "-f", "questions.txt"], "not both"),
    (["-f", "missing.txt"], "cannot read questions"),
]
NOT_FOUND = [
    "SELECT * FROM chunks; DROP TABLE chunks;--",
    '{"question": "GDP", "$where": {"doc_id": {"$ne": ""}}}',
    "凤岗镇2025年火星移民人数是多少",
]


@pytest.fixture
def home(settings: Settings, tmp_path: Path) -> Path:
    ingest_paths([SEEDS], settings)
    (tmp_path / "questions.txt").write_text("凤岗2025年GDP目标?\n", "utf-8")
    return settings.home


def _ask(args: list[str], home: Path) -> Run:
    return cli("ask", *args, "--no-sync", env=cli_env(home), cwd=home.parent)


def _one_line_error(r: Run) -> str:
    assert "Traceback" not in r.stderr
    lines = r.lines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


@pytest.mark.slow
def test_bad_questions_and_arguments_are_usage_errors(home: Path, settings: Settings) -> None:
    before = Corpus(settings).documents()
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda case: _ask(case[0], home), USAGE_CASES))
    for (args, words), r in zip(USAGE_CASES, runs, strict=True):
        assert r.code == 2, (args[:3], r.code, r.stderr[-500:])
        assert words in _one_line_error(r), (args[:3], r.stderr)
        assert r.stdout == ""
    assert Corpus(settings).documents() == before


@pytest.mark.slow
def test_well_formed_questions_without_an_answer_exit_3(home: Path, settings: Settings) -> None:
    before = Corpus(settings).documents()
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda q: _ask([q, "--json"], home), NOT_FOUND))
    for question, r in zip(NOT_FOUND, runs, strict=True):
        assert "Traceback" not in r.stderr
        assert r.code == 3, (question, r.stdout[-500:], r.stderr[-500:])
        assert '"status": "not_found"' in r.stdout
    assert Corpus(settings).documents() == before


def test_questions_from_a_file_report_each_bad_line_and_go_on(home: Path) -> None:
    questions = home.parent / "mixed.txt"
    questions.write_text("凤岗2025年GDP目标?\n？？？\n" + "长" * 3000 + "\n", "utf-8")
    r = cli("ask", "-f", str(questions), "--json", "--no-sync", env=cli_env(home))
    assert r.code == 1
    assert "Traceback" not in r.stderr
    assert len(r.stdout.splitlines()) == 1  # the good question was answered
    assert [ln.split(":")[:2] for ln in r.lines()] == [["error", " question 2"], ["error", " question 3"]]


def test_asking_an_empty_index_says_how_to_fill_it(tmp_path: Path) -> None:
    r = cli("ask", "GDP目标", env=cli_env(tmp_path / "home"))
    assert r.code == 2
    assert "ragtool ingest" in _one_line_error(r)
