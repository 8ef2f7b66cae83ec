"""Quote verification: a quote counts only if it occurs verbatim in the cited chunk's original text.

Only whitespace, full/half-width and quotation marks (“ ” ‘ ’ " ' 「 」 『 』, left out on both sides) are forgiven.
The returned span is in the document's cleaned text, so readers can find the quote with `ragtool docs show`.
"""

from __future__ import annotations

from ragtool.models import Chunk, Citation
from ragtool.zh.marks import QUOTE_MARKS
from ragtool.zh.textnorm import halfwidth


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """Half-width text without whitespace and quotation marks, and for each kept character its index in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(halfwidth(text)):
        if not ch.isspace() and ch not in QUOTE_MARKS:
            chars.append(ch)
            index.append(i)
    return "".join(chars), index


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Span of `quote` in `text`, forgiving whitespace, full/half-width and quotation marks; None if absent."""
    if not quote.strip():
        return None
    pos = text.find(quote)
    if pos >= 0:
        return pos, pos + len(quote)
    folded, index = _folded_with_map(text)
    needle, _ = _folded_with_map(quote)
    if not needle:
        return None
    pos = folded.find(needle)
    if pos < 0:
        return None
    return index[pos], index[pos + len(needle) - 1] + 1


def verify_quote(quote: str, chunk: Chunk, title: str) -> Citation | None:
    """A Citation for the quote if it is really in the chunk, else None."""
    span = locate(quote, chunk.text)
    if span is None:
        return None
    start, end = span
    return Citation(
        doc_id=chunk.doc_id,
        title=title,
        chunk_id=chunk.chunk_id,
        quote=chunk.text[start:end],
        start=chunk.start + start,
        end=chunk.start + end,
    )
