"""kill -9 during `ragtool ingest` (embedded store): after each kill the index opens, every document is
either fully present or absent (in the lexical pass), or present with or without its dense vectors (in the dense
pass), and a re-run gives the same index as one clean ingest."""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest
from faultkit import assert_consistent, cli, cli_env, command, index_state, make_corpus, tally

DOCS = 40
KILLS = 5


@pytest.mark.slow
def test_kill_9_during_ingest_loses_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, DOCS)
    clean_env = cli_env(tmp_path / "clean", embedded=True)
    started = time.monotonic()
    assert cli("ingest", str(corpus), env=clean_env).code == 0
    duration = time.monotonic() - started
    clean = index_state(clean_env)
    assert len(clean["docs"]) == DOCS

    env = cli_env(tmp_path / "crashy", embedded=True)
    rng = random.Random(20250116)
    partial = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(command("ingest", str(corpus)), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.25, 0.6) * duration)
        proc.kill()
        proc.wait()
        state = index_state(env)
        tally(faults=1)
        assert_consistent(state)
        partial += 0 < len(state["docs"]) < DOCS or bool(state["pending"])  # in the lexical or the dense pass
    assert partial >= 1, "no kill landed in the middle of an ingest"

    rerun = cli("ingest", str(corpus), "--json", env=env)
    assert rerun.code == 0, rerun.stderr
    final = index_state(env)
    assert final["orphans"] == []
    tally(docs=DOCS, lost=len(set(clean["docs"]) - set(final["docs"])))
    assert final == clean
