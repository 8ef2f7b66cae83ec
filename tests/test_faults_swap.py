"""kill -9 inside `ingest --reset` (issue 22 item 3): at each named step of the swap, and at random moments, a fresh
process sees either the whole old index or the whole new one, never an empty or chunkless one; the next ingest
deletes the generation left behind, and `ingest` never calls a chunkless document unchanged."""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import pytest
from faultkit import assert_consistent, cli, cli_env, command, index_state, make_corpus, tally

from ragtool.config import Settings
from ragtool.index.live import FAULT_ENV, SWAP_STEPS
from ragtool.index.store import VectorStore

OLD, NEW = 6, 4


def _corpora(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    make_corpus(old, OLD)
    new.mkdir()
    for i, path in enumerate(make_corpus(tmp_path / "pool", OLD + NEW)[OLD:]):
        path.rename(new / f"new{i}.txt")
    return old, new


def _sources(state: dict) -> set[str]:
    return {Path(m["source"]).parent.name for m in state["docs"].values()}


def _generations(env: dict[str, str]) -> set[str]:
    settings = Settings(home=Path(env["RAGTOOL_HOME"]))
    store = VectorStore(settings)
    return {c.name for c in store._client.list_collections()}  # noqa: SLF001


def _assert_old_or_new(state: dict, want: str | None = None) -> str:
    assert_consistent(state)
    seen = _sources(state)
    assert seen in ({"old"}, {"new"}), f"a mixed or empty index: {seen}"
    assert len(state["docs"]) == (OLD if seen == {"old"} else NEW)
    assert state["queries"]["地区生产总值"], "dense search finds nothing"
    (which,) = seen
    if want:
        assert which == want
    return which


@pytest.mark.embedded_store  # counts every collection of its store: a shared server holds others
@pytest.mark.slow
@pytest.mark.parametrize("step", SWAP_STEPS)
def test_a_kill_at_each_step_of_the_swap_keeps_a_whole_index(tmp_path: Path, step: str) -> None:
    old, new = _corpora(tmp_path)
    env = cli_env(tmp_path / "home", embedded=True)
    assert cli("ingest", str(old), env=env).code == 0
    killed = cli("ingest", "--reset", str(new), env={**env, FAULT_ENV: step})
    assert killed.code == -9, killed.stderr[-500:]
    tally(faults=1)
    after_pointer = SWAP_STEPS.index(step) >= SWAP_STEPS.index("pointer")
    _assert_old_or_new(index_state(env), "new" if after_pointer else "old")

    again = cli("ingest", str(new if after_pointer else old), "--json", env=env)
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["unchanged"] == (NEW if after_pointer else OLD)
    assert len(_generations(env)) == 2  # the other generation is gone: one _chunks, one _docs


@pytest.mark.embedded_store  # counts every collection of its store: a shared server holds others
@pytest.mark.slow
def test_random_kills_during_reset_keep_a_whole_index(tmp_path: Path) -> None:
    old, new = _corpora(tmp_path)
    env = cli_env(tmp_path / "home", embedded=True)
    assert cli("ingest", str(old), env=env).code == 0
    started = time.monotonic()
    assert cli("ingest", "--reset", str(new), env=env).code == 0
    duration = time.monotonic() - started
    rng = random.Random(20261207)
    seen = set()
    for i in range(6):
        source = (new, old)[i % 2]
        proc = subprocess.Popen(command("ingest", "--reset", str(source)), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.kill()
        proc.wait()
        tally(faults=1)
        seen.add(_assert_old_or_new(index_state(env)))
    final = cli("ingest", "--reset", str(old), env=env)
    assert final.code == 0, final.stderr
    _assert_old_or_new(index_state(env), "old")
    assert len(_generations(env)) == 2


@pytest.mark.embedded_store
def test_doctor_finds_a_document_without_chunks_and_repair_reingests_it(tmp_path: Path) -> None:
    old, _ = _corpora(tmp_path)
    env = cli_env(tmp_path / "home", embedded=True)
    assert cli("ingest", str(old), env=env).code == 0
    store = VectorStore(Settings(home=Path(env["RAGTOOL_HOME"])))
    victim = store.documents()[0]
    store._delete_chunks(victim.doc_id)  # noqa: SLF001 - chunks lost, the record kept
    store._bump_gen()  # noqa: SLF001
    store.close()

    doctor = cli("doctor", env=env)
    assert doctor.code == 1
    assert "1 document(s) with missing chunks" in doctor.stdout
    repaired = cli("doctor", "--repair", env=env)
    assert repaired.code == 0, repaired.stderr
    assert "re-ingested 1 document(s) with missing chunks" in repaired.stdout
    assert_consistent(index_state(env))
    assert cli("doctor", env=env).code == 0


@pytest.mark.embedded_store
def test_ingest_reingests_a_document_whose_chunks_are_missing(tmp_path: Path) -> None:
    old, _ = _corpora(tmp_path)
    env = cli_env(tmp_path / "home", embedded=True)
    assert cli("ingest", str(old), env=env).code == 0
    store = VectorStore(Settings(home=Path(env["RAGTOOL_HOME"])))
    victim = store.documents()[0]
    store._delete_chunks(victim.doc_id)  # noqa: SLF001
    store._bump_gen()  # noqa: SLF001
    store.close()
    again = cli("ingest", str(old), "--json", env=env)
    assert again.code == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["unchanged"], report["repaired"]) == (OLD - 1, 1)
    state = index_state(env)
    assert_consistent(state)
    assert len(state["docs"]) == OLD


@pytest.mark.embedded_store
def test_a_garbled_pointer_falls_back_to_the_newest_build_and_repair_rewrites_it(settings: Settings,
                                                                                 tmp_path: Path) -> None:
    from ragtool.index.health import find_damage
    from ragtool.index.live import pointer_path
    from ragtool.ingest.pipeline import ingest_paths
    from ragtool.repair import repair

    old, new = _corpora(tmp_path)
    ingest_paths([old], settings)
    ingest_paths([new], settings, reset=True)
    pointer_path(settings).write_bytes(b"\x00garbage")
    store = VectorStore(settings)
    assert {Path(m.source).parent.name for m in store.documents()} == {"new"}  # the newest complete build
    assert [why for _, why in find_damage(settings)] == ["unreadable pointer to the live collections"]
    report = repair(settings)
    assert report.damaged and not report.rebuilt
    assert find_damage(settings) == []
    assert {Path(m.source).parent.name for m in VectorStore(settings).documents()} == {"new"}
