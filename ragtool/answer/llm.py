"""The LLM engine: ask the configured model over the retrieved chunks, then keep only verified quotes.

Document text is data: it goes only inside the one delimited context block of the user message,
with any delimiter-like sequences escaped. Every quote the model gives is checked verbatim against
the chunk it names; an answer without a verified, grounded quote becomes not_found (ragtool.answer.grounding).
"""

from __future__ import annotations

import re
import time
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from ragtool.answer.extractors.yesno import MIN_CLAIM
from ragtool.answer.features import coverage
from ragtool.answer.grounding import (
    Grounding,
    cites_injection,
    claims,
    indicator_before,
    negation_added,
    numbers,
    pair_share,
    substantial,
    supports_any,
    unsupported,
    value_grounded,
    verdict_of,
    without_verdict,
)
from ragtool.answer.verify import verify_quote
from ragtool.config import Settings
from ragtool.ingest.injection import injection_spans
from ragtool.llm.client import LLMClient
from ragtool.llm.prompts import load_prompt, render
from ragtool.models import Answer, Candidate, Citation, DocMeta, ExplainedCandidate, RetrievedChunk
from ragtool.query import ParsedQuery, Vocabulary
from ragtool.zh.dates import dates
from ragtool.zh.sentences import sentences
from ragtool.zh.textnorm import fold

if TYPE_CHECKING:
    from ragtool.answer.candidates import Span
    from ragtool.answer.extractive import ExtractiveEngine

NOT_FOUND_TEXT = "未在文档中找到答案"
HINTS = 3  # extractive candidates shown to the model
HINTED = ("number", "name", "date")  # question types whose extractive candidates are shown
HINT_CHARS = 120  # of each candidate's sentence
_DELIMITER_RUN = re.compile(r"<{3,}|>{3,}")
_DEBRIS_END = re.compile(r"[\s\"“”‘’]*[{}\[\],][\s{}\[\],\"“”‘’]*$")  # JSON punctuation a garbled reply left on a quote


class LLMQuote(BaseModel):
    chunk_id: str
    quote: str


class LLMCandidate(BaseModel):
    value: str
    quote: str
    chunk_id: str = ""


class LLMAnswer(BaseModel):
    """What the model is asked to return."""

    answer: str = ""
    status: Literal["answered", "not_found", "conflicting"]
    citations: list[LLMQuote] = Field(default_factory=list)
    candidates: list[LLMCandidate] = Field(default_factory=list)
    confidence: float = 0.5


def escape_delimiters(text: str) -> str:
    """Document text with runs of <<< or >>> defused, so it cannot close or open the context block."""
    return _DELIMITER_RUN.sub(lambda m: ("‹" if m.group()[0] == "<" else "›") * len(m.group()), text)


class LLMEngine:
    name = "llm"

    def __init__(
        self, settings: Settings, use_cache: bool = True, checker: ExtractiveEngine | None = None
    ) -> None:
        """`checker`: the extractive engine, whose reading of the same evidence (indicator, place, year, time
        frame, target/actual) every answer must agree with; without it only the quotes are checked."""
        self.settings = settings
        self.checker = checker
        self.client = LLMClient(settings, use_cache=use_cache)
        self.system = load_prompt(settings, "answer.system.md")
        self.user = load_prompt(settings, "answer.user.md")
        self.block = load_prompt(settings, "answer.block.md")
        self.hints = load_prompt(settings, "answer.hints.md")
        self.grounding = Grounding.load(settings)

    @property
    def prompt_version(self) -> str:
        return self.system.version

    @cached_property
    def vocab(self) -> Vocabulary:
        return self.checker.vocab if self.checker is not None else Vocabulary.load(self.settings)

    def answer(
        self, question: str, hits: list[RetrievedChunk], query: ParsedQuery | None = None, explain: bool = False
    ) -> Answer:
        started = time.perf_counter()
        out = Answer(question=question, engine=self.name, answer=NOT_FOUND_TEXT, status="not_found")
        best = self._best(hits, query)
        hints = self._hints(best)
        shown = self._fit(question, _leading(hits, best), hints)
        if shown:
            messages = self._messages(question, shown, hints)
            reply, usage = self.client.structured(messages, LLMAnswer, name="answer")
            out = self._verified(question, reply, shown, query)
            if self.checker is not None and query is not None and out.status == "not_found":
                out = self._rescued(out, reply, hits, query)
            if self.checker is not None and query is not None and out.status == "answered":
                out = self._checked(out, hits, query, explain)
            if self.client.mode_note:  # said once, with the answer that found it out
                out.notes.append(self.client.mode_note)
                self.client.mode_note = ""
            out.usage = usage
        out.usage.seconds["llm"] = round(time.perf_counter() - started, 4)
        return out

    # ---- prompt -------------------------------------------------------------------------------

    def _render_block(self, n: int, hit: RetrievedChunk) -> str:
        meta, chunk = hit.meta, hit.chunk
        return render(
            self.block.text,
            n=n,
            chunk_id=chunk.chunk_id,
            title=escape_delimiters(meta.title),
            date=meta.date or (str(meta.year) if meta.year else "未知"),
            kind=meta.kind,
            section=escape_delimiters(chunk.section),
            text=escape_delimiters(chunk.text),
        )

    def _messages(self, question: str, shown: list[RetrievedChunk], hints: str = "") -> list[dict[str, str]]:
        context = "\n\n".join([*(self._render_block(i, hit) for i, hit in enumerate(shown, 1)), *([hints] if hints else [])])
        return self._frame(question, context, len(shown))

    def _frame(self, question: str, context: str, count: int) -> list[dict[str, str]]:
        user = render(self.user.text, count=count, context=context, question=escape_delimiters(question))
        return [{"role": "system", "content": self.system.text}, {"role": "user", "content": user}]

    def _best(self, hits: list[RetrievedChunk], query: ParsedQuery | None) -> list[Span]:
        """The extractive engine's best verified readings of a number, name or date question: the hybrid's first half
        (they go into the prompt, and the chunks stating them go first), _checked is the second. [] without a
        checker, and for lists, definitions and yes/no (the model's own reading; a verdict is checked after)."""
        checker = self.checker
        if checker is None or query is None or query.qtype not in HINTED or not hits:
            return []
        if query.qtype == "number" and not query.indicators:
            return []
        return [s for s in checker.candidates(hits, query) if checker.scorer.accepts(s)][:HINTS]

    def _hints(self, best: list[Span]) -> str:
        """The best readings (value and sentence), appended inside the context block (they are document text);
        "" when there are none."""
        lines = [f"{i}. {escape_delimiters(s.value)}（原句：{escape_delimiters(s.e.text[:HINT_CHARS])}）"
                 for i, s in enumerate(best, 1)]
        return render(self.hints.text, candidates="\n".join(lines)) if lines else ""

    def _fit(self, question: str, hits: list[RetrievedChunk], hints: str = "") -> list[RetrievedChunk]:
        """The best-ranked hits whose blocks fit the token budget (lower-ranked ones are dropped)."""
        budget = self.client.context_budget(self._frame(question, hints, len(hits)))
        blocks = [self._render_block(i, hit) for i, hit in enumerate(hits, 1)]
        kept = len(self.client.fit_blocks(blocks, budget))
        if kept == 0 and hits:
            return [self._shrunk(hits[0], budget)]
        return hits[:kept]

    def _shrunk(self, hit: RetrievedChunk, budget: int) -> RetrievedChunk:
        """The hit with its text cut until its block fits (a chunk larger than the whole budget)."""
        chunk = hit.chunk
        text = chunk.text
        while text and self.client.count_tokens(self._render_block(1, _with_text(hit, text))) > budget:
            text = text[: int(len(text) * 0.8)]
        return _with_text(hit, text)

    # ---- verification -------------------------------------------------------------------------

    def _verified(
        self, question: str, reply: LLMAnswer, shown: list[RetrievedChunk], query: ParsedQuery | None = None
    ) -> Answer:
        """Keep quotes that verify verbatim AND are grounded: substantial, holding what they support (the answer's
        numbers, names and dates; each candidate's value), not flagged as an instruction to the model, adding no
        negation and naming no other indicator at the value. An answer whose quotes all fail is cited with the
        sentence of the context that holds it (a repair), else it is not_found."""
        out = Answer(question=question, engine=self.name, answer=NOT_FOUND_TEXT, status="not_found")
        if reply.status == "not_found":
            return out
        g = self.grounding
        asked = self._asked(question, query)
        metas = {hit.chunk.chunk_id: hit.meta for hit in shown}
        said = claims(reply.answer, question, g)
        yesno = query is not None and query.qtype == "yesno"  # 不是：… is a verdict, not a negation of its fact
        stated = without_verdict(reply.answer, self._verdict_words(question), g) if yesno else reply.answer
        cited = [c for q in reply.citations if (c := _cite(q.quote, q.chunk_id, shown))]
        citations = _dedupe([c for c in cited if substantial(c.quote, g) and (said.empty or supports_any(c.quote, said))
                             and not self._flaw(stated, question, c, asked, metas, out.notes)])
        candidates = [(cand, cit) for cand, cit in _candidates(reply.candidates, shown)
                      if value_grounded(cand.value, cit.quote, question, g)
                      and not self._flaw(cand.value, question, cit, asked, metas, out.notes)]
        asked_n = len(reply.citations) + len(reply.candidates)
        verified = len(citations) + len(candidates)
        confidence = max(0.0, min(1.0, reply.confidence)) * (verified / asked_n if asked_n else 0.0)
        if reply.status == "conflicting" and len({fold(c.value) for c, _ in candidates}) >= 2:
            out.status = "conflicting"
            out.candidates = [c for c, _ in candidates]
            out.citations = _dedupe([*citations, *(cit for _, cit in candidates)])
        else:
            out.citations = citations or _dedupe([cit for _, cit in candidates if supports_any(cit.quote, said)
                                                  or said.empty])
            if not out.citations and not said.empty:
                out.citations = self._repair(reply.answer, question, shown, asked, metas)
                if out.citations:
                    confidence = max(0.0, min(1.0, reply.confidence)) * 0.8
                    out.notes.append(f"citation repaired: the model's quote did not hold its answer; cited the "
                                     f"sentence of the context that does: {out.citations[0].quote[:60]}")
            if not out.citations:
                return out
            out.status = "answered"
        out.answer = reply.answer.strip() or (out.candidates[0].value if out.candidates else "")
        if not out.answer or _unsupported(out.answer, question, out.citations, shown, g):
            out.answer = "；".join(c.quote for c in out.citations)
            confidence *= 0.5
        out.confidence = round(confidence, 2)
        return out

    def _asked(self, question: str, query: ParsedQuery | None) -> set[str]:
        """The canonical indicators the question asks about."""
        if query is not None:
            return set(query.indicators)
        return {canon for _, canon in self.vocab.find_indicators(fold(question))}

    def _flaw(self, said: str, question: str, c: Citation, asked: set[str], metas: dict[str, DocMeta],
              notes: list[str]) -> str:
        """Why quote `c` cannot back the statement `said` ("" when it can); the reason is added to `notes`."""
        meta = metas.get(c.chunk_id)
        why = ""
        if (meta is not None and cites_injection(c, meta)) or injection_spans(c.quote, self.grounding.injection):
            why = "it is a sentence that tries to instruct the model"
        elif neg := negation_added(said, c.quote, self.grounding):
            why = f"the answer says {neg!r}, the quote does not"
        elif asked and (value := " ".join(sorted(numbers(said) - numbers(question)))):
            named = indicator_before(c.quote, value, self.vocab.indicator_spans)
            if named is not None and named not in asked:
                why = f"its value belongs to {named}, not the asked {'/'.join(sorted(asked))}"
        if why:
            note = f"not used as evidence: quote {c.quote[:40]!r}: {why}"
            if note not in notes:
                notes.append(note)
        return why

    def _repair(self, said: str, question: str, shown: list[RetrievedChunk], asked: set[str],
                metas: dict[str, DocMeta]) -> list[Citation]:
        """For an answer stating a value (a number), or names and terms of grounding.toml's repair_min_chars (a list,
        a definition): the sentence of the context sent that holds every claim of the answer (its numbers, names and
        terms), names the asked indicator at the value and passes the same checks, the one sharing most of the
        question's words; [] when none does. A bare name or phrase is not repaired: a planted sentence could hold it."""
        g = self.grounding
        claim = claims(said, question, g)
        if not claim.numbers and sum(len(w) for w in claim.words) < g.repair_min_chars:
            return []
        value = " ".join(sorted(claim.numbers))
        best: tuple[float, int, Citation] | None = None
        for rank, hit in enumerate(shown):
            text = hit.chunk.text
            for start, end in sentences(text):
                sentence = text[start:end].strip()
                if not substantial(sentence, g) or unsupported(claim, [sentence]):
                    continue
                if value and asked and indicator_before(sentence, value, self.vocab.indicator_spans) not in asked:
                    continue
                c = verify_quote(sentence, hit.chunk, hit.meta.title)
                if c is None or self._flaw(said, question, c, asked, metas, []):
                    continue
                key = (pair_share(question, sentence), -rank)
                if best is None or key > best[:2]:
                    best = (*key, c)
        return [best[2]] if best else []

    # ---- the extractive engine's reading ----------------------------------------------------

    def _checked(self, out: Answer, hits: list[RetrievedChunk], query: ParsedQuery, explain: bool) -> Answer:
        """An answer checked against the extractive engine's reading of the same evidence: a number (its indicator,
        year, plan period, target/actual), a date (the day the text layer reads for the asked event) or a yes/no
        verdict (the claim's subject and the yes/no checker's verdict). Other answers are unchanged."""
        if query.qtype == "number" and query.indicators:
            return self._checked_number(out, hits, query, explain)
        if query.qtype == "date":
            return self._checked_date(out, hits, query, explain)
        if query.qtype == "yesno":
            return self._checked_yesno(out, hits, query, explain)
        return out

    def _checked_number(self, out: Answer, hits: list[RetrievedChunk], query: ParsedQuery, explain: bool) -> Answer:
        """A number answer against the extractive engine's candidates of the same value: when every one contradicts
        the question (a veto on its year, plan period, target/actual or place), the extractive engine's verified
        reading is the answer (the model's value a vetoed candidate, said so), else it is not_found; when one fits,
        it is what is cited (a repair if the model quoted another sentence), with its fuller value (下降5.4%, 5%左右,
        4.6万亿元 → 4.6万亿元、增长2.8%) when the model gave part of the reading of the sentence it quoted."""
        checker = self.checker
        value = numbers(out.answer) - numbers(out.question)
        if checker is None or not value:
            return out
        spans = checker.candidates(hits, query)
        same = [s for s in spans if numbers(s.value) - numbers(out.question) == value]
        if not same:  # part of a fuller reading of the sentence it quoted (the amount of 实现4.6万亿元、增长2.8%)
            same = [s for s in spans if value < numbers(s.value) - numbers(out.question)
                    and any(_within(c, s) for c in out.citations)]
        if not same:
            return out
        fits = [s for s in same if not s.vetoed]
        if explain:
            out.explanation = _explained(same)
        if not fits:
            return self._vetoed(out, same[0], f"the sentence stating it contradicts the question's {same[0].vetoed}",
                                spans, explain)
        best = fits[0]
        _cite_verified(out, best, checker, f"the sentence stating {best.value} for the asked {'/'.join(query.indicators)}")
        short = fold(out.answer)
        if short and short != fold(best.value) and short in fold(best.value):
            out.notes.append(f"answer completed from its quote: {out.answer} → {best.value}")
            out.answer = best.value
        return out

    def _checked_date(self, out: Answer, hits: list[RetrievedChunk], query: ParsedQuery, explain: bool) -> Answer:
        """A date answer must be a day the text layer reads for the asked event in the evidence (the date reader of
        the extractive engine, which never reads a page's or a publication's stamp as an event's day, unless the
        question asks when it was published); another day is vetoed."""
        checker = self.checker
        said = _days(out.answer, None)
        if checker is None or not said:
            return out
        spans = checker.candidates(hits, query)
        if not spans:
            return out  # the text layer reads no day for the question here: nothing to contradict
        same = [s for s in spans if any(_same_day(d, e) for d in said for e in _days(s.value, s.e.meta.year))]
        fits = [s for s in same if checker.scorer.accepts(s)]
        if explain:
            out.explanation = _explained(spans)
        if not fits:
            return self._vetoed(out, None, "no sentence of the evidence states that day for the asked event (a page's "
                                "or publication's date stamp, or a caption, is no event's day)", spans, explain)
        best = fits[0]
        _cite_verified(out, best, checker, f"the sentence stating {best.value} for the asked event")
        return out

    def _checked_yesno(self, out: Answer, hits: list[RetrievedChunk], query: ParsedQuery, explain: bool) -> Answer:
        """A yes/no verdict must be grounded: where the extractive yes/no checker reads the claim, its verdict must
        agree (the answer is then the checker's verdict with its fact, cited), else the checker's verdict is the
        answer, said so; where it does not, a quote that does not hold the claim's subject leaves it not_found."""
        checker = self.checker
        if checker is None:
            return out
        words = self._verdict_words(query.text)
        said = verdict_of(out.answer, words, self.grounding)
        spans = checker.candidates(hits, query)
        read = [s for s in spans if checker.scorer.accepts(s)]
        if explain:
            out.explanation = _explained(spans)
        if not read:
            if any(_holds_subject(c.quote, query) for c in out.citations):
                return out
            return self._ungrounded(out, "its quote does not state the claim's subject")
        best = read[0]
        if said is None or said != verdict_of(best.value, words, self.grounding):
            return self._vetoed(out, None, f"its verdict disagrees with the yes/no checker's reading of the claim "
                                f"({best.value[:40]})", spans, explain)
        _cite_verified(out, best, checker, "the sentence stating the claim", "the one the yes/no checker reads it in")
        if fold(out.answer) != fold(best.value):
            out.notes.append(f"answer completed from the yes/no checker: {out.answer} → {best.value}")
            out.answer = best.value
        return out

    def backed(self, out: Answer, hits: list[RetrievedChunk], query: ParsedQuery) -> bool:
        """Whether an answered number question states a value the extractive engine reads, unvetoed, for the asked
        indicator in `hits` (the hybrid's test for an answer the extractive engine did not give); True for other
        answers and without a checker."""
        checker = self.checker
        value = numbers(out.answer) - numbers(out.question)
        if checker is None or out.status != "answered" or query.qtype != "number" or not query.indicators:
            return True
        return bool(value) and any(not s.vetoed and numbers(s.value) - numbers(out.question) == value
                                   for s in checker.candidates(hits, query))

    def _rescued(self, out: Answer, reply: LLMAnswer, hits: list[RetrievedChunk], query: ParsedQuery) -> Answer:
        """An answer whose quotes all failed (the sentence was not in the context sent, or the quote was too short
        to count: 省长 王新伟) that states what the extractive engine verified: cited from the extractive engine's
        verified candidate in the retrieved documents (a number: the same value for the asked indicator, backed
        with no negation; a name: one the candidate names; a date: the same day); else unchanged."""
        checker, question = self.checker, out.question
        if checker is None or reply.status != "answered" or query.qtype not in HINTED or not reply.answer.strip():
            return out
        if query.qtype == "number" and not query.indicators:
            return out
        same = [s for s in checker.candidates(hits, query)
                if checker.scorer.accepts(s) and _states(s.value, reply.answer, question, query.qtype, s.e.meta.year)]
        cites = checker.cite(same[0]) if same else []
        metas = {hit.chunk.chunk_id: hit.meta for hit in hits}
        metas.update({c.chunk_id: same[0].e.meta for c in cites})
        if not cites or any(self._flaw(reply.answer, question, c, set(query.indicators), metas, out.notes)
                            for c in cites):
            return out
        out.status, out.answer, out.citations = "answered", reply.answer.strip(), cites
        out.confidence = round(max(0.0, min(1.0, reply.confidence)) * 0.7, 2)
        out.notes.append(f"citation repaired: the model's quote did not hold {out.answer}; cited the sentence of the "
                         "retrieved documents the extractive engine reads it in")
        return out

    def _vetoed(self, out: Answer, span: Span | None, why: str, spans: list[Span], explain: bool) -> Answer:
        """The model's answer vetoed (`why`): the extractive engine's verified reading of the question is the answer
        when it has one (the model's value is then a vetoed candidate, said in the notes), else not_found with the
        model's value as the candidate."""
        checker, said = self.checker, out.answer
        meta = span.e.meta if span is not None else None
        vetoed = Candidate(value=said, quote=span.e.text if span is not None else "", doc_id=meta.doc_id if meta else "",
                           title=meta.title if meta else "", date=meta.date if meta else None,
                           kind=meta.kind if meta else "")
        best = next((s for s in spans if checker is not None and checker.scorer.accepts(s)), None)
        cites = checker.cite(best) if checker is not None and best is not None else []
        if best is not None and cites:
            out.answer, out.citations, out.status, out.candidates = best.value, cites, "answered", []
            out.confidence = round(min(0.95, max(0.3, best.score / 10)) * 0.8, 2)
            out.notes.append(f"the model's answer {said!r} was vetoed: {why}; answered the extractive engine's "
                             f"verified reading {best.value!r} instead (see --explain)")
            return out
        out.candidates = [vetoed]
        out.citations, out.status, out.answer, out.confidence = [], "not_found", NOT_FOUND_TEXT, 0.0
        out.notes.append(f"the model's answer {said!r} is a candidate, not the answer: {why} (see --explain)")
        return out

    def _verdict_words(self, question: str) -> list[tuple[str, str]]:
        """The (yes, no) words of a yes/no answer: the question's own first (有/没有 for 有没有), then every other."""
        return [self.vocab.verdict_words(question), *self.vocab.verdicts.values()]

    def _ungrounded(self, out: Answer, why: str) -> Answer:
        said = out.answer
        out.citations, out.status, out.answer, out.confidence = [], "not_found", NOT_FOUND_TEXT, 0.0
        out.notes.append(f"the model's answer {said!r} is ungrounded: {why}")
        return out


def _with_text(hit: RetrievedChunk, text: str) -> RetrievedChunk:
    chunk = hit.chunk.model_copy(update={"text": text, "end": hit.chunk.start + len(text)})
    return hit.model_copy(update={"chunk": chunk})


def _leading(hits: list[RetrievedChunk], best: list[Span]) -> list[RetrievedChunk]:
    """The hits with those stating the best readings first (in the readings' order), so a small context budget
    still shows the model the sentences behind the hints; the rest in retrieval order."""
    def first(hit: RetrievedChunk) -> int:
        c = hit.chunk
        return next((i for i, s in enumerate(best) if s.e.meta.doc_id == c.doc_id and c.start <= s.e.start
                     and s.e.end <= c.end), len(best))
    return sorted(hits, key=first)


def _explained(spans: list[Span]) -> list[ExplainedCandidate]:
    from ragtool.answer.extractive import explained  # the extractive engine imports this module

    return [explained(s) for s in spans[:8]]


def _cite_verified(out: Answer, best: Span, checker: ExtractiveEngine, stating: str, cited: str = "it") -> None:
    """Cite the sentence the extractive engine verifies the answer in, when no citation is within it, and say so."""
    if any(_within(c, best) for c in out.citations):
        return
    cites = checker.cite(best)
    if cites:
        out.citations = cites
        out.notes.append(f"citation repaired: the model's quote was not {stating}; cited {cited}")


def _within(c: Citation, span: Span) -> bool:
    e = span.e
    return c.doc_id == e.meta.doc_id and c.start < e.end and e.start < c.end


def _cite(quote: str, chunk_id: str, shown: list[RetrievedChunk]) -> Citation | None:
    """The quote verified in the chunk it names, else in another shown chunk (ids get garbled); without the JSON
    debris a garbled reply leaves at its ends (…100万。”},{)."""
    ordered = sorted(shown, key=lambda h: h.chunk.chunk_id != chunk_id)
    quote = _DEBRIS_END.sub("", quote.strip())
    for hit in ordered:
        citation = verify_quote(quote, hit.chunk, hit.meta.title)
        if citation is not None:
            return citation
    return None


def _candidates(raw: list[LLMCandidate], shown: list[RetrievedChunk]) -> list[tuple[Candidate, Citation]]:
    by_id = {hit.chunk.chunk_id: hit.meta for hit in shown}
    out: list[tuple[Candidate, Citation]] = []
    for cand in raw:
        citation = _cite(cand.quote, cand.chunk_id, shown)
        if citation is None or not cand.value.strip():
            continue
        meta = by_id[citation.chunk_id]
        out.append((Candidate(value=cand.value.strip(), quote=citation.quote, doc_id=meta.doc_id,
                              title=meta.title, date=meta.date, kind=meta.kind), citation))
    return out


def _dedupe(citations: list[Citation]) -> list[Citation]:
    seen: set[tuple[str, int, int]] = set()
    out: list[Citation] = []
    for c in citations:
        key = (c.chunk_id, c.start, c.end)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _unsupported(
    answer: str, question: str, citations: list[Citation], shown: list[RetrievedChunk], g: Grounding
) -> bool:
    """True when the answer states a number, name or date that is in none of its quotes (numbers may also come
    from the question and the cited documents' titles and dates)."""
    cited = {c.doc_id for c in citations}
    extra: set[str] = set()
    for hit in shown:
        if hit.meta.doc_id in cited:
            extra |= numbers(hit.meta.title) | numbers(hit.meta.date or "")
    return bool(unsupported(claims(answer, question, g), [c.quote for c in citations], extra))


def _days(text: str, year: int | None) -> set[tuple[int | None, int, int]]:
    """The days `text` states, as (year or None, month, day), read by the text layer's date reader."""
    return {(d.year, d.month, d.day) for d in dates(text, year) if d.month and d.day}


def _same_day(a: tuple[int | None, int, int], b: tuple[int | None, int, int]) -> bool:
    """The same month and day, and the same year where both say one (1月25日 is 2026年1月25日)."""
    return a[1:] == b[1:] and (a[0] is None or b[0] is None or a[0] == b[0])


def _holds_subject(quote: str, query: ParsedQuery) -> bool:
    """A quote states what a yes/no claim is about: the asked indicator (any of its names), or, for a claim about no
    indicator, most of the question's words (as the yes/no checker requires of a clause)."""
    text = fold(quote).lower()
    if query.indicator_terms:
        return any(t.lower() in text for t in query.indicator_terms)
    return coverage(query, text) >= MIN_CLAIM


def _states(reading: str, answer: str, question: str, qtype: str, year: int | None) -> bool:
    """Whether the model's answer states the extractive engine's reading: the same numbers (a number), the same day
    (a date), or a name of two or more characters the reading holds (省长 王新伟 holds 王新伟)."""
    if qtype == "number":
        value = numbers(answer) - numbers(question)
        return bool(value) and numbers(reading) - numbers(question) == value
    if qtype == "date":
        said = _days(answer, None)
        return bool(said) and any(_same_day(d, e) for d in said for e in _days(reading, year))
    name = fold(answer)
    return len(name) >= 2 and name in fold(reading)
