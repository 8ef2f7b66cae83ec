"""ragtool on a real Chroma server (`chroma run` on loopback): CLI, shared use by two clients, parity with
the embedded store, and a server that is down."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_server import chroma_url, drop_collections, free_port, unique_collection  # noqa: F401
from typer.testing import CliRunner

from ragtool.api import Session
from ragtool.cli.main import app
from ragtool.config import Settings
from ragtool.errors import ExitCode
from ragtool.index.corpus import Corpus
from ragtool.ingest.pipeline import ingest_paths

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FENGGANG, HOUJIE, JINWAN = "000_1f8b0461ee0e1c02.txt", "001_cc7644a91a9315a6.txt", "003_d9bfca2f8f6a8f4a.txt"


@pytest.fixture
def collection(chroma_url: str) -> Iterator[str]:  # noqa: F811
    name = unique_collection("srv")
    yield name
    drop_collections(chroma_url, name)


def client_settings(home: Path, url: str, collection: str) -> Settings:
    return Settings(home=home, corpus=home / "no-corpus", embedder="hash", chroma_url=url, collection=collection)


def copy_seeds(dest: Path, *names: str) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SEEDS / name, dest / name)
    return dest


def ask(session: Session, question: str) -> tuple[str, str, list[str]]:
    """(status, answer, source file names of the citations)."""
    answer = session.ask(question, engine="extractive")
    docs = session.retriever.docs()
    sources = [Path(docs[c.doc_id].source).name for c in answer.citations if c.doc_id in docs]
    return answer.status, answer.answer, sources


def test_cli_ingest_and_ask_through_the_server(
    tmp_path: Path, chroma_url: str, collection: str, seeds_copy: Path  # noqa: F811
) -> None:
    runner = CliRunner()
    env = {"RAGTOOL_COLLECTION": collection}
    common = ["--chroma-url", chroma_url, "--embedder", "hash"]
    done = runner.invoke(app, ["ingest", str(seeds_copy), "--home", str(tmp_path / "a"), *common, "--json"], env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["added"] == 5
    got = runner.invoke(
        app,
        ["ask", "凤岗镇党委书记是谁", "--home", str(tmp_path / "b"), *common, "--no-sync", "--json", "--engine", "extractive"],
        env=env,
    )
    assert got.exit_code == 0, got.output
    answer = json.loads(got.output)
    assert answer["status"] == "answered" and "张耀洪" in answer["answer"]
    assert not (tmp_path / "a" / "chroma").exists() and not (tmp_path / "b" / "chroma").exists()
    listed = runner.invoke(app, ["docs", "--json", "--home", str(tmp_path / "c"), "--chroma-url", chroma_url], env=env)
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)) == 5


def test_two_clients_share_one_server(tmp_path: Path, chroma_url: str, collection: str) -> None:  # noqa: F811
    """A ingests, B (another RAGTOOL_HOME) finds A's documents; A ingests more, B sees them too."""
    a = client_settings(tmp_path / "home-a", chroma_url, collection)
    b = client_settings(tmp_path / "home-b", chroma_url, collection)
    ingest_paths([copy_seeds(tmp_path / "docs-a", FENGGANG, JINWAN)], a)
    reader = Session(b, sync=False)

    status, text, sources = ask(reader, "凤岗镇党委书记是谁")
    assert (status, sources[:1]) == ("answered", [FENGGANG]) and "张耀洪" in text
    status, text, _ = ask(reader, "金湾区委书记是谁")
    assert status == "answered" and "梁耀斌" in text
    assert "谢卫东" not in ask(reader, "厚街镇党委书记是谁")[1]
    first_signature = json.loads((b.home / "lexical" / "current.json").read_text())["signature"]

    ingest_paths([copy_seeds(tmp_path / "docs-a2", HOUJIE)], a)
    status, text, sources = ask(reader, "厚街镇党委书记是谁")  # same session: its caches must notice
    assert (status, sources[:1]) == ("answered", [HOUJIE]) and "谢卫东" in text
    second_signature = json.loads((b.home / "lexical" / "current.json").read_text())["signature"]
    assert second_signature != first_signature
    assert second_signature == Corpus(b).store.signature()
    fresh = Session(b, sync=False)  # a new process on B's machine loads the saved lexical index
    assert "谢卫东" in ask(fresh, "厚街镇党委书记是谁")[1]


def test_collections_keep_users_apart_on_one_server(
    tmp_path: Path, chroma_url: str, collection: str  # noqa: F811
) -> None:
    mine = client_settings(tmp_path / "a", chroma_url, collection)
    other = client_settings(tmp_path / "b", chroma_url, collection + "x")
    try:
        ingest_paths([copy_seeds(tmp_path / "docs", FENGGANG)], mine)
        assert [Path(d.source).name for d in Corpus(mine).documents()] == [FENGGANG]
        assert Corpus(other).documents() == []
    finally:
        drop_collections(chroma_url, collection + "x")


@pytest.mark.slow
def test_server_gives_the_same_retrieval_and_answers_as_the_embedded_store(
    tmp_path: Path, chroma_url: str, collection: str, seeds_copy: Path  # noqa: F811
) -> None:
    embedded = Settings(home=tmp_path / "embedded", corpus=seeds_copy, embedder="hash", chroma_url=None)
    served = client_settings(tmp_path / "served", chroma_url, collection)
    for s in (embedded, served):
        ingest_paths([seeds_copy], s)
    cases = [json.loads(line) for line in (REPO / "evals" / "seeds.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = [c["question"] for c in cases[:12]]
    runs = []
    for s in (embedded, served):
        session = Session(s, sync=False)
        runs.append([session.ask_with_context(q, engine="extractive") for q in questions])
    for (ans_e, hits_e), (ans_s, hits_s) in zip(*runs, strict=True):
        assert [h.chunk.chunk_id for h in hits_e] == [h.chunk.chunk_id for h in hits_s], ans_e.question
        assert (ans_e.status, ans_e.answer) == (ans_s.status, ans_s.answer)


def test_unreachable_server_is_a_one_line_store_error(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    got = subprocess.run(
        [sys.executable, "-m", "ragtool", "ask", "凤岗镇党委书记是谁", "--home", str(tmp_path / "h"),
         "--chroma-url", down, "--embedder", "hash"],
        capture_output=True, text=True, timeout=120,
    )
    assert got.returncode == ExitCode.STORE, got.stderr
    message = got.stderr.strip()
    assert down in message and len(message.splitlines()) == 1 and "Traceback" not in message
