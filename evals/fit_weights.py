"""Fit the extractive engine's feature weights (ragtool/data/scoring.toml) on labelled suites.

For every answerable case the engine's candidates are gathered with their features; a candidate is right when it
holds every must_include fact. A pairwise logistic regression learns weights under which right candidates
outscore wrong ones of the same question; min_score is then set to separate the best candidate of answerable
cases from that of unanswerable ones. Cross-validation holds out whole documents, so the figures say how the
weights do on documents they were not fitted on.

    python evals/fit_weights.py                       # cross-validated top-1 choice, current vs fitted weights
    python evals/fit_weights.py --write               # also write the fitted weights into scoring.toml

Only the development suites are read: the sealed part of evals/provincial is never used here.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ragtool.answer.candidates import Span
from ragtool.api import Session
from ragtool.config import PACKAGE_DIR, load_settings
from ragtool.eval.cases import EvalCase, load_cases
from ragtool.eval.normalize import contains
from ragtool.eval.run import prepare_index, resolve_corpus, suite_settings
from ragtool.query import parse_query

ROOT = Path(__file__).resolve().parent.parent
SUITES = [("evals/seeds.jsonl", None), ("evals/devcorpus/qa.jsonl", None), ("evals/provincial/qa.jsonl", "dev")]
SCORING = PACKAGE_DIR / "data" / "scoring.toml"
FOLDS = 5
L2 = 0.05


@dataclass
class Question:
    case: EvalCase
    group: str  # the source document: folds never split one
    features: list[dict[str, float]]  # non-vetoed candidates, engine order
    right: list[bool]


def gather() -> tuple[list[Question], list[str]]:
    settings = load_settings()
    questions: list[Question] = []
    for path, tag in SUITES:
        cases_path = ROOT / path
        corpus = resolve_corpus(cases_path, None, settings)
        esettings = suite_settings(settings, corpus)
        prepare_index(esettings, corpus)
        session = Session(esettings, sync=False)
        for case in load_cases(cases_path):
            if tag and tag not in case.tags or case.kind in ("conflict", "list"):
                continue
            spans = [s for s in _candidates(session, case.question) if not s.vetoed]
            right = [case.answerable and all(contains(s.value, f) for f in case.must_include) for s in spans]
            questions.append(Question(case, f"{path}:{case.doc}", [s.features for s in spans], right))
    names = sorted({k for q in questions for f in q.features for k in f})
    return questions, names


def _candidates(session: Session, question: str) -> list[Span]:
    retriever = session.retriever
    retriever.refresh()
    places = retriever.places()
    reading = session.wording.rewrite(question, places.names, session.corpus.lexical().knows)
    pq = parse_query(reading.text, session.vocab, places)
    hits = retriever.retrieve(pq, session.settings.top_k).hits
    if pq.unknown_places or pq.unknown_terms or not hits:
        return []
    engine = session.engine("extractive")
    return engine.candidates(hits, pq)  # type: ignore[attr-defined,no-any-return]


def _matrix(q: Question, names: list[str]) -> np.ndarray:
    return np.array([[f.get(n, 0.0) for n in names] for f in q.features]).reshape(len(q.features), len(names))


def fit(questions: list[Question], names: list[str]) -> np.ndarray:
    """Pairwise logistic regression: every right candidate against every wrong one of its question."""
    diffs = []
    for q in questions:
        if not any(q.right) or all(q.right):
            continue
        x = _matrix(q, names)
        pos, neg = x[np.array(q.right)], x[~np.array(q.right)]
        diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, len(names)))
    d = np.vstack(diffs)
    w = np.zeros(len(names))
    for _ in range(3000):
        p = 1.0 / (1.0 + np.exp(-(d @ w)))
        grad = -((1.0 - p)[:, None] * d).mean(axis=0) + L2 * w
        w -= 0.5 * grad
    return w


def top1(questions: list[Question], names: list[str], w: np.ndarray) -> float:
    """Share of answerable questions (with a right candidate) whose best-scoring candidate is right."""
    scored = [q for q in questions if any(q.right)]
    ok = sum(1 for q in scored if q.right[int(np.argmax(_matrix(q, names) @ w))])
    return ok / max(1, len(scored))


def threshold(questions: list[Question], names: list[str], w: np.ndarray) -> float:
    """min_score that best separates a right best answer (keep) from an unanswerable case's best (drop)."""
    points = []
    for q in questions:
        if not q.features:
            continue
        scores = _matrix(q, names) @ w
        best = int(np.argmax(scores))
        points.append((float(scores[best]), q.case.answerable and q.right[best], not q.case.answerable))
    candidates = sorted({s for s, _, _ in points})
    def gain(t: float) -> int:
        return sum(1 for s, good, unans in points if (s > t and good) or (s <= t and unans))
    best_t = max(candidates, key=gain)
    below = [s for s in candidates if s < best_t]
    return (best_t + below[-1]) / 2 if below else best_t - 0.5


def current_weights(names: list[str]) -> np.ndarray:
    from ragtool.answer.scorer import Scorer

    scorer = Scorer.load(load_settings())
    return np.array([scorer.weights.get(n, 0.0) for n in names])


def cross_validate(questions: list[Question], names: list[str]) -> tuple[float, float]:
    groups = sorted({q.group for q in questions})
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    fitted, current = [], []
    now = current_weights(names)
    for k in range(FOLDS):
        train = [q for q in questions if fold_of[q.group] != k]
        test = [q for q in questions if fold_of[q.group] == k]
        w = fit(train, names)
        fitted.append(top1(test, names, w) * len(test))
        current.append(top1(test, names, now) * len(test))
    n = len(questions)
    return sum(current) / n, sum(fitted) / n


def write(names: list[str], w: np.ndarray, min_score: float) -> None:
    text = SCORING.read_text(encoding="utf-8")
    for name, value in zip(names, w, strict=True):
        text, count = re.subn(rf"(?m)^({re.escape(name)}\s*=\s*)-?[\d.]+", rf"\g<1>{value:.2f}", text)
        if not count:
            text = text.rstrip("\n") + f"\n{name} = {value:.2f}\n"
    text = re.sub(r"(?m)^(min_score\s*=\s*)-?[\d.]+", rf"\g<1>{min_score:.2f}", text)
    SCORING.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the fitted weights and min_score into scoring.toml")
    args = parser.parse_args()
    questions, names = gather()
    cur, fitted = cross_validate(questions, names)
    w = fit(questions, names)
    scale = np.abs(current_weights(names)).sum() / max(1e-9, np.abs(w).sum())
    w = w * scale  # keep the scale of the file (conflict_window is in its units)
    t = threshold(questions, names, w)
    print(f"{len(questions)} questions, {len(names)} features, {FOLDS}-fold by document")
    print(f"| weights | top-1 choice (held-out documents) |\n|---|---:|\n| current | {cur:.3f} |\n| fitted | {fitted:.3f} |")
    print("\n| feature | current | fitted |\n|---|---:|---:|")
    for name, now, new in zip(names, current_weights(names), w, strict=True):
        print(f"| {name} | {now:.2f} | {new:.2f} |")
    print(f"\nmin_score for the fitted weights: {t:.2f}")
    if args.write:
        write(names, w, t)
        print(f"written to {SCORING}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
