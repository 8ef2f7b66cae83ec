"""Summary checks: the figures, officials and priorities each document's summary must contain.

Two formats of summary_facts.jsonl, detected per line: one line per document with figures/officials/priorities
(evals/summary_facts.jsonl), or one line per fact with a field and a value (evals/provincial/summary_facts.jsonl).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ragtool.config import Settings
from ragtool.errors import ProviderError, UsageError
from ragtool.eval.normalize import contains, normalize
from ragtool.eval.results import FactResult, SummaryEval
from ragtool.models import DocumentSummary, KeyFigure
from ragtool.zh.officials import normalize_name
from ragtool.zh.textnorm import halfwidth, t2s


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


FactField = Literal["official", "gdp_2025", "gdp_target_2026", "other_target_2026"]
GDP = "地区生产总值"


class FieldFact(BaseModel):
    """One line of the per-field format (evals/provincial): `value` is what the summary must carry for `field`.

    official: "省长 孟凡利" (a title, then the name as written); gdp_2025: "5.2万亿元、增长5.4%";
    gdp_target_2026: "增长5%左右"; other_target_2026: "一般公共预算收入增长4%左右" (an indicator, then its target).
    """

    model_config = ConfigDict(extra="forbid")

    doc: str
    field: FactField
    value: str
    quote: str = ""


Facts = SummaryFacts | FieldFact


def load_summary_facts(path: Path) -> list[Facts]:
    """Both formats, detected per line: {"doc","figures","officials","priorities"} or {"doc","field","value","quote"}."""
    out: list[Facts] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            model: type[BaseModel] = FieldFact if isinstance(data, dict) and "field" in data else SummaryFacts
            out.append(model.model_validate(data))  # type: ignore[arg-type]
        except (json.JSONDecodeError, ValidationError) as e:
            raise UsageError(f"{path} line {lineno}: invalid summary facts ({str(e).splitlines()[0]})") from None
    return out


def indicator_canon(settings: Settings) -> dict[str, str]:
    """Normalised surface form -> canonical indicator, from the lexicon (every form documents or questions use)."""
    from ragtool.zh.lexicon import Lexicon

    out: dict[str, str] = {}
    for canon, forms in Lexicon.load(settings).question_forms().items():
        for form in [canon, *forms]:
            out.setdefault(normalize(form), canon)
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


def check_summary(facts: Facts, summary: DocumentSummary, canon: dict[str, str]) -> list[FactResult]:
    """One FactResult per labelled fact."""
    if isinstance(facts, FieldFact):
        return [check_field(facts, summary, canon)]
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


# ---- the per-field format -------------------------------------------------------------------------------------

_DASHES = re.compile(r"(?<=[\d%])\s*(?:[—–\-~～]{1,2}|至|到)\s*(?=\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:万|%|个百分点)?")


def _value_norm(text: str) -> str:
    """normalize(), with every range dash (—–-~～至到 between numbers) written as "-"."""
    return _DASHES.sub("-", normalize(text))


def _holds(haystack: str, needle: str) -> bool:
    """Normalised `needle` in normalised `haystack`, never inside a longer number nor as one end of a range
    (5% is not found in 5.5%, nor in 5%-5.5%)."""
    h, n = _value_norm(haystack), _value_norm(needle)
    if not n:
        return True
    start = r"(?<![\d.])(?<!\d-)(?<!%-)" if n[0].isdigit() else ""
    end = r"(?!\d|\.\d|-\d)" if n[-1].isdigit() or n[-1] == "%" else ""
    return re.search(start + re.escape(n) + end, h) is not None


def _written(kf: KeyFigure) -> list[str]:
    """How a key figure reads: its value with each of its qualifiers (增长5%左右), and with its unit appended when
    the value is a bare number."""
    value = kf.value if kf.unit and kf.value.endswith(kf.unit) else f"{kf.value}{kf.unit}"
    quals = [kf.qualifier, *kf.qualifier.split("、")] if kf.qualifier else []
    return [value, *(value + q for q in quals)]


def _split_official(value: str) -> tuple[str, str]:
    """"省长 孟凡利" -> (省长, 孟凡利); "市长 龚 正" -> (市长, 龚 正): the title ends at the first space."""
    parts = re.split(r"[ \t\u3000]+", value.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", value.strip())


def _same_role(got: str, want: str) -> bool:
    g, w = normalize(got), normalize(want)
    if ("副" in g) != ("副" in w):
        return False
    return bool(w) and (w in g or g in w)


def check_field(fact: FieldFact, summary: DocumentSummary, canon: dict[str, str]) -> FactResult:
    """One per-field fact against a summary (see FieldFact)."""
    result = FactResult(doc=fact.doc, what=fact.field, expected=fact.value, found=False)
    if fact.field == "official":
        role, name = _split_official(fact.value)
        hit = next((o for o in summary.officials if normalize_name(o.name) == normalize_name(name)
                    and (not role or _same_role(o.role, role))), None)
        if hit is not None:
            result.found, result.got = True, f"{hit.role} {hit.name}"
        return result
    if fact.field == "gdp_2025":
        pool = [k for k in summary.key_figures
                if canon.get(normalize(k.indicator)) == GDP and k.type == "actual" and k.year == 2025]
        numbers = _NUMBER.findall(_value_norm(fact.value))
        held = [next((k for k in pool if any(_holds(w, n) for w in _written(k))), None) for n in numbers]
        if numbers and all(held):
            result.found = True
            result.got = "; ".join(dict.fromkeys(f"{k.value}{k.qualifier}" for k in held if k))
        return result
    if fact.field == "gdp_target_2026":
        pool = [k for k in summary.key_figures
                if canon.get(normalize(k.indicator)) == GDP and k.type == "target" and k.year == 2026]
        want = fact.value
    else:
        pool = [k for k in summary.key_figures
                if canon.get(normalize(k.indicator)) != GDP and k.type == "target" and k.year == 2026]
        want = fact.value
        lead = _leading_form(fact.value, canon)
        if lead is not None:
            form, indicator = lead
            pool = [k for k in pool if canon.get(normalize(k.indicator), k.indicator) == indicator]
            want = fact.value[len(form):]
    hit_k = next((k for k in pool if any(_holds(w, want) for w in _written(k))), None)
    if hit_k is not None:
        result.found, result.got = True, f"{hit_k.indicator} {hit_k.value}{hit_k.qualifier} {hit_k.year} {hit_k.type}"
    return result


def _leading_form(value: str, canon: dict[str, str]) -> tuple[str, str] | None:
    """The indicator a value starts with (the longest known form): 地方一般公共预算收入增长3% -> its form and name."""
    plain = t2s(halfwidth(value))
    best = max((f for f in canon if f and normalize(plain[: len(f)]) == f), key=len, default=None)
    return (plain[: len(best)], canon[best]) if best else None


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
    summaries: dict[str, DocumentSummary] = {}  # one summary per document, however many lines name it
    for facts in load_summary_facts(facts_path):
        if facts.doc not in summaries:
            doc_id = by_name.get(facts.doc)
            doc = corpus.get_document(doc_id) if doc_id else None
            if doc is None:
                raise UsageError(f"{facts_path}: document {facts.doc} is not in the eval corpus")
            try:
                summaries[facts.doc] = summarize_document(
                    settings, doc, corpus.store.chunks(doc.meta.doc_id), engine=engine, use_cache=use_cache
                )
            except ProviderError as e:
                return SummaryEval(message="summary checks not scored", error=str(e), facts=results)
        results.extend(check_summary(facts, summaries[facts.doc], canon))
    recall = round(sum(r.found for r in results) / len(results), 4) if results else None
    return SummaryEval(ran=True, facts=results, recall=recall)
