"""Optional LLM judge for free-text cases (`ragtool eval --judge`)."""

from __future__ import annotations

from pydantic import BaseModel

from ragtool.config import Settings
from ragtool.errors import ProviderError
from ragtool.eval.cases import EvalCase
from ragtool.eval.results import CaseResult
from ragtool.models import Answer

PROMPT = "judge.system.md"


class Verdict(BaseModel):
    correct: bool
    reason: str = ""


def judge_messages(system: str, case: EvalCase, answer: Answer) -> list[dict[str, str]]:
    user = (
        f"问题: {case.question}\n标准答案: {case.answer}\n必须包含: {'、'.join(case.must_include)}\n"
        f"工具的回答: {answer.answer or '(无)'}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class Judge:
    """Scores free_text cases with an LLM through the shared client (and its response cache)."""

    def __init__(self, settings: Settings, use_cache: bool = True) -> None:
        from ragtool.llm.client import LLMClient
        from ragtool.llm.prompts import load_prompt

        self.client = LLMClient(settings, use_cache)
        self.prompt = load_prompt(settings, PROMPT)

    def score(self, case: EvalCase, answer: Answer, result: CaseResult) -> None:
        """Replace the deterministic verdict of `result` by the judge's; provider errors are recorded."""
        try:
            verdict, usage = self.client.structured(
                judge_messages(self.prompt.text, case, answer), Verdict, name="eval_judge"
            )
        except ProviderError as e:
            result.error = f"judge: {e}"
            result.passed = None
            return
        result.judged = True
        result.passed = verdict.correct
        result.reason = "" if verdict.correct else f"judge: {verdict.reason}"
        result.tokens += usage.total_tokens
        result.llm_calls += usage.calls
        result.cached_calls += usage.cached_calls
