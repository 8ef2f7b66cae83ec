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

runner = CliRunner()


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAGTOOL_CHROMA_URL", raising=False)  # the CI variant points every test at a server
    s = Settings()
    assert s.home == Path(".ragtool") and s.corpus == Path("seeds") and s.embedder == "local"
    assert s.chroma_url is None and not s.llm_configured


def test_toml_file_then_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ragtool.toml").write_text('home = "idx"\ntop_k = 5\nembedder = "hash"\n', encoding="utf-8")
    s = Settings()
    assert s.home == Path("idx") and s.top_k == 5 and s.embedder == "hash"
    monkeypatch.setenv("RAGTOOL_TOP_K", "12")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.top_k == 12 and s.home == Path("idx") and s.llm_configured


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
    assert set(checks) == {"tokenizer", "opencc", "embedder", "index files", "store", "prompts"}
    assert all(c["ok"] for c in checks.values())


def test_doctor_fails_loudly_when_the_store_cannot_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAGTOOL_CHROMA_URL", raising=False)  # the embedded store under an unusable home
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = runner.invoke(app, ["doctor", "--json", "--home", str(blocker / "h"), "--embedder", "hash"])
    assert r.exit_code == 1
    checks = {c["check"]: c for c in json.loads(r.stdout)}
    assert not checks["store"]["ok"] and checks["tokenizer"]["ok"]
