"""Deterministic checks: does an Answer hold every labelled fact of its case?"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field

from ragtool.config import PACKAGE_DIR
from ragtool.datafiles import read_toml
from ragtool.eval.cases import EvalCase
from ragtool.eval.normalize import contains, normalize
from ragtool.models import Answer
from ragtool.qtypes import MAX_SHORT_ANSWER, SHORT_KINDS


class CheckResult(BaseModel):
    passed: bool
    missing: list[str] = Field(default_factory=list)  # must_include facts not found
    reason: str = ""
    rows: int = 0  # compare: expected rows
    rows_right: int = 0
    rows_not_found: list[str] = Field(default_factory=list)  # compare: places whose row was not found
    rows_wrong: list[str] = Field(default_factory=list)  # compare: places whose row is wrong, missing or misquoted


def answer_text(case: EvalCase, answer: Answer) -> str:
    """What a case's facts are looked for in: the answer, plus candidate values except for lists."""
    if case.kind == "list":
        return answer.answer
    return "\n".join([answer.answer, *(c.value for c in answer.candidates)])


def check_answer(case: EvalCase, answer: Answer) -> CheckResult:
    """Unanswerable: pass iff not_found. Conflict: pass iff conflicting with both values.
    Otherwise: pass iff every must_include fact is present, in an answer of at most 100 characters for the
    number, name, date and yesno kinds."""
    if case.kind == "compare":
        return check_comparison(case, answer)
    if case.kind == "unanswerable":
        ok = answer.status == "not_found"
        return CheckResult(passed=ok, reason="" if ok else f"expected not_found, got {answer.status}")
    if case.kind in SHORT_KINDS and answer.status == "answered" and len(answer.answer) > MAX_SHORT_ANSWER:
        return CheckResult(passed=False, reason=f"answer longer than {MAX_SHORT_ANSWER} characters")
    text = answer_text(case, answer)
    missing = [fact for fact in case.must_include if not contains(text, fact)]
    if case.kind == "yesno" and answer.status == "answered":
        wanted, said = polarity(case.answer), polarity(answer.answer)
        if wanted is not None and said != wanted:
            return CheckResult(passed=False, missing=missing, reason=f"expected {'yes' if wanted else 'no'}, the answer says "
                               f"{'yes' if said else 'no' if said is not None else 'neither'}")
    if case.kind == "conflict" and answer.status != "conflicting":
        return CheckResult(passed=False, missing=missing, reason=f"expected conflicting, got {answer.status}")
    if missing:
        return CheckResult(passed=False, missing=missing, reason="missing " + "、".join(missing))
    return CheckResult(passed=True)


@lru_cache(maxsize=1)
def _verdict_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The yes and the no words of the packaged question.toml [verdicts] (是/不是, 有/没有 …), longest first."""
    table = dict(read_toml(PACKAGE_DIR / "data" / "question.toml").get("verdicts", {}))
    yes = {str(v[0]) for v in table.values()} | {"是"}
    no = {str(v[1]) for v in table.values()} | {"不是"}
    return tuple(sorted(yes, key=len, reverse=True)), tuple(sorted(no, key=len, reverse=True))


def polarity(answer: str) -> bool | None:
    """True when a yes/no answer opens with a yes word (是, 有), False with a no word (不是, 没有), None otherwise."""
    text = normalize(answer)
    yes, no = _verdict_words()
    if text.startswith(no):
        return False
    if text.startswith(yes):
        return True
    return None


def _same_place(row_place: str | None, expected: str) -> bool:
    """凤岗 names the row of 凤岗镇, 宁夏 that of 宁夏回族自治区 (a prefix of the full name, in simplified script)."""
    if not row_place:
        return False
    a, b = normalize(row_place), normalize(expected)
    return a == b or a.startswith(b)


def _holds(text: str, fact: str | list[str]) -> bool:
    return contains(text, fact) if isinstance(fact, str) else any(contains(text, f) for f in fact)


def check_comparison(case: EvalCase, answer: Answer) -> CheckResult:
    """Every expected row is in the comparison, its value holds the row's facts (or, for [], it is not found),
    and its quotes come from the row's own document. A case's must_include is looked for in the answer text."""
    right, not_found, wrong = 0, [], []
    for place, facts in case.rows.items():
        row = next((r for r in answer.comparison if _same_place(r.place, place)), None)
        if row is None:
            wrong.append(f"{place} (no row)")
            continue
        if row.status == "not_found":
            not_found.append(place)
            if not facts:
                right += 1
            else:
                wrong.append(f"{place} (not found)")
            continue
        own = all(c.doc_id == row.doc_id for c in row.citations) and bool(row.citations)
        text = "\n".join([row.value, *(c.value for c in row.candidates)])
        missing = ["/".join(f) if isinstance(f, list) else f for f in facts if not _holds(text, f)]
        if facts and not missing and own:
            right += 1
        else:
            why = "quotes another document" if not own else ("expected not found" if not facts else "、".join(missing))
            wrong.append(f"{place} ({why}: got {row.value[:40]})")
    missing_text = [fact for fact in case.must_include if not contains(answer.answer, fact)]
    total = len(case.rows)
    reasons = []
    if wrong:
        reasons.append(f"{len(wrong)}/{total} rows wrong: " + "; ".join(wrong))
    if missing_text:
        reasons.append("answer missing " + "、".join(missing_text))
    return CheckResult(passed=not reasons, missing=missing_text, reason=" · ".join(reasons), rows=total,
                       rows_right=right, rows_not_found=not_found, rows_wrong=wrong)
