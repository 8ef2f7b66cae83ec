"""Helpers for the reliability tests: run the real `ragtool` CLI in a subprocess, build corpora, and
inspect an index from a fresh process (an embedded Chroma client only sees what was on disk when it opened).

    from faultkit import cli, cli_env, index_state, make_corpus
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DEVDOCS = REPO / "evals" / "devcorpus" / "docs"
SEEDS = REPO / "seeds"
PROBE = Path(__file__).resolve().parent / "index_probe.py"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def lines(self) -> list[str]:
        """Non-empty stderr lines."""
        return [ln for ln in self.stderr.splitlines() if ln.strip()]


def cli_env(home: Path, embedded: bool = False, **extra: str) -> dict[str, str]:
    """The test process's environment (which conftest cleaned) with a home, the hash embedder and `extra`.
    `embedded` drops a Chroma server the test run may be pointed at, for faults of the local store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RAGTOOL_LOCK"))}
    if embedded:
        env.pop("RAGTOOL_CHROMA_URL", None)
        env.pop("RAGTOOL_COLLECTION", None)
    env.update(RAGTOOL_HOME=str(home), RAGTOOL_EMBEDDER="hash", RAGTOOL_CORPUS=str(home.parent / "no-corpus"))
    env.update(extra)
    env.setdefault("PYTHONPATH", str(REPO))
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ragtool", *args]


def cli(*args: str, env: dict[str, str], timeout: float = 120, stdin: str | None = None, **popen: Any) -> Run:
    """Run `ragtool ARGS` to completion."""
    r = subprocess.run(command(*args), env=env, capture_output=True, text=True, timeout=timeout, input=stdin,
                       **popen)
    return Run(r.returncode, r.stdout, r.stderr)


def cli_here(*args: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Run:
    """`ragtool ARGS` through the CLI's own entry point in this process, with exactly `env` as the environment:
    the same exit code and lines as `cli`, without a new interpreter, where the process boundary is not the subject."""
    from ragtool.cli.main import run

    with monkeypatch.context() as mp:
        for name in set(os.environ) - set(env):
            mp.delenv(name)
        for name, value in env.items():
            mp.setenv(name, value)
        mp.setattr(sys, "argv", ["ragtool", *args])
        capsys.readouterr()
        try:
            run()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        finally:
            gc.unfreeze()  # run() freezes the heap for a quick interpreter exit
        captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def make_corpus(folder: Path, n: int) -> list[Path]:
    """`n` distinct documents built from the dev corpus and the seeds (each gets its own closing line)."""
    sources = sorted(DEVDOCS.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        path = folder / f"doc{i:03d}.txt"
        path.write_text(f"{text}\n附件{i}：编号{i * 7919}的说明。", encoding="utf-8")
        out.append(path)
    return out


def index_state(env: dict[str, str], queries: tuple[str, ...] = ("地区生产总值", "党委书记")) -> dict[str, Any]:
    """What a fresh process sees in the index: documents, chunk indexes per document, and dense results."""
    r = subprocess.run([sys.executable, str(PROBE), *queries], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return dict(json.loads(r.stdout))


def assert_consistent(state: dict[str, Any]) -> None:
    """Every committed document has exactly its chunks 0..n-1; dense search returns only committed chunks."""
    docs = state["docs"]
    for doc_id, meta in docs.items():
        assert state["chunks"].get(doc_id) == list(range(meta["chunks"])), f"document {doc_id} is incomplete"
    for hits in state["queries"].values():
        assert all(h.rsplit("-", 1)[0] in docs and h.rsplit("-", 1)[0] not in state["pending"] for h in hits)



def tally(hostile: int = 0, faults: int = 0, docs: int = 0, lost: int = 0) -> None:
    """Count what a fault or fuzz test tried (hostile inputs, injected faults) and what it checked (documents
    kept or lost), when RAGTOOL_TALLY names a file: benchmarks/reliability.py sums these for the README."""
    path = os.environ.get("RAGTOOL_TALLY")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
            f.write(json.dumps({"test": test, "hostile": hostile, "faults": faults, "docs": docs, "lost": lost}) + "\n")
