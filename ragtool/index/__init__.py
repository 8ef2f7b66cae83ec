"""Index: embedders, the Chroma vector store, the BM25 lexical index and the embedding cache."""
