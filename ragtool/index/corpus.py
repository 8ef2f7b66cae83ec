"""Corpus: the one object that ties the vector store, the lexical index and the embedder together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property

from ragtool.config import Settings
from ragtool.errors import StoreError
from ragtool.index.cache import EmbeddingCache, embed_with_cache
from ragtool.index.embed import Embedder, make_embedder
from ragtool.index.lexical import LexicalIndex
from ragtool.index.live import new_generation
from ragtool.index.store import VectorStore
from ragtool.models import Chunk, DocMeta, Document


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
        """The BM25 index for the current set of documents, loaded or rebuilt."""
        sig = self.store.signature()
        if self._lexical and self._lexical[0] == sig:
            return self._lexical[1]
        index = LexicalIndex.load(self.settings.home, sig)
        if index is None:
            chunks = self.store.all_chunks()
            index = LexicalIndex.build([c.chunk_id for c in chunks], [c.search_text for c in chunks])
            try:
                index.save(self.settings.home, sig)
            except OSError as e:
                raise StoreError(f"cannot write lexical index under {self.settings.home}: {e.strerror or e}") from e
        self._lexical = (sig, index)
        return index
