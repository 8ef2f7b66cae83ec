"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused with reciprocal-rank fusion."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ragtool.errors import UsageError
from ragtool.index.corpus import Corpus
from ragtool.models import Chunk, DocMeta, Document, RetrievedChunk, chunk_doc_id
from ragtool.query import ParsedQuery, PlaceIndex
from ragtool.zh.places import load_place_rules
from ragtool.zh.textnorm import t2s

RRF_K = 60
MAX_SCOPE_DIVERSITY = 6  # when a question names a place, every matching document gets a say
PER_DOC = 3
SCOPED_POOL = 300
GUARANTEED = 2  # top hits of each ranker kept whatever their fused score
QUERY_VECTORS = 64  # query embeddings remembered (a comparison asks each place the same question)


@dataclass
class Filters:
    place: str | None = None
    year: int | None = None
    doc: str | None = None


@dataclass
class Retrieval:
    hits: list[RetrievedChunk]
    seconds: dict[str, float] = field(default_factory=dict)
    scope: list[str] | None = None  # doc ids retrieval was limited to, None for all
    note: str = ""  # said in the answer: dense vectors not ready for every document (an ingest is running)


class Retriever:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._docs: tuple[str, dict[str, DocMeta], PlaceIndex] | None = None
        self._texts: dict[str, str] = {}
        self._doc_cache: dict[str, Document | None] = {}
        self._chunk_cache: dict[str, list[Chunk]] = {}
        self._vectors: dict[str, tuple[list[str], np.ndarray]] = {}  # doc_id -> its chunk ids, their unit vectors
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def refresh(self) -> None:
        """Re-read the document catalogue if the index changed since the last question."""
        sig = self.corpus.store.signature()
        if self._docs is None or self._docs[0] != sig:
            metas = self.corpus.documents()
            self._docs = (sig, {m.doc_id: m for m in metas}, PlaceIndex.from_docs(metas, load_place_rules(self.corpus.settings)))
            self._texts = {}
            self._doc_cache = {}
            self._chunk_cache = {}
            self._vectors = {}

    def _catalog(self) -> tuple[str, dict[str, DocMeta], PlaceIndex]:
        if self._docs is None:
            self.refresh()
        assert self._docs is not None
        return self._docs

    def docs(self) -> dict[str, DocMeta]:
        return self._catalog()[1]

    def places(self) -> PlaceIndex:
        return self._catalog()[2]

    def document(self, doc_id: str) -> Document | None:
        """A committed document, read once per index state."""
        if doc_id not in self._doc_cache:
            self._doc_cache[doc_id] = self.corpus.store.get_document(doc_id)
        return self._doc_cache[doc_id]

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        if doc_id not in self._chunk_cache:
            self._chunk_cache[doc_id] = self.corpus.store.chunks(doc_id)
        return self._chunk_cache[doc_id]

    def read_whole(self, doc_ids: list[str]) -> None:
        """Read documents, their chunks and vectors in one batch (a comparison's places): their questions then rank
        those chunks here, without a Chroma call each."""
        pending = self.corpus.store.pending_ids()  # placeholder vectors until the dense pass: not kept
        missing = [d for d in doc_ids if d not in self._vectors and d not in pending]
        for doc_id, (doc, chunks, vectors) in self.corpus.store.read_documents(missing).items():
            self._doc_cache[doc_id] = doc
            self._chunk_cache[doc_id] = chunks
            norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else vectors
            self._vectors[doc_id] = ([c.chunk_id for c in chunks], vectors / np.where(norms == 0, 1, norms))

    def embed(self, text: str) -> np.ndarray:
        """The query embedding of a text, remembered for the next questions."""
        got = self._queries.get(text)
        if got is None:
            got = self._queries[text] = self.corpus.embedder.embed_query(text)
            while len(self._queries) > QUERY_VECTORS:
                self._queries.popitem(last=False)
        return got

    def doc_text(self, doc_id: str) -> str:
        """A document's simplified text (for matching place qualifiers)."""
        if doc_id not in self._texts:
            doc = self.document(doc_id)
            self._texts[doc_id] = t2s(doc.text) if doc else ""
        return self._texts[doc_id]

    def scope(self, pq: ParsedQuery, filters: Filters) -> list[str] | None:
        """Doc ids the question may be answered from: explicit filters, then places named in it."""
        docs = self.docs()
        ids: list[str] | None = None
        if filters.doc:
            ids = [d for d in docs if d.startswith(filters.doc)]
            if not ids:
                raise UsageError(f"no indexed document with id {filters.doc!r} (see `ragtool docs`)")
        if filters.place:
            wanted = self._docs_for_place(filters.place)
            if not wanted:
                known = "、".join(sorted({m.place for m in self.docs().values() if m.place})) or "none"
                raise UsageError(f"unknown place {filters.place!r}; indexed places: {known}")
            ids = [d for d in (ids or docs) if d in wanted]
        if filters.year is not None:
            ids = [d for d in (ids or docs) if docs[d].year == filters.year]
        if pq.places:
            ids = self._best_place_match(pq, ids if ids is not None else list(docs))
        return ids

    def _docs_for_place(self, place: str) -> set[str]:
        name = t2s(place.strip())
        short = self.places().rules.short_form
        stem = short(name)
        out: set[str] = set()
        for known, doc_ids in self.places().names.items():
            if known == name or short(known) == stem:
                out |= doc_ids
        return out

    def _best_place_match(self, pq: ParsedQuery, ids: list[str]) -> list[str]:
        """Documents about a place the question names (or, when it asks about them, its sub-places): never a parent's,
        a sibling's or a child's. No document of its own: nothing, and a note naming the nearest places that have."""
        places = self.places()
        docs = self.docs()
        wanted = set(pq.place_codes)
        own = {d for c in wanted for d in places.own.get(c, set())}
        if pq.sub_places:
            gz = places.gz
            own |= {d for c, ds in places.own.items() if c in gz.places and wanted & set(gz.ancestors(c)) for d in ds}
        if not pq.place_codes:  # an index made before places had codes: by name
            own = {d for d in docs if t2s(docs[d].place or "") in pq.places}
        scoped = [d for d in ids if d in own]
        if scoped and not pq.sub_places and not any(docs[d].place_code in wanted and not docs[d].also_about
                                                     for d in scoped):
            pq.place_scope = "mentioned"  # 德阳 (or 成都 itself) in 成德眉资四市: only the sentences about it
        if not scoped and pq.asks_title:  # 中山市委书记 named in a town's report: its sentences that name the office
            pq.place_scope = "mentioned"
            naming = self._docs_naming(pq.asked_terms)
            scoped = [d for d in ids if d in naming or set(pq.places) & set(docs[d].place_chain)]
        if not scoped and not pq.asks_title:  # 本溪县 in 本溪市's report: its parent's sentences that name it
            scoped = self._parents_naming(pq, ids)
        if not scoped and pq.place_codes:
            gz = places.gz
            nearest = [n for c in pq.place_codes for n in places.nearest(c)]
            asked = "、".join(gz.label(c) for c in pq.place_codes)
            pq.place_notes.append(f"no document about {asked}" + (f"; the nearest are {'、'.join(dict.fromkeys(nearest))}"
                                                                     if nearest else ""))
        return scoped

    def _parents_naming(self, pq: ParsedQuery, ids: list[str]) -> list[str]:
        """Reports of a parent of the asked place that name it; only their sentences naming it are evidence."""
        gz, docs = self.places().gz, self.docs()
        parents = {a for c in pq.place_codes if c in gz.places for a in gz.ancestors(c)}
        naming = self._docs_naming(pq.asked_terms) if parents else set()
        out = [d for d in ids if d in naming and docs[d].place_code in parents]
        if out:
            pq.place_scope = "mentioned"
        return out

    def _docs_naming(self, terms: list[str]) -> set[str]:
        """Documents whose text holds one of the terms (found through the lexical index, not by reading every text)."""
        lexical = self.corpus.lexical()
        out: set[str] = set()
        for term in terms:
            for cid, _ in lexical.search(term, SCOPED_POOL, None):
                doc_id = chunk_doc_id(cid)
                if doc_id not in out and term in self.doc_text(doc_id):
                    out.add(doc_id)
        return out

    def mark_unknown_terms(self, pq: ParsedQuery) -> None:
        """A leading keyword no indexed document contains: the question is about something else
        (三水 in 三水今年重点做好几方面工作, asked of a corpus without 三水)."""
        lexical = self.corpus.lexical()
        for kw in pq.keywords:
            if not pq.text.startswith(kw):
                continue
            grams = [kw[i : i + 2] for i in range(len(kw) - 1)]
            if len(kw) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", kw) and not any(lexical.knows(g) for g in grams):
                pq.unknown_terms.append(kw)

    def retrieve(self, pq: ParsedQuery, top_k: int, filters: Filters | None = None) -> Retrieval:
        filters = filters or Filters()
        seconds: dict[str, float] = {}
        self.mark_unknown_terms(pq)
        scope = self.scope(pq, filters)
        pq.scope = scope
        place_note = "; ".join(pq.place_notes)
        if scope is not None and not scope:
            return Retrieval([], seconds, scope, note=place_note)
        pool = max(top_k * 4, 30)
        if scope is not None and len(scope) <= MAX_SCOPE_DIVERSITY:
            pool = max(pool, SCOPED_POOL)  # rank (nearly) every chunk of the named places' documents

        note = self._lexical_only(scope)
        dense: list[tuple[str, float]] = []
        if not note:
            t0 = time.perf_counter()
            vector = self.embed(query_text(pq, one_document=bool(filters.doc)))
            seconds["embed"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        held = scope is not None and all(d in self._vectors for d in scope)
        if not note:
            dense = self._nearest_held(vector, pool, scope) if held and scope is not None else (
                self.corpus.store.nearest(vector, pool, scope))
        lexical = self.corpus.lexical()
        in_scope = None if scope is None else set(scope)
        if held and scope is not None:
            allowed: set[str] | None = {c for d in scope for c in self._vectors[d][0]}
        else:
            allowed = None if in_scope is None else {c for c in lexical.chunk_ids if chunk_doc_id(c) in in_scope}
        lex = lexical.search(pq.expanded or pq.text, pool, allowed)
        fused = dict(fuse([c for c, _ in dense], [c for c, _ in lex]))
        ranked = list(fused)
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
        lex_rank = {cid: r for r, (cid, _) in enumerate(lex)}
        # each ranker's own best hits always make the cut: a rare name found only lexically, or a
        # paraphrase found only densely, is not drowned by chunks both rankers find middling
        sure = [c for c, _ in dense[:GUARANTEED]] + [c for c, _ in lex[:GUARANTEED]]
        best = list(dict.fromkeys([c for c in ranked if c in sure] + ranked))[:top_k]
        if scope is not None and len(scope) <= MAX_SCOPE_DIVERSITY:
            best += _per_doc_extras(ranked[top_k:], best, scope)
        if held and scope is not None:
            chunks = {c.chunk_id: c for d in scope for c in self.doc_chunks(d)}
        else:
            chunks = {c.chunk_id: c for c in self.corpus.store.get_chunks(best)}
        docs = self.docs()
        hits = [
            RetrievedChunk(
                chunk=chunks[cid],
                meta=docs[chunks[cid].doc_id],
                score=round(fused[cid], 6),
                dense_rank=dense_rank.get(cid),
                lexical_rank=lex_rank.get(cid),
            )
            for cid in best
            if cid in chunks and chunks[cid].doc_id in docs
        ]
        if scope is not None and pq.years:
            hits = years_first(hits, set(pq.years))
        seconds["retrieve"] = time.perf_counter() - t0
        return Retrieval(hits, seconds, scope, "; ".join(n for n in (note, place_note) if n))

    def _nearest_held(self, vector: np.ndarray, k: int, scope: list[str]) -> list[tuple[str, float]]:
        """Dense ranking of documents read whole (read_whole): exact cosine similarity over their chunks."""
        ids = [cid for d in scope for cid in self._vectors[d][0]]
        if not ids:
            return []
        matrix = np.concatenate([self._vectors[d][1] for d in scope])
        norm = float(np.linalg.norm(vector)) or 1.0
        sims = matrix @ (np.asarray(vector, dtype=np.float32) / norm)
        order = sorted(range(len(ids)), key=lambda i: (-float(sims[i]), ids[i]))[:k]
        return [(ids[i], float(sims[i])) for i in order]

    def _lexical_only(self, scope: list[str] | None) -> str:
        """While an ingest's dense pass runs, a question whose documents are not all embedded yet is ranked
        lexically alone (fusing with a dense ranking of only some of them would favour those); this says so."""
        pending = self.corpus.store.pending_ids()
        if not pending or (scope is not None and not pending & set(scope)):
            return ""
        total = len(self.docs())
        return f"dense vectors for {total - len(pending & set(self.docs()))} of {total} documents; answered from the lexical index"


def query_text(pq: ParsedQuery, one_document: bool = False) -> str:
    """What a question is embedded as: its places, its text and its indicators. Asked of one document (--doc, each
    row of a comparison) without the place names: the document is about its place, and every place's row shares
    one embedding."""
    if not one_document:
        return " ".join([*pq.places, pq.text, *pq.indicators])
    text = pq.text
    for term in sorted({*pq.places, *pq.place_terms}, key=len, reverse=True):
        text = text.replace(term, "")
    return " ".join([text or pq.text, *pq.indicators])


def years_first(hits: list[RetrievedChunk], years: set[int]) -> list[RetrievedChunk]:
    """Among the named place's documents, those the asked year fits come first (in their order): a report of year Y
    states Y's targets and meeting and Y-1's results, so 沧州2026年人代会 is the 2026 report's, 沧州2024年固投 the 2025
    one's. A document of unknown year fits any."""
    def fits(h: RetrievedChunk) -> bool:
        return h.meta.year is None or bool({h.meta.year, h.meta.year - 1} & years)

    if all(fits(h) for h in hits) or not any(fits(h) for h in hits):
        return hits
    return sorted(hits, key=lambda h: not fits(h))


def fuse(*rankings: list[str]) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion, best first. Equal scores go by the best single rank, then by id,
    so a question gets the same ranking in every process."""
    ranks = [{cid: r for r, cid in enumerate(ranking)} for ranking in rankings]
    scores: dict[str, float] = {}
    for rank_of in ranks:
        for cid, r in rank_of.items():
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + r + 1)
    order = sorted(scores, key=lambda c: (-scores[c], min(r.get(c, len(r)) for r in ranks), c))
    return [(c, scores[c]) for c in order]


def _per_doc_extras(rest: list[str], best: list[str], scope: list[str]) -> list[str]:
    """Top-ranked chunks of scoped documents that the cut-off left out, so sources can be compared."""
    have: dict[str, int] = {}
    have_ids = set(best)  # a chunk promoted into the cut from further down is not added twice
    for cid in best:
        have[chunk_doc_id(cid)] = have.get(chunk_doc_id(cid), 0) + 1
    extras: list[str] = []
    for cid in rest:
        doc = chunk_doc_id(cid)
        if cid not in have_ids and doc in scope and have.get(doc, 0) < PER_DOC:
            have[doc] = have.get(doc, 0) + 1
            extras.append(cid)
    return extras
