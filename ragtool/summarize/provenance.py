"""Keep only items whose quote is really in their chunk, and merge duplicates (first occurrence wins)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ragtool.answer.verify import verify_quote
from ragtool.models import Chunk, KeyFigure, Official, Priority
from ragtool.zh.textnorm import fold

Item = TypeVar("Item", Official, KeyFigure, Priority)


@dataclass(frozen=True)
class Found(Generic[Item]):
    """An item found by a rule, with the span of its quote in the document's text."""

    item: Item
    span: tuple[int, int]


def assign_chunks(found: Iterable[Found[Item]], chunks: Sequence[Chunk]) -> list[Item]:
    """Items with chunk_id set to the first chunk that holds their whole quote; the others are dropped."""
    out: list[Item] = []
    for f in found:
        a, b = f.span
        holder = next((c for c in chunks if c.start <= a and b <= c.end), None)
        if holder is not None:
            out.append(f.item.model_copy(update={"chunk_id": holder.chunk_id}))
    return out


def verified(items: Iterable[Item], chunks: dict[str, Chunk], title: str,
             fallback: Sequence[Chunk] = ()) -> list[Item]:
    """Items whose quote verifies against their chunk (or, when the id is wrong, one of `fallback`).

    The kept quote is the chunk's own text and chunk_id names the chunk it was found in.
    """
    out: list[Item] = []
    for item in items:
        if not item.quote.strip():
            continue
        candidates = [chunks[item.chunk_id]] if item.chunk_id in chunks else []
        candidates += [c for c in fallback if c.chunk_id != item.chunk_id]
        for chunk in candidates:
            cite = verify_quote(item.quote, chunk, title)
            if cite is not None:
                out.append(item.model_copy(update={"quote": cite.quote, "chunk_id": cite.chunk_id}))
                break
    return out


def official_key(o: Official) -> Hashable:
    return fold(o.name), fold(o.role)


def figure_key(f: KeyFigure) -> Hashable:
    return f.indicator, fold(f.value), f.year, f.type, fold(f.qualifier)


def priority_key(p: Priority) -> Hashable:
    return fold(p.text)


def dedupe(items: Iterable[Item], key: Callable[[Item], Hashable]) -> list[Item]:
    seen: set[Hashable] = set()
    out: list[Item] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out
