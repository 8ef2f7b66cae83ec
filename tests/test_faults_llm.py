"""LLM endpoint faults through `ragtool ask --engine llm` (the CLI's entry point, run in this process; the fake
OpenAI server over HTTP): retries where they make sense, then one line and exit 7; a failed call is never cached.
The seeds are indexed once per module; each test asks from a copy of that home, with a cache of its own."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401
from faultkit import SEEDS, Run, cli_env, cli_here, tally

from ragtool.config import Settings
from ragtool.ingest.pipeline import ingest_paths

NOT_FOUND_REPLY = {"answer": "", "status": "not_found", "citations": [], "candidates": [], "confidence": 0.0}
QUESTION = "凤岗2025年GDP目标?"

# id: (scripted replies, extra env, HTTP attempts expected, words of the error line)
FAULTS: dict[str, tuple[list[Any], dict[str, str], int, str]] = {
    "429": ([Fault.rate_limit()] * 3, {}, 3, "rate limiting (HTTP 429)"),
    "500": ([Fault.server_error()] * 3, {}, 3, "HTTP 500 after 2 retries"),
    "timeout": ([Fault.slow(5)] * 3, {"RAGTOOL_LLM_TIMEOUT": "0.4"}, 1, "did not answer within 0.4 s"),
    "garbage": ([Fault.garbage()], {}, 1, "answered with an HTML page"),
    "truncated": ([Fault.truncated_json()] * 2, {}, 2, "did not return valid answer JSON"),
    "wrong-key": ([], {"OPENAI_API_KEY": "sk-wrong-key-000000000000"}, 1, "rejected the API key"),
    "no-model": ([], {"RAGTOOL_LLM_MODEL": "gpt-does-not-exist"}, 1, "'gpt-does-not-exist'"),
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> tuple[Path, dict[str, str]]:
    """The seeds' index, and the collection it is in on a Chroma server (the module's own)."""
    settings = Settings(home=tmp_path_factory.mktemp("llm-faults") / "home", corpus=SEEDS, embedder="hash")
    ingest_paths([SEEDS], settings)
    collection = os.environ.get("RAGTOOL_COLLECTION")
    return settings.home, {"RAGTOOL_COLLECTION": collection} if collection else {}


@pytest.fixture
def home(indexed: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    return Path(shutil.copytree(indexed[0], tmp_path / "home"))


@pytest.fixture
def ask(indexed: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def _ask(fake: FakeOpenAI, home: Path, **extra: str) -> Run:
        settings = {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": fake.api_key, "RAGTOOL_LLM_MAX_RETRIES": "2"}
        env = cli_env(home, **{**indexed[1], **settings, **extra})
        return cli_here("ask", QUESTION, "--engine", "llm", "--no-sync", env=env, monkeypatch=monkeypatch,
                        capsys=capsys)
    return _ask


def _cached_replies(home: Path) -> list[Path]:
    return sorted((home / "cache" / "llm").glob("*.json"))


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(FAULTS))
def test_llm_fault_is_exit_7_and_not_cached(fake_openai: FakeOpenAI, home: Path, ask: Callable[..., Run],  # noqa: F811
                                            fault: str) -> None:
    replies, extra, attempts, words = FAULTS[fault]
    fake_openai.models = {"gpt-4o-mini"}
    for run in range(2):
        fake_openai.script_chat(*replies)
        sent = len(fake_openai.chat_requests)
        r = ask(fake_openai, home, **extra)
        tally(faults=1)
        assert r.code == 7, (fault, r.code, r.stderr)
        assert "Traceback" not in r.stderr and r.stdout == ""
        lines = r.lines()
        assert len(lines) == 1 and words in lines[0] and fake_openai.base_url in lines[0], lines
        assert len(fake_openai.chat_requests) - sent == attempts, f"run {run + 1}: the server was not asked again"
        assert _cached_replies(home) == []


@pytest.mark.slow
def test_retry_then_success_is_cached(fake_openai: FakeOpenAI, home: Path, ask: Callable[..., Run]) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.rate_limit(), Fault.server_error(502), NOT_FOUND_REPLY)
    first = ask(fake_openai, home)
    assert first.code == 3, first.stderr  # a clean not-found answer after two retried failures
    assert len(fake_openai.chat_requests) == 3
    assert len(_cached_replies(home)) == 1

    again = ask(fake_openai, home)
    assert again.code == 3
    assert len(fake_openai.chat_requests) == 3  # answered from the cache


def test_truncated_cache_entry_is_ignored_and_rewritten(fake_openai: FakeOpenAI, home: Path,  # noqa: F811
                                                         ask: Callable[..., Run]) -> None:
    fake_openai.responder = lambda body: NOT_FOUND_REPLY
    assert ask(fake_openai, home).code == 3
    [entry] = _cached_replies(home)
    entry.write_bytes(entry.read_bytes()[:25])  # a crash mid-write of a non-atomic writer would leave this

    assert ask(fake_openai, home).code == 3
    assert len(fake_openai.chat_requests) == 2  # the broken entry was not trusted
    assert "not_found" in json.loads(entry.read_text("utf-8"))["content"]  # and it was written again whole
    assert not list(entry.parent.glob(".*.tmp"))  # atomic writes leave no temp files behind
    assert ask(fake_openai, home).code == 3
    assert len(fake_openai.chat_requests) == 2  # the rewritten entry serves the next run
