"""Yes/no questions: 是/否 plus the fact, from the clause that holds the question's claim.

广东GDP总量是不是连续37年全国第一 → 是：总量连续37年居全国首位 (every number of the claim is stated);
贵州去年GDP增速有没有达到5% → 否：地区生产总值增长4.9% (a smaller value where at least 5% was asked).
"""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors.number import is_ratio_base, term_spans
from ragtool.answer.features import coverage
from ragtool.answer.spans import CLAUSE_END
from ragtool.zh.dates import strip_years

_NUM = re.compile(r"\d+(?:\.\d+)?")
MIN_CLAIM = 0.5  # share of the claim's words the clause must hold


def extract(e: Evidence, ctx: Context) -> list[Span]:
    q, simp = ctx.q, e.simp
    claim_numbers = _NUM.findall(_claim(q.text, ctx))
    terms = list(q.indicator_terms)
    windows: list[tuple[float, int, int]] = []
    for start, end in _clauses(simp):
        window = simp[start:end]
        if terms and not any(not is_ratio_base(window, a, b) for a, b in term_spans(window, terms)):
            continue  # the claim is about the asked indicator, not a share of it
        share = coverage(q, window) + (0.5 if claim_numbers and _numbers_stated(claim_numbers, window) else 0.0)
        if share >= MIN_CLAIM:
            windows.append((share, start, end))
    # the window that holds most of the claim and settles it; the shortest among equals
    for share, start, end in sorted(windows, key=lambda w: (-w[0], w[2] - w[1])):
        yes = _verdict(claim_numbers, simp[start:end], q.text, ctx)
        if yes is None:
            continue
        fact = e.text[start:end].strip()
        span = Span(e, start, end, ("是：" if yes else "否：") + fact, at=max(start, end - 1))
        span.features["fit"] = min(1.0, share)
        return [span]
    return []


def _claim(question: str, ctx: Context) -> str:
    """The question without its yes/no cue and the years (2025年 is no part of the claim's numbers)."""
    text = strip_years(question, "")
    for cue in ctx.vocab.qtype_cues.get("yesno", []):
        text = text.replace(cue, " ")
    return text


def _clauses(simp: str) -> list[tuple[int, int]]:
    """Each run of up to three neighbouring clauses (地区生产总值67665亿元，增长5.5%，总量和增速均居全国第5位)."""
    cuts = [0] + [i + 1 for i, c in enumerate(simp) if c in CLAUSE_END] + [len(simp)]
    bounds = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if simp[a:b].strip()]
    runs = [(bounds[i][0], bounds[j][1]) for i in range(len(bounds)) for j in range(i, min(i + 3, len(bounds)))]
    return [(a, b - 1 if simp[b - 1 : b] in CLAUSE_END else b) for a, b in runs]


def _numbers_stated(numbers: list[str], text: str) -> bool:
    return all(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d.])", text) for n in numbers)


def _verdict(numbers: list[str], window: str, question: str, ctx: Context) -> bool | None:
    """True or False when the clause settles the claim, None when it does not speak to it."""
    negated = any(w in window for w in ctx.vocab.negations)
    if not numbers:
        return not negated
    if _numbers_stated(numbers, window):
        return not negated
    unit = "%" if re.search(rf"{re.escape(numbers[0])}\s*%", question) else ""
    bare = strip_years(window, "")
    stated = [float(m.group(1)) for m in re.finditer(rf"(\d+(?:\.\d+)?)\s*{unit}", bare)]
    if not stated or not any(c in question for c in ctx.vocab.threshold_cues):
        return None
    return max(stated) >= float(numbers[0])  # 有没有达到5%: 增长4.9% says no
