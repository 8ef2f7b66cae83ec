"""Every suite over one mixed corpus: the seeds, the devcorpus documents and the provincial reports in one index.

A town's question must still be answered from the town's report, a county's from the county's and a province's from
the province's, with the other documents (75 in all) around them as distractors.

    RAGTOOL_EMBEDDER=hash python evals/mixed.py          # a table: each suite alone and in the mixed corpus
    python evals/mixed.py --json --suite "cities dev"
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ragtool.config import load_settings
from ragtool.eval.run import run_suite

ROOT = Path(__file__).resolve().parent.parent
SUITES = {
    "seeds": (ROOT / "evals/seeds.jsonl", ROOT / "seeds", None),
    "devcorpus": (ROOT / "evals/devcorpus/qa.jsonl", ROOT / "evals/devcorpus/docs", None),
    "provincial dev": (ROOT / "evals/provincial/qa.jsonl", ROOT / "evals/provincial/docs", "dev"),
    "provincial sealed": (ROOT / "evals/provincial/qa.jsonl", ROOT / "evals/provincial/docs", "sealed"),
    "cities dev": (ROOT / "evals/cities/qa.jsonl", ROOT / "evals/cities/docs", "dev"),
    "cities sealed": (ROOT / "evals/cities/qa.jsonl", ROOT / "evals/cities/docs", "sealed"),
}


def mixed_folder(home: Path) -> Path:
    """All suites' documents in one folder (their file names are distinct)."""
    folder = home / "mixed-corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for _, docs, _ in SUITES.values():
        for path in docs.iterdir():
            if path.is_file() and path.suffix in {".txt", ".md", ".html", ".pdf", ".docx"}:
                target = folder / path.name
                if not target.exists() or target.stat().st_size != path.stat().st_size:
                    shutil.copyfile(path, target)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--suite", action="append", choices=list(SUITES), help="only these suites (repeatable)")
    args = parser.parse_args()
    settings = load_settings()
    folder = mixed_folder(settings.home)
    rows = []
    for name, (cases, docs, tag) in SUITES.items():
        if args.suite and name not in args.suite:
            continue
        alone = run_suite(settings, cases, corpus=docs, label=tag, summaries=False).metrics
        mixed = run_suite(settings, cases, corpus=folder, label=tag, summaries=False).metrics
        rows.append({"suite": name, "cases": alone.scored, "alone": alone.pass_rate, "mixed": mixed.pass_rate,
                     "mixed_abstention": mixed.abstention_accuracy, "mixed_hit_at_1": mixed.hit_at_1})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"embedder {settings.embedder}; mixed corpus: {len(list(folder.iterdir()))} documents\n")
    print("| suite | cases | alone | mixed | mixed abstention | mixed hit@1 |\n|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['suite']} | {r['cases']} | {r['alone']:.3f} | {r['mixed']:.3f} | {r['mixed_abstention']} | {r['mixed_hit_at_1']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
