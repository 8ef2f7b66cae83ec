"""The vector store: two Chroma collections, one of chunks and one registry of documents.

A document is committed when its registry record exists: chunks are written first, the record last,
so a crash leaves at most orphan chunks, which readers ignore and the next write removes.
A document may be committed before its vectors exist (ingest's lexical pass): its chunks then carry placeholder
vectors and its record says dense=False; dense search ignores it until put_vectors() commits its real vectors.
The same code serves the embedded PersistentClient and a remote Chroma server (HttpClient).

An embedded Chroma client keeps its vector index in memory and does not see what other processes write
afterwards. So every write also replaces RAGTOOL_HOME/index.gen with a new token, and a store whose token
is out of date reopens its client before its next operation. The same token keys the registry reads a question
repeats (document ids, pending ids, the embedder, the chunk count): read once per index state, not once per call. Every Chroma call holds the index lock (re-entrant,
so callers may hold it around several calls that must see one state).

Which collections are live is read from RAGTOOL_HOME/live.json (index/live.py): `ingest --reset` builds a new
generation beside the live one and swap_in() replaces that pointer in one atomic step.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

from ragtool.config import Settings
from ragtool.errors import RagtoolError, StoreError
from ragtool.fsutil import write_text_atomic
from ragtool.index.health import opened_store
from ragtool.index.live import SWAP_STEPS, generations, kill_point, read_pointer, write_pointer
from ragtool.index.lock import index_lock
from ragtool.models import Chunk, DocMeta, Document, chunk_doc_id

_WRITE_BATCH = 1000
GENERATION_FILE = "index.gen"
VECTORS_FILE = "vectors.gen"  # replaced only by writes a vector query must see (see _refresh)
REGISTRY_DIM = 8
# Chroma saves its vector index every `sync_threshold` writes, and a new process replays the writes since then
# into it on its first read. Its default (1000) made every cold `ragtool ask` on the seeds re-insert all 152 vectors
# (about 0.1 s); at 100 it replays at most 99, and ingest of 15,000 chunks costs about 6% more.
_HNSW_SYNC = {"sync_threshold": 100, "batch_size": 100}


def _client(settings: Settings) -> tuple[Any, list[int] | None]:
    """The Chroma client, and for an embedded store the size and time of the SQLite file found sound."""
    import chromadb

    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreError(f"bad RAGTOOL_CHROMA_URL {settings.chroma_url!r}: expected http://host:port")
        _probe(settings)  # chromadb's own HTTP session never times out: a server that never answers would hang
        try:
            client = chromadb.HttpClient(
                host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https"
            )
        except Exception as e:
            raise StoreError(f"cannot reach Chroma server at {settings.chroma_url}: {_one_line(e)}") from e
        _bound(client, settings.chroma_timeout)
        return client, None
    path = settings.home / "chroma"
    from ragtool.index.health import check_store

    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot open index at {path}: {_one_line(e)}") from e
    checked = check_store(settings)  # before chromadb, whose Rust core panics on some damaged files
    try:
        client = chromadb.PersistentClient(path=str(path))
    except Exception as e:
        raise StoreError(f"cannot open index at {path}: {_one_line(e)}") from e
    return client, checked


def _probe(settings: Settings) -> None:
    """The server's heartbeat within RAGTOOL_CHROMA_TIMEOUT, else a StoreError."""
    import httpx

    url = f"{str(settings.chroma_url).rstrip('/')}/api/v2/heartbeat"
    try:
        httpx.get(url, timeout=settings.chroma_timeout)
    except httpx.TimeoutException:
        raise StoreError(f"Chroma server at {settings.chroma_url} did not answer within {settings.chroma_timeout:g} s "
                         "(RAGTOOL_CHROMA_TIMEOUT)") from None
    except httpx.HTTPError as e:
        raise StoreError(f"cannot reach Chroma server at {settings.chroma_url}: {_one_line(e)}") from None


def _bound(client: Any, seconds: float) -> None:
    """Give the client's HTTP session a timeout (chromadb creates it with none)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:200] if text else type(e).__name__


def _chunk_meta(chunk: Chunk, meta: DocMeta) -> dict[str, Any]:
    out: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "tokens": chunk.tokens,
        "section": chunk.section,
        "text": chunk.text,
        "title": meta.title,
        "kind": meta.kind,
        "place": meta.place or "",
        "date": meta.date or "",
        "year": meta.year or 0,
    }
    return out


def _gaps(chunks: Sequence[Chunk], text: str) -> list[str]:
    """For each chunk, the text between the previous chunk's end and its start (whitespace, usually '')."""
    gaps, pos = [], 0
    for c in chunks:
        gaps.append(text[pos : c.start] if c.start > pos else "")
        pos = max(pos, c.end)
    return gaps


def _stitch(parts: list[dict[str, Any]], tail: str) -> str:
    """A document's text from its chunks' metadata (sorted by start): gaps, then each chunk past the overlap."""
    out, pos = [], 0
    for m in parts:
        start, end, text = int(m["start"]), int(m["end"]), str(m["text"])
        if start > pos:
            out.append(str(m.get("gap", "")))
            pos = start
        if end > pos:
            out.append(text[pos - start :])
            pos = end
    out.append(tail)
    return "".join(out)


def _chunk_from(cid: str, search_text: str, m: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=cid,
        doc_id=str(m["doc_id"]),
        index=int(m["index"]),
        text=str(m["text"]),
        start=int(m["start"]),
        end=int(m["end"]),
        section=str(m.get("section", "")),
        search_text=search_text or "",
        tokens=int(m.get("tokens", 0)),
    )


def _placeholder_vectors(chunk_ids: Sequence[str], dim: int) -> np.ndarray:
    """Distinct random unit vectors for chunks whose embeddings are not computed yet (never returned by dense
    search: their document is not dense). Distinct, not identical, to keep Chroma's HNSW inserts cheap."""
    out = np.empty((len(chunk_ids), dim), dtype=np.float32)
    for i, cid in enumerate(chunk_ids):
        seed = int.from_bytes(hashlib.sha256(cid.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(dim)
        out[i] = v / np.linalg.norm(v)
    return out


def _registry_vector(doc_id: str) -> list[float]:
    """The registry needs a vector per record; distinct ones keep Chroma's HNSW insert cheap (identical
    vectors made each insert slower as the registry grew, so ingest went quadratic)."""
    return [0.01 + b / 255 for b in hashlib.sha256(doc_id.encode()).digest()[:REGISTRY_DIM]]


class VectorStore:
    """Chunks with their embeddings, and the document registry, in Chroma."""

    def __init__(self, settings: Settings, announce: bool = True, pinned: bool = False) -> None:
        """`pinned`: open the collections named settings.collection (a --reset build), not the live ones."""
        self.settings = settings
        self.where = settings.chroma_url or str(settings.home / "chroma")
        self._gen_path = None if settings.chroma_url else settings.home / GENERATION_FILE
        self._announce = announce  # False for a --reset build: nobody reads it until it is swapped in
        self._pinned = pinned
        self.name = settings.collection
        self._memo: dict[str, tuple[str, Any]] = {}  # registry reads of the index state self._gen names
        self._open()

    def _open(self) -> None:
        import chromadb  # noqa: F401 - about a second on a cold start: not while other processes wait for the lock

        with index_lock(self.settings):
            self._open_locked()

    def _open_locked(self) -> None:
        settings = self.settings
        self._gen = self._read_gen()
        self._vectors = self._read_token(VECTORS_FILE)
        client, checked = _client(settings)
        try:
            self.name = settings.collection if self._pinned else self._live_name(client)
            self._chunks = client.get_or_create_collection(
                f"{self.name}_chunks",
                embedding_function=None,
                metadata={"hnsw:space": "cosine"},
                configuration={"hnsw": {"space": "cosine", **_HNSW_SYNC}},
            )
            self._docs = client.get_or_create_collection(
                f"{self.name}_docs", embedding_function=None, configuration={"hnsw": dict(_HNSW_SYNC)}
            )
        except Exception as e:
            if settings.chroma_url:
                raise StoreError(f"cannot reach Chroma server at {settings.chroma_url}: {_one_line(e)}") from e
            raise StoreError(f"cannot open index at {self.where}: {_one_line(e)}") from e
        self._client = client
        if checked is not None:
            opened_store(settings, checked)

    def _live_name(self, client: Any) -> str:
        """The generation the pointer names; if the pointer is unreadable, the newest complete build."""
        name = read_pointer(self.settings)
        if name is not None:
            return name
        built = []
        for c in client.list_collections():
            meta = c.metadata or {}
            if c.name.endswith("_docs") and generations(self.settings.collection, [c.name]) and meta.get("complete"):
                built.append((float(meta.get("built", 0)), c.name.removesuffix("_docs")))
        return max(built)[1] if built else self.settings.collection

    # ---- freshness across processes --------------------------------------------------------------

    def _read_gen(self) -> str:
        return self._read_token(GENERATION_FILE)

    def _read_token(self, name: str) -> str:
        if self._gen_path is None:
            return ""
        try:
            return (self._gen_path.parent / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # garbage reads as unknown; the next write replaces it
            return ""

    def _bump_gen(self, vectors: bool = True) -> None:
        """Tell other processes' stores that the index changed; `vectors=False`: only in what they read from the
        registry and chunk records (a lexical-only commit, a removal), not in what a vector query must find."""
        if self._gen_path is None or not self._announce:
            return
        gen = uuid.uuid4().hex
        path = self._gen_path
        try:
            if vectors:  # first: a store that sees the new index.gen sees this too
                write_text_atomic(path := self._gen_path.parent / VECTORS_FILE, gen)
                self._vectors = gen
            write_text_atomic(path := self._gen_path, gen)
        except OSError as e:
            raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
        self._gen = gen

    def _refresh(self) -> None:
        """Reopen the embedded client when another process wrote since it was opened, and a server's collections
        when a --reset elsewhere pointed the live index at others.

        An embedded client reads other processes' registry and chunk records as they are, but not their new vectors:
        those need a new client (about 0.1 s). A lexical-only commit or a removal leaves every vector a dense query
        may return in place (it skips documents without vectors and those no longer committed), so after one of
        those (vectors.gen unchanged) the client is kept and only the registry reads are forgotten."""
        if self._gen_path is not None:
            gen = self._read_gen()
            if gen == self._gen:
                return
            vectors = self._read_token(VECTORS_FILE)
            if vectors and vectors == self._vectors and (self._pinned or read_pointer(self.settings) == self.name):
                self._gen = gen
                self._memo = {}
                return
            stale = True
        else:
            stale = not self._pinned and read_pointer(self.settings) not in (None, self.name)
        if stale:
            self.close()
            self._open()
            self._memo = {}

    def close(self) -> None:
        """Release the client; a fresh one is built on the next open (not shared with stale stores)."""
        from chromadb.api.shared_system_client import SharedSystemClient

        client = self._client
        ident = getattr(client, "_identifier", None)
        with contextlib.suppress(Exception):  # closing a broken client must not hide the real error
            client.close()
        # Other stores in this process may still hold the shared system: forget it without stopping it,
        # so the next client loads the index from disk.
        if ident is not None:
            SharedSystemClient._identifier_to_system.pop(ident, None)

    # ---- registry ----------------------------------------------------------------------------

    def _remembered(self, key: str, fn: Any) -> Any:
        """fn()'s result, read once per index state of an embedded store (a Chroma server's other clients write
        without telling: read each time)."""
        if self._gen_path is None:
            return self._safe(fn)
        with index_lock(self.settings):
            self._refresh()
            got = self._memo.get(key)
            if got is not None and got[0] == self._gen:
                return got[1]
            gen = self._gen  # before the read: a write meanwhile (another thread) moves it on
            value = self._safe(fn)
            self._memo[key] = (gen, value)
            return value

    def documents(self) -> list[DocMeta]:
        got = self._safe(lambda: self._docs.get(include=["metadatas"]))
        metas = [DocMeta.model_validate_json(m["meta"]) for m in (got["metadatas"] or [])]
        return sorted(metas, key=lambda m: (m.place or "", m.date or "", m.doc_id))

    def doc_ids(self) -> list[str]:
        return list(self._remembered("doc_ids", lambda: tuple(sorted(self._docs.get(include=[])["ids"]))))

    def get_document(self, doc_id: str) -> Document | None:
        """A committed document; its text is rebuilt from its chunks and the gaps between them."""
        got = self._safe(lambda: self._docs.get(ids=[doc_id], include=["metadatas", "documents"]))
        if not got["ids"]:
            return None
        record = got["metadatas"][0]
        meta = DocMeta.model_validate_json(record["meta"])
        if got["documents"] and got["documents"][0]:  # indexes written before texts were rebuilt from chunks
            return Document(meta=meta, text=got["documents"][0])
        parts = self._safe(lambda: self._chunks.get(where={"doc_id": doc_id}, include=["metadatas"]))["metadatas"]
        return Document(meta=meta, text=_stitch(sorted(parts, key=lambda m: int(m["start"])), str(record.get("tail", ""))))

    def read_documents(self, doc_ids: Sequence[str]) -> dict[str, tuple[Document, list[Chunk], np.ndarray]]:
        """Committed documents with their chunks (in order) and the chunks' vectors, in two Chroma calls however
        many documents (a comparison reads its places' documents whole)."""
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return {}
        with index_lock(self.settings):  # one index state for both reads
            records = self._safe(lambda: self._docs.get(ids=ids, include=["metadatas", "documents"]))
            where = {"doc_id": {"$in": ids}} if len(ids) > 1 else {"doc_id": ids[0]}
            got = self._safe(lambda: self._chunks.get(where=where, include=["metadatas", "documents", "embeddings"]))
        parts: dict[str, list[tuple[Chunk, dict[str, Any], Any]]] = {}
        for cid, text, m, vector in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True):
            parts.setdefault(str(m["doc_id"]), []).append((_chunk_from(cid, text, m), m, vector))
        out = {}
        texts = records["documents"] or [None] * len(records["ids"])
        for doc_id, record, stored in zip(records["ids"], records["metadatas"], texts, strict=True):
            meta = DocMeta.model_validate_json(record["meta"])
            mine = sorted(parts.get(doc_id, []), key=lambda p: p[0].index)
            chunks = [c for c, _, _ in mine]
            text = stored or _stitch(sorted((m for _, m, _ in mine), key=lambda m: int(m["start"])),
                                     str(record.get("tail", "")))
            vectors = np.asarray([v for _, _, v in mine], dtype=np.float32).reshape(len(mine), -1)
            out[doc_id] = (Document(meta=meta, text=text), chunks, vectors)
        return out

    def pending_ids(self) -> set[str]:
        """Committed documents whose dense vectors are not written yet (searchable lexically only)."""
        return set(self._remembered("pending_ids", lambda: frozenset(self._docs.get(where={"dense": False},
                                                                                   include=[])["ids"])))

    def pending_documents(self) -> list[DocMeta]:
        got = self._safe(lambda: self._docs.get(where={"dense": False}, include=["metadatas"]))
        metas = [DocMeta.model_validate_json(m["meta"]) for m in (got["metadatas"] or [])]
        return sorted(metas, key=lambda m: m.source)

    def dense_counts(self) -> tuple[int, int]:
        """(documents with dense vectors, committed documents)."""
        total = len(self.doc_ids())
        return total - len(self.pending_ids()), total

    def incomplete_documents(self) -> list[DocMeta]:
        """Committed documents with fewer chunks in the store than their record says (lost by a crash or damage)."""
        got = self._safe(lambda: self._chunks.get(include=[]))
        counts: dict[str, int] = {}
        for cid in got["ids"]:
            doc_id = chunk_doc_id(cid)
            counts[doc_id] = counts.get(doc_id, 0) + 1
        return [m for m in self.documents() if counts.get(m.doc_id, 0) < m.chunks]

    def signature(self) -> str:
        """Changes whenever the set of committed documents changes."""
        return hashlib.sha256("\n".join(self.doc_ids()).encode()).hexdigest()[:16]

    def embedder_name(self) -> str | None:
        got = self._remembered("embedder", lambda: self._docs.get(limit=1, include=["metadatas"]))
        if not got["ids"]:
            return None
        return str(got["metadatas"][0].get("embedder") or "") or None

    # ---- chunks ------------------------------------------------------------------------------

    def chunks(self, doc_id: str) -> list[Chunk]:
        got = self._safe(
            lambda: self._chunks.get(where={"doc_id": doc_id}, include=["metadatas", "documents"])
        )
        out = [_chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sorted(out, key=lambda c: c.index)

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        if not chunk_ids:
            return []
        ids = list(dict.fromkeys(chunk_ids))  # Chroma refuses repeated ids
        got = self._safe(lambda: self._chunks.get(ids=ids, include=["metadatas", "documents"]))
        by_id = {i: _chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
        return [by_id[c] for c in chunk_ids if c in by_id]

    def chunks_of(self, doc_ids: Sequence[str]) -> list[Chunk]:
        """The chunks of some documents, by document and chunk number, in one Chroma call."""
        if not doc_ids:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        got = self._safe(lambda: self._chunks.get(where=where, include=["metadatas", "documents"]))
        out = [_chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sorted(out, key=lambda c: (c.doc_id, c.index))

    def all_chunks(self) -> list[Chunk]:
        """Every chunk of every committed document (orphans left by a crash are skipped)."""
        committed = set(self.doc_ids())
        got = self._safe(lambda: self._chunks.get(include=["metadatas", "documents"]))
        out = [
            _chunk_from(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if m["doc_id"] in committed
        ]
        return sorted(out, key=lambda c: (c.doc_id, c.index))

    def query(self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks of committed documents by cosine similarity, optionally within some documents."""
        hits = self.nearest(vector, k, doc_ids)
        chunks = {c.chunk_id: c for c in self.get_chunks([cid for cid, _ in hits])}
        return [(chunks[cid], score) for cid, score in hits if cid in chunks]

    def nearest(self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the nearest chunks of committed documents (no texts: a ranking
        of hundreds of candidates reads only the few chunks that make the cut)."""
        where: dict[str, Any] | None = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"doc_id": {"$in": list(doc_ids)}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        total = self._remembered("count", lambda: self._chunks.count())
        committed = set(self.doc_ids()) - self.pending_ids()  # placeholders of lexical-only documents too
        want = min(k, total)
        while want > 0:
            found = self._nearest(vector, want, where)
            kept = [hit for hit in found if chunk_doc_id(hit[0]) in committed]  # orphans left by a crash
            if len(kept) >= k or len(found) < want or want >= total:
                return kept[:k]
            want = min(total, want * 2)
        return []

    def _nearest(self, vector: np.ndarray, n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        got = self._safe(
            lambda: self._chunks.query(
                query_embeddings=[vector.tolist()], n_results=n, where=where, include=["distances"]
            )
        )
        return [(i, 1.0 - float(dist)) for i, dist in zip(got["ids"][0], got["distances"][0], strict=True)]

    # ---- writes ------------------------------------------------------------------------------

    def put_document(
        self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray | None, embedder: str, dim: int = 0
    ) -> None:
        """Write a document's chunks, then commit it with its registry record. Without vectors (dim given) the
        document is committed lexical-only, with placeholder vectors, until put_vectors()."""
        doc_id = doc.meta.doc_id
        dense = vectors is not None
        if vectors is None:
            vectors = _placeholder_vectors([c.chunk_id for c in chunks], dim)
        gaps = _gaps(chunks, doc.text)
        self._delete_chunks(doc_id)
        for i in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[i : i + _WRITE_BATCH]
            self._safe(
                lambda part=part, i=i: self._chunks.add(
                    ids=[c.chunk_id for c in part],
                    embeddings=vectors[i : i + len(part)].tolist(),
                    documents=[c.search_text for c in part],
                    metadatas=[_chunk_meta(c, doc.meta) | {"gap": g, "dense": dense}
                               for c, g in zip(part, gaps[i : i + len(part)], strict=True)],
                ),
                writing=True,
            )
        # The text itself is not stored here: Chroma indexes record text, and long texts made every write slower
        # as the registry grew. get_document() rebuilds it from the chunks, the gaps and this tail.
        tail = doc.text[max((c.end for c in chunks), default=0) :]
        record = {"meta": doc.meta.model_dump_json(), "embedder": embedder, "source": doc.meta.source, "tail": tail,
                  "dense": dense}
        self._safe(
            lambda: self._docs.upsert(ids=[doc_id], embeddings=[_registry_vector(doc_id)], metadatas=[record]),
            writing=True,
        )
        self._bump_gen(vectors=dense)

    def put_vectors(self, doc_id: str, chunk_ids: Sequence[str], vectors: np.ndarray) -> bool:
        """Replace a lexical-only document's placeholder vectors, then mark it dense (one registry write, so
        dense search sees all of its chunks or none). False if it is no longer committed and pending."""
        if doc_id not in self.pending_ids():
            return False
        for i in range(0, len(chunk_ids), _WRITE_BATCH):
            ids = list(chunk_ids[i : i + _WRITE_BATCH])
            self._safe(
                lambda ids=ids, i=i: self._chunks.update(
                    ids=ids, embeddings=vectors[i : i + len(ids)].tolist(), metadatas=[{"dense": True}] * len(ids)
                ),
                writing=True,
            )
        self._safe(lambda: self._docs.update(ids=[doc_id], metadatas=[{"dense": True}]), writing=True)
        self._bump_gen()
        return True

    def remove_document(self, doc_id: str) -> bool:
        """Uncommit first, then drop the chunks."""
        existed = bool(self._safe(lambda: self._docs.get(ids=[doc_id], include=[]))["ids"])
        self._safe(lambda: self._docs.delete(ids=[doc_id]), writing=True)
        self._delete_chunks(doc_id)
        self._bump_gen(vectors=False)
        return existed

    def remove_orphans(self) -> int:
        """Drop chunks whose document was never committed (left by a crash)."""
        committed = set(self.doc_ids())
        where = {"doc_id": {"$nin": sorted(committed)}} if committed else None  # only orphans' chunks are read
        got = self._safe(lambda: self._chunks.get(where=where, include=["metadatas"]))
        orphans = {m["doc_id"] for m in got["metadatas"] or [] if m["doc_id"] not in committed}
        for doc_id in orphans:
            self._delete_chunks(doc_id)
        if orphans:
            self._bump_gen()
        return len(orphans)

    def reset(self) -> None:
        self._refresh()
        self.drop()
        self._open()
        self._bump_gen()

    def drop(self) -> None:
        """Delete both collections (a --reset build that failed, or a leftover one)."""
        self._memo = {}
        for name in self._names():
            with contextlib.suppress(Exception):  # an absent collection
                self._client.delete_collection(name)

    def _names(self, collection: str | None = None) -> tuple[str, str]:
        base = collection or self.name
        return f"{base}_chunks", f"{base}_docs"

    # ---- --reset: build a new generation beside the live index, then swap the pointer -------------

    def mark_complete(self) -> None:
        """A staging build is complete: it may become the live index (and a damaged pointer falls back to it)."""
        self._safe(lambda: self._docs.modify(metadata={"complete": "yes", "built": str(time.time())}), writing=True)

    def swap_in(self, staging: VectorStore) -> None:
        """Make a complete staging build the live index: one atomic replace of the pointer file, under the index
        lock; then the previous generation is deleted. A kill before the replace keeps the old index, after it
        the new one; its leftovers are deleted by the next ingest (collect_garbage)."""
        staging.mark_complete()
        with index_lock(self.settings):
            kill_point(SWAP_STEPS[0])
            write_pointer(self.settings, staging.name)
            kill_point(SWAP_STEPS[1])
            self.close()
            self._open()
            self._bump_gen()
            kill_point(SWAP_STEPS[2])
            self.collect_garbage()

    def collect_garbage(self) -> int:
        """Delete every generation of this collection but the live one (call only while no --reset build runs:
        index.lock.reset_lock). Returns how many went. Nothing goes while the pointer is unreadable (`doctor
        --repair` rewrites it)."""
        if self._pinned or read_pointer(self.settings) is None:
            return 0
        with index_lock(self.settings):
            self._refresh()
            try:
                names = [c.name for c in self._client.list_collections()]
                dead = sorted(generations(self.settings.collection, names) - {self.name})
                for gen in dead:
                    chunks, docs = self._names(gen)
                    for name, step in ((docs, SWAP_STEPS[3]), (chunks, SWAP_STEPS[4])):
                        if name in names:
                            self._client.delete_collection(name)
                        kill_point(step)
            except Exception as e:
                raise StoreError(f"cannot delete an old index generation at {self.where}: {_one_line(e)}") from e
            if dead:
                self._bump_gen()
            return len(dead)

    def _delete_chunks(self, doc_id: str) -> None:
        self._safe(lambda: self._chunks.delete(where={"doc_id": doc_id}), writing=True)

    def _safe(self, fn: Any, writing: bool = False) -> Any:
        """Run one Chroma call under the index lock: Chroma may write even when asked to read (it applies its
        log to the vector index then), so no call may overlap another process's writes."""
        try:
            with index_lock(self.settings):
                self._refresh()
                if writing:
                    self._memo = {}
                return fn()
        except RagtoolError:
            raise
        except Exception as e:
            if self.settings.chroma_url:
                raise StoreError(f"Chroma server at {self.settings.chroma_url} failed: {_one_line(e)}") from e
            if writing:
                raise StoreError(
                    f"cannot write index at {self.where}: {_one_line(e)} "
                    "(check free disk space and permissions of RAGTOOL_HOME)"
                ) from e
            raise StoreError(f"index at {self.where} failed: {_one_line(e)}") from e

