"""benchmarks/llm.py runs every engine on a labelled suite against an OpenAI-compatible server (the fake one, over
HTTP, from a separate process) and prints the comparison table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


def test_the_benchmark_compares_the_engines_side_by_side(fake_openai: FakeOpenAI, tmp_path: Path) -> None:  # noqa: F811
    fake_openai.responder = lambda body: {"answer": "", "status": "not_found", "citations": [], "candidates": [],
                                          "confidence": 0.1}
    fake_openai.script_chat(Fault.http(400, "context length exceeded"))  # one failed call is a failed case
    cmd = [sys.executable, str(REPO / "benchmarks" / "llm.py"), "--suites", "seeds", "--sample", "3",
           "--base-url", fake_openai.base_url, "--api-key", fake_openai.api_key, "--model", "fake-model",
           "--timeout", "10", "--retries", "0", "--home", str(tmp_path / "home"), "--out", str(tmp_path / "llm.json"), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    for engine in ("extractive", "llm", "hybrid"):
        assert f"seeds · {engine}" in done.stdout
    out = json.loads((tmp_path / "llm.json").read_text(encoding="utf-8"))
    rows = out["results"]["seeds"]
    assert {e: len(r) for e, r in rows.items()} == {"extractive": 3, "llm": 3, "hybrid": 3}
    assert sum(bool(r["error"]) for r in rows["llm"]) == 1
    assert all(r["status"] == "not_found" for r in rows["llm"] if not r["error"])  # what the server said
    # the hybrid keeps the extractive engine's answers where the LLM found none
    assert [r["got"] for r in rows["hybrid"]] == [r["got"] for r in rows["extractive"]]
    assert len(fake_openai.chat_requests) >= 3
