"""Summary checks: the figures, officials and priorities each document's summary must contain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ragtool.config import Settings
from ragtool.errors import ProviderError, UsageError
from ragtool.eval.normalize import contains, normalize
from ragtool.eval.results import FactResult, SummaryEval
from ragtool.models import DocumentSummary, KeyFigure


class FigureFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str  # canonical name, e.g. 地区生产总值
    value: str  # e.g. 411亿元, 5.5%
    year: int | None = None
    type: Literal["actual", "target"] = "actual"
    qualifier: str = ""  # 左右, 以上 …: must appear with the value when given


class OfficialFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str  # as written in the source (traditional or simplified)
    role: str


class SummaryFacts(BaseModel):
    """One line of summary_facts.jsonl: what the summary of `doc` must contain."""

    model_config = ConfigDict(extra="forbid")

    doc: str
    figures: list[FigureFact] = Field(default_factory=list)
    officials: list[OfficialFact] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)


def load_summary_facts(path: Path) -> list[SummaryFacts]:
    out: list[SummaryFacts] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(SummaryFacts.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as e:
            raise UsageError(f"{path} line {lineno}: invalid summary facts ({str(e).splitlines()[0]})") from None
    return out


def indicator_canon(settings: Settings) -> dict[str, str]:
    """Normalised surface form -> canonical indicator, from the synonyms data file."""
    from ragtool.query import Vocabulary

    out: dict[str, str] = {}
    for canon, forms in Vocabulary.load(settings).indicators.items():
        for form in [canon, *forms]:
            out[normalize(form)] = canon
    return out


def _same_indicator(got: str, want: str, canon: dict[str, str]) -> bool:
    g, w = normalize(got), normalize(want)
    return canon.get(g, g) == canon.get(w, w) or w in g or g in w


def _figure_matches(kf: KeyFigure, fact: FigureFact, canon: dict[str, str]) -> bool:
    written = f"{kf.value}{kf.unit}{kf.qualifier}"
    return (
        _same_indicator(kf.indicator, fact.indicator, canon)
        and contains(written, fact.value)
        and (not fact.qualifier or contains(written, fact.qualifier))
        and (fact.year is None or kf.year == fact.year)
        and kf.type == fact.type
    )


def check_summary(facts: SummaryFacts, summary: DocumentSummary, canon: dict[str, str]) -> list[FactResult]:
    """One FactResult per labelled fact."""
    out: list[FactResult] = []
    for f in facts.figures:
        hit = next((k for k in summary.key_figures if _figure_matches(k, f, canon)), None)
        label = f"{f.indicator} {f.value}{f.qualifier} {f.year or ''} {f.type}".replace("  ", " ")
        got = f"{hit.indicator} {hit.value}{hit.unit}{hit.qualifier} {hit.year} {hit.type}" if hit else ""
        out.append(FactResult(doc=facts.doc, what="figure", expected=label, found=hit is not None, got=got))
    for o in facts.officials:
        match = next(
            (x for x in summary.officials
             if contains(x.name, o.name) and (contains(x.role, o.role) or contains(o.role, x.role))),
            None,
        )
        out.append(FactResult(doc=facts.doc, what="official", expected=f"{o.name} {o.role}",
                              found=match is not None, got=f"{match.name} {match.role}" if match else ""))
    for p in facts.priorities:
        hit_p = next((x for x in summary.priorities if contains(x.text, p)), None)
        out.append(FactResult(doc=facts.doc, what="priority", expected=p, found=hit_p is not None,
                              got=hit_p.text if hit_p else ""))
    return out


def evaluate_summaries(session: Any, facts_path: Path, engine: str, use_cache: bool) -> SummaryEval:
    """Summarise each labelled document and check its facts; skipped with a message if summaries
    are not available in this build, or reported as an infrastructure error."""
    try:
        from ragtool.summarize import summarize_document
    except ImportError as e:
        return SummaryEval(message=f"summary checks skipped: ragtool.summarize is not available ({e})")
    settings: Settings = session.settings
    corpus = session.corpus
    by_name = {Path(m.source).name: m.doc_id for m in corpus.documents() if m.source}
    canon = indicator_canon(settings)
    results: list[FactResult] = []
    for facts in load_summary_facts(facts_path):
        doc_id = by_name.get(facts.doc)
        doc = corpus.get_document(doc_id) if doc_id else None
        if doc is None:
            raise UsageError(f"{facts_path}: document {facts.doc} is not in the eval corpus")
        try:
            summary = summarize_document(
                settings, doc, corpus.store.chunks(doc.meta.doc_id), engine=engine, use_cache=use_cache
            )
        except ProviderError as e:
            return SummaryEval(message="summary checks not scored", error=str(e), facts=results)
        results.extend(check_summary(facts, summary, canon))
    recall = round(sum(r.found for r in results) / len(results), 4) if results else None
    return SummaryEval(ran=True, facts=results, recall=recall)
