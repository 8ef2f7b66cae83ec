"""Where a quote is in the source file: cleaned-text quotes mapped back to the original file's text.

One mechanism, computed at answer time from the source file: the file's text is folded the way cleaning folds
it (full-width to half-width, no whitespace, no pinyin annotations, no Markdown markup or HTML tags), keeping each
folded character's position in the original text; the folded quote is found there and mapped back.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ragtool.models import Answer, Citation, DocMeta
from ragtool.zh.textnorm import halfwidth

MARKUP = frozenset("*_`#>~|")  # Markdown markup characters, skipped on both sides
_TAG = re.compile(r"<[^<>]{0,2000}>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});")


@dataclass(frozen=True)
class SourceText:
    text: str  # the original file's text: decoded text of .txt .md .html, extracted text of .pdf .docx
    folded: str
    index: list[int]  # index[i] is the position in `text` of folded[i]


def fold(text: str, skip: list[tuple[int, int]] | None = None) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, its position in `text`."""
    from ragtool.zh.script import pinyin_spans

    half = halfwidth(text)
    skipped = [False] * len(text)
    for a, b in [*(skip or []), *pinyin_spans(half)]:
        for i in range(a, b):
            skipped[i] = True
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(half):
        if skipped[i] or ch.isspace() or ch in MARKUP:
            continue
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


@lru_cache(maxsize=64)
def _source_text(path: str, mtime: float, file_hash: str) -> SourceText | None:
    from ragtool.errors import RagtoolError
    from ragtool.ingest.load import IMAGE_SUFFIXES, decode_bytes, load_file

    p = Path(path)
    try:
        if p.suffix.lower() in IMAGE_SUFFIXES:
            return None  # read by OCR at ingest: no text of its own to map to
        if p.suffix.lower() in (".pdf", ".docx"):
            loaded = load_file(p)  # a PDF's text layer only (no OCR at answer time)
            if file_hash and loaded.file_hash != file_hash:
                return None
            text = loaded.text
        else:
            import hashlib

            raw = p.read_bytes()
            if file_hash and hashlib.sha256(raw).hexdigest() != file_hash:
                return None  # the file changed since it was indexed: its offsets would mislead
            text = decode_bytes(raw)[0]
    except (RagtoolError, OSError):
        return None
    skip = None
    if p.suffix.lower() in (".html", ".htm"):
        skip = [m.span() for m in _TAG.finditer(text)] + [m.span() for m in _ENTITY.finditer(text)]
    folded, index = fold(text, skip)
    return SourceText(text, folded, index)


def source_text(meta: DocMeta) -> SourceText | None:
    """The document's source file text, if the file is still there and unchanged."""
    if not meta.source or not os.path.isfile(meta.source):
        return None
    return _source_text(os.path.abspath(meta.source), os.path.getmtime(meta.source), meta.file_hash)


def locate_in_source(src: SourceText, quote: str, near: float = 0.0) -> tuple[int, int] | None:
    """Span of the quote in the original text; with several, the one nearest `near` (0..1 of the text)."""
    needle, _ = fold(quote)
    if not needle:
        return None
    hits: list[int] = []
    pos = src.folded.find(needle)
    while pos >= 0 and len(hits) < 50:
        hits.append(pos)
        pos = src.folded.find(needle, pos + 1)
    if not hits:
        return None
    target = near * len(src.folded)
    best = min(hits, key=lambda h: abs(h - target))
    return src.index[best], src.index[best + len(needle) - 1] + 1


def attach_source(citation: Citation, meta: DocMeta, cleaned_chars: int | None = None) -> None:
    """Fill a citation's source, place, date, kind and, when the file is there, its offsets in the file."""
    citation.source = meta.url or meta.source
    citation.path = meta.source
    citation.place, citation.date, citation.kind = meta.place, meta.date, meta.kind
    citation.page = page_of(meta, citation.start)
    citation.ocr = any(a < citation.end and citation.start < b for a, b in meta.ocr)
    src = source_text(meta)
    if src is None:
        return
    near = citation.start / cleaned_chars if cleaned_chars else 0.0
    span = locate_in_source(src, citation.quote, near)
    if span is None:
        return
    citation.source_start, citation.source_end = span
    original = src.text[span[0] : span[1]]
    citation.source_quote = original if original != citation.quote else ""


def page_of(meta: DocMeta, offset: int) -> int | None:
    """The (1-based) PDF page an offset of the cleaned text is on; None for documents without pages."""
    if not meta.pages:
        return None
    return max(1, bisect.bisect_right(meta.pages, offset))


def attach_sources(answer: Answer, metas: dict[str, DocMeta], lengths: dict[str, int] | None = None) -> Answer:
    """Every citation of the answer (and of its comparison rows) leads to its source."""
    cites = [*answer.citations, *(c for row in answer.comparison for c in row.citations)]
    for c in cites:
        meta = metas.get(c.doc_id)
        if meta is not None:
            attach_source(c, meta, (lengths or {}).get(c.doc_id))
    return answer
