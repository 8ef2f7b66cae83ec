"""The same question gets the same answer in every process (fusion never ranks by the hash seed). Which year's
document answers is in tests/cases/two_years.toml."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ragtool.retrieve import fuse

_FUSE = """
import json
from ragtool.retrieve import fuse
print(json.dumps(fuse(["c-dense-first", "b-lex-first", "a-dense-only"], ["b-lex-first", "c-dense-first", "d-lex-only"])))
"""


def test_equal_fused_scores_rank_the_same_in_every_process() -> None:
    """Chunks tied after fusion (1st + 2nd vs 2nd + 1st) must not be ordered by the process's hash seed."""
    outputs = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        r = subprocess.run([sys.executable, "-c", _FUSE], capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        outputs.add(r.stdout)
    assert len(outputs) == 1
    order = [cid for cid, _ in json.loads(outputs.pop())]
    assert order[:2] == ["b-lex-first", "c-dense-first"]  # tied: by id
    assert order[2:] == ["a-dense-only", "d-lex-only"]  # one ranker each, same rank: by id


def test_fused_ranking_prefers_chunks_both_rankers_find() -> None:
    order = [cid for cid, _ in fuse(["x", "y", "z"], ["z", "y"])]
    assert order == ["z", "y", "x"]  # found by both rankers beats first in one alone
