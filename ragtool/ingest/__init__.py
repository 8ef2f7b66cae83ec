"""Ingest: load files, clean text, extract metadata, chunk."""
