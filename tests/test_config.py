"""Settings come from env vars, then ./ragtool.toml, then defaults; `config` masks secrets; `doctor` checks offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ragtool.cli.main import app
from ragtool.config import Settings, mask_secret
from ragtool.errors import UsageError

runner = CliRunner()


def test_defaults_without_a_project_use_the_per_user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAGTOOL_CHROMA_URL", raising=False)  # the CI variant points every test at a server
    s = Settings()
    user = tmp_path / "user-data" / "ragtool"  # XDG_DATA_HOME/ragtool, ~/.local/share/ragtool by default
    assert s.home == user and s.corpus == user / "corpus" and s.embedder == "local"
    assert s.chroma_url is None and not s.llm_configured
    r = runner.invoke(app, ["config"])
    assert r.exit_code == 0 and "no ragtool.toml" in r.stdout and str(user) in r.stdout
    shown = json.loads(runner.invoke(app, ["config", "--json"]).stdout)
    assert shown["config_file"] is None and shown["home"] == str(user)


def test_toml_file_then_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ragtool.toml").write_text('home = "idx"\ntop_k = 5\nembedder = "hash"\n', encoding="utf-8")
    s = Settings()
    assert s.home == tmp_path / "idx" and s.top_k == 5 and s.embedder == "hash"
    monkeypatch.setenv("RAGTOOL_TOP_K", "12")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.top_k == 12 and s.home == tmp_path / "idx" and s.llm_configured


def test_project_file_is_found_in_a_parent_and_paths_resolve_against_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    (project / "sub" / "deeper").mkdir(parents=True)
    (project / "ragtool.toml").write_text('home = ".ragtool"\ncorpus = "docs"\n', encoding="utf-8")
    monkeypatch.chdir(project / "sub" / "deeper")
    s = Settings()
    assert s.home == project / ".ragtool" and s.corpus == project / "docs"
    shown = json.loads(runner.invoke(app, ["config", "--json"]).stdout)
    assert shown["config_file"] == str(project / "ragtool.toml")


def test_unknown_key_names_the_closest_valid_one(tmp_path: Path) -> None:
    (tmp_path / "ragtool.toml").write_text('top-k = 5\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "ragtool", "config"], capture_output=True, text=True, timeout=60,
                       cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "'top-k'" in r.stderr and "did you mean 'top_k'" in r.stderr and r.stderr.strip().count("\n") == 0


def test_init_writes_a_commented_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = runner.invoke(app, ["init", "newproj"])
    assert r.exit_code == 0, r.stdout
    text = (tmp_path / "newproj" / "ragtool.toml").read_text(encoding="utf-8")
    assert text.count("#") >= 5 and (tmp_path / "newproj" / "documents").is_dir()
    monkeypatch.chdir(tmp_path / "newproj" / "documents")
    s = Settings()
    assert s.home == tmp_path / "newproj" / ".ragtool" and s.corpus == tmp_path / "newproj" / "documents"
    again = runner.invoke(app, ["init", str(tmp_path / "newproj")])
    assert isinstance(again.exception, UsageError) and "already exists" in str(again.exception)


def test_repository_project_file_points_at_the_seeds() -> None:
    """The README's first command, from a fresh clone: the repository's ragtool.toml gives seeds and ./.ragtool."""
    repo = Path(__file__).resolve().parent.parent
    s = subprocess.run([sys.executable, "-m", "ragtool", "config", "--json"], capture_output=True, text=True,
                       timeout=60, cwd=repo / "tests")
    shown = json.loads(s.stdout)
    assert shown["corpus"] == str(repo / "seeds") and shown["home"] == str(repo / ".ragtool")
    assert ".ragtool/" in (repo / ".gitignore").read_text(encoding="utf-8").split()


def test_bad_setting_is_a_one_line_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAGTOOL_EMBEDDER", "bert")
    r = subprocess.run([sys.executable, "-m", "ragtool", "config"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "embedder" in r.stderr and "Traceback" not in r.stderr


def test_config_masks_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-test-PLANTED-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    r = runner.invoke(app, ["config", "--json"])
    assert r.exit_code == 0
    shown = json.loads(r.stdout)
    assert key not in r.stdout and shown["openai_api_key"] == mask_secret(key) == "sk-…cdef"


def test_doctor_reports_each_check(tmp_path: Path) -> None:
    r = runner.invoke(app, ["doctor", "--json", "--home", str(tmp_path / "h"), "--embedder", "hash"])
    assert r.exit_code == 0, r.stdout
    checks = {c["check"]: c for c in json.loads(r.stdout)}
    assert set(checks) == {"tokenizer", "opencc", "embedder", "index files", "home", "store", "chunks", "prompts"}
    assert all(c["ok"] for c in checks.values())


def test_doctor_fails_loudly_when_the_store_cannot_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAGTOOL_CHROMA_URL", raising=False)  # the embedded store under an unusable home
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = runner.invoke(app, ["doctor", "--json", "--home", str(blocker / "h"), "--embedder", "hash"])
    assert r.exit_code == 1
    checks = {c["check"]: c for c in json.loads(r.stdout)}
    assert not checks["store"]["ok"] and checks["tokenizer"]["ok"]
