"""Several ragtool processes on one RAGTOOL_HOME: concurrent ingests and questions during an ingest never
corrupt the index; a lock held too long is a one-line "index busy" with exit 5; a store opened in one
process sees what another process committed later."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultkit import SEEDS, assert_consistent, cli, cli_env, command, index_state, make_corpus
from filelock import FileLock

from ragtool.config import Settings
from ragtool.errors import IndexBusyError
from ragtool.index.embed import HashEmbedder
from ragtool.index.store import VectorStore
from ragtool.ingest.pipeline import ingest_paths


def _start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _sources(state: dict[str, object]) -> list[str]:
    return sorted(Path(m["source"]).name for m in state["docs"].values())  # type: ignore[attr-defined]


@pytest.mark.slow
def test_two_ingests_at_once(tmp_path: Path) -> None:
    same = make_corpus(tmp_path / "a", 12)
    other = tmp_path / "b"
    other.mkdir()
    for i, path in enumerate(make_corpus(tmp_path / "b-src", 24)[12:]):
        path.rename(other / f"other{i:02d}.txt")
    env = cli_env(tmp_path / "home")
    procs = [_start("ingest", str(tmp_path / "a"), env=env), _start("ingest", str(tmp_path / "a"), env=env),
             _start("ingest", str(other), env=env)]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        assert "Traceback" not in err
    state = index_state(env)
    assert_consistent(state)
    assert state["orphans"] == []
    assert _sources(state) == sorted([p.name for p in same] + [p.name for p in other.iterdir()])


@pytest.mark.slow
def test_questions_during_an_ingest_are_answered(settings: Settings, tmp_path: Path) -> None:
    ingest_paths([SEEDS], settings)
    make_corpus(tmp_path / "more", 30)
    env = cli_env(settings.home, RAGTOOL_LOCK_TIMEOUT="60")
    ingest = _start("ingest", str(tmp_path / "more"), env=env)
    time.sleep(1.5)
    asks = [cli("ask", q, "--no-sync", "--json", env=env) for q in ("凤岗2025年GDP目标?", "小榄镇党委书记是谁")]
    _, err = ingest.communicate(timeout=180)
    assert ingest.returncode == 0, err
    for r in asks:
        assert r.code in (0, 3), r.stderr  # answered (or honestly not found), never an error
        assert '"question"' in r.stdout
    state = index_state(env)
    assert_consistent(state)
    assert len(state["docs"]) == 5 + 30


@pytest.mark.parametrize("args", [["ingest", str(SEEDS)], ["ask", "GDP目标", "--no-sync"], ["docs"]])
def test_lock_held_too_long_is_index_busy(settings: Settings, args: list[str]) -> None:
    ingest_paths([SEEDS], settings)
    env = cli_env(settings.home, RAGTOOL_LOCK_TIMEOUT="0.5")
    with FileLock(str(settings.home / "index.lock")):  # another process's ingest, as far as ragtool can tell
        r = cli(*args, env=env)
    assert r.code == 5, r.stderr
    assert "Traceback" not in r.stderr
    [line] = r.lines()
    assert "index busy" in line and "RAGTOOL_LOCK_TIMEOUT" in line


def test_every_store_read_waits_for_another_process_holding_the_lock(settings: Settings) -> None:
    """Chroma may write on a read (it applies its log to the vector index): no read may overlap another
process's ingest, not even the engine's reads between the CLI's own lock holds."""
    ingest_paths([SEEDS], settings)
    store = VectorStore(settings.model_copy(update={"lock_timeout": 0.3}))
    [doc_id, *_] = store.doc_ids()
    chunk_id = store.chunks(doc_id)[0].chunk_id
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
         "print('held', flush=True); time.sleep(60)", str(settings.home / "index.lock")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for read in (store.documents, lambda: store.get_chunks([chunk_id]), lambda: store.chunks(doc_id)):
            with pytest.raises(IndexBusyError):
                read()
    finally:
        holder.kill()
        holder.wait()
    assert store.get_chunks([chunk_id])[0].chunk_id == chunk_id


def test_open_store_sees_what_another_process_commits(settings: Settings, tmp_path: Path) -> None:
    """An embedded Chroma client keeps its vector index in memory; ragtool must reopen it after another
    process writes, or dense search misses the new documents (or fails on an index that was empty)."""
    store = VectorStore(settings)  # opened while the index is empty
    embedder = HashEmbedder()
    assert store.query(embedder.embed_query("地区生产总值增长"), 3) == []
    env = cli_env(settings.home)
    for batch in (make_corpus(tmp_path / "one", 3), make_corpus(tmp_path / "two", 8)[3:]):
        assert cli("ingest", *map(str, batch), env=env).code == 0
        for path in batch:  # each new document's last chunk (it holds the document's own closing line)
            [meta] = [m for m in store.documents() if m.source == str(path)]
            last = store.chunks(meta.doc_id)[-1]
            [(hit, score)] = store.query(embedder.embed_passages([last.search_text])[0], 1)
            assert hit.chunk_id == last.chunk_id and score > 0.99
