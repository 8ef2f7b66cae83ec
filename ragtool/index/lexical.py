"""BM25 lexical index (bm25s) over chunks' search text, with Chinese-aware tokens.

Tokens are CJK characters and character bigrams, plus Latin words and numbers. The index is derived
from the vector store and saved under RAGTOOL_HOME keyed by the store's signature, so it is rebuilt
whenever documents change (also when the store is a shared Chroma server) and written atomically.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ragtool.fsutil import read_json_or_none, write_json_atomic
from ragtool.zh.textnorm import halfwidth

_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z]+|\d+(?:\.\d+)?")


def tokenize(text: str) -> list[str]:
    """Unigrams and bigrams of CJK runs; lower-cased Latin words; numbers."""
    out: list[str] = []
    for run in _RUN.findall(halfwidth(text).lower()):
        if run[0] >= "\u3400":
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


class LexicalIndex:
    def __init__(self, chunk_ids: list[str], retriever: object | None) -> None:
        self.chunk_ids = chunk_ids
        self._retriever = retriever

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        if not texts:
            return cls([], None)
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) or ["\u0000"] for t in texts], show_progress=False)
        return cls(list(chunk_ids), retriever)

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Best chunk ids with BM25 scores (> 0), optionally only among allowed ids."""
        if self._retriever is None:
            return []
        toks = [t for t in tokenize(query) if t in self._retriever.vocab_dict]  # type: ignore[attr-defined]
        if not toks:
            return []
        scores = np.asarray(self._retriever.get_scores(toks))  # type: ignore[attr-defined]
        if allowed is not None:
            mask = np.array([cid in allowed for cid in self.chunk_ids], dtype=bool)
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores)[:k]
        return [(self.chunk_ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def knows(self, token: str) -> bool:
        """Whether any indexed chunk contains this token (a CJK character or bigram, a word, a number)."""
        if self._retriever is None:
            return False
        return token in self._retriever.vocab_dict  # type: ignore[attr-defined]

    # ---- persistence -------------------------------------------------------------------------

    def save(self, home: Path, signature: str) -> None:
        """Save into a fresh folder, then switch the pointer file to it in one rename."""
        base = home / "lexical"
        target = base / signature
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(target), show_progress=False)  # type: ignore[attr-defined]
        (target / "chunk_ids.json").write_text(json.dumps(self.chunk_ids), encoding="utf-8")
        write_json_atomic(base / "current.json", {"signature": signature})
        for old in base.iterdir():
            if old.is_dir() and old.name != signature:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, home: Path, signature: str) -> LexicalIndex | None:
        """The saved index if it matches the store's signature, else None (caller rebuilds)."""
        base = home / "lexical"
        current = read_json_or_none(base / "current.json")
        if not current or current.get("signature") != signature:
            return None
        target = base / signature
        try:
            chunk_ids = json.loads((target / "chunk_ids.json").read_text(encoding="utf-8"))
            if not chunk_ids:
                return cls([], None)
            import bm25s

            retriever = bm25s.BM25.load(str(target), show_progress=False, verbosity=0)
        except Exception:  # noqa: BLE001 - a damaged index is rebuilt
            return None
        if _inconsistent(chunk_ids, retriever):  # loads, but does not fit its chunk list: rebuilt too
            return None
        return cls(chunk_ids, retriever)

    @staticmethod
    def damage(target: Path) -> str | None:
        """Why the index saved in `target` is unusable, or None (for `ragtool doctor`)."""
        try:
            chunk_ids = json.loads((target / "chunk_ids.json").read_text(encoding="utf-8"))
            if not chunk_ids:
                return None
            import bm25s

            retriever = bm25s.BM25.load(str(target), show_progress=False, verbosity=0)
        except Exception as e:  # noqa: BLE001 - any failure to load is damage
            return f"cannot load: {type(e).__name__}"
        return "does not fit its chunk list" if _inconsistent(chunk_ids, retriever) else None


def _inconsistent(chunk_ids: object, retriever: object) -> bool:
    """The saved arrays, vocabulary and chunk ids disagree (a hand-edited or half-copied index)."""
    try:
        scores = retriever.scores  # type: ignore[attr-defined]
        vocab = retriever.vocab_dict  # type: ignore[attr-defined]
        n = int(scores["num_docs"])
        data, indices, indptr = (np.asarray(scores[k]) for k in ("data", "indices", "indptr"))
        if not isinstance(chunk_ids, list) or not all(isinstance(c, str) for c in chunk_ids):
            return True
        return not (
            len(chunk_ids) == n and len(set(chunk_ids)) == n
            and len(indptr) in (len(vocab), len(vocab) + 1) and len(data) == len(indices) == int(indptr[-1])
            and (len(indices) == 0 or int(indices.max()) < n) and bool(np.all(np.isfinite(data)))
        )
    except Exception:  # noqa: BLE001 - missing keys or odd shapes are inconsistency too
        return True
