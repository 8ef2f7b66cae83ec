"""The extractive engine: pick evidence sentences from retrieved chunks and cut out the answer span.

It never writes text of its own: every answer is a span of a verified quote. It answers not_found
when no retrieved sentence carries the asked indicator, place, year or role, rather than a near miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ragtool.answer.spans import (
    DATE,
    Roles,
    clause_bounds,
    enumeration,
    find_names,
    find_values,
    list_run,
    role_matches,
)
from ragtool.answer.verify import verify_quote
from ragtool.config import Settings
from ragtool.models import Answer, Candidate, Chunk, DocMeta, RetrievedChunk
from ragtool.query import ParsedQuery, Vocabulary
from ragtool.textnorm import t2s

_SENT = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_RANGE_YEAR = re.compile(r"(?:到|至|—|-)\s*((?:19|20)\d{2})\s*年")
KIND_PRIORITY = {"政府工作报告": 0, "党代会": 1, "党委会议": 2, "other": 3}
QUOTE_MAX = 160
MAX_GAP = 20  # characters allowed between an indicator and its value, within one clause


@dataclass
class Evidence:
    chunk: Chunk
    meta: DocMeta
    start: int  # sentence span within chunk.text
    end: int
    text: str  # original sentence
    simp: str  # simplified sentence
    rank: int
    score: float = 0.0
    span: tuple[int, int] | None = None  # answer span within the sentence
    value: str = ""
    notes: list[str] = field(default_factory=list)


class ExtractiveEngine:
    name = "extractive"

    def __init__(self, settings: Settings, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.roles = Roles.load(settings)
        target = settings.data_path("question.toml")
        del target

    # ---- public --------------------------------------------------------------------------------

    def answer(self, question: str, hits: list[RetrievedChunk], query: ParsedQuery) -> Answer:
        out = Answer(question=question, engine=self.name, status="not_found", answer="未在文档中找到答案")
        if query.unknown_places or not hits:
            return out
        best = [e for e in self._sentences(hits) if self._admissible(e, query) and self._extract(e, query)]
        for e in best:
            e.score = self._score(e, query)
        best = sorted((e for e in best if e.score > 0), key=lambda e: -e.score)
        if not best:
            return out
        top = best[0]
        if query.qtype == "number" and query.indicators:
            conflict = self._conflict(best, query)
            if conflict:
                return self._conflicting(out, conflict)
        citation = self._cite(top)
        if citation is None:
            return out
        out.status = "answered"
        out.answer = top.value
        out.citations = [citation]
        out.confidence = round(min(0.99, 0.35 + top.score / 10), 2)
        return out

    # ---- evidence ------------------------------------------------------------------------------

    def _sentences(self, hits: list[RetrievedChunk]) -> list[Evidence]:
        seen: set[tuple[str, int]] = set()
        out: list[Evidence] = []
        for rank, hit in enumerate(hits):
            chunk = hit.chunk
            for m in _SENT.finditer(chunk.text):
                key = (chunk.doc_id, chunk.start + m.start())
                text = m.group().strip()
                if key in seen or len(text) < 4:
                    continue
                seen.add(key)
                lead = len(m.group()) - len(m.group().lstrip())
                start = m.start() + lead
                out.append(Evidence(chunk, hit.meta, start, start + len(text), text, t2s(text), rank))
        return out

    def _admissible(self, e: Evidence, q: ParsedQuery) -> bool:
        """Hard constraints: indicator, year, keywords in the document, the asked role."""
        if q.indicators and not any(term.lower() in e.simp.lower() for term in q.indicator_terms):
            return False
        years = self._years_wanted(q, e.meta)
        if years and not (self._sentence_years(e) & years):
            return False
        if q.qtype == "name":
            asked = self.roles.asked_role(q.text)
            names = find_names(e.text, self.roles)
            if not names or (asked and not any(role_matches(asked, t2s(n.role)) for n in names)):
                return False
        if q.qtype == "date" and not DATE.search(e.text):
            return False
        return True

    def _years_wanted(self, q: ParsedQuery, meta: DocMeta) -> set[int]:
        if q.years:
            return set(q.years)
        if q.relative_year is not None and meta.year:
            return {meta.year + q.relative_year}
        return set()

    def _sentence_years(self, e: Evidence) -> set[int]:
        """Years a sentence speaks of: its own, else its section's, else the document's."""
        ranged = {int(y) for y in _RANGE_YEAR.findall(e.simp)}
        own = {int(y) for y in _YEAR.findall(e.simp)} - ranged
        if own:
            return own
        section = {int(y) for y in _YEAR.findall(t2s(e.chunk.section))}
        if section:
            return section
        if e.meta.year:
            back = any(w in e.simp for w in ("过去一年", "去年", "上年", "一年来", "刚刚过去"))
            return {e.meta.year - 1} if back else {e.meta.year}
        return set()

    def _score(self, e: Evidence, q: ParsedQuery) -> float:
        score = 3.0 * _coverage(q.keywords, e.simp) + 1.5 / (1 + e.rank)
        if q.indicators:
            score += 2.0
        if q.target is not None:
            local = _is_target(_around(e))
            score += (1.5 if local else -1.5) if q.target else (1.0 if not local else -0.5)
        if q.qtype == "number" and not find_values(e.simp):
            score -= 3.0
        doc_cov = _coverage(q.keywords, t2s(e.chunk.text) + t2s(e.meta.title))
        if q.keywords and doc_cov < 0.6:
            return 0.0
        return score

    # ---- answer spans --------------------------------------------------------------------------

    def _extract(self, e: Evidence, q: ParsedQuery) -> bool:
        if q.qtype == "number":
            return self._extract_number(e, q)
        if q.qtype == "name":
            return self._extract_name(e, q)
        if q.qtype == "date":
            return self._extract_date(e)
        if q.qtype == "list":
            return self._extract_list(e, q)
        start, end = clause_bounds(e.text, _anchor(e.simp, q))
        e.span, e.value = (start, end), e.text[start:end]
        return bool(e.value.strip())

    def _extract_number(self, e: Evidence, q: ParsedQuery) -> bool:
        """The value nearest after an indicator (or keyword) mention, with the mention: 地区生产总值增长5.5%左右."""
        anchors = _indicator_spans(e.simp, q) if q.indicators else _keyword_spans(e.simp, q)
        best: tuple[int, int, int] | None = None  # (distance, start, end)
        for v in find_values(e.simp):
            for a_start, a_end in anchors or [(v.start(), v.start())]:
                gap = v.start() - a_end
                if gap < 0 or gap > MAX_GAP or re.search(r"[，,；;。：:]", e.simp[a_end : v.start()]):
                    continue
                if best is None or gap < best[0]:
                    best = (gap, a_start, v.end())
        if best is None:
            return False
        _, start, end = best
        follow = re.match(r"[，,、]\s*(?:同比)?(?:增长|下降)\s*\d+(?:\.\d+)?%", e.simp[end:])
        if follow:
            end += follow.end()
        if not q.indicators:
            start = min(start, clause_bounds(e.simp, start)[0])
        e.span, e.value = (start, end), e.text[start:end].strip("，,；;：: ")
        e.notes.append(f"gap={best[0]}")
        return bool(e.value)

    def _extract_name(self, e: Evidence, q: ParsedQuery) -> bool:
        asked = self.roles.asked_role(q.text)
        for hit in find_names(e.text, self.roles):
            if asked is None or role_matches(asked, t2s(hit.role)):
                e.span = (hit.start, hit.end)
                e.value = f"{hit.role}{hit.name}" if hit.start < e.text.find(hit.name) else f"{hit.name}（{hit.role}）"
                return True
        return False

    def _extract_date(self, e: Evidence) -> bool:
        m = DATE.search(e.text)
        if not m:
            return False
        year = m.group(1) or (str(e.meta.year) if e.meta.year else "")
        e.span = (m.start(), m.end())
        e.value = (f"{year}年" if year and not m.group(1) else "") + m.group().strip()
        return True

    def _extract_list(self, e: Evidence, q: ParsedQuery) -> bool:
        anchor = _anchor(e.simp, q)
        span = enumeration(e.simp, anchor) or list_run(e.simp, anchor)
        if span is None:
            return False
        e.span, e.value = span, e.text[span[0] : span[1]].strip("，,；;：: ")
        return len(e.value) >= 2

    # ---- conflicts and citations -----------------------------------------------------------------

    def _conflict(self, best: list[Evidence], q: ParsedQuery) -> list[Evidence]:
        """Best evidence per document when documents give different values for the same fact."""
        top_score = best[0].score
        per_doc: dict[str, Evidence] = {}
        for e in best:
            if e.meta.doc_id not in per_doc and e.score >= top_score - 1.0:
                per_doc[e.meta.doc_id] = e
        if len(per_doc) < 2:
            return []
        chosen = sorted(per_doc.values(), key=lambda e: (KIND_PRIORITY.get(e.meta.kind, 3), -(e.score)))
        values = {_number_key(e.value) for e in chosen}
        if len(values) < 2 or "" in values:
            return []
        if q.target is not None and len({_is_target(_around(e)) for e in chosen}) > 1:
            return []
        return chosen

    def _conflicting(self, out: Answer, chosen: list[Evidence]) -> Answer:
        parts: list[str] = []
        for e in chosen:
            citation = self._cite(e)
            if citation is None:
                continue
            out.citations.append(citation)
            out.candidates.append(
                Candidate(value=e.value, quote=citation.quote, doc_id=e.meta.doc_id, title=e.meta.title,
                          date=e.meta.date, kind=e.meta.kind)
            )
            parts.append(f"{e.meta.kind}（{e.meta.date or '日期不详'}）：{e.value}")
        if len(out.candidates) < 2:
            return out
        out.status = "conflicting"
        out.answer = "来源不一致：" + "；".join(parts)
        out.confidence = 0.5
        return out

    def _cite(self, e: Evidence) -> object:
        quote = e.text
        if len(quote) > QUOTE_MAX and e.span:
            mid = (e.span[0] + e.span[1]) // 2
            lo = max(0, min(mid - QUOTE_MAX // 2, e.span[0]))
            quote = e.text[lo : max(lo + QUOTE_MAX, e.span[1])]
        return verify_quote(quote, e.chunk, e.meta.title)


def _coverage(keywords: list[str], text: str) -> float:
    """Share of the keywords' character bigrams (or single characters) found in text."""
    if not keywords:
        return 1.0
    total = 0.0
    for kw in keywords:
        grams = [kw[i : i + 2] for i in range(len(kw) - 1)] or [kw]
        total += sum(1 for g in grams if g in text) / len(grams)
    return total / len(keywords)


def _is_target(text: str) -> bool:
    return bool(re.search(r"预期|目标|力争|争取|确保|左右|计划(?:完成|实现|增长)|将(?:达到|实现|完成)", text))


def _around(e: Evidence) -> str:
    """Where target or actual cues for the answer sit: the sentence up to the end of the answer span."""
    if e.span is None:
        return e.simp
    return e.simp[: e.span[1] + 4]


def _indicator_spans(simp: str, q: ParsedQuery) -> list[tuple[int, int]]:
    low = simp.lower()
    return [(m.start(), m.end()) for t in q.indicator_terms for m in re.finditer(re.escape(t.lower()), low)]


def _keyword_spans(simp: str, q: ParsedQuery) -> list[tuple[int, int]]:
    spans = []
    for kw in q.keywords:
        for size in sorted({len(kw), 2}, reverse=True):
            for i in range(0, max(1, len(kw) - size + 1)):
                piece = kw[i : i + size]
                spans += [(m.start(), m.end()) for m in re.finditer(re.escape(piece), simp)]
    return spans


def _anchor(simp: str, q: ParsedQuery) -> int:
    """Position in the sentence where the question's keywords best match."""
    best, pos = 0, 0
    for kw in q.keywords:
        for size in (len(kw), 2):
            for i in range(0, max(1, len(kw) - size + 1)):
                j = simp.find(kw[i : i + size])
                if j >= 0 and size > best:
                    best, pos = size, j
    return pos


def _number_key(value: str) -> str:
    nums = re.findall(r"\d+(?:\.\d+)?", value)
    return nums[-1] if nums else ""
