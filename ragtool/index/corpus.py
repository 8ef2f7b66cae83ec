"""Corpus: the one object that ties the vector store, the lexical index and the embedder together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import cached_property

from ragtool.config import Settings
from ragtool.errors import StoreError
from ragtool.index.cache import EmbeddingCache, embed_with_cache
from ragtool.index.embed import Embedder, make_embedder
from ragtool.index.lexical import LexicalIndex
from ragtool.index.live import new_generation
from ragtool.index.lock import index_lock
from ragtool.index.store import VectorStore
from ragtool.models import Chunk, DocMeta, Document, chunk_doc_id


class Corpus:
    """Read and write access to one index (RAGTOOL_HOME, or a Chroma server)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = VectorStore(settings)
        self.embedder = embedder or make_embedder(settings)
        self._lexical: tuple[str, LexicalIndex] | None = None

    @cached_property
    def cache(self) -> EmbeddingCache:
        return EmbeddingCache(self.settings.home / "cache" / "embeddings.sqlite")

    def check_embedder(self) -> None:
        """Querying an index with another embedder than the one that built it is an error."""
        built = self.store.embedder_name()
        if built and built != self.embedder.name:
            wanted = built.split(":", 1)[0]
            raise StoreError(
                f"index was built with embedder {built!r} but {self.embedder.name!r} is selected; "
                f"set RAGTOOL_EMBEDDER={wanted}, or rebuild with `ragtool ingest --reset`"
            )

    def embed_chunks(
        self,
        chunks: list[Chunk],
        on_batch: Callable[[int], None] | None = None,
        computed: Callable[[Sequence[str]], None] | None = None,
    ) -> object:
        return embed_with_cache(
            self.embedder, self.cache, [c.search_text for c in chunks], batch=self.settings.embed_batch,
            on_batch=on_batch, computed=computed,
        )

    def staging(self) -> Corpus:
        """A fresh, empty index generation beside this one (same embedder and cache) for `ingest --reset` to build
        in; nothing reads it until VectorStore.swap_in() points the live index at it."""
        settings = self.settings.model_copy(update={"collection": new_generation(self.settings.collection)})
        staged = Corpus.__new__(Corpus)
        staged.settings = settings
        staged.store = VectorStore(settings, announce=False, pinned=True)
        staged.embedder = self.embedder
        staged._lexical = None
        staged.__dict__["cache"] = self.cache
        return staged

    def documents(self) -> list[DocMeta]:
        return self.store.documents()

    def get_document(self, doc_id: str) -> Document | None:
        """A document by id or unique id prefix."""
        doc = self.store.get_document(doc_id)
        if doc is None and doc_id:
            matches = [d for d in self.store.doc_ids() if d.startswith(doc_id)]
            if len(matches) == 1:
                doc = self.store.get_document(matches[0])
        return doc

    def lexical(self) -> LexicalIndex:
        """The BM25 index for the current set of documents: loaded, updated from the previous one, or rebuilt."""
        with index_lock(self.settings):  # one index state for the signature and the documents read
            sig = self.store.signature()
            if self._lexical and self._lexical[0] == sig:
                return self._lexical[1]
            index = LexicalIndex.load(self.settings.home, sig)
            if index is None:
                index = self._updated_lexical() or self._built_lexical()
                try:
                    index.save(self.settings.home, sig)
                except OSError as e:
                    raise StoreError(f"cannot write lexical index under {self.settings.home}: {e.strerror or e}") from e
            self._lexical = (sig, index)
            return index

    def _updated_lexical(self) -> LexicalIndex | None:
        """The previous index (this process's, else the one saved) with new documents' chunks added and removed
        documents' dropped; None when there is none to update, or it was read from another index generation."""
        base = self._lexical[1] if self._lexical else LexicalIndex.load(self.settings.home)
        if base is None or base.terms is None or base.source != self.store.name:
            return None
        chunk_counts = Counter(chunk_doc_id(c) for c in base.chunk_ids)
        now = {m.doc_id: m.chunks for m in self.store.documents()}
        added = sorted(set(now) - set(chunk_counts))
        if len(added) > len(now) // 2:  # mostly new: as quick to read every chunk
            return None
        if any(now.get(d, n) != n for d, n in chunk_counts.items()):  # a document rewritten with other chunks
            return None
        chunks = self.store.chunks_of(added)
        return base.updated(set(chunk_counts) - set(now), [c.chunk_id for c in chunks], [c.search_text for c in chunks])

    def _built_lexical(self) -> LexicalIndex:
        chunks = self.store.all_chunks()
        return LexicalIndex.build([c.chunk_id for c in chunks], [c.search_text for c in chunks], self.store.name)
