"""Misbehaving servers, through the real CLI: every call is bounded in time and memory, and each failure is one
line with the documented exit code (7 for the LLM or embedding server, 6 for the store). The LLM questions run
through the CLI's entry point in this process, so their time is the call's, not an interpreter's start-up."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bad_servers import bad_server, drip, endless, reply, silent
from faultkit import SEEDS, Run, cli, cli_env, cli_here, tally

REPLY = {"id": "c1", "object": "chat.completion", "created": 0, "model": "m",
         "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content":
                      json.dumps({"answer": "", "status": "not_found", "citations": [], "candidates": []})}}]}


def _error(r: Run, code: int, *needles: str) -> str:
    assert r.code == code, (r.code, r.stderr[-2000:])
    assert "Traceback" not in r.stderr
    [line] = [ln for ln in r.lines() if ln.startswith("error: ")]
    assert all(n in line for n in needles), line
    return line


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("servers") / "home"
    corpus = home.parent / "corpus"
    corpus.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(p, corpus / p.name)
    assert cli("ingest", str(corpus), env=cli_env(home)).code == 0
    return home


@pytest.fixture
def ask(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[Run, float]]:
    """`ask --engine llm` over `home` against the LLM server at `url`: the run and its seconds."""
    def _ask(home: Path, url: str, timeout: str = "1") -> tuple[Run, float]:
        env = cli_env(home, OPENAI_BASE_URL=f"{url}/v1", OPENAI_API_KEY="sk-test-0123456789abcdef",
                      RAGTOOL_LLM_TIMEOUT=timeout, RAGTOOL_LLM_MAX_RETRIES="1")
        t0 = time.perf_counter()
        r = cli_here("ask", "凤岗2025年GDP目标", "--engine", "llm", "--no-sync", "--no-cache", env=env,
                     monkeypatch=monkeypatch, capsys=capsys)
        return r, time.perf_counter() - t0
    return _ask


def test_a_dripping_llm_server_is_cut_off_at_the_timeout(index: Path, ask: Callable[..., tuple[Run, float]]) -> None:
    body = json.dumps(REPLY).encode()
    with bad_server(drip(body, every=0.2)) as url:  # the whole reply would take a minute
        r, seconds = ask(index, url)
    _error(r, 7, "did not answer within 1 s", "the whole call")
    assert seconds < 12  # the 1 s deadline for the whole call, plus opening the index; not 60+ s
    tally(faults=1)


def test_an_endless_llm_reply_is_refused_at_the_size_cap(index: Path, ask: Callable[..., tuple[Run, float]]) -> None:
    with bad_server(endless()) as url:
        r, _ = ask(index, url, timeout="30")
    _error(r, 7, "larger than 16 MB")
    tally(faults=1)


@pytest.mark.parametrize("status", ["200 OK", "502 Bad Gateway"])
def test_an_html_page_from_the_llm_server_is_exit_7(index: Path, status: str,
                                                    ask: Callable[..., tuple[Run, float]]) -> None:
    page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>proxy login</body></html>"
    with bad_server(reply(status, "text/html", page)) as url:
        r, _ = ask(index, url)
    _error(r, 7, "HTML page", "OPENAI_BASE_URL")
    tally(faults=1)


def _embeddings(vectors: str) -> bytes:
    return (b'{"object": "list", "model": "m", "usage": {"prompt_tokens": 1, "total_tokens": 1}, "data": ['
            + b", ".join(b'{"object": "embedding", "index": %d, "embedding": %s}' % (i, v.encode())
                         for i, v in enumerate(json.loads(vectors)))
            + b"]}")


@pytest.mark.parametrize(("vectors", "why"), [
    ('["[NaN, 0.5, 0.1]"]', "NaN or infinite"), ('["[Infinity, 0.5, 0.1]"]', "NaN or infinite"),
    ('["[1e39, 0.5, 0.1]"]', "NaN or infinite"), ('["[]"]', "empty vectors"),
    ('["[0.1, 0.2]", "[0.1, 0.2, 0.3]"]', "different sizes"), ('["[\\"a\\", \\"b\\"]"]', "not lists of numbers"),
])
def test_bad_embeddings_are_exit_7_naming_the_embedding_server(tmp_path: Path, vectors: str, why: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], corpus / "a.txt")
    with bad_server(reply("200 OK", "application/json", _embeddings(vectors))) as url:
        env = cli_env(tmp_path / "home", RAGTOOL_EMBEDDER="openai", OPENAI_BASE_URL=f"{url}/v1",
                      OPENAI_API_KEY="sk-test-0123456789abcdef", RAGTOOL_LLM_MAX_RETRIES="0")
        r = cli("ingest", str(corpus), env=env, timeout=90)
    line = _error(r, 7, "embedding server", why)
    assert "disk space" not in line
    tally(faults=1)


@pytest.mark.parametrize("args", [["docs"], ["ask", "GDP目标", "--no-sync"]])
def test_a_chroma_server_that_never_answers_times_out(tmp_path: Path, args: list[str]) -> None:
    with bad_server(silent) as url:
        env = cli_env(tmp_path / "home", RAGTOOL_CHROMA_URL=url, RAGTOOL_CHROMA_TIMEOUT="1")
        t0 = time.perf_counter()
        r = cli(*args, env=env, timeout=60)
    _error(r, 6, url, "did not answer within 1 s")
    assert time.perf_counter() - t0 < 30
    tally(faults=1)
