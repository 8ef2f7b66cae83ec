"""Robustness to wording: every labelled question of the development suites asked again in other words that keep
its answer (请问…, traditional characters, gdp, GDP ↔ 地区生产总值, 今年 ↔ 2026年, 广东 ↔ 广东省), scored by the same
checks. A rule fitted to one wording shows up here as a drop from the original pass rate.

    RAGTOOL_EMBEDDER=hash python evals/paraphrase.py            # a table per suite and per rewording
    python evals/paraphrase.py --failures                       # also list the reworded questions that fail

The sealed parts of evals/provincial and evals/cities are never asked.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from ragtool.api import Session
from ragtool.config import load_settings
from ragtool.eval.cases import EvalCase, load_cases
from ragtool.eval.check import check_answer
from ragtool.eval.run import prepare_index, resolve_corpus, suite_settings
from ragtool.zh.places import load_place_rules

ROOT = Path(__file__).resolve().parent.parent
SUITES = [("seeds", "evals/seeds.jsonl", None), ("devcorpus", "evals/devcorpus/qa.jsonl", None),
          ("provincial dev", "evals/provincial/qa.jsonl", "dev"), ("cities dev", "evals/cities/qa.jsonl", "dev")]
Reword = Callable[[str, int | None], str]


def _s2t(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def _years_relative(q: str, year: int | None) -> str:
    if not year:
        return q
    return q.replace(f"{year}年", "今年").replace(f"{year - 1}年", "去年")


def _years_absolute(q: str, year: int | None) -> str:
    if not year:
        return q
    return q.replace("今年", f"{year}年").replace("去年", f"{year - 1}年")


def _gdp_spelled(q: str, _: int | None) -> str:
    return re.sub(r"GDP", "地区生产总值", q, flags=re.I)


def _gdp_abbreviated(q: str, _: int | None) -> str:
    return q.replace("地区生产总值", "GDP")


def _full_province(q: str, _: int | None) -> str:
    rules = load_place_rules(load_settings())
    for full, short in rules.provincial.items():
        if short in q and full not in q:
            return q.replace(short, full, 1)
    return q


REWORDINGS: dict[str, Reword] = {
    "请问…": lambda q, _: "请问" + q,
    "traditional": lambda q, _: _s2t(q),
    "lowercase gdp": lambda q, _: re.sub(r"GDP", "gdp", q),
    "GDP → 地区生产总值": _gdp_spelled,
    "地区生产总值 → GDP": _gdp_abbreviated,
    "2026年 → 今年": _years_relative,
    "今年 → 2026年": _years_absolute,
    "广东 → 广东省": _full_province,
    "no question mark": lambda q, _: q.rstrip("?？"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the reworded questions that fail")
    args = parser.parse_args()
    settings = load_settings()
    table: dict[tuple[str, str], list[bool]] = defaultdict(list)
    failures: list[str] = []
    for suite, path, tag in SUITES:
        cases_path = ROOT / path
        corpus = resolve_corpus(cases_path, None, settings)
        esettings = suite_settings(settings, corpus)
        prepare_index(esettings, corpus)
        session = Session(esettings, sync=False)
        years = {Path(m.source).name: m.year for m in session.corpus.documents()}
        for case in load_cases(cases_path):
            if tag and tag not in case.tags:
                continue
            table[(suite, "original")].append(_passes(session, case, case.question))
            for name, reword in REWORDINGS.items():
                question = reword(case.question, years.get(case.doc))
                if question == case.question:
                    continue
                ok = _passes(session, case, question)
                table[(suite, name)].append(ok)
                if not ok:
                    failures.append(f"{suite} {case.id} [{name}] {question}")
    print("| suite | wording | questions | pass |\n|---|---|---:|---:|")
    for (suite, name), results in table.items():
        print(f"| {suite} | {name} | {len(results)} | {sum(results) / len(results):.3f} |")
    if args.failures:
        print("\n" + "\n".join(failures))
    return 0


def _passes(session: Session, case: EvalCase, question: str) -> bool:
    answer = session.ask(question, engine="extractive")
    return check_answer(case, answer).passed


if __name__ == "__main__":
    sys.exit(main())
