"""The extractive engine: typed candidates from evidence sentences, one weighted scorer, verified quotes.

For each retrieved sentence the extractor of the question's type proposes candidate spans; every candidate
gets the shared features (ragtool.answer.features) and the scorer's weighted sum (scoring.toml). A candidate
that contradicts the question's year, target or place is vetoed. The engine never writes text of its own:
every answer is a span of a verified quote (a yes/no answer adds its verdict, 是/不是 or 有/没有, before it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ragtool import qtypes
from ragtool.answer import respectively
from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence, EvidenceReader
from ragtool.answer.extractors import extractor_for
from ragtool.answer.extractors.listing import asked_count
from ragtool.answer.features import add_common, coverage
from ragtool.answer.frames import (
    Frame,
    choice_claims,
    item_count,
    ordinal_items,
    parallel_run,
    question_frame,
)
from ragtool.answer.scorer import Scorer
from ragtool.answer.verify import verify_quote
from ragtool.config import Settings
from ragtool.models import Answer, Candidate, Chunk, Citation, Document, ExplainedCandidate, RetrievedChunk
from ragtool.query import ParsedQuery, Vocabulary
from ragtool.zh import numerals
from ragtool.zh.dates import starts_with_stamp
from ragtool.zh.directives import directive_items
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.meeting import MeetingReader
from ragtool.zh.officials import OfficialFinder
from ragtool.zh.quantity import Quantity
from ragtool.zh.timeframe import TimeCues
from ragtool.zh.words import snap, word_rules

NOT_FOUND = "未在文档中找到答案"
_TOP = re.compile(r"([一二三四五六七八九十]+)、")  # a top-level heading's number (一、2025年工作回顾)
KIND_PRIORITY = {"政府工作报告": 0, "党代会": 1, "党委会议": 2, "other": 3}
QUOTE_MAX = 90  # longer sentences are quoted as the answer with its clause around it
QUOTES = "“”‘’「」『』\"'"
EXPLAIN_TOP = 8
LEAD_IN = 20  # characters before a parallel item that say which one it is (一是全力实施投资扩能行动，在…上)
SCAN_DOCS = 3  # a question scoped to at most this many documents reads them whole
SCAN_COVERAGE = 0.6  # without an indicator, a scanned sentence must hold this share of the question's words


class ExtractiveEngine:
    name = "extractive"

    def __init__(
        self,
        settings: Settings,
        vocab: Vocabulary,
        document: Callable[[str], Document | None],
        chunks_of: Callable[[str], list[Chunk]],
    ) -> None:
        """document(doc_id) and chunks_of(doc_id) read the index: evidence sentences are taken whole from
        the document, and quotes are cited from every chunk they fall in."""
        self.vocab = vocab
        self.officials = OfficialFinder.load(settings)
        self.meeting = MeetingReader.load(settings)
        self.scorer = Scorer.load(settings)
        lexicon = self.lexicon = Lexicon.load(settings)
        self.reader = EvidenceReader(document, TimeCues.from_lexicon(lexicon))
        self.words = word_rules(settings)
        self.directive_verbs = tuple(str(v) for v in lexicon.priorities.get("directive_verbs", []))
        self.target_after = tuple(lexicon.time_words("target_after"))
        self.document = document
        self.chunks_of = chunks_of

    def answer(self, question: str, hits: list[RetrievedChunk], query: ParsedQuery, explain: bool = False) -> Answer:
        out = Answer(question=question, engine=self.name, status="not_found", answer=NOT_FOUND)
        if query.unknown_places or query.unknown_terms or not hits:
            return out
        if query.qtype == "other" and self.officials.asked_role(query.text):
            query = query.model_copy(update={"qtype": "name"})  # 四川省委书记: a title alone asks who holds it
        claims = choice_claims(query.text) if query.qtype != "yesno" else None
        if claims:  # 是15日还是16日开幕: each alternative as a yes/no claim
            return self._choice(question, hits, query, claims, explain)
        roles = self.officials.asked_roles(query.text) if query.qtype == "name" else []
        if len(roles) >= 2:  # 市委书记和市长分别是谁: each title asked on its own, every holder named
            return self._each_role(question, hits, query, roles, explain)
        v = self.vocab
        frame = question_frame(query.text, v.separators, v.slot_nouns, v.frame_verbs) if qtypes.get(query.qtype).framed else None
        framed = self._framed_list(hits, frame, query) if frame else None
        if framed and frame and not frame.count:
            return framed
        spans = self.candidates(hits, query)
        best = [s for s in spans if self.scorer.accepts(s)]
        every = respectively.asks_every(query.text) and any(s.features.get("members") for s in best)
        if every:
            best = [s for s in best if s.features.get("members")]  # 分别是多少: every member's value, not one
        if explain:
            out.explanation = [explained(s) for s in spans[:EXPLAIN_TOP]]
        if query.qtype == "list":
            named = self._named_section(hits, query)
            if named is not None:
                return named  # 2026年重点工作有哪几个方面: the headings under the section the question names
        if query.qtype == "list" and best and "、" not in best[0].value:
            ordinal = self._ordinal_list(best[0], query)
            if ordinal is not None:
                return ordinal  # 一是围绕经济发展，…。二是围绕创新驱动，…: the items the sentences open with
        if query.qtype == "list" and any(c in query.text for c in v.parts_cues):
            stated = best and any(c in best[0].e.simp for c in v.parts_cues)  # 报告共分三个部分:…
            parts = None if stated else self._parts(hits, query)
            if parts is not None:
                return parts
        if framed and frame and (not best or item_count(best[0].value) != frame.count):
            framed.explanation = out.explanation
            return framed  # 四大行动 in four sentences, unless one sentence lists all four
        if not best:
            return out
        if query.qtype == "number" and query.indicators and not every:
            conflict = self._conflict(best)
            if conflict:
                return self._conflicting(out, conflict)
        top = self._every_name(best) if query.qtype == "name" and respectively.asks_every(query.text) else best[0]
        citations = self.cite(top)
        if not citations:
            return out
        out.status = "answered"
        out.answer = top.value
        out.quantity = self._quantity(best[0])
        out.citations = citations
        out.confidence = round(min(0.95, max(0.3, best[0].score / 10)), 2)
        return out

    def _every_name(self, best: list[Span]) -> Span:
        """分别是谁 with one title or none (传达…的分别是谁): every name the best one's sentence gives, in its order."""
        top = best[0]
        same = sorted({s.start: s for s in best if s.e is top.e}.values(), key=lambda s: s.start)
        if len(same) < 2:
            return top
        joined = Span(top.e, same[0].start, same[-1].end, "、".join(s.value for s in same), dict(top.features), top.score)
        return joined

    def _choice(self, question: str, hits: list[RetrievedChunk], query: ParsedQuery, claims: list[tuple[str, str]],
                explain: bool) -> Answer:
        """The alternative the documents bear out, with the fact (15日：…15日上午…开幕); when none is borne out
        alone, the first verdict found (不是：…)."""
        verdicts = []
        for label, claim in claims:
            a = self.answer(question, hits, query.model_copy(update={"text": claim, "qtype": "yesno"}), explain)
            yes_word = self.vocab.verdict_words(claim)[0]
            verdicts.append((label, a, a.status == "answered" and a.answer.startswith(f"{yes_word}：")))
        held = [(label, a) for label, a, yes in verdicts if yes]
        if len(held) == 2:  # 市长 | 代市长, 上午 | 下午: the one whose own words its quote holds, or the narrower one
            held = _telling(held) or held
        if len(held) == 1:
            label, a = held[0]
            return a.model_copy(update={"answer": f"{label}：{a.answer.split('：', 1)[1]}"})
        answered = [a for _, a, _ in verdicts if a.status == "answered"]
        return answered[0] if answered else verdicts[0][1]

    def _each_role(self, question: str, hits: list[RetrievedChunk], query: ParsedQuery, roles: list[str],
                   explain: bool) -> Answer:
        parts = []
        for role in roles:
            text = query.text
            for other in roles:
                text = text.replace(other, " ") if other != role else text
            parts.append(self.answer(question, hits, query.model_copy(update={"text": text}), explain))
        found = [p for p in parts if p.status == "answered"]
        if not found:
            return parts[0]
        out = found[0].model_copy(update={"answer": "；".join(p.answer for p in found)})
        out.citations = [c for p in found for c in p.citations]
        out.confidence = min(p.confidence or 0.0 for p in found)
        return out

    def candidates(self, hits: list[RetrievedChunk], q: ParsedQuery) -> list[Span]:
        """Every candidate of the question's type in the evidence, scored, best first."""
        lex = self.lexicon
        ctx = Context(q, self.vocab, self.officials, self.reader, self.target_after, lex.units_of,
                      lex.combined, tuple(lex.figure_words("gap_stops")), lex.own_figure, lex.scoped,
                      meeting=self.meeting, grade=self.scorer.grade, quantities=lex.quantities,
                      figure_words=lambda key: tuple(lex.figure_words(key)), words=self.words,
                      directive_verbs=self.directive_verbs)
        extract = extractor_for(q.qtype)
        units = self.reader.evidence(hits)
        if q.places:  # a named place's few reports are read whole: an answer is never lost to retrieval
            units += self._scan(hits, q, {(e.meta.doc_id, e.start) for e in units})
        units = [e for e in units if not flagged(e)]  # an instruction to the model is never evidence
        spans = [t for e in units for s in extract(e, ctx) if s.value and (t := _without_page_head(s)) is not None]
        dates = sorted({s.e.meta.date or "" for s in spans})
        doc_words: dict[str, float] = {}  # the question's words in each document, read once per question
        for s in spans:
            doc_id = s.e.meta.doc_id
            if doc_id not in doc_words:
                doc_words[doc_id] = coverage(q, self.reader.with_title(s.e.doc))
            add_common(s, ctx, doc_words[doc_id], dates)
            self.scorer.score(s)
        return sorted(spans, key=lambda s: (bool(s.vetoed), -s.score))

    def _scan(self, hits: list[RetrievedChunk], q: ParsedQuery, seen: set[tuple[str, int]]) -> list[Evidence]:
        """Sentences beyond the retrieved ones, in the documents the question is scoped to, that hold the asked indicator (or, for
        other questions, most of the question's words), ranked after every retrieved one."""
        doc_ids = q.scope if q.scope is not None else list(dict.fromkeys(h.meta.doc_id for h in hits))
        if len(doc_ids) > SCAN_DOCS:
            return []
        terms = [t.lower() for t in q.indicator_terms]
        out = []
        for doc_id in doc_ids:
            doc = self.document(doc_id)
            for e in self.reader.all_sentences(doc, rank=len(hits)) if doc else []:
                if (doc_id, e.start) in seen:
                    continue
                low = e.simp.lower()
                if any(t in low for t in terms) if terms else coverage(q, e.simp) >= SCAN_COVERAGE:
                    out.append(e)
        return out

    def _framed_list(self, hits: list[RetrievedChunk], frame: Frame, q: ParsedQuery) -> Answer | None:
        """Items filling the question's frame in parallel sentences of the best-ranked document that has
        them (要在A上实干争先；要在B上实干争先), each cited."""
        seen: set[str] = set()
        for rank, hit in enumerate(hits):
            doc = None if hit.meta.doc_id in seen else self.document(hit.meta.doc_id)
            seen.add(hit.meta.doc_id)
            if doc is None:
                continue
            simp = self.reader.simplified(doc)
            run = parallel_run(simp, frame)
            if run and frame.single:  # 投资扩能行动要在哪方面…: the item led in by the question's words
                best = max(run, key=lambda m: coverage(q, simp[max(0, m.start() - LEAD_IN) : m.start()]))
                run = [best] if coverage(q, simp[max(0, best.start() - LEAD_IN) : best.start()]) >= 0.5 else []
            if not run:
                continue
            out = Answer(question=q.raw, engine=self.name, status="answered", confidence=0.8)
            out.answer = "、".join(doc.text[slice(*m.span(1))].strip(QUOTES) for m in run)
            run = [m for m in run if not flagged(self.reader.sentence(doc, m.start(), m.end(), rank))]
            for m in run:
                e = self.reader.sentence(doc, m.start(), m.end(), rank)
                out.citations.extend(self.cite(Span(e, 0, len(e.text), e.text)))
            return out if run and len(out.citations) >= len(run) else None
        return None

    def _ordinal_list(self, s: Span, q: ParsedQuery) -> Answer | None:
        """When the best candidate opens an item of an enumeration by ordinals over several sentences, or one of a
        run of directives (要强化政治引领。…要抢抓发展机遇。), that enumeration: each item's first clause, cited (as many
        as the question counts, if it counts)."""
        doc = s.e.doc
        simp = self.reader.simplified(doc)
        items = ordinal_items(simp, s.e.start + s.start) or directive_items(simp, self.directive_verbs, s.e.start + s.start)
        if not items or asked_count(q.text) not in (0, len(items)):
            return None
        out = Answer(question=q.raw, engine=self.name, status="answered", confidence=0.7)
        out.answer = "；".join(doc.text[a:b] for a, b in items)
        for a, b in items:
            e = self.reader.sentence(doc, a, b, s.e.rank)
            out.citations.extend(self.cite(Span(e, 0, len(e.text), e.text)))
        return out if len(out.citations) >= len(items) else None

    def _named_section(self, hits: list[RetrievedChunk], q: ParsedQuery) -> Answer | None:
        """A list question that names a top-level section (2026年重点工作有哪几个方面): the first clause of each
        heading under it ((一)统筹促消费和扩投资；(二)…), from the best-ranked document with such a section."""
        for doc_id in list(dict.fromkeys(h.meta.doc_id for h in hits))[:SCAN_DOCS]:
            doc = self.document(doc_id)
            if doc is None:
                continue
            heads = self.reader.view(doc).headings
            for i, (_, text, depth) in enumerate(heads):
                title = _TOP.sub("", text, count=1).strip()
                if depth != 1 or len(title) < 4 or title not in q.text:
                    continue
                subs = [(at, t) for at, t, d in heads[i + 1 : next((j for j in range(i + 1, len(heads)) if heads[j][2] == 1), len(heads))] if d == 2]
                if len(subs) < 2 or asked_count(q.text) not in (0, len(subs)):
                    continue
                out = Answer(question=q.raw, engine=self.name, status="answered", confidence=0.7)
                spans = [(at, at + (re.search(r"[，,。；;\n]|$", t).start())) for at, t in subs]  # type: ignore[union-attr]
                out.answer = "；".join(doc.text[a:b] for a, b in spans)
                for a, b in spans:
                    out.citations.extend(self.cite(Span(self.reader.sentence(doc, a, b, 0), 0, b - a, doc.text[a:b])))
                return out if len(out.citations) >= len(spans) else None
        return None

    def _parts(self, hits: list[RetrievedChunk], q: ParsedQuery) -> Answer | None:
        """分哪几个部分 of a report that does not say: its top-level headings (一、… 二、… 三、…), the first run numbered
        from one, of the best-ranked document that has at least two, each cited."""
        for doc_id in dict.fromkeys(h.meta.doc_id for h in hits):
            doc = self.document(doc_id)
            if doc is None:
                continue
            run: list[tuple[int, str]] = []
            for at, text, depth in self.reader.view(doc).headings:
                n = numerals.number(m.group(1)) if depth == 1 and (m := _TOP.match(text)) else None
                if n == len(run) + 1:
                    run.append((at, text))
                elif n == 1 and len(run) < 2:
                    run = [(at, text)]
            if len(run) < 2:
                continue
            out = Answer(question=q.raw, engine=self.name, status="answered", confidence=0.8)
            out.answer = "；".join(doc.text[at : at + len(text)] for at, text in run)
            for at, text in run:
                out.citations.extend(self.cite(Span(self.reader.sentence(doc, at, at + len(text), 0), 0, len(text), text)))
            return out if len(out.citations) >= len(run) else None
        return None

    def cite(self, s: Span) -> list[Citation]:
        """The quote (the sentence, or a window of it around the answer), cited from each chunk it spans."""
        e = s.e
        lo, hi = 0, len(e.text)
        if hi > QUOTE_MAX:  # a long sentence: the answer with its clause around it
            lo, hi = max(0, s.start - 40), min(hi, s.end + 30)
            cut = max((i + 1 for i in range(lo, s.start) if e.simp[i] in "，,；;：:。\n"), default=lo)
            end = min((i for i in range(s.end, hi) if e.simp[i] in "，,；;。\n|"), default=hi)
            end += end < len(e.simp) and e.simp[end] in "，,；;。"  # a clause mark is quoted, a line end or a table's | is not
            lo, hi = snap(e.simp, cut, max(end, s.end), self.words)  # never from or to the middle of a word
        start, end = e.start + lo, e.start + hi
        citations: list[Citation] = []
        for chunk in self.chunks_of(e.meta.doc_id):
            if chunk.end <= start or chunk.start >= end:
                continue
            part = e.doc.text[max(start, chunk.start) : min(end, chunk.end)].strip()
            c = verify_quote(part, chunk, e.meta.title) if len(part) >= 2 else None
            if c is not None:
                citations.append(c)
                start = chunk.end
            if start >= end:
                break
        return citations

    def _quantity(self, s: Span) -> Quantity | None:
        """The typed value a candidate states: the first figure from where it was read (its `at`) to its end, not a
        starting point (突破3万亿元、达3.6万亿元 states 3.6万亿元)."""
        figures = self.lexicon.quantities.figures(s.e.simp, s.at if s.at >= 0 else s.start, s.end)
        return figures[0] if figures else None

    def _value_key(self, s: Span) -> tuple[float | None, float | None, str] | None:
        """What two sources must share to agree: the value in its base unit (6.66万亿元 = 66600亿元)."""
        q = self._quantity(s)
        return (q.base("low"), q.base("high"), q.unit) if q is not None and q.low is not None else None

    # ---- conflicts -----------------------------------------------------------------------------

    def _conflict(self, best: list[Span]) -> list[Span]:
        """Best candidate per document when documents give different values for the same fact."""
        top = best[0]
        per_doc: dict[str, Span] = {}
        for s in best:
            close = s.score >= top.score - self.scorer.conflict_window
            if s.e.meta.doc_id not in per_doc and close and s.features.get("role") == top.features.get("role"):
                per_doc[s.e.meta.doc_id] = s
        if len(per_doc) < 2:
            return []
        chosen = sorted(per_doc.values(), key=lambda s: (KIND_PRIORITY.get(s.e.meta.kind, 3), -s.score))
        values = {self._value_key(s) for s in chosen}
        if len(values) < 2 or None in values:
            return []
        return chosen

    def _conflicting(self, out: Answer, chosen: list[Span]) -> Answer:
        parts: list[str] = []
        for s in chosen:
            citations = self.cite(s)
            if not citations:
                continue
            out.citations.extend(citations)
            meta = s.e.meta
            out.candidates.append(
                Candidate(value=s.value, quote="".join(c.quote for c in citations), doc_id=meta.doc_id,
                          title=meta.title, date=meta.date, kind=meta.kind, quantity=self._quantity(s))
            )
            parts.append(f"{meta.kind}（{meta.date or '日期不详'}）：{s.value}")
        if len(out.candidates) < 2:
            return out
        out.status = "conflicting"
        out.answer = "来源不一致：" + "；".join(parts)
        out.confidence = 0.5
        return out


def flagged(e: Evidence) -> bool:
    """The sentence was flagged at ingest as an instruction to the model (DocMeta.injections)."""
    return any(start < e.end and e.start < end for start, end in e.meta.injections)


def _without_page_head(s: Span) -> Span | None:
    """A span across the page's head, its title and stamp lines (市十七届人大五次会议隆重开幕\n2026-01-22 南京工会 56次\n…),
    starts after them: page furniture is never part of an answer (None when nothing else is left)."""
    if "\n" not in s.value:
        return s
    title = (s.e.meta.title or "").strip()
    text = s.e.text
    cut, pos = -1, s.start
    for line in text[s.start : s.end].split("\n")[:-1]:
        if starts_with_stamp(line) or (title and line.strip() == title):
            cut = pos + len(line) + 1
        pos += len(line) + 1
    if cut < 0:
        return s
    if cut >= s.end or (s.at >= 0 and s.at < cut):
        return None
    value = text[cut : s.end].strip()
    return replace(s, start=cut, value=value) if value else None


def _telling(held: list[tuple[str, Answer]]) -> list[tuple[str, Answer]]:
    """Of two alternatives both borne out, the one that tells them apart: whose own words (what the other lacks) its
    quote holds (上午 in 2月18日上午…开幕), else the one that holds the other (代市长作的 holds 市长作的)."""
    (la, a), (lb, b) = held
    own_a, own_b = la.replace(lb, ""), lb.replace(la, "")
    quoted = [(label, ans) for label, ans, own in ((la, a, own_a), (lb, b, own_b))
              if own and own.strip("的") and any(own.strip("的")[:2] in c.quote for c in ans.citations)]
    if len(quoted) == 1:
        return quoted
    if lb != la and la in lb:
        return [(lb, b)]
    if la != lb and lb in la:
        return [(la, a)]
    return []


def explained(s: Span) -> ExplainedCandidate:
    return ExplainedCandidate(
        value=s.value, score=s.score, vetoed=s.vetoed, doc_id=s.e.meta.doc_id, title=s.e.meta.title,
        sentence=s.e.text[:160], section=s.e.section, features={k: round(v, 3) for k, v in s.features.items()},
    )


__all__ = ["NOT_FOUND", "ExtractiveEngine", "Evidence", "asked_count"]
