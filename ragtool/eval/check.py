"""Deterministic checks: does an Answer hold every labelled fact of its case?"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ragtool.eval.cases import EvalCase
from ragtool.eval.normalize import contains
from ragtool.models import Answer

SHORT_KINDS = ("number", "name", "date", "yesno")  # answered with a value, a name, a date or 是/否 plus the fact
MAX_SHORT_ANSWER = 100


class CheckResult(BaseModel):
    passed: bool
    missing: list[str] = Field(default_factory=list)  # must_include facts not found
    reason: str = ""


def answer_text(case: EvalCase, answer: Answer) -> str:
    """What a case's facts are looked for in: the answer, plus candidate values except for lists."""
    if case.kind == "list":
        return answer.answer
    return "\n".join([answer.answer, *(c.value for c in answer.candidates)])


def check_answer(case: EvalCase, answer: Answer) -> CheckResult:
    """Unanswerable: pass iff not_found. Conflict: pass iff conflicting with both values.
    Otherwise: pass iff every must_include fact is present, in an answer of at most 100 characters for the
    number, name, date and yesno kinds."""
    if case.kind == "unanswerable":
        ok = answer.status == "not_found"
        return CheckResult(passed=ok, reason="" if ok else f"expected not_found, got {answer.status}")
    if case.kind in SHORT_KINDS and answer.status == "answered" and len(answer.answer) > MAX_SHORT_ANSWER:
        return CheckResult(passed=False, reason=f"answer longer than {MAX_SHORT_ANSWER} characters")
    text = answer_text(case, answer)
    missing = [fact for fact in case.must_include if not contains(text, fact)]
    if case.kind == "conflict" and answer.status != "conflicting":
        return CheckResult(passed=False, missing=missing, reason=f"expected conflicting, got {answer.status}")
    if missing:
        return CheckResult(passed=False, missing=missing, reason="missing " + "、".join(missing))
    return CheckResult(passed=True)
