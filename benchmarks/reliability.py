"""Reliability figures for the README: hostile inputs tried, faults injected and documents lost, counted by the
test suite's own fault and fuzz tests as they run (tests/faultkit.py `tally`), per test file.

    python benchmarks/reliability.py              # runs tests/test_faults_*.py and tests/test_fuzz_loaders.py
    python benchmarks/reliability.py --markdown   # also the table as Markdown
    python benchmarks/reliability.py --loaders    # time hostile files through load and chunking instead

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
    "tests/test_fuzz_loaders.py", "tests/test_loader_bounds.py", "tests/test_load_sniff.py"]
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


def _hostile_files(folder: Path) -> dict[str, Path]:
    """Generated hostile inputs of issue 22: long runs, one long line, nested HTML, masking food."""
    import random

    rng = random.Random(22)
    texts = {
        "letters.txt": "前言。\n" + "a" * 1_900_000 + "\n结尾。",
        "han-run.txt": "".join(rng.choice("地区生产总值增长目标经济发展") for _ in range(1_900_000)),
        "digits.txt": "增长" + "9" * 1_900_000 + "%",
        "one-line.txt": "地区生产总值增长5%，" * 150_000,
        "colons.txt": "a:" * 900_000,
        "nested-1MB.html": "<div>" * 100_000 + "x" + "</div>" * 100_000,
        "nested-10MB.html": "<div>" * 1_000_000 + "x",
    }
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in texts.items():
        out[name] = folder / name
        out[name].write_text(text, "utf-8")
    return out


def loaders() -> int:
    """Seconds to load, and to clean and chunk, each hostile file (or its skip reason); mask_url_passwords on a
    1.9 M-letter word."""
    import time

    from ragtool.config import Settings, mask_url_passwords
    from ragtool.errors import LoadError
    from ragtool.ingest.clean import Cleaner
    from ragtool.ingest.load import load_file
    from ragtool.ingest.pipeline import prepare

    settings = Settings()
    cleaner = Cleaner.from_settings(settings)
    rows = []
    with tempfile.TemporaryDirectory(prefix="hostile_") as tmp:
        for name, path in _hostile_files(Path(tmp)).items():
            t0 = time.perf_counter()
            try:
                loaded = load_file(path)
                t1 = time.perf_counter()
                _, chunks = prepare(loaded, cleaner, settings)
                outcome, prep = f"{len(chunks)} chunks", f"{time.perf_counter() - t1:.2f}"
            except LoadError as e:
                t1, outcome, prep = time.perf_counter(), f"skipped: {e}", "-"
            rows.append([name, f"{path.stat().st_size:,}", f"{t1 - t0:.2f}", prep, outcome[:70]])
    t0 = time.perf_counter()
    mask_url_passwords("a" * 1_900_000)
    rows.append(["mask_url_passwords, 1.9 M letters", "1,900,000", f"{time.perf_counter() - t0:.3f}", "-", "done"])
    print_table("Hostile files: seconds to load, then to clean and chunk", ["file", "bytes", "load s", "chunk s",
                                                                             "outcome"], rows)
    write_json("reliability_loaders", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(loaders() if "--loaders" in sys.argv else main())
