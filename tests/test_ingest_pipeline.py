"""Ingest life cycle (ragtool.ingest.pipeline and the CLI): idempotent re-ingest, changed files replace their
old version, an interrupted replace is finished by the next run, --reset rebuilds, `docs rm` removes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faultkit import cli, cli_env

from ragtool.config import Settings
from ragtool.index.corpus import Corpus
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file
from ragtool.ingest.pipeline import ingest_paths, prepare


def _doc_ids(settings: Settings) -> set[str]:
    return {m.doc_id for m in Corpus(settings).documents()}


def _chunk_ids(settings: Settings) -> list[str]:
    return [c.chunk_id for c in Corpus(settings).store.all_chunks()]


def test_reingest_adds_nothing(settings: Settings, seeds_copy: Path) -> None:
    first = ingest_paths([seeds_copy], settings)
    assert first.added == 5 and not first.skipped
    chunks = _chunk_ids(settings)
    second = ingest_paths([seeds_copy], settings)
    assert (second.added, second.replaced, second.unchanged, second.chunks) == (0, 0, 5, 0)
    assert _chunk_ids(settings) == chunks


def test_changed_file_replaces_its_old_version(settings: Settings, seeds_copy: Path) -> None:
    ingest_paths([seeds_copy], settings)
    path = sorted(seeds_copy.glob("*.txt"))[0]
    [old] = [m for m in Corpus(settings).documents() if m.source == str(path)]
    path.write_text(path.read_text("utf-8") + "\n会议还决定，2025年新增绿地面积10公顷。", "utf-8")

    report = ingest_paths([seeds_copy], settings)
    assert (report.added, report.replaced, report.unchanged) == (0, 1, 4)
    corpus = Corpus(settings)
    [new] = [m for m in corpus.documents() if m.source == str(path)]
    assert new.doc_id != old.doc_id and old.doc_id not in _doc_ids(settings)
    assert corpus.store.chunks(old.doc_id) == []  # no chunk of the old version is left
    assert "绿地面积10公顷" in corpus.get_document(new.doc_id).text  # type: ignore[union-attr]


def test_interrupted_replace_is_finished_by_the_next_run(settings: Settings, seeds_copy: Path) -> None:
    ingest_paths([seeds_copy], settings)
    path = sorted(seeds_copy.glob("*.txt"))[1]
    [old] = [m for m in Corpus(settings).documents() if m.source == str(path)]
    path.write_text(path.read_text("utf-8") + "\n附：新版本。", "utf-8")
    # What a run killed between committing the new version and removing the old one leaves behind:
    corpus = Corpus(settings)
    doc, chunks = prepare(load_file(path), Cleaner.from_settings(settings), settings)
    corpus.store.put_document(doc, chunks, corpus.embed_chunks(chunks), corpus.embedder.name)  # type: ignore[arg-type]
    assert {old.doc_id, doc.meta.doc_id} <= _doc_ids(settings)

    report = ingest_paths([seeds_copy], settings)
    assert report.replaced == 1 and report.added == 0
    assert [m.doc_id for m in Corpus(settings).documents() if m.source == str(path)] == [doc.meta.doc_id]


def test_reset_rebuilds_from_the_given_paths(settings: Settings, seeds_copy: Path, tmp_path: Path) -> None:
    ingest_paths([seeds_copy], settings)
    only = tmp_path / "only"
    only.mkdir()
    first = sorted(seeds_copy.glob("*.txt"))[0]
    (only / first.name).write_bytes(first.read_bytes())
    report = ingest_paths([only], settings, reset=True)
    assert report.added == 1
    assert [Path(m.source).parent for m in Corpus(settings).documents()] == [only]
    assert len(_chunk_ids(settings)) == report.chunks


@pytest.mark.slow
def test_cli_reingest_reset_and_docs_rm(tmp_path: Path, seeds_copy: Path) -> None:
    env = cli_env(tmp_path / "home")
    assert cli("ingest", str(seeds_copy), env=env).code == 0
    again = cli("ingest", str(seeds_copy), "--json", env=env)
    assert again.code == 0 and json.loads(again.stdout)["added"] == 0

    docs = json.loads(cli("docs", "--json", env=env).stdout)
    victim = docs[0]["doc_id"]
    removed = cli("docs", "rm", victim[:8], "--json", env=env)
    assert removed.code == 0 and json.loads(removed.stdout) == {"doc_id": victim, "removed": True}
    left = json.loads(cli("docs", "--json", env=env).stdout)
    assert victim not in {d["doc_id"] for d in left} and len(left) == len(docs) - 1
    gone = cli("docs", "rm", victim, env=env)
    assert gone.code == 2 and "no indexed document" in gone.stderr

    rebuilt = cli("ingest", str(seeds_copy), "--reset", "--json", env=env)  # the removed file stays out
    report = json.loads(rebuilt.stdout)
    assert rebuilt.code == 0 and report["added"] == 4 and len(report["excluded"]) == 1
    back = cli("ingest", report["excluded"][0], "--json", env=env)
    assert back.code == 0 and json.loads(back.stdout)["added"] == 1


def test_orphan_chunks_are_invisible_and_removed_by_the_next_ingest(settings: Settings, seeds_copy: Path) -> None:
    ingest_paths([seeds_copy], settings)
    extra = seeds_copy / "late.txt"
    extra.write_text("Title: 新文件\n\n凤岗镇地区生产总值增长5.5%左右。" * 3, "utf-8")
    corpus = Corpus(settings)
    doc, chunks = prepare(load_file(extra), Cleaner.from_settings(settings), settings)
    vectors = corpus.embed_chunks(chunks)
    # A run killed after writing a document's chunks but before its registry record leaves exactly this:
    corpus.store._chunks.add(  # noqa: SLF001
        ids=[c.chunk_id for c in chunks], embeddings=vectors.tolist(),  # type: ignore[attr-defined]
        documents=[c.search_text for c in chunks],
        metadatas=[{"doc_id": c.doc_id, "index": c.index, "start": c.start, "end": c.end, "text": c.text}
                   for c in chunks])
    hits = corpus.store.query(vectors[0], 5)  # type: ignore[index]
    assert len(hits) == 5 and all(c.doc_id != doc.meta.doc_id for c, _ in hits)
    assert all(c.doc_id != doc.meta.doc_id for c in corpus.store.all_chunks())

    report = ingest_paths([seeds_copy], settings)
    assert report.added == 1
    assert [c.index for c in Corpus(settings).store.chunks(doc.meta.doc_id)] == list(range(len(chunks)))
