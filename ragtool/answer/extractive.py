"""The extractive engine: pick evidence sentences from retrieved chunks and cut out the answer span.

It never writes text of its own: every answer is a span of a verified quote. It answers not_found
when no retrieved sentence carries the asked indicator, place, year or role, rather than a near miss.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ragtool.answer.frames import Frame, item_count, numbered_term, parallel_run, question_frame
from ragtool.answer.spans import (
    BOOK_TITLE,
    DATE,
    ISO_DATE,
    NUMBER,
    VALUE,
    clause_bounds,
    definition_span,
    list_spans,
    value_unit,
    what_span,
)
from ragtool.answer.verify import verify_quote
from ragtool.config import Settings
from ragtool.models import Answer, Candidate, Chunk, Citation, DocMeta, Document, RetrievedChunk
from ragtool.officials import Mention, OfficialFinder
from ragtool.query import ParsedQuery, Vocabulary
from ragtool.textnorm import cn_number, t2s

NOT_FOUND = "未在文档中找到答案"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_RANGE_YEAR = re.compile(r"(?:到|至|—|-)\s*((?:19|20)\d{2})\s*年")
_TARGET = re.compile(r"预期|目标|力争|争取|确保|左右|计划(?:完成|实现|增长)|将(?:达到|实现|完成)")
_PAST = re.compile(r"过去一年|去年|上年|一年来|刚刚过去|回顾")
_TERMINAL = "。！？!?；;：:"
KIND_PRIORITY = {"政府工作报告": 0, "党代会": 1, "党委会议": 2, "other": 3}
QUOTE_MAX = 90  # longer sentences are quoted as the answer with its clause around it
CLAUSE_FIT = 8.0  # weight of the question's words in a value's clause, against anchor distance
QUOTES = "“”‘’「」『』\"'"
NUMBERED_REACH = 16  # characters between a numbered term and the list it counts
MAX_GAP = 20  # characters allowed between an indicator and its value, within one clause
MIN_DOC_COVERAGE = 0.34  # share of the question's keyword bigrams the evidence's document must contain
CONFLICT_WINDOW = 2.5  # evidence scoring this close to the best counts as a rival source
SHORT_LINE = 40
NEIGHBOURHOOD = 150  # characters around a retrieved chunk whose sentences are also read (headings, lead-ins)  # an unpunctuated line this short runs on into the next (poster-style layouts)
# What may follow a value and still belong to it: 4.1%和6.5%, 27个、投资规模112亿元, 从第4位降至第131位.
_MORE_VALUES = re.compile(
    rf"[\u4e00-\u9fff]{{0,8}}?第\s*{NUMBER}\s*(?:次|届)(?:会议)?|(?:(?:和|、|及|，|,)\s*[\u4e00-\u9fff]{{0,6}}?|[^，,；;。]{{0,4}}?(?:降至|升至|上升至|提升至|增至|降到|升到|增长至|下降至)[\u4e00-\u9fff]{{0,3}}?)\s*(?:{VALUE.pattern})"
)
_FOLLOW_CHANGE = re.compile(r"[，,、]\s*(?:同比)?(?:增长|下降)\s*\d+(?:\.\d+)?%")
_COUNT_NOUN = re.compile(r"[\u4e00-\u9fff]{1,4}")
_COUNT_UNITS = ("大", "方面", "项", "个", "条")


@dataclass
class Evidence:
    doc: Document
    meta: DocMeta
    start: int  # sentence span in the document's cleaned text
    end: int
    text: str  # original sentence
    simp: str  # simplified sentence, same length
    rank: int  # retrieval rank of the chunk it came from
    section: str
    score: float = 0.0
    span: tuple[int, int] | None = None  # answer span within the sentence
    value: str = ""
    fit: float = 0.0  # how specifically the extracted span answers the question (0..1+)


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
        self.document = document
        self.chunks_of = chunks_of
        self._sentences: dict[str, tuple[str, list[tuple[int, int]]]] = {}

    def answer(self, question: str, hits: list[RetrievedChunk], query: ParsedQuery) -> Answer:
        out = Answer(question=question, engine=self.name, status="not_found", answer=NOT_FOUND)
        if query.unknown_places or query.unknown_terms or not hits:
            return out
        v = self.vocab
        frame = question_frame(query.text, v.separators, v.slot_nouns, v.frame_verbs) if query.qtype in ("list", "what") else None
        framed = self._framed_list(hits, frame, query) if frame else None
        if framed and frame and not frame.count:
            return framed
        units = self.evidence_units(hits)
        found = [e for e in units if self._admissible(e, query) and self._extract(e, query)]
        for e in found:
            e.score = self._score(e, query, found)
        best = sorted((e for e in found if e.score > 0), key=lambda e: -e.score)
        if framed and frame and (not best or item_count(best[0].value) != frame.count):
            return framed  # 四大行动 in four sentences, unless one sentence lists all four
        if not best:
            return out
        if query.qtype == "number" and query.indicators:
            conflict = self._conflict(best, query)
            if conflict:
                return self._conflicting(out, conflict)
        citations = self._cite(best[0])
        if not citations:
            return out
        out.status = "answered"
        out.answer = best[0].value
        out.citations = citations
        out.confidence = round(min(0.95, 0.3 + best[0].score / 12), 2)
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
            simp = self._split(doc)[0]
            run = parallel_run(simp, frame)
            if not run:
                continue
            out = Answer(question=q.raw, engine=self.name, status="answered", confidence=0.8)
            out.answer = "、".join(doc.text[slice(*m.span(1))].strip(QUOTES) for m in run)
            for m in run:
                e = Evidence(doc, hit.meta, m.start(), m.end(), doc.text[m.start() : m.end()], m.group(), rank, "")
                out.citations.extend(self._cite(e))
            return out if len(out.citations) >= len(run) else None
        return None

    def evidence_units(self, hits: list[RetrievedChunk]) -> list[Evidence]:
        """Whole sentences of the documents around the retrieved chunks, each once, best rank first."""
        out: dict[tuple[str, int], Evidence] = {}
        for rank, hit in enumerate(hits):
            doc = self.document(hit.meta.doc_id)
            if doc is None:
                continue
            simp_doc, spans = self._split(doc)
            chunk = hit.chunk
            lo, hi = chunk.start - NEIGHBOURHOOD, chunk.end + NEIGHBOURHOOD // 3
            for start, end in spans:
                if end <= lo or start >= hi or (doc.meta.doc_id, start) in out:
                    continue
                text = doc.text[start:end]
                if len(text.strip()) >= 4:
                    out[(doc.meta.doc_id, start)] = Evidence(
                        doc, hit.meta, start, end, text, simp_doc[start:end], rank, t2s(chunk.section)
                    )
        return list(out.values())

    def _split(self, doc: Document) -> tuple[str, list[tuple[int, int]]]:
        if doc.meta.doc_id not in self._sentences:
            simp = t2s(doc.text)
            if len(simp) != len(doc.text):
                simp = doc.text
            self._sentences[doc.meta.doc_id] = (simp, _sentence_spans(doc.text))
        return self._sentences[doc.meta.doc_id]

    def _cite(self, e: Evidence) -> list[Citation]:
        """The quote (the sentence, or a window of it around the answer), cited from each chunk it spans."""
        lo, hi = 0, len(e.text)
        if hi > QUOTE_MAX and e.span:  # a long sentence: the answer with its clause around it
            lo, hi = max(0, e.span[0] - 40), min(hi, e.span[1] + 30)
            cut = max((i + 1 for i in range(lo, e.span[0]) if e.simp[i] in "，,；;：:。"), default=lo)
            end = min((i + 1 for i in range(e.span[1], hi) if e.simp[i] in "，,；;。"), default=hi)
            lo, hi = cut, max(end, e.span[1])
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

    # ---- constraints and scores ----------------------------------------------------------------

    def _admissible(self, e: Evidence, q: ParsedQuery) -> bool:
        """Hard constraints: the indicator, the year, the asked role, a date."""
        if q.indicators and not any(term.lower() in e.simp.lower() for term in q.indicator_terms):
            return False
        years = _years_wanted(q, e.meta)
        if years:
            said = _sentence_years(e) if q.qtype == "number" else _sentence_years(e) | _doc_years(e.meta)
            if not said & years:
                return False
        if q.qtype == "name":
            asked = self.officials.asked_role(q.text)
            names = self.officials.find(e.simp)
            if not names or (asked and not any(self.officials.matches(asked, e.simp[slice(*n.role)]) for n in names)):
                return False
        return not (q.qtype == "date" and not (DATE.search(e.text) or ISO_DATE.search(e.text)))

    def _score(self, e: Evidence, q: ParsedQuery, found: list[Evidence]) -> float:
        context = self._split(e.doc)[0] + t2s(e.meta.title)
        if q.keywords and _coverage(q, context) < MIN_DOC_COVERAGE:
            return 0.0
        score = 3.0 * _coverage(q, e.simp) + 1.5 / (1 + e.rank)
        if q.qtype == "number" and q.indicators and q.target is not None and q.target != is_target(e):
            return 0.0  # asked for a result and this is a target, or the other way round
        if q.target is not None and q.qtype == "number":
            local = is_target(e)
            score += (1.5 if local else -1.5) if q.target else (1.0 if not local else -0.5)
        if q.units and e.span:
            score += 1.5 if value_unit(e.simp[e.span[0] : e.span[1]], q.units) else -1.0
        score += 2.0 * e.fit  # how well the answer's surroundings match the question (names, lists, what)
        if q.kinds:
            score += 1.5 if e.meta.kind in q.kinds else -1.5  # the question named the kind of meeting
        if q.qtype == "date" and e.span:
            score += self._date_fit(e, q)
        if q.qtype in ("name", "date") and not q.years:
            score += (2.0 if "现任" in q.text else 0.5) * _recency(e.meta, found)
        if q.years and {int(y) for y in _YEAR.findall(e.simp)} & set(q.years):
            score += 1.0
        if q.qtype in ("name", "date") and e.meta.year in q.years:
            score += 1.0  # who or when at that year's meeting: that year's document says it first-hand
        if q.indicators and e.span:
            score += self._indicator_strength(e.simp[e.span[0] : e.span[1]], q)
        return score

    def _date_fit(self, e: Evidence, q: ParsedQuery) -> float:
        """An event date near the question's words; a publication date only when publication is asked."""
        before = e.simp[max(0, e.span[0] - 8) : e.span[0]] if e.span else ""
        published = any(c in before for c in self.vocab.publication_cues)
        asks_publication = any(c in q.text for c in self.vocab.publish_question_cues)
        if published != asks_publication:
            return -2.0
        near = e.simp[max(0, e.span[0] - 30) : e.span[1] + 30] if e.span else ""
        return _coverage(q, near)

    def _indicator_strength(self, span: str, q: ParsedQuery) -> float:
        """1 when the answer names the indicator by its canonical name, less for looser synonyms."""
        best = 0.0
        for canon in q.indicators:
            for i, form in enumerate(self.vocab.indicators.get(canon, [])):
                if form.lower() in span.lower():
                    best = max(best, 1.0 if i == 0 else 0.5 if i <= 2 else 0.0)
        return best

    # ---- answer spans --------------------------------------------------------------------------

    def _extract(self, e: Evidence, q: ParsedQuery) -> bool:
        extract = {
            "number": self._extract_number,
            "name": self._extract_name,
            "date": self._extract_date,
            "list": self._extract_list,
            "what": self._extract_what,
        }.get(q.qtype, self._extract_sentence)
        if not extract(e, q):
            return False
        e.value = e.value.strip("，,；;：: \n")
        return bool(e.value)

    def _extract_number(self, e: Evidence, q: ParsedQuery) -> bool:
        """The value nearest after an indicator or keyword mention, with the mention: 地区生产总值增长5.5%左右."""
        if q.indicators:
            anchors = [(a, b) for a, b in _term_spans(e.simp, q.indicator_terms) if not _is_ratio_base(e.simp, a, b)]
        else:
            anchors = _keyword_spans(e.simp, q.keywords)
        found = _nearest_value(e.simp, anchors, q, within_clause=True)
        if found is None and q.units:
            found = _nearest_value(e.simp, anchors, q, within_clause=False)
        if found is None:
            return False
        start, end = found
        end = _extend_value(e.simp, end)
        if not q.indicators:
            start = clause_bounds(e.simp, start)[0]
            e.fit = _coverage(q, e.simp[start:end])  # 签约亿元以上项目27个 over 新谋划重点项目630个
        e.span, e.value = (start, end), e.text[start:end]
        return True

    def _extract_name(self, e: Evidence, q: ParsedQuery) -> bool:
        """The official with the asked title; among several, the one the question's words surround
        (大迳社区党委书记李伟文, 韩俊峰就经济工作作具体部署)."""
        asked = self.officials.asked_role(q.text)
        mentions = [
            m for m in self.officials.find(e.simp) if asked is None or self.officials.matches(asked, e.simp[slice(*m.role)])
        ]
        if not mentions:
            return False

        def fit(m: Mention) -> float:
            after = _coverage(q, e.simp[m.span[1] : m.span[1] + 16])
            return after + (1.0 if _modifier_before(e.simp, m.span[0], q.keywords) else 0.0)

        best = max(mentions, key=lambda m: (fit(m), -m.span[0]))
        e.span = best.span
        e.value = e.text[slice(*best.span)]
        e.fit = fit(best)
        return True

    def _extract_date(self, e: Evidence, q: ParsedQuery) -> bool:
        m = DATE.search(e.text)
        if m:
            year = "" if m.group(1) or not e.meta.year else f"{e.meta.year}年"
            e.span, e.value = (m.start(), m.end()), year + re.sub(r"\s+", "", m.group())
            return True
        iso = ISO_DATE.search(e.text)
        if iso:
            y, mo, d = iso.groups()
            e.span, e.value = (iso.start(), iso.end()), f"{y}年{int(mo)}月{int(d)}日"
            return True
        return False

    def _extract_what(self, e: Evidence, q: ParsedQuery) -> bool:
        """'要打造成什么示范区' → the phrase between the verb (打造成) and the head noun (示范区) in the sentence;
        a title question → the nearest 《…》."""
        if any(c in q.text for c in self.vocab.title_cues):
            titles = list(BOOK_TITLE.finditer(e.text))
            if not titles:
                return False
            m = titles[0]
            e.span, e.value = (m.start(1), m.end(1)), m.group(1)
            e.fit = 1.0
            return True
        if any(c in q.text for c in self.vocab.definition_cues):
            span = definition_span(e.simp, q.text)
            if span is not None:
                e.span, e.value = span, e.text[span[0] : span[1]]
                e.fit = 2.0  # a glossary entry for the very term asked about
                return True
        span = what_span(e.simp, q.text)
        if span is None:
            return self._extract_list(e, q)
        e.span, e.value = span, e.text[span[0] : span[1]]
        e.fit = 0.75
        return True

    def _extract_list(self, e: Evidence, q: ParsedQuery) -> bool:
        """The list span that the question's keywords point at (inside it or right next to it)."""
        spans = _keyword_spans(e.simp, q.keywords)
        candidates = list_spans(e.simp)
        between = _between_anchors(e.simp, spans)
        if between:
            candidates.append((*between, "anchors"))
        wanted = _asked_count(q.text)
        best: tuple[float, tuple[int, int]] | None = None
        for start, end, how in candidates:
            if wanted and item_count(e.simp[start:end]) < wanted:
                continue  # 哪七个 needs seven items, not a sentence that only names the seven
            near = _list_binding(e.simp, start, end, q.keywords, inside={"anchors": 1.0, "run": 0.8}.get(how, 0.0))
            if how == "cue" and e.simp[max(0, start - 4) : start].strip("：: ") in q.text:
                near += 1.0  # the question itself says 包括/分别是
            if _names_its_items(e.simp, start, end, q.keywords):
                near += 1.0  # “五外联动”组合拳,推进外贸…、外资…、外包…、外经…、外智…
            if q.keywords and near < 0.5:
                continue
            bonus = {"cue": 1.0, "anchors": 0.5 if _parallel(e.simp[start:end], q) else -0.5, "quoted": 0.5, "run": 0.3}
            score = near + bonus[how] - (end - start) / 600
            if best is None or score > best[0]:
                best = (score, (start, end))
        if best is None:
            return False
        e.span = best[1]
        e.value = e.text[e.span[0] : e.span[1]]
        e.fit = 0.5
        return True

    def _extract_sentence(self, e: Evidence, q: ParsedQuery) -> bool:
        spans = _keyword_spans(e.simp, q.keywords)
        if q.keywords and not spans:
            return False
        e.span, e.value = (0, len(e.text)), e.text
        return True

    # ---- conflicts -----------------------------------------------------------------------------

    def _conflict(self, best: list[Evidence], q: ParsedQuery) -> list[Evidence]:
        """Best evidence per document when documents give different values for the same fact."""
        top = best[0]
        per_doc: dict[str, Evidence] = {}
        for e in best:
            if e.meta.doc_id not in per_doc and e.score >= top.score - CONFLICT_WINDOW and is_target(e) == is_target(top):
                per_doc[e.meta.doc_id] = e
        if len(per_doc) < 2:
            return []
        chosen = sorted(per_doc.values(), key=lambda e: (KIND_PRIORITY.get(e.meta.kind, 3), -e.score))
        values = {_number_key(e.value) for e in chosen}
        if len(values) < 2 or "" in values:
            return []
        return chosen

    def _conflicting(self, out: Answer, chosen: list[Evidence]) -> Answer:
        parts: list[str] = []
        for e in chosen:
            citations = self._cite(e)
            if not citations:
                continue
            out.citations.extend(citations)
            quote = "".join(c.quote for c in citations)
            out.candidates.append(
                Candidate(value=e.value, quote=quote, doc_id=e.meta.doc_id, title=e.meta.title,
                          date=e.meta.date, kind=e.meta.kind)
            )
            parts.append(f"{e.meta.kind}（{e.meta.date or '日期不详'}）：{e.value}")
        if len(out.candidates) < 2:
            return out
        out.status = "conflicting"
        out.answer = "来源不一致：" + "；".join(parts)
        out.confidence = 0.5
        return out


# ---- sentences ---------------------------------------------------------------------------------


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        end_here = ch in "。！？!?"
        if ch == "\n":
            line = text[max(start, text.rfind("\n", 0, i) + 1) : i].strip()
            end_here = not line or line[-1] in _TERMINAL or len(line) > SHORT_LINE
        if end_here or i == len(text) - 1:
            stop = i + 1 if ch != "\n" else i
            seg = text[start:stop]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg.rstrip())
            if seg.strip():
                spans.append((start + lead, start + trail))
            start = i + 1
        i += 1
    return spans


# ---- years -------------------------------------------------------------------------------------


def _years_wanted(q: ParsedQuery, meta: DocMeta) -> set[int]:
    if q.years:
        return set(q.years)
    if q.relative_year is not None and meta.year:
        return {meta.year + q.relative_year}
    return set()


def _doc_years(meta: DocMeta) -> set[int]:
    return {meta.year} if meta.year else set()


def _sentence_years(e: Evidence) -> set[int]:
    """Years a sentence speaks of: its own, else its section's, else read from the document's year."""
    text = e.simp
    ranged = {int(y) for y in _RANGE_YEAR.findall(text)}
    own = {int(y) for y in _YEAR.findall(text)} - ranged
    if own:
        return own
    section = {int(y) for y in _YEAR.findall(e.section)}
    if section:
        return section
    y = e.meta.year
    if not y:
        return set()
    if "今年" in text or "本年" in text:
        return {y}
    if _PAST.search(text) or _PAST.search(e.section):
        return {y - 1}
    if is_target(e):
        return {y}
    return {y - 1, y}  # a result with no year: last year's in an early-year report, else this year's


def is_target(e: Evidence) -> bool:
    """Does the sentence state a target or plan (rather than a result), up to the answer span?"""
    upto = e.simp[: e.span[1] + 4] if e.span else e.simp
    return bool(_TARGET.search(upto)) or bool(re.search(r"(?:19|20)\d{2}年工作(?:安排|目标|任务)", e.section))


# ---- helpers -----------------------------------------------------------------------------------


def _nearest_value(
    simp: str, anchors: list[tuple[int, int]], q: ParsedQuery, within_clause: bool
) -> tuple[int, int] | None:
    """Span from an anchor to the closest value after it (longer anchors win ties); optionally
    crossing one comma (排名分别上升至第78名). Without an indicator, the value whose clause holds more
    of the question's words wins (新增1000个公共停车位 over 培育2个停车规范管理典型村)."""
    best: tuple[float, int, int] | None = None
    for v in VALUE.finditer(simp):
        if q.units and not value_unit(v.group(), q.units):
            continue
        fit = 0.0 if q.indicators else CLAUSE_FIT * _coverage(q, simp[slice(*clause_bounds(simp, v.start()))])
        for a_start, a_end in anchors or [(v.start(), v.start())]:
            length = a_end - a_start
            gap = v.start() - a_end
            if gap < 0 and q.units and not q.indicators and a_start >= v.end() and a_start - v.end() <= MAX_GAP:
                gap, a_start = a_start - v.end(), v.start()  # the count before its noun: 5次进入…红榜
            between = simp[min(a_end, v.start()) : max(a_end, v.start())]
            breaks = len(re.findall(r"[，,；;。：:\n]", between))
            if gap < 0 or gap > MAX_GAP or breaks > (0 if within_clause else 1) or re.search(r"[。；;\n]", between):
                continue
            cost = gap - 2 * length - fit
            if best is None or cost < best[0]:
                best = (cost, min(a_start, v.start()), v.end())
    return (best[1], best[2]) if best else None


def _is_ratio_base(simp: str, start: int, end: int) -> bool:
    """占地区生产总值比重: the indicator is the base of a ratio, not the thing measured."""
    return simp[max(0, start - 1) : start] == "占" or simp.startswith(("比重", "的比重", "比例"), end)


def _modifier_before(simp: str, pos: int, keywords: list[str]) -> bool:
    window = simp[max(0, pos - 8) : pos]
    return any(len(kw) >= 2 and (kw in window or kw[:2] in window) for kw in keywords)


def _extend_value(simp: str, end: int) -> int:
    """Take in what belongs to the value: a second value, a 同比增长 clause, the noun after 十大/八方面."""
    while True:
        m = _MORE_VALUES.match(simp, end) or _FOLLOW_CHANGE.match(simp, end)
        if not m:
            break
        end = m.end()
    if simp[:end].endswith(_COUNT_UNITS):
        m = _COUNT_NOUN.match(simp, end)
        if m:
            end = m.end()
    return end


def _coverage(q: ParsedQuery, text: str) -> float:
    """Share of the question's keyword bigrams found in text (a keyword or its spelled-out form)."""
    if not q.keywords:
        return 1.0
    return sum(max(_gram_share(kw, text), _gram_share(q.alternates.get(kw, kw), text)) for kw in q.keywords) / len(
        q.keywords
    )


def _gram_share(keyword: str, text: str) -> float:
    grams = [keyword[i : i + 2] for i in range(len(keyword) - 1)] or [keyword]
    return sum(1 for g in grams if g in text) / len(grams)


def _recency(meta: DocMeta, found: list[Evidence]) -> float:
    """1 for the newest document among the candidates, 0 for the oldest."""
    dates = sorted({e.meta.date or "" for e in found})
    if len(dates) < 2:
        return 0.0
    return dates.index(meta.date or "") / (len(dates) - 1)


def _term_spans(simp: str, terms: list[str]) -> list[tuple[int, int]]:
    low = simp.lower()
    return [(m.start(), m.end()) for t in terms for m in re.finditer(re.escape(t.lower()), low)]


def _keyword_spans(simp: str, keywords: list[str]) -> list[tuple[int, int]]:
    """Where the question's keywords (or their bigrams) occur, in order."""
    spans: set[tuple[int, int]] = set()
    for kw in keywords:
        pieces = [kw] if len(kw) <= 2 else [kw] + [kw[i : i + 2] for i in range(len(kw) - 1)]
        for piece in pieces:
            spans.update((m.start(), m.end()) for m in re.finditer(re.escape(piece), simp))
    return sorted(spans)


def _list_binding(simp: str, start: int, end: int, keywords: list[str], inside: float) -> float:
    """How tightly the question's keywords bind to a list: right before it (算好政治账、经济账) or right
    after it (“投资扩能、产业提质、城市更新”三大行动); inside it, weighted, for spans that absorb their
    neighbours (典型引领、全域统筹、民生提质三大战略)."""
    before, after = simp[max(0, start - 6) : start], simp[end : end + 6]
    total = 0.0
    for kw in keywords:
        share = max(_gram_share(kw, before), 0.9 * _gram_share(kw, after))
        share = max(share, inside * _gram_share(kw, simp[start:end]))
        total += share
    return total


def _parallel(span: str, q: ParsedQuery) -> bool:
    """A parallel structure: a keyword's bigram repeated (要在…上实干争先；要在…上实干争先, 组建…重新组建)
    or three different keywords present."""
    grams = {kw[i : i + 2] for kw in q.keywords for i in range(len(kw) - 1)}
    present = sum(1 for kw in q.keywords if len(kw) >= 2 and kw in span)
    return any(span.count(g) >= 2 for g in grams) or present >= 3


def _between_anchors(simp: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """From the clause of the first keyword to the end of the clause of the last one, if they differ."""
    if len(spans) < 2:
        return None
    first = clause_bounds(simp, spans[0][0])
    last = clause_bounds(simp, spans[-1][0])
    if first == last:
        return None
    return first[0], last[1]


def _asked_count(question: str) -> int:
    """7 for 哪七个, 2 for 哪两个, 5 for 五大攻坚是什么; 0 when the question gives no count."""
    m = re.search(r"哪([一二两三四五六七八九十]|\d+)", question)
    if not m:
        numbered = numbered_term(question)
        return numbered[0] if numbered and numbered[0] >= 3 else 0  # 两大…: a pair is often A和B, one item by 、
    return cn_number(m.group(1)) or 0


def _names_its_items(simp: str, start: int, end: int, keywords: list[str]) -> bool:
    """A numbered term of the question (五外联动, 三大行动) just before or after a list of as many items."""
    items = item_count(simp[start:end])
    for kw in keywords:
        m = re.match(r"([一二两三四五六七八九十])", kw)
        near = kw in simp[max(0, start - NUMBERED_REACH) : start] or kw in simp[end : end + NUMBERED_REACH]
        if m and near and cn_number(m.group(1)) == items:
            return True
    return False


def _number_key(value: str) -> str:
    nums = re.findall(r"\d+(?:\.\d+)?", value)
    return nums[-1] if nums else ""
