"""BM25 lexical index (bm25s) over chunks' search text, with Chinese-aware tokens.

Tokens are CJK characters and character bigrams, plus Latin words and numbers. The index is derived
from the vector store and saved under RAGTOOL_HOME keyed by the store's signature, so it is renewed
whenever documents change (also when the store is a shared Chroma server) and written atomically.

Each chunk's term counts are kept beside the BM25 arrays (terms.npz), so a new set of documents is an update: the
new documents' chunks are read and tokenized, removed ones dropped, and the BM25 arrays recomputed from the counts
with bm25s's own scoring functions (a few tens of ms for 2,000 chunks, where reading and tokenizing them all took
most of a second). The result is the same index bm25s.BM25.index() builds from the same chunks.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ragtool.fsutil import read_json_or_none, write_json_atomic
from ragtool.models import chunk_doc_id
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


TERMS_FILE = "terms.npz"


class Terms:
    """Each chunk's distinct tokens (ids into `vocab`) and their counts, in chunk order: what BM25 is computed from."""

    def __init__(self, vocab: dict[str, int], ids: list[np.ndarray], counts: list[np.ndarray]) -> None:
        self.vocab = vocab  # token -> id, in id order (0, 1, 2, ...)
        self.ids = ids  # per chunk, int32
        self.counts = counts  # per chunk, int32, the same length

    @classmethod
    def of(cls, texts: Sequence[str], vocab: dict[str, int] | None = None) -> Terms:
        """Count the tokens of `texts`; tokens new to `vocab` get the next ids (in a copy)."""
        known = dict(vocab or {})
        ids, counts = [], []
        for text in texts:
            counted = Counter(tokenize(text) or ["\u0000"])  # first-seen order, as bm25s counts them
            ids.append(np.array([known.setdefault(t, len(known)) for t in counted], dtype=np.int32))
            counts.append(np.fromiter(counted.values(), dtype=np.int32, count=len(counted)))
        return cls(known, ids, counts)


class LexicalIndex:
    def __init__(self, chunk_ids: list[str], retriever: object | None, terms: Terms | None = None,
                 source: str = "", terms_file: Path | None = None) -> None:
        self.chunk_ids = chunk_ids
        self._retriever = retriever
        self._terms = terms
        self._terms_file = terms_file  # where a loaded index's term counts are, read on the first update
        self.source = source  # the store generation its chunks were read from

    @property
    def terms(self) -> Terms | None:
        """The chunks' term counts; None for an index saved without them (it cannot be updated, only rebuilt)."""
        if self._terms is None and self._terms_file is not None:
            self._terms = _load_terms(self._terms_file, self._retriever, len(self.chunk_ids))
            self._terms_file = None
        return self._terms

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str], source: str = "") -> LexicalIndex:
        return cls.from_terms(list(chunk_ids), Terms.of(texts), source)

    def updated(self, removed: set[str], chunk_ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex | None:
        """This index without the documents in `removed` and with the given chunks of new documents added, in the
        order a build from every chunk has (by document, then chunk number); None if it has no term counts."""
        if self.terms is None:
            return None
        new = Terms.of(texts, self.terms.vocab)
        rows = [(cid, i, c) for cid, i, c in zip(self.chunk_ids, self.terms.ids, self.terms.counts, strict=True)
                if chunk_doc_id(cid) not in removed]
        rows += zip(chunk_ids, new.ids, new.counts, strict=True)
        rows.sort(key=lambda r: _chunk_order(r[0]))
        return self.from_terms([r[0] for r in rows], Terms(new.vocab, [r[1] for r in rows], [r[2] for r in rows]),
                               self.source)

    @classmethod
    def from_terms(cls, chunk_ids: list[str], terms: Terms, source: str = "") -> LexicalIndex:
        """The BM25 index bm25s.BM25.index() builds from these chunks' tokens, computed from their counts with
        bm25s's own scoring functions; tokens no chunk holds any more leave the vocabulary."""
        import bm25s
        from bm25s.scoring import _select_tfc_scorer

        if not chunk_ids:
            return cls([], None, Terms({}, [], []), source)
        retriever = bm25s.BM25()
        assert retriever.method not in retriever.methods_requiring_nonoccurrence
        sizes = np.array([len(i) for i in terms.ids], dtype=np.int64)
        ids, counts = np.concatenate(terms.ids), np.concatenate(terms.counts)
        freqs = np.bincount(ids, minlength=len(terms.vocab))
        live = np.flatnonzero(freqs)
        vocab = terms.vocab
        if len(live) < len(vocab):  # tokens only removed documents held
            remap = np.full(len(vocab), -1, dtype=np.int32)
            remap[live] = np.arange(len(live), dtype=np.int32)
            ids = remap[ids]
            tokens = list(vocab)
            vocab = dict(zip([tokens[i] for i in live], range(len(live)), strict=True))
        n_docs, n_vocab = len(chunk_ids), len(vocab)
        idf = _idf(freqs[live], n_docs, retriever)
        lengths = np.add.reduceat(counts.astype(np.int64), np.cumsum(sizes) - sizes) if len(ids) else sizes
        rows = np.repeat(np.arange(n_docs, dtype=retriever.int_dtype), sizes)
        tfc = _select_tfc_scorer(retriever.method)(
            tf_array=counts.astype(retriever.dtype), l_d=lengths[rows], l_avg=np.array(lengths).mean(),
            k1=retriever.k1, b=retriever.b, delta=retriever.delta)
        scores = (idf[ids] * tfc).astype(retriever.dtype)
        data, indices, indptr = retriever._np_csc(data=scores, rows=rows, cols=ids, shape=(n_docs, n_vocab))
        retriever.scores = {"data": data.astype(retriever.dtype), "indices": indices, "indptr": indptr,
                            "num_docs": n_docs}
        retriever.vocab_dict = vocab | {"": n_vocab}
        retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
        retriever.nonoccurrence_array = None
        kept = Terms(vocab, np.split(ids, np.cumsum(sizes)[:-1]), terms.counts)
        return cls(chunk_ids, retriever, kept, source)

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
        if self.terms is not None and self.terms.ids:
            np.savez(target / TERMS_FILE, ids=np.concatenate(self.terms.ids), counts=np.concatenate(self.terms.counts),
                     sizes=np.array([len(i) for i in self.terms.ids]), source=np.array(self.source))
        write_json_atomic(base / "current.json", {"signature": signature})
        for old in base.iterdir():
            if old.is_dir() and old.name != signature:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, home: Path, signature: str | None = None) -> LexicalIndex | None:
        """The saved index if it matches the store's signature (None: whichever is saved), else None."""
        base = home / "lexical"
        current = read_json_or_none(base / "current.json")
        if not isinstance(current, dict) or not isinstance(current.get("signature"), str):
            return None
        if signature is not None and current["signature"] != signature:
            return None
        target = base / current["signature"]
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
        return cls(chunk_ids, retriever, None, _saved_source(target / TERMS_FILE), target / TERMS_FILE)

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


def _idf(freqs: np.ndarray, n_docs: int, retriever: Any) -> np.ndarray:
    """bm25s's idf of each token from its document frequency, computed once per distinct frequency."""
    from bm25s.scoring import _select_idf_scorer

    distinct, where = np.unique(freqs, return_inverse=True)
    score = _select_idf_scorer(retriever.idf_method)
    return np.array([score(int(df), N=n_docs) for df in distinct], dtype=retriever.dtype)[where]


def _chunk_order(chunk_id: str) -> tuple[str, int, str]:
    """A chunk's place in a build from every chunk: by document, then chunk number (<doc_id>-<index>)."""
    doc_id, _, number = chunk_id.rpartition("-")
    return (doc_id, int(number), "") if number.isdigit() else (chunk_id, 0, chunk_id)


def _saved_source(path: Path) -> str:
    """The store generation saved term counts came from ("" when there are none)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            return str(saved["source"])
    except Exception:  # noqa: BLE001 - an index saved before term counts were kept, or a damaged file
        return ""


def _load_terms(path: Path, retriever: object, n_chunks: int) -> Terms | None:
    """The saved term counts; None when missing or not fitting (the index is then rebuilt, not updated)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            ids, counts, sizes = (saved[k] for k in ("ids", "counts", "sizes"))
        saved_vocab: dict[str, int] = retriever.vocab_dict  # type: ignore[attr-defined]
        vocab = dict(sorted(((t, i) for t, i in saved_vocab.items() if t), key=lambda ti: ti[1]))
        if not (list(vocab.values()) == list(range(len(vocab))) and len(sizes) == n_chunks and int(sizes.sum()) == len(ids) == len(counts)
                and (len(ids) == 0 or int(ids.max()) < len(vocab))):
            return None
    except Exception:  # noqa: BLE001 - an index saved before term counts were kept, or damaged ones
        return None
    cuts = np.cumsum(sizes)[:-1]
    return Terms(vocab, np.split(ids.astype(np.int32), cuts), np.split(counts.astype(np.int32), cuts))


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
