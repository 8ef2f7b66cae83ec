"""Store faults through the real CLI: an unusable RAGTOOL_HOME, writes refused by the OS, a Chroma server
that is down. Each is one line on stderr with exit code 6, and a working index is left as it was.

A truly full disk (ENOSPC) needs a small mounted filesystem, i.e. root. Instead the child process gets a
file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored): the kernel then refuses writes past the limit with
EFBIG, which reaches ragtool through the same paths (SQLite "database or disk is full", OSError).
"""

from __future__ import annotations

import resource
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from chroma_server import free_port
from faultkit import SEEDS, Run, assert_consistent, cli, cli_env, index_state, make_corpus, tally


def _error_line(r: Run) -> str:
    assert "Traceback" not in r.stderr
    lines = r.lines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child before exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _db_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in (home / "chroma").glob("chroma.sqlite3*"))


@pytest.mark.parametrize("args", [["ingest", str(SEEDS)], ["ask", "GDP目标"], ["docs"]])
def test_home_that_cannot_be_a_folder_is_exit_6(tmp_path: Path, args: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    home = blocker / "home"  # works for root too, unlike chmod
    r = cli(*args, env=cli_env(home, embedded=True, RAGTOOL_CORPUS=str(SEEDS)))
    tally(faults=1)
    assert r.code == 6
    line = _error_line(r)
    assert str(home) in line and "Not a directory" in line


@pytest.mark.slow
def test_refused_writes_are_exit_6_and_leave_the_index_intact(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home", embedded=True)
    assert cli("ingest", str(SEEDS), env=env).code == 0
    before = index_state(env)
    more = tmp_path / "more"
    make_corpus(more, 12)

    limit = _db_bytes(tmp_path / "home") + 64 * 1024
    r = cli("ingest", str(more), env=env, preexec_fn=_file_size_limit(limit))
    tally(faults=1)
    assert r.code == 6, r.stderr
    line = _error_line(r)
    assert "cannot write" in line and "disk space" in line

    after = index_state(env)
    tally(docs=len(before["docs"]), lost=len(set(before["docs"]) - set(after["docs"])))
    assert_consistent(after)
    assert {k: after["docs"][k] for k in before["docs"]} == before["docs"]  # nothing already indexed was lost
    assert cli("ingest", str(more), env=env).code == 0  # with room again, the ingest completes
    assert len(index_state(env)["docs"]) == len(before["docs"]) + 12


def test_fresh_home_on_a_full_disk_is_exit_6(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home", embedded=True)
    r = cli("ingest", str(SEEDS), env=env, preexec_fn=_file_size_limit(200_000))
    tally(faults=1)
    assert r.code == 6, r.stderr
    assert str(tmp_path / "home") in _error_line(r)


@pytest.mark.parametrize("args", [["ingest", str(SEEDS)], ["ask", "GDP目标"], ["docs"], ["docs", "rm", "x"]])
def test_chroma_server_down_is_exit_6_naming_the_url(tmp_path: Path, args: list[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    r = cli(*args, env=cli_env(tmp_path / "home", RAGTOOL_CHROMA_URL=url, RAGTOOL_CORPUS=str(SEEDS)), timeout=60)
    tally(faults=1)
    assert r.code == 6, r.stderr
    assert url in _error_line(r)
