"""--engine auto with an LLM: the extractive engine answers first (milliseconds), the LLM within a deadline, and
the two are combined so the result is never worse than the extractive engine alone.

A number the extractive engine verified wins unless the LLM states the same value (its wording and quotes are then
kept); the LLM answers what the extractive engine cannot (lists, definitions, paraphrased facts). An LLM that fails
or misses RAGTOOL_LLM_AUTO_SECONDS leaves the extractive answer, and the answer says so.
"""

from __future__ import annotations

from ragtool.answer.grounding import numbers
from ragtool.models import Answer
from ragtool.query import ParsedQuery


def combine(llm: Answer, extractive: Answer, q: ParsedQuery) -> Answer:
    """The better-founded of the two answers, with a note when the extractive one is kept over the LLM's."""
    if extractive.status == "not_found":
        return llm
    if llm.status == "not_found":
        return _kept(extractive, llm, "the LLM found no verified answer")
    if q.qtype == "number" and not _same_value(llm, extractive):
        return _kept(extractive, llm, f"the LLM's answer {llm.answer!r} is not the value the evidence verifies")
    return llm


def llm_missed(extractive: Answer, why: str) -> Answer:
    extractive.notes.append(f"the LLM gave no answer ({why}); this is the extractive engine's answer")
    return extractive


def _kept(extractive: Answer, llm: Answer, why: str) -> Answer:
    extractive.notes = [*extractive.notes, *llm.notes, f"{why}; kept the extractive engine's answer"]
    extractive.candidates = extractive.candidates or [c for c in llm.candidates if c.value]
    extractive.usage.add(llm.usage)
    return extractive


def _same_value(a: Answer, b: Answer) -> bool:
    asked = numbers(a.question)
    return bool(numbers(a.answer) - asked) and numbers(a.answer) - asked == numbers(b.answer) - asked
