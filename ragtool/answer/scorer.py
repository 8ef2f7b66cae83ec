"""One scorer for every answer type: a weighted sum of named features, with its weights in scoring.toml."""

from __future__ import annotations

from dataclasses import dataclass, field

from ragtool.answer.candidates import Span
from ragtool.config import Settings
from ragtool.datafiles import load_data
from ragtool.errors import UsageError


@dataclass(frozen=True)
class Scorer:
    weights: dict[str, float]
    vetoes: tuple[str, ...]  # features that disqualify a candidate at 0 (a contradicted year, target or place)
    bias: float  # added to every score; a candidate must end above min_score
    min_score: float
    conflict_window: float  # rival sources scoring this close to the best are shown as a conflict
    version: str = ""
    grades: dict[str, dict[str, float]] = field(default_factory=dict)  # [grades]: graded feature values

    @classmethod
    def load(cls, settings: Settings) -> Scorer:
        data = load_data(settings, "scoring.toml")
        return cls(
            weights={k: float(v) for k, v in data.get("weights", {}).items()},
            vetoes=tuple(data.get("vetoes", [])),
            bias=float(data.get("bias", 0.0)),
            min_score=float(data.get("min_score", 0.0)),
            conflict_window=float(data.get("conflict_window", 1.0)),
            version=str(data.get("version", "")),
            grades={name: {k: float(v) for k, v in dict(table).items()}
                    for name, table in dict(data.get("grades", {})).items()},
        )

    def grade(self, feature: str, case: str) -> float:
        """A graded feature value from [grades.<feature>] (see scoring.toml)."""
        try:
            return self.grades[feature][case]
        except KeyError:
            raise UsageError(f"scoring.toml: [grades.{feature}] has no {case!r}") from None

    def score(self, span: Span) -> float:
        """Set span.score (and span.vetoed); return the score."""
        span.vetoed = next((f for f in self.vetoes if span.features.get(f, 1.0) <= 0.0), "")
        total = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in span.features.items())
        span.score = round(total, 4)
        return span.score

    def accepts(self, span: Span) -> bool:
        return not span.vetoed and span.score > self.min_score
