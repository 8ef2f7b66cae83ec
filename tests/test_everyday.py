"""Everyday use of the CLI: citations that lead to the source file, id prefixes, -h and completion, pipes,
--show-context in JSON, one doc_id field, a progress bar that moves within a large file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from faultkit import SEEDS, cli, cli_env, command
from typer.testing import CliRunner

from ragtool.cli.ask_cmd import citation_fields, wrap_fields
from ragtool.cli.main import app
from ragtool.config import Settings
from ragtool.errors import UsageError
from ragtool.ingest.pipeline import ingest_paths
from ragtool.models import Citation
from ragtool.sourcemap import fold

runner = CliRunner()


_MODULE_STORE: dict[str, str] = {}  # on a Chroma server: the collection the module's index was built in


@pytest.fixture(scope="module")
def home(store_backend: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, copied and indexed with the hash embedder."""
    base = tmp_path_factory.mktemp("everyday")
    shutil.copytree(SEEDS, base / "seeds")
    ingest_paths([base / "seeds"], Settings(home=base / "home", corpus=base / "seeds", embedder="hash"))
    _MODULE_STORE.clear()
    _MODULE_STORE.update({k: os.environ[k] for k in ("RAGTOOL_CHROMA_URL", "RAGTOOL_COLLECTION") if k in os.environ})
    return base / "home"


@pytest.fixture(autouse=True)
def _module_store(_backend_env: None, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs of tests on `home` read the module's index (on a server, not the test's own empty collection)."""
    if "home" not in request.fixturenames:
        return
    request.getfixturevalue("home")
    for key, value in _MODULE_STORE.items():
        monkeypatch.setenv(key, value)


def run(home: Path, *args: str) -> Any:
    env = {"RAGTOOL_HOME": str(home), "RAGTOOL_EMBEDDER": "hash", "RAGTOOL_CORPUS": str(home.parent / "seeds")}
    return runner.invoke(app, list(args), env=env)


def ask_json(home: Path, question: str, *extra: str) -> dict[str, Any]:
    r = run(home, "ask", question, "--json", "--no-sync", *extra)
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


def doc_ids(home: Path) -> list[str]:
    return [row["doc_id"] for row in json.loads(run(home, "docs", "--json").stdout)]


# ---- citations lead to the source ---------------------------------------------------------------


def test_citation_carries_source_place_date_kind_and_offsets_in_the_file(home: Path) -> None:
    answer = ask_json(home, "凤岗2024年GDP是多少")
    c = answer["citations"][0]
    assert c["path"].endswith("002_6efbc55a5a395691.txt") and Path(c["path"]).is_absolute()
    assert (c["place"], c["date"], c["kind"]) == ("凤岗镇", "2025-03-11", "政府工作报告")
    raw = Path(c["path"]).read_text(encoding="utf-8")
    shown = c["source_quote"] or c["quote"]
    assert raw[c["source_start"] : c["source_end"]] == shown  # the quote as printed is found verbatim in the file
    assert fold(shown)[0] == fold(c["quote"])[0]


def test_pinyin_and_full_width_forms_are_shown_as_the_file_writes_them(home: Path) -> None:
    answer = ask_json(home, "小欖鎮書記是誰")
    c = answer["citations"][0]
    raw = Path(c["path"]).read_text(encoding="utf-8")
    assert "(zhèn)" in c["source_quote"] and "(zhèn)" not in c["quote"]
    assert raw[c["source_start"] : c["source_end"]] == c["source_quote"] and c["source_quote"] in raw
    r = run(home, "ask", "小欖鎮書記是誰", "--no-sync")
    assert f"「{c['quote']}」" in r.stdout and f"原文「{c['source_quote']}」" in r.stdout


def test_a_changed_source_file_gives_no_offsets(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "fg.txt"
    shutil.copy(next(SEEDS.glob("002_*.txt")), path)
    settings = Settings(home=tmp_path / "h", corpus=folder, embedder="hash")
    ingest_paths([folder], settings)
    path.write_text(path.read_text(encoding="utf-8").replace("411亿元", "412亿元"), encoding="utf-8")
    r = runner.invoke(app, ["ask", "凤岗2024年GDP是多少", "--json", "--no-sync"],
                      env={"RAGTOOL_HOME": str(settings.home), "RAGTOOL_EMBEDDER": "hash"})
    c = json.loads(r.stdout)["citations"][0]
    assert c["path"] == str(path) and c["source_start"] is None and c["source_quote"] == ""


def test_docs_show_at_offset_shows_the_passage(home: Path) -> None:
    c = ask_json(home, "凤岗2024年GDP是多少")["citations"][0]
    r = run(home, "docs", "show", c["doc_id"][:6], "--at", str(c["start"]), "--context", "40")
    assert r.exit_code == 0, r.output
    assert "▶" + c["quote"][:10] in r.stdout and len(r.stdout) < 400
    shown = json.loads(run(home, "docs", "show", c["doc_id"], "--at", str(c["start"]), "--json").stdout)
    assert shown["doc_id"] == c["doc_id"] and c["quote"] in shown["text"]
    past = run(home, "docs", "show", c["doc_id"], "--at", "999999")
    assert isinstance(past.exception, UsageError) and "past the end" in str(past.exception)


def test_at_80_columns_a_citation_wraps_between_fields() -> None:
    c = Citation(doc_id="7f07ad8887a7aa0d", title="2025年这样干!中国共产党凤岗镇第十四届代表大会第四次会议暨镇党委经济工作会议召开",
                 chunk_id="7f07ad8887a7aa0d-0003", quote="q", start=12345, end=12399, place="凤岗镇",
                 date="2025-01-16", kind="党代会", source="http://www.dg.gov.cn/fg/jjfg/fgxw/content/post_4330578.html",
                 path="/home/user/reports/000_1f8b0461ee0e1c02.txt", source_start=23456, source_end=23510)
    fields = citation_fields(c)
    lines = wrap_fields(fields, 80, first="[1]")
    from rich.cells import cell_len

    assert all(cell_len(line) <= 80 for line in lines if len(line.split()) > 2)
    joined = "\n".join(lines)
    for offsets in ("@12345-12399", "@23456-23510"):
        assert offsets in joined  # never split across lines
    assert [f for f in fields if f not in joined] == []


def test_ask_at_80_columns_keeps_offsets_whole(home: Path) -> None:
    env = cli_env(home, RAGTOOL_CORPUS=str(home.parent / "seeds"), COLUMNS="80")
    r = cli("ask", "凤岗2025年GDP目标?", "--no-sync", env=env)
    assert r.code == 0, r.stderr
    header = [ln for ln in r.stdout.splitlines() if "@" in ln]
    assert header and all(re.search(r"@\d+-\d+", ln) for ln in header if "@" in ln)
    assert all(len(ln) <= 80 for ln in header)


# ---- CLI habits ------------------------------------------------------------------------------


def test_dash_h_and_shell_completion(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "h")
    assert "Usage:" in cli("-h", env=env).stdout and "Exit codes" in cli("-h", env=env).stdout
    assert "--at" in cli("docs", "show", "-h", env=env).stdout
    # the shell named, not detected from the parent processes (a pytest-xdist worker has no shell above it)
    completion = cli("--show-completion", "bash", env={**env, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert completion.code == 0 and "COMPLETE=complete_bash" in completion.stdout


def test_docs_json_says_doc_id_and_the_table_keeps_ids_whole(home: Path) -> None:
    rows = json.loads(run(home, "docs", "--json").stdout)
    assert len(rows) == 5 and all("doc_id" in r and "id" not in r for r in rows)
    env = cli_env(home, COLUMNS="80")
    table = cli("docs", env=env).stdout
    assert all(r["doc_id"] in table for r in rows)


def test_short_unique_id_prefixes_are_accepted_everywhere(home: Path) -> None:
    ids = doc_ids(home)
    target = next(i for i in ids if i.startswith("7f07"))
    assert json.loads(run(home, "docs", "show", "7f07", "--json").stdout)["meta"]["doc_id"] == target
    summary = run(home, "summarize", "7f07", "--engine", "extractive", "--json")
    assert json.loads(summary.stdout)["doc_id"] == target
    answer = ask_json(home, "GDP是多少", "--doc", "7f07")
    assert {c["doc_id"] for c in answer["citations"]} == {target}
    firsts = [i[0] for i in ids]
    shared = next(ch for ch in firsts if firsts.count(ch) > 1)
    for args in (["docs", "show", shared], ["docs", "rm", shared], ["summarize", shared, "--engine", "extractive"],
                 ["ask", "GDP是多少", "--no-sync", "--doc", shared]):
        r = run(home, *args)
        assert isinstance(r.exception, UsageError) and "ambiguous" in str(r.exception), args
    assert len(doc_ids(home)) == 5  # nothing removed


def test_a_closed_pipe_ends_quietly_with_exit_0(home: Path) -> None:
    ids = doc_ids(home)
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `ragtool docs show ID | head -0`: the reader is gone before anything is written
    proc = subprocess.run(command("docs", "show", ids[0]), env=cli_env(home), stdout=write_end,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write_end)
    assert proc.returncode == 0 and proc.stderr == ""


def test_show_context_in_json_best_first_and_top_k(home: Path) -> None:
    answer = ask_json(home, "凤岗2025年GDP目标?", "--show-context", "--top-k", "4")
    context = answer["context"]
    assert len(context) == 4 and [c["rank"] for c in context] == [1, 2, 3, 4]
    scores = [c["score"] for c in context]
    assert scores == sorted(scores, reverse=True) and all(c["text"] and c["doc_id"] for c in context)
    plain = run(home, "ask", "凤岗2025年GDP目标?", "--no-sync", "--show-context", "--top-k", "4").stdout
    assert [int(m) for m in re.findall(r"^#(\d+) score", plain, re.M)] == [1, 2, 3, 4]
    assert "context" not in ask_json(home, "凤岗2025年GDP目标?") or not ask_json(home, "凤岗2025年GDP目标?")["context"]


def test_progress_moves_within_a_large_file(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    (folder / "big.txt").write_text(text, encoding="utf-8")
    updates: list[tuple[str, float, int]] = []
    settings = Settings(home=tmp_path / "h", embedder="hash", embed_batch=4)
    report = ingest_paths([folder], settings, progress=lambda name, done, total: updates.append((name, done, total)))
    # the dense pass reports chunks embedded, batch by batch, within the one file
    within = [u for u in updates if u[0].startswith("embedding")]
    assert report.chunks > 8 and len(within) >= report.chunks // 4 - 1
    assert [u[1] for u in within] == sorted(u[1] for u in within) and "big.txt" in within[0][0]
    assert within[-1][1] == within[-1][2] == report.chunks


def test_a_markdown_quote_maps_back_over_its_markup(tmp_path: Path) -> None:
    from ragtool.ingest.clean import Cleaner
    from ragtool.ingest.load import load_file
    from ragtool.ingest.meta import extract_meta
    from ragtool.sourcemap import attach_source

    path = tmp_path / "humen.md"
    raw = "# 虎门镇政府工作报告\n\n2025年，地区生产总值增长**5%**左右，\n规上工业增加值增长６％。\n"
    path.write_text(raw, encoding="utf-8")
    loaded = load_file(path)
    text = Cleaner.from_settings(Settings()).clean(loaded.text)
    meta = extract_meta(text, loaded.header, source=str(path), file_hash=loaded.file_hash)
    quote = "地区生产总值增长5%左右,规上工业增加值增长6%。"
    start = text.index(quote)
    c = Citation(doc_id=meta.doc_id, title=meta.title, chunk_id=f"{meta.doc_id}-0000", quote=quote, start=start,
                 end=start + len(quote))
    attach_source(c, meta, len(text))
    assert c.source_quote == "地区生产总值增长**5%**左右，\n规上工业增加值增长６％。"
    assert raw[c.source_start : c.source_end] == c.source_quote
