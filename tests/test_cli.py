"""The `ragtool` command as a user runs it: `python -m ragtool`, one-line errors for bad usage, and an index
built with another embedder (exit 6, saying how to rebuild)."""

from __future__ import annotations

from pathlib import Path

import pytest
from faultkit import SEEDS, cli, cli_env

from ragtool.config import Settings
from ragtool.ingest.pipeline import ingest_paths


def test_python_dash_m_ragtool_runs_the_cli(tmp_path: Path) -> None:
    r = cli("--help", env=cli_env(tmp_path / "home"))
    assert r.code == 0
    assert "ingest" in r.stdout and "Exit codes" in r.stdout


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    from ragtool import __version__

    r = cli("--version", env=cli_env(tmp_path / "home"))
    assert r.code == 0
    assert r.stdout.strip() == f"ragtool {__version__}"


@pytest.mark.parametrize(
    ("args", "words"),
    [(["nosuch"], "No such command"), (["docs", "rm"], "Missing argument"), (["ask", "x", "--bogus"], "--bogus"),
     (["docs", "show"], "Missing argument")],
)
def test_usage_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    r = cli(*args, env=cli_env(tmp_path / "home"))
    assert r.code == 2
    [line] = r.lines()
    assert line.startswith("error: ") and words in line and "--help" in line


@pytest.mark.parametrize("args", [["ask", "凤岗2025年GDP目标?", "--no-sync"], ["ingest", str(SEEDS)]])
def test_other_embedder_than_the_index_is_exit_6_with_the_fix(settings: Settings, args: list[str]) -> None:
    ingest_paths([SEEDS], settings)
    r = cli(*args, env=cli_env(settings.home, RAGTOOL_EMBEDDER="local"))
    assert r.code == 6, r.stderr
    [line] = r.lines()
    assert "'hash:v1'" in line and "RAGTOOL_EMBEDDER=hash" in line and "ragtool ingest --reset" in line


def test_config_prints_settings_with_the_key_masked(tmp_path: Path) -> None:
    key = "sk-test-config-0123456789abcdef"
    r = cli("config", env=cli_env(tmp_path / "home", OPENAI_API_KEY=key))
    assert r.code == 0
    assert "openai_api_key = sk-…cdef" in r.stdout and key not in r.stdout
    assert f"home = {tmp_path / 'home'}" in r.stdout
