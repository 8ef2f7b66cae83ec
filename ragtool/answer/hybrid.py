"""--engine auto with an LLM: the extractive engine answers first (milliseconds), the LLM within a deadline, and
the two are combined so the result is never worse than the extractive engine alone.

A number, name, date or yes/no the extractive engine verified wins unless the LLM states the same (its wording and
quotes are then kept); lists, definitions and other open questions lean on the LLM. Where the extractive engine
found no answer, the LLM's number stands only when it is `backed`: a value the extractive engine reads, unvetoed, for
the asked indicator in the same evidence (LLMEngine.backed); other answers stand on their verified quotes. An LLM
that fails or misses RAGTOOL_LLM_AUTO_SECONDS leaves the extractive answer, and the answer says so.
"""

from __future__ import annotations

from ragtool.answer.grounding import numbers
from ragtool.models import Answer
from ragtool.query import ParsedQuery
from ragtool.zh.textnorm import fold

LLM_LEANS = ("list", "what", "other")  # question types where the extractive engine is weakest: the LLM's answer wins


def combine(llm: Answer, extractive: Answer, q: ParsedQuery, backed: bool = True) -> Answer:
    """The better-founded of the two answers, with a note when the extractive one is kept over the LLM's."""
    if extractive.status == "not_found":
        if backed or llm.status == "not_found":
            return llm
        return _kept(extractive, llm, f"the LLM's answer {llm.answer!r} is no value the extractive engine reads for "
                                      "the question in the evidence")
    if llm.status == "not_found":
        return _kept(extractive, llm, "the LLM found no verified answer")
    if q.qtype in LLM_LEANS or _agree(llm, extractive, q):
        return llm
    return _kept(extractive, llm, f"the LLM's answer {llm.answer!r} is not what the evidence verifies")


def llm_missed(extractive: Answer, why: str) -> Answer:
    extractive.notes.append(f"the LLM gave no answer ({why}); this is the extractive engine's answer")
    return extractive


def _kept(extractive: Answer, llm: Answer, why: str) -> Answer:
    extractive.notes = [*extractive.notes, *llm.notes, f"{why}; kept the extractive engine's answer"]
    extractive.candidates = extractive.candidates or [c for c in llm.candidates if c.value]
    extractive.usage.add(llm.usage)
    return extractive


def _agree(llm: Answer, extractive: Answer, q: ParsedQuery) -> bool:
    """The LLM states what the extractive engine verified: the same numbers (a number question), or its span
    (a name, a date, a yes/no)."""
    if q.qtype == "number":
        asked = numbers(llm.question)
        said = numbers(llm.answer) - asked
        return bool(said) and said == numbers(extractive.answer) - asked
    return bool(fold(extractive.answer)) and fold(extractive.answer) in fold(llm.answer)
