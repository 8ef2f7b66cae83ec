"""End to end with RAGTOOL_EMBEDDER=openai: ingest and ask through an OpenAI-compatible embeddings server
(the fake one, over real HTTP), as with vLLM, Ollama, Xinference or TEI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401
from typer.testing import CliRunner

from ragtool.api import Session
from ragtool.cli.main import app
from ragtool.config import Settings
from ragtool.errors import StoreError

BATCH = 16


def server_env(fake: FakeOpenAI, home: Path) -> dict[str, str]:
    return {
        "RAGTOOL_EMBEDDER": "openai", "RAGTOOL_EMBED_MODEL": "bge-m3", "RAGTOOL_EMBED_BATCH": str(BATCH),
        "OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": fake.api_key, "RAGTOOL_HOME": str(home),
        "RAGTOOL_LLM_MAX_RETRIES": "2",
    }


@pytest.mark.slow
def test_ingest_and_ask_with_an_embedding_server(
    fake_openai: FakeOpenAI, tmp_path: Path, seeds_copy: Path  # noqa: F811
) -> None:
    fake_openai.embed_dim = 64
    fake_openai.script_embeddings(Fault.rate_limit())  # the first request is throttled, then retried
    env = server_env(fake_openai, tmp_path / "home")
    runner = CliRunner()

    done = runner.invoke(app, ["ingest", str(seeds_copy), "--json"], env=env)
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["added"] == 5 and report["chunks"] > BATCH
    sent = fake_openai.embedding_requests
    assert all(r.body["model"] == "bge-m3" and 1 <= len(r.body["input"]) <= BATCH for r in sent)
    embedded = sum(len(r.body["input"]) for r in sent[1:])  # sent[0] was the throttled try
    assert report["chunks"] <= embedded <= report["chunks"] + 1  # each chunk once, plus a dimension probe
    assert sent[0].body["input"] == sent[1].body["input"]

    got = runner.invoke(app, ["ask", "凤岗镇党委书记是谁", "--json", "--no-sync", "--engine", "extractive"], env=env)
    assert got.exit_code == 0, got.output
    answer = json.loads(got.output)
    assert answer["status"] == "answered" and "张耀洪" in answer["answer"]
    query_calls = fake_openai.embedding_requests[len(sent):]
    assert [len(r.body["input"]) for r in query_calls] == [1]

    again = runner.invoke(app, ["ingest", str(seeds_copy), "--json"], env=env)
    assert json.loads(again.output)["unchanged"] == 5
    assert len(fake_openai.embedding_requests) == len(sent) + 1  # unchanged files are not embedded again


def test_index_built_by_the_server_refuses_another_embedder(
    fake_openai: FakeOpenAI, tmp_path: Path, seeds_copy: Path  # noqa: F811
) -> None:
    built = fake_openai.configure(
        Settings(home=tmp_path / "home", corpus=seeds_copy, embedder="openai", embed_model="bge-m3")
    )
    assert Session(built).ask("厚街镇党委书记是谁", engine="extractive").status == "answered"
    hashed = built.model_copy(update={"embedder": "hash"})
    with pytest.raises(StoreError, match="openai:bge-m3"):
        Session(hashed, sync=False).ask("厚街镇党委书记是谁", engine="extractive")
