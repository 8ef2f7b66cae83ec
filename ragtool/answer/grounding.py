"""Grounding: a verified quote must also be substantial and contain what it supports.

Quote verification (ragtool.answer.verify) proves a quote is in the document; grounding proves it backs the
claim: an answer's numbers, names and dates, a conflict candidate's value, a summary item's value, name or
role. Limits and word lists are in data/grounding.toml. Injection flags mark document sentences that read as
instructions to the model, found at ingest and shown with any answer that cites them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ragtool.config import Settings
from ragtool.datafiles import read_toml
from ragtool.ingest.injection import injection_patterns
from ragtool.models import Answer, Citation, DocMeta, RetrievedChunk
from ragtool.zh.textnorm import fold, halfwidth

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HAN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]{2,}")
INSTRUCTED_NOTE = ("a document tried to instruct the model ({title}): that sentence was not used as an answer or "
                   "a candidate")
INJECTION_NOTE = "quote [{n}] reads as an instruction to the model (possible prompt injection): treat it with care"


@dataclass(frozen=True)
class Grounding:
    min_quote_chars: int
    filler: tuple[str, ...]
    min_pair_share: float
    injection: tuple[re.Pattern[str], ...]
    negations: tuple[str, ...] = ()
    negation_not: tuple[str, ...] = ()
    verdict_yes: tuple[str, ...] = ()
    repair_min_chars: int = 8
    verdict_no: tuple[str, ...] = ()

    @classmethod
    def load(cls, settings: Settings) -> Grounding:
        return _load(settings.data_path("grounding.toml"))

    @classmethod
    def default(cls) -> Grounding:
        from ragtool.config import PACKAGE_DIR

        return _load(PACKAGE_DIR / "data" / "grounding.toml")


@lru_cache(maxsize=8)
def _load(path: Path) -> Grounding:
    data = read_toml(path)
    fillers = sorted((fold(w) for w in data.get("filler", [])), key=len, reverse=True)
    return Grounding(
        min_quote_chars=int(data.get("min_quote_chars", 8)),
        filler=tuple(fillers),
        min_pair_share=float(data.get("min_pair_share", 0.5)),
        injection=injection_patterns(path),
        negations=tuple(fold(w) for w in data.get("negations", [])),
        negation_not=tuple(fold(w) for w in data.get("negation_not", [])),
        repair_min_chars=int(data.get("repair_min_chars", 8)),
        verdict_yes=tuple(fold(w).lower() for w in data.get("verdict_yes", [])),
        verdict_no=tuple(fold(w).lower() for w in data.get("verdict_no", [])),
    )


# ---- claims -------------------------------------------------------------------------------------


def numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(halfwidth(text).replace(",", "")))


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def substantial(quote: str, g: Grounding) -> bool:
    return sum(1 for c in quote if c.isalnum()) >= g.min_quote_chars


def words(claim: str, known: str, g: Grounding) -> list[str]:
    """Runs of two or more Han characters (and Latin words) of `claim` not already in `known` (the question):
    the names and terms it asserts. Filler words and characters in a pair `known` holds do not count."""
    text, seen = fold(claim), fold(known)
    seen_pairs = _pairs(seen)
    out: list[str] = []
    for m in _HAN.finditer(text):
        run = m.group()
        covered = [False] * len(run)
        for i in range(len(run) - 1):
            if run[i : i + 2] in seen_pairs:
                covered[i] = covered[i + 1] = True
        for w in g.filler:
            for f in re.finditer(re.escape(w), run):
                for i in range(f.start(), f.end()):
                    covered[i] = True
        out += [piece for piece in "".join(" " if c else ch for ch, c in zip(run, covered, strict=True)).split()
                if len(piece) >= 2]
    out += [w for w in _LATIN.findall(text.lower()) if w not in seen.lower()]
    return out


@dataclass(frozen=True)
class Claims:
    numbers: frozenset[str]
    words: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.numbers and not self.words


def claims(text: str, question: str, g: Grounding) -> Claims:
    """What `text` asserts beyond the question: its numbers (dates included) and its names and terms."""
    return Claims(frozenset(numbers(text) - numbers(question)), tuple(words(text, question, g)))


def holds(reference: str, word: str) -> bool:
    """Whether `reference` states `word` (every character pair of it, in folded form)."""
    ref = fold(reference).lower()
    return word in ref or all(p in ref for p in _pairs(word))


def supports_any(quote: str, c: Claims) -> bool:
    return bool(c.numbers & numbers(quote)) or any(holds(quote, w) for w in c.words)


def unsupported(c: Claims, references: Sequence[str], extra_numbers: Iterable[str] = ()) -> list[str]:
    """The claims none of `references` states (numbers may also come from titles and dates)."""
    known = set(extra_numbers)
    for r in references:
        known |= numbers(r)
    text = "\n".join(references)
    return sorted(c.numbers - known) + [w for w in c.words if not holds(text, w)]


def value_grounded(value: str, quote: str, question: str, g: Grounding) -> bool:
    """A candidate's or figure's value is in its quote: all its numbers and words."""
    if not substantial(quote, g):
        return False
    c = Claims(frozenset(numbers(value)), tuple(words(value, question, g)))
    if c.empty:
        return fold(value) in fold(quote)
    return not unsupported(c, [quote])


def _negations(text: str, g: Grounding) -> set[str]:
    folded = fold(text)
    for w in g.negation_not:
        folded = folded.replace(w, " ")
    return {w for w in g.negations if w in folded}


def negation_added(answer: str, quote: str, g: Grounding) -> str:
    """A negation (不是, 没有, 未) the answer says and its quote does not: the answer denies what it cites."""
    return next(iter(sorted(_negations(answer, g) - _negations(quote, g))), "")


def verdict_of(answer: str, words: Sequence[tuple[str, str]], g: Grounding) -> bool | None:
    """The yes (True) or no (False) an answer opens with: one of the (yes, no) verdict `words` of the question
    types, or grounding.toml's verdict_yes / verdict_no; None when it opens with neither. No-words are tried first
    (不是 before 是)."""
    head = fold(answer).lower().lstrip("：:，,。 ")
    if head.startswith((*(n for _, n in words), *g.verdict_no)):
        return False
    if head.startswith((*(y for y, _ in words), *g.verdict_yes)):
        return True
    return None


def without_verdict(answer: str, words: Sequence[tuple[str, str]], g: Grounding) -> str:
    """A yes/no answer without its opening verdict (不是：… is a verdict, not a negation of the fact it states)."""
    head = answer.lstrip("：:，,。 ")
    opening = sorted({*(w for pair in words for w in pair), *g.verdict_no, *g.verdict_yes}, key=len, reverse=True)
    word = next((w for w in opening if halfwidth(head).lower().startswith(w)), "")
    return head[len(word):].lstrip("：:，,。 ") if word else answer


def indicator_before(quote: str, value: str, spans_of: Callable[[str], list[tuple[int, int, str]]]) -> str | None:
    """The canonical indicator named nearest before the answer's value in the quote (the value's own indicator),
    or None when the quote names none there or does not hold the value. `spans_of` finds indicators
    (Vocabulary.indicator_spans)."""
    text = fold(halfwidth(quote)).replace(",", "")
    nums = sorted(numbers(value), key=len, reverse=True)
    pos = next((i for n in nums if (i := _number_at(text, n)) >= 0), -1)
    before = [span for span in spans_of(text) if span[1] <= pos]
    return max(before, key=lambda span: span[1])[2] if before else None


def _number_at(text: str, number: str) -> int:
    """Where `number` stands as a whole number in text (5 is not in 5.5 or 15), -1 if nowhere."""
    for m in _NUMBER.finditer(text):
        if m.group() == number:
            return m.start()
    return -1


def pair_share(text: str, quote: str) -> float:
    """Share of the character pairs of `text` (Han only) that `quote` holds."""
    pairs = set().union(*(_pairs(r) for r in _HAN.findall(fold(text)))) if text else set()
    if not pairs:
        return 1.0
    ref = fold(quote)
    return sum(1 for p in pairs if p in ref) / len(pairs)


def citation_grounded(answer: Answer, c: Citation, g: Grounding) -> bool:
    """A citation backs its answer: substantial, and holding one of the answer's (or its candidates') claims."""
    if not substantial(c.quote, g):
        return False
    said = [claims(answer.answer, answer.question, g), *(claims(x.value, answer.question, g) for x in answer.candidates)]
    said = [s for s in said if not s.empty]
    return not said or any(supports_any(c.quote, s) for s in said)


# ---- prompt injection --------------------------------------------------------------------------


def cites_injection(c: Citation, meta: DocMeta) -> bool:
    return any(c.start < end and start < c.end for start, end in meta.injections)


def mark_injections(answer: Answer, hits: Iterable[RetrievedChunk]) -> Answer:
    """Say when a retrieved chunk holds a sentence flagged as an instruction to the model: such a sentence is never
    an answer or a candidate (both engines skip it), and the reader is told a document tried to instruct the model
    (flag "injection", which the web page words in its language; the note in English). A citation that still
    overlaps one (a quote window around another sentence) is marked."""
    hits = list(hits)
    by_id = {h.meta.doc_id: h.meta for h in hits}
    titles = [h.meta.title for h in hits
              if any(h.chunk.start < end and start < h.chunk.end for start, end in h.meta.injections)]
    for n, c in enumerate(answer.citations, 1):
        meta = by_id.get(c.doc_id)
        if meta is not None and cites_injection(c, meta):
            c.injection = True
            if (note := INJECTION_NOTE.format(n=n)) not in answer.notes:
                answer.notes.append(note)
    if titles and "injection" not in answer.flags:
        answer.flags.append("injection")
        answer.notes.append(INSTRUCTED_NOTE.format(title=titles[0]))
    return answer
