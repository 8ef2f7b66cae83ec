"""Labelled eval cases: the JSONL line format shared by evals/seeds.jsonl and evals/devcorpus/qa.jsonl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ragtool.errors import UsageError

CaseKind = Literal["number", "name", "list", "date", "yesno", "what", "unanswerable", "conflict", "compare"]
ANSWERABLE_KINDS = ("number", "name", "list", "date", "yesno", "what")  # what: a venue, slogan, purpose or title


class EvalCase(BaseModel):
    """One labelled question. `doc`/`docs` name source files by file name."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answer: str = ""
    must_include: list[str] = Field(default_factory=list)
    doc: str = ""
    quote: str = ""
    kind: CaseKind
    tags: list[str] = Field(default_factory=list)
    free_text: bool = False
    docs: list[str] = Field(default_factory=list)  # every source that supports the answer (conflicts)
    # compare: place -> facts its row holds ([] = not found); a fact given as a list is any one of them
    # (2025年地区生产总值: ["14.58万亿元", "3.9%"], the amount or the growth, where the document states both).
    rows: dict[str, list[str | list[str]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> EvalCase:
        if self.kind == "compare":
            if not self.rows:
                raise ValueError("compare cases need rows (place -> must_include)")
            alternatives = [s for facts in self.rows.values() for f in facts for s in ([f] if isinstance(f, str) else f)]
            if not all(s.strip() for s in alternatives) or not all(p.strip() for p in self.rows):
                raise ValueError("compare rows need non-empty places and must_include strings")
            return self
        if self.rows:
            raise ValueError("only compare cases have rows")
        if self.kind == "unanswerable" and self.must_include:
            raise ValueError("unanswerable cases must have an empty must_include")
        if self.kind != "unanswerable" and not all(s.strip() for s in self.must_include or [""]):
            raise ValueError(f"{self.kind} cases need non-empty must_include strings")
        if self.kind == "conflict" and len(self.must_include) < 2:
            raise ValueError("conflict cases need both values in must_include")
        return self

    @property
    def sources(self) -> list[str]:
        """File names of the documents that answer the case, primary first."""
        out = [self.doc] if self.doc else []
        return out + [d for d in self.docs if d not in out]

    @property
    def answerable(self) -> bool:
        """Answered from labelled sources (retrieval is measured): not unanswerable, not a comparison."""
        return self.kind not in ("unanswerable", "compare")

    def selected_by(self, label: str) -> bool:
        """Whether a --filter label (a tag, a kind or a case id) selects this case."""
        return label in self.tags or label == self.kind or label == self.id


def load_cases(path: Path) -> list[EvalCase]:
    """Parse a cases file; any problem is a UsageError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"cases file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read cases file {path}: {getattr(e, 'strerror', None) or e}") from None
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        case = _parse_line(path, lineno, line)
        if case.id in seen:
            raise UsageError(f"{path} line {lineno}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise UsageError(f"cases file {path} has no cases")
    return cases


def _parse_line(path: Path, lineno: int, line: str) -> EvalCase:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise UsageError(f"{path} line {lineno}: invalid JSON ({e.msg})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} line {lineno}: each line must be a JSON object")
    try:
        return EvalCase.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "case"
        raise UsageError(f"{path} line {lineno}: {where}: {first['msg']}") from None


def select(cases: list[EvalCase], label: str | None) -> list[EvalCase]:
    """Cases selected by a --filter label; a label that selects nothing is a usage error."""
    if not label:
        return cases
    chosen = [c for c in cases if c.selected_by(label)]
    if not chosen:
        tags = sorted({t for c in cases for t in c.tags} | {c.kind for c in cases})
        raise UsageError(f"--filter {label!r} matches no case; known tags and kinds: {', '.join(tags)}")
    return chosen
