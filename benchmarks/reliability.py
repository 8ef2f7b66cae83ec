"""Reliability figures for the README: hostile inputs tried, faults injected and documents lost, counted by the
test suite's own fault and fuzz tests as they run (tests/faultkit.py `tally`), per test file.

    python benchmarks/reliability.py              # runs tests/test_faults_*.py and tests/test_fuzz_loaders.py
    python benchmarks/reliability.py --markdown   # also the table as Markdown

A test counts what it really did (each fuzzed file, each server fault, each kill -9), and a test that fails is
reported: the figures are only quoted from a green run. Writes benchmarks/out/reliability.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from common import REPO, print_table, write_json

TESTS = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").glob("test_faults_*.py")) + [
    "tests/test_fuzz_loaders.py"]
KEYS = ("hostile", "faults", "docs", "lost")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="reliability_") as tmp:
        tally = Path(tmp) / "tally.jsonl"
        env = {**os.environ, "RAGTOOL_TALLY": str(tally)}
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
                             cwd=REPO, env=env, capture_output=True, text=True)
        lines = tally.read_text("utf-8").splitlines() if tally.exists() else []
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    for line in lines:
        row = json.loads(line)
        for key in KEYS:
            totals[row["test"].split("::")[0]][key] += int(row[key])
    rows = [[name.removeprefix("tests/"), *(t[k] for k in KEYS)] for name, t in sorted(totals.items())]
    rows.append(["all", *(sum(t[k] for t in totals.values()) for k in KEYS)])
    print_table("Fault and fuzz tests: what they tried", ["test file", "hostile inputs", "faults injected",
                                                          "documents checked", "documents lost"], rows)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    print(f"pytest: {summary}")
    write_json("reliability", {"files": {r[0]: dict(zip(KEYS, r[1:], strict=True)) for r in rows},
                               "pytest": summary, "returncode": run.returncode})
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
