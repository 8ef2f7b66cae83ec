"""Every 2026 target and 2025 result the dev provincial reports state in their headline passages, asked one by one:
a wider check of figure extraction than the labelled suite, built by a program from the text (never from the
sealed reports).

- Targets: each clause of the 主要预期目标 passage that names an indicator of lexicon.toml and a value becomes
  "<province>2026年<indicator>目标是多少", answered with that value and its qualifier.
- Results: each clause of the first sentence that states the 2025 地区生产总值 (not a 年均 or 十四五 figure)
  becomes "<province>2025年<indicator>是多少" for an amount and "…增长多少" for a growth rate.

    RAGTOOL_EMBEDDER=hash python evals/figures.py [--failures]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ragtool.api import Session
from ragtool.config import load_settings
from ragtool.eval.normalize import contains
from ragtool.eval.run import prepare_index, suite_settings
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.places import load_place_rules

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "evals/provincial/docs"
DEV = ["002_beijing", "006_guangdong", "008_guizhou", "012_henan", "016_jiangxi", "018_liaoning", "022_shaanxi",
       "026_sichuan"]
PASSAGE = re.compile(r"主要预期目标\s*是[:：](?P<body>[^。]+。(?:[^。\n]+。){0,3})")
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:万亿|亿|万)(?:元|美元|斤|吨|人)")
GROWTH = re.compile(r"(?:增长|下降)\s*(\d+(?:\.\d+)?\s*[%％])")
VALUE = re.compile(r"(?P<value>\d+(?:\.\d+)?\s*[%％](?:\s*[—\-–]\s*\d+(?:\.\d+)?\s*[%％])?(?:左右|以上|以内)?|\d+(?:\.\d+)?\s*万人(?:以上|左右)?|\d+(?:\.\d+)?\s*亿斤(?:以上|左右)?)")


def questions() -> list[tuple[str, str, str]]:
    """(document, question, value) for each indicator clause of each dev report's target passage."""
    settings = load_settings()
    lexicon, rules = Lexicon.load(settings), load_place_rules(settings)
    out = []
    for name in DEV:
        text = (DOCS / f"{name}.txt").read_text(encoding="utf-8")
        place = next(short for full, short in rules.provincial.items() if full in text[:400] or short in text[:200])
        m = PASSAGE.search(text.replace("\n", ""))
        if m is None:
            continue
        seen: set[str] = set()
        for clause in re.split(r"[，,；;。]", m.group("body")):
            found = lexicon.leading_indicator(clause)
            value = VALUE.search(clause)
            if not found or not value or found[1] in seen or "分别" in clause:
                continue
            seen.add(found[1])
            out.append((name, f"{place}2026年{found[1]}目标是多少", value.group("value")))
        out += _results(name, place, text, lexicon)
    return out


def _results(name: str, place: str, text: str, lexicon: Lexicon) -> list[tuple[str, str, str]]:
    """Questions on the clauses of the first sentence stating the 2025 GDP."""
    for sentence in re.split(r"[。\n]", text):
        if re.search(r"生产总值[^，,；;]{0,6}\d", sentence) and not re.search(r"年均|十四五|五年|十五五|目标", sentence):
            break
    else:
        return []
    out, seen = [], set()
    for clause in re.split(r"[，,；;]", sentence):
        found = lexicon.leading_indicator(re.sub(r"^.*?(?=全省|全市|地区生产总值|生产总值)", "", clause))
        if not found or found[1] in seen:
            continue
        seen.add(found[1])
        amount, growth = AMOUNT.search(clause), GROWTH.search(clause)
        if amount:
            out.append((name, f"{place}2025年{found[1]}是多少", amount.group()))
        if growth and not amount:
            out.append((name, f"{place}2025年{found[1]}增长多少", growth.group(1)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    esettings = suite_settings(settings, [DOCS.resolve()])
    prepare_index(esettings, [DOCS.resolve()])
    session = Session(esettings, sync=False)
    results = []
    for doc, question, value in questions():
        answer = session.ask(question, engine="extractive")
        ok = answer.status == "answered" and contains(answer.answer, value) and len(answer.answer) <= 100
        results.append(ok)
        if args.failures and not ok:
            print(f"{doc} {question} want {value} | {answer.status} {answer.answer[:80]}")
    print(f"figures of the dev reports: {sum(results)}/{len(results)} = {sum(results) / max(1, len(results)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
