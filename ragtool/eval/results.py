"""Result records of an eval run: per case, per summary fact, and the whole run."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CaseResult(BaseModel):
    """What happened to one case. `passed` is None when an infrastructure error prevented scoring."""

    id: str
    question: str
    kind: str
    tags: list[str] = Field(default_factory=list)
    expected: str = ""
    must_include: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # labelled source file names
    passed: bool | None = None
    reason: str = ""
    missing: list[str] = Field(default_factory=list)
    status: str = ""
    got: str = ""
    candidates: list[str] = Field(default_factory=list)
    engine: str = ""
    retrieved: list[str] = Field(default_factory=list)  # source file names, best first, each once
    rank: int | None = None  # 1-based rank of the first labelled source among `retrieved`
    cited: list[str] = Field(default_factory=list)  # source file names of the answer's citations, in order
    citations: int = 0
    valid_citations: int = 0
    grounded_citations: int = 0  # valid and grounded: substantial, holding the answer's numbers, names, values
    seconds: float = 0.0
    tokens: int = 0
    llm_calls: int = 0
    cached_calls: int = 0
    judged: bool = False  # scored by the LLM judge (free_text cases with --judge)
    rows: int = 0  # compare cases: expected rows, rows right, and the places not found or wrong
    rows_right: int = 0
    rows_not_found: list[str] = Field(default_factory=list)
    rows_wrong: list[str] = Field(default_factory=list)
    error: str = ""  # provider/infrastructure error: not a quality failure

    @property
    def scored(self) -> bool:
        return self.passed is not None


class Metrics(BaseModel):
    """Rates are in [0, 1], None when no case in the group applies."""

    cases: int = 0
    scored: int = 0
    errors: int = 0
    passed: int = 0
    pass_rate: float | None = None
    answer_accuracy: float | None = None
    abstention_accuracy: float | None = None
    conflict_detection: float | None = None
    hit_at_1: float | None = None
    hit_at_5: float | None = None
    mrr: float | None = None
    citation_validity: float | None = None
    grounding: float | None = None  # grounded citations over all citations (reported, not gated)
    source_accuracy: float | None = None  # answered answerable cases whose first citation is a labelled source
    latency_p50: float | None = None
    latency_p95: float | None = None
    tokens_total: int = 0
    tokens_per_case: float | None = None
    llm_calls: int = 0
    cached_calls: int = 0
    summary_recall: float | None = None
    row_accuracy: float | None = None  # compare cases: expected rows right, over all their rows
    rows_not_found: int | None = None  # compare cases: rows whose place did not state the figure


class FactResult(BaseModel):
    """One labelled summary fact (figure, official or priority) and whether the summary holds it."""

    doc: str
    what: str  # "figure", "official" or "priority"
    expected: str
    found: bool
    got: str = ""


class SummaryEval(BaseModel):
    ran: bool = False
    message: str = ""  # why summaries were skipped
    error: str = ""  # provider error while summarising: not a quality failure
    facts: list[FactResult] = Field(default_factory=list)
    recall: float | None = None


class EvalRun(BaseModel):
    """Everything one `ragtool eval` run measured."""

    suite: str
    engine: str
    embedder: str
    top_k: int
    filter: str | None = None
    corpus: str = ""
    started: str = ""
    seconds: float = 0.0
    metrics: Metrics = Field(default_factory=Metrics)
    per_kind: dict[str, Metrics] = Field(default_factory=dict)
    per_tag: dict[str, Metrics] = Field(default_factory=dict)
    summary: SummaryEval = Field(default_factory=SummaryEval)
    cases: list[CaseResult] = Field(default_factory=list)

    @property
    def baseline_key(self) -> str:
        """Where this run's numbers live in the baseline file: suites, engines and embedders apart."""
        suite = f"{self.suite}[{self.filter}]" if self.filter else self.suite
        return f"{suite}|{self.engine}|{self.embedder}"

    @property
    def provider_errors(self) -> list[CaseResult]:
        return [c for c in self.cases if c.error]

    @property
    def infrastructure_failed(self) -> bool:
        """Some cases or the summaries could not be scored because a server failed."""
        return bool(self.provider_errors or self.summary.error)

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if c.passed is False]
