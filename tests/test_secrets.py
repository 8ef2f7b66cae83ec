"""A planted API key never leaves ragtool: not in stdout/stderr (text or --json), error messages, cache
files, reports or anything else under RAGTOOL_HOME, on success and failure paths (real CLI, fake server)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from chroma_server import free_port
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401
from faultkit import SEEDS, Run, cli, cli_env

NOT_FOUND_REPLY = {"answer": "", "status": "not_found", "citations": [], "candidates": [], "confidence": 0.0}
SUMMARY_REPLY = {"officials": [], "key_figures": [], "priorities": [], "meeting": "", "abstract": "会议部署工作。"}


def _reply(body: dict[str, object]) -> dict[str, object]:
    """A summary for summary requests (one priority quoted from the first chunk sent: an abstract alone would be a
    failed document), not_found for questions."""
    if "summary_" not in str(body.get("response_format") or ""):
        return NOT_FOUND_REPLY
    import re

    user = str(body["messages"][-1]["content"])  # type: ignore[index]
    m = re.search(r"\[chunk_id: ([^\]]+)\]\n(.{12})", user)
    priorities = [{"text": m.group(2), "quote": m.group(2), "chunk_id": m.group(1)}] if m else []
    return {**SUMMARY_REPLY, "priorities": priorities}


def _grep_tree(root: Path, secret: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and secret in p.read_bytes()]


@pytest.mark.slow
def test_planted_key_never_written_or_printed(fake_openai: FakeOpenAI, tmp_path: Path) -> None:  # noqa: F811
    key = f"sk-test-PLANTED-{uuid.uuid4().hex}"
    fake_openai.api_key = key
    fake_openai.responder = _reply
    home = tmp_path / "home"
    out = tmp_path / "out"
    env = cli_env(home, OPENAI_BASE_URL=fake_openai.base_url, OPENAI_API_KEY=key, RAGTOOL_CORPUS=str(SEEDS),
                  RAGTOOL_LLM_MAX_RETRIES="1")
    runs: dict[str, Run] = {}

    runs["config"] = cli("config", env=env)
    runs["config json"] = cli("config", "--json", env=env)
    runs["ask llm"] = cli("ask", "凤岗2025年GDP目标?", "--engine", "llm", env=env)
    runs["ask llm json"] = cli("ask", "小榄镇书记是谁", "--engine", "llm", "--json", "--show-context", env=env)
    fake_openai.script_chat(Fault.server_error(), Fault.server_error())
    runs["ask 500"] = cli("ask", "金湾区GDP", "--engine", "llm", "--no-cache", env=env)
    fake_openai.script_chat(Fault.http(400, f"Invalid request for API key {key}"))  # servers that echo the key
    runs["ask echo"] = cli("ask", "凤岗镇GDP", "--engine", "llm", "--no-cache", "--json", env=env)
    runs["ask down"] = cli("ask", "凤岗镇GDP", "--engine", "llm", "--no-cache", env={
        **env, "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "RAGTOOL_LLM_TIMEOUT": "2"})
    runs["summarize"] = cli("summarize", "--all", "--out", str(out / "summaries"), "--format", "md", env=env)
    runs["summarize json"] = cli("summarize", "--all", "--json", "--engine", "extractive", env=env)
    runs["eval"] = cli("eval", "--engine", "llm", "--report", str(out / "report.html"), "--json",
                       "--filter", "official", env=env)
    runs["doctor"] = cli("doctor", "--json", env=env)

    assert runs["ask llm"].code == 3 and runs["ask 500"].code == 7 and runs["ask echo"].code == 7
    assert runs["ask down"].code == 7
    assert (out / "report.html").exists() and any((out / "summaries").iterdir())
    assert len(fake_openai.chat_requests) > 3  # the key was really used
    assert all(r.headers.get("authorization") == f"Bearer {key}" for r in fake_openai.chat_requests)
    masked = f"{key[:3]}…{key[-4:]}"
    assert masked in runs["config"].stdout and masked in runs["config json"].stdout
    assert masked in runs["ask echo"].stderr  # the server's echo reached the user, masked

    for name, r in runs.items():
        assert "Traceback" not in r.stderr, name
        assert key not in r.stdout and key not in r.stderr, name
        assert key[8:] not in r.stdout + r.stderr, name  # not even without its prefix
    assert _grep_tree(home, key.encode()) == []
    assert _grep_tree(out, key.encode()) == []
    assert _grep_tree(tmp_path, key.encode()) == []
