"""A corpus sync answers after the lexical pass and leaves a long dense pass to a background ingest; Ctrl-C stops
an ingest at once; `ingest PATH` embeds only its own documents and a bare `ingest` resumes the others."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultkit import SEEDS, assert_consistent, cli, cli_env, command, index_state, make_corpus

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.index.store import VectorStore
from ragtool.ingest.pipeline import ingest_paths
from ragtool.ingest.status import ingest_state, read_status


def _status(env: dict[str, str]) -> dict[str, Any]:
    r = cli("status", "--json", env=env)
    assert r.code == 0, r.stderr
    return dict(json.loads(r.stdout))


def _wait_for(env: dict[str, str], states: tuple[str, ...], seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while (state := _status(env))["ingest"] is None or state["ingest"]["state"] not in states:
        assert time.monotonic() < deadline, state
        time.sleep(0.3)
    return state


@pytest.fixture
def background_reaper(tmp_path: Path) -> Iterator[list[Path]]:
    """Homes whose background ingest the test leaves running are stopped (SIGKILL) at its end."""
    homes: list[Path] = []
    yield homes
    for home in homes:
        status = read_status(home)
        if status is not None and ingest_state(status) == "running":
            os.kill(status.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while ingest_state(read_status(home)) == "running" and time.monotonic() < deadline:
                time.sleep(0.1)


@pytest.mark.slow
def test_first_ask_answers_from_the_lexical_pass_while_the_dense_pass_runs_in_the_background(
    tmp_path: Path, background_reaper: list[Path]
) -> None:
    home = tmp_path / "home"
    background_reaper.append(home)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = cli_env(home, embedded=True, RAGTOOL_EMBEDDER="local", RAGTOOL_CORPUS=str(corpus))
    asked = cli("ask", "凤岗2025年GDP目标?", "--json", env=env)
    assert asked.code == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["status"] in ("answered", "conflicting") and "5.5%" in answer["answer"]
    assert any("answered from the lexical index" in n for n in answer["notes"])
    state = _status(env)
    assert state["index"]["documents"] == 5
    assert state["ingest"]["paths"] == [] and state["ingest"]["state"] == "running"  # the dense pass, elsewhere
    assert "ingest: running" in cli("status", env=env).stdout
    again = cli("ask", "凤岗2025年GDP目标?", "--json", env=env)  # no second sync, no second background ingest
    assert again.code == 0 and _status(env)["ingest"]["pid"] == state["ingest"]["pid"]


def test_a_cheap_dense_pass_is_done_in_process(settings: Settings, seeds_copy: Path) -> None:
    settings = settings.model_copy(update={"corpus": seeds_copy})
    session = Session(settings)
    assert "5.5%" in session.ask("凤岗2025年GDP目标?").answer
    assert VectorStore(settings).dense_counts() == (5, 5)  # the hash embedder needs no background process
    status = read_status(settings.home)
    assert status is not None and status.phase == "done" and status.pid == os.getpid()


@pytest.mark.slow
def test_ctrl_c_in_a_local_dense_pass_stops_within_2_seconds_keeping_every_document(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 6)
    home = tmp_path / "home"
    env = cli_env(home, embedded=True, RAGTOOL_EMBEDDER="local")
    proc = subprocess.Popen(command("ingest", str(corpus)), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while (s := read_status(home)) is None or s.pid != proc.pid or s.phase != "dense":
            assert proc.poll() is None and time.monotonic() < deadline, "the dense pass never began"
            time.sleep(0.05)
        time.sleep(1.0)  # well inside an embedding batch
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted" in stderr
    assert took <= 2.0, f"Ctrl-C took {took:.1f}s"
    state = index_state(env)
    assert_consistent(state)
    assert len(state["docs"]) == 6  # the lexical pass's commits are kept
    assert "stopped" in cli("status", env=env).stdout


def test_ingest_of_a_missing_file_is_exit_2_before_any_work(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home")
    r = cli("ingest", str(SEEDS), "nosuchfile.pdf", env=env)
    assert r.code == 2 and r.lines() == ["error: no such file or folder: nosuchfile.pdf"]
    assert not (tmp_path / "home" / "ingest.status.json").exists()  # nothing started


def test_ingest_path_embeds_only_its_documents_and_a_bare_ingest_resumes_the_rest(
    settings: Settings, tmp_path: Path
) -> None:
    older, newer = tmp_path / "older", tmp_path / "newer"
    make_corpus(older, 3)
    newer.mkdir()
    shutil.copy(SEEDS / "000_1f8b0461ee0e1c02.txt", newer / "x.txt")
    ingest_paths([older], settings, dense=False)  # a corpus sync's lexical pass, say
    env = cli_env(settings.home)
    r = cli("ingest", str(newer), env=env)
    assert r.code == 0, r.stderr
    assert "3 other document(s) still without dense vectors" in r.stderr and "`ragtool ingest`" in r.stderr
    assert VectorStore(settings).dense_counts() == (1, 4)
    bare = cli("ingest", env=env)
    assert bare.code == 0 and "resuming the dense pass" in bare.stderr
    assert VectorStore(settings).dense_counts() == (4, 4)


def test_status_resume_embeds_pending_documents_in_the_background(settings: Settings, tmp_path: Path) -> None:
    make_corpus(tmp_path / "docs", 2)
    ingest_paths([tmp_path / "docs"], settings, dense=False)
    env = cli_env(settings.home)
    r = cli("status", "--resume", env=env)
    assert r.code == 0 and "resuming the dense pass in the background" in r.stderr
    state = _wait_for(env, ("done", "failed", "stopped"))
    assert state["ingest"]["state"] == "done" and state["index"]["lexical_only"] == 0
    again = cli("status", "--resume", env=env)
    assert "nothing to resume" in again.stderr
