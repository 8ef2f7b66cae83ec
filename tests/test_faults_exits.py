"""Right exit codes and messages: usage mistakes are exit 2, Ctrl-C is exit 130 with nothing half-written,
passwords in URLs are masked everywhere, and output files respect the umask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
from faultkit import SEEDS, assert_consistent, cli, cli_env, command, index_state, make_corpus, tally


def _usage(r: subprocess.CompletedProcess[str] | object, *needles: str) -> None:
    code, stderr = getattr(r, "code", None), str(getattr(r, "stderr", ""))
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and all(n in lines[0] for n in needles), stderr


def test_summarize_out_naming_a_file_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("{}", "utf-8")
    env = cli_env(tmp_path / "home", RAGTOOL_CORPUS=str(SEEDS))
    _usage(cli("summarize", "--all", "--out", str(target), "--engine", "extractive", env=env), "is a file")
    assert target.read_text("utf-8") == "{}"


@pytest.mark.parametrize("name", ["../../etc", "a/b", "x", "ragtool..x", "-lead", "名字"])
def test_bad_collection_names_are_exit_2(tmp_path: Path, name: str) -> None:
    _usage(cli("docs", env=cli_env(tmp_path / "home", RAGTOOL_COLLECTION=name)), "collection")
    assert not (tmp_path / "etc").exists()
    tally(hostile=1)


def test_empty_home_in_ragtool_toml_is_exit_2(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "ragtool.toml").write_text('home = ""\n', "utf-8")
    env = cli_env(tmp_path / "home")
    env.pop("RAGTOOL_HOME")
    r = cli("docs", env=env, cwd=work)
    _usage(r, "home", "must not be empty")
    assert not (work / "chroma").exists()
    tally(hostile=1)


def test_passwords_in_urls_are_masked_everywhere(tmp_path: Path) -> None:
    secret = "hunter2-sekret"
    env = cli_env(tmp_path / "home", RAGTOOL_CHROMA_URL=f"http://admin:{secret}@127.0.0.1:9",
                  OPENAI_BASE_URL=f"http://bob:{secret}@127.0.0.1:9/v1")
    for args in (["config"], ["config", "--json"], ["docs"], ["ask", "GDP目标", "--engine", "llm", "--no-sync"]):
        r = cli(*args, env=env, timeout=60)
        assert secret not in r.stdout + r.stderr, (args, r.stdout, r.stderr)
    r = cli("config", "--json", env=env)
    values = json.loads(r.stdout)
    assert values["chroma_url"] == "http://admin:***@127.0.0.1:9"
    assert values["openai_base_url"] == "http://bob:***@127.0.0.1:9/v1"
    r = cli("docs", env=env, timeout=60)
    assert r.code == 6 and "admin:***@" in r.stderr


@pytest.mark.slow
def test_ctrl_c_is_exit_130_and_nothing_half_written(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 40)
    env = cli_env(tmp_path / "home", embedded=True)
    proc = subprocess.Popen(command("ingest", str(corpus)), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (tmp_path / "home" / "index.gen").exists():
        time.sleep(0.1)  # the first document is committed
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    tally(faults=1)
    assert proc.returncode == 130, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines == ["error: interrupted; nothing half-written"], stderr
    state = index_state(env)
    assert_consistent(state)  # every committed document is whole
    tally(docs=len(state["docs"]))
    assert cli("ingest", str(corpus), env=env).code == 0
    assert len(index_state(env)["docs"]) == 40


def test_output_files_respect_the_umask(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], corpus / "a.txt")
    env = cli_env(tmp_path / "home", RAGTOOL_CORPUS=str(corpus))
    assert cli("ingest", str(corpus), env=env).code == 0
    out = tmp_path / "out"
    for mask in (0o022, 0o077):
        shutil.rmtree(out, ignore_errors=True)
        r = cli("summarize", "--all", "--out", str(out), "--engine", "extractive", "--format", "csv", env=env,
                preexec_fn=lambda mask=mask: os.umask(mask))  # type: ignore[misc]
        assert r.code == 0, r.stderr
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
        assert modes and set(modes.values()) == {0o666 & ~mask}, modes
