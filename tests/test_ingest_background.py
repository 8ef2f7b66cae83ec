"""The real CLI: `ingest --background` returns at once and `ragtool status` follows it; kill -9 in the dense pass
leaves every document searchable lexically, and the next run embeds only what was never embedded."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from faultkit import SEEDS, assert_consistent, cli, cli_env, command, index_state, make_corpus


def _status(env: dict[str, str]) -> dict[str, Any]:
    r = cli("status", "--json", env=env)
    assert r.code == 0, r.stderr
    return dict(json.loads(r.stdout))


def _cached(home: Path) -> int:
    with sqlite3.connect(home / "cache" / "embeddings.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM emb").fetchone()[0])


def _cached_so_far(home: Path) -> int:
    """Rows in the embedding cache while another process writes it; 0 until it exists."""
    try:
        return _cached(home) if (home / "cache" / "embeddings.sqlite").exists() else 0
    except sqlite3.Error:  # not created yet, or locked by the writer this instant
        return 0


def test_status_of_a_fresh_home(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home")
    assert _status(env) == {"ingest": None, "index": {"documents": 0, "dense": 0, "lexical_only": 0}, "excluded": []}
    text = cli("status", env=env)
    assert text.code == 0 and "ingest: none" in text.stdout


@pytest.mark.slow
def test_background_ingest_returns_at_once_and_status_follows_it(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home")
    started = cli("ingest", str(SEEDS), "--background", "--json", env=env)
    assert started.code == 0, started.stderr
    pid = json.loads(started.stdout)["pid"]
    assert _status(env)["ingest"]["pid"] == pid  # the status is the new ingest's from the start
    deadline = time.monotonic() + 120
    while (state := _status(env))["ingest"]["state"] not in ("done", "failed", "stopped"):
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["ingest"]["state"] == "done", state
    assert state["ingest"]["added"] == 5 and state["ingest"]["lexical_ready"] is not None
    assert state["index"] == {"documents": 5, "dense": 5, "lexical_only": 0}
    text = cli("status", env=env).stdout
    assert "ingest: done" in text and "5 documents, all searchable lexically and densely" in text
    asked = cli("ask", "凤岗2025年GDP目标?", "--no-sync", "--json", env=env)
    assert asked.code == 0 and "lexical index" not in asked.stdout


@pytest.mark.slow
def test_kill_9_in_the_dense_pass_resumes_without_reembedding(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 30)
    home = tmp_path / "home"
    env = cli_env(home, embedded=True, RAGTOOL_EMBED_BATCH="4")
    proc = subprocess.Popen(command("ingest", str(corpus)), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _cached_so_far(home) == 0:  # the first batch is cached: the dense pass has begun, with far to go
        assert proc.poll() is None and time.monotonic() < deadline, "the dense pass never began"
        time.sleep(0.01)
    proc.kill()
    proc.wait()

    state = index_state(env)
    assert_consistent(state)
    assert len(state["docs"]) == 30  # the lexical pass had committed every document
    after_kill = _status(env)
    assert after_kill["ingest"]["state"] == "stopped"
    assert after_kill["index"]["lexical_only"] > 0
    asked = cli("ask", "地区生产总值增长多少", "--no-sync", "--json", env=env)
    assert asked.code in (0, 3) and "answered from the lexical index" in asked.stdout
    cached = _cached(home)
    assert cached > 0

    rerun = cli("ingest", str(corpus), "--json", env=env)
    assert rerun.code == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["added"] == 0 and report["pending"] == 0
    assert report["embedded"] == _cached(home) - cached  # only texts the killed run had not embedded

    clean_env = cli_env(tmp_path / "clean", embedded=True)
    assert cli("ingest", str(corpus), env=clean_env).code == 0
    assert index_state(env) == index_state(clean_env)
