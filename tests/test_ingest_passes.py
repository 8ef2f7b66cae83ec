"""Ingest in two passes (issue 16) and `ingest --reset` building beside the live index (issue 14 item 2):
every document is searchable lexically before any vector exists, questions meanwhile are answered from the
lexical index and say so, a stopped dense pass resumes without embedding anything twice, and a failed or
interrupted --reset never leaves the old index empty."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.errors import ProviderError
from ragtool.index.corpus import Corpus
from ragtool.index.embed import HashEmbedder
from ragtool.ingest.pipeline import ingest_paths

QUESTION = "凤岗2025年GDP目标?"
NOTE = "answered from the lexical index"


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the passages it embeds; fails with `error` on call number `fail_at`."""

    def __init__(self, fail_at: int = 0, error: BaseException | None = None) -> None:
        super().__init__()
        self.calls = 0
        self.texts = 0
        self.fail_at = fail_at
        self.error = error or KeyboardInterrupt()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_at:
            raise self.error
        self.texts += len(texts)
        return super().embed_passages(texts)


def _dense_ids(settings: Settings, queries: tuple[str, ...] = ("地区生产总值增长", "党委书记")) -> list[list[str]]:
    corpus = Corpus(settings)
    return [[c.chunk_id for c, _ in corpus.store.query(corpus.embedder.embed_query(q), 5)] for q in queries]


def test_lexical_pass_answers_before_any_vector_exists(settings: Settings, seeds_copy: Path, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    report = ingest_paths([seeds_copy], settings, dense=False, corpus=Corpus(settings, embedder=embedder))
    assert (report.added, report.pending, report.embedded, embedder.texts) == (5, 5, 0, 0)
    assert _dense_ids(settings) == [[], []]  # placeholder vectors are never a dense hit

    answer = Session(settings, sync=False).ask(QUESTION, engine="extractive")
    assert answer.status != "not_found" and answer.citations
    assert "dense vectors for 0 of 5 documents; answered from the lexical index" in answer.notes

    report = ingest_paths([seeds_copy], settings)
    assert (report.added, report.unchanged, report.dense_docs, report.pending) == (0, 5, 5, 0)
    assert report.embedded == sum(m.chunks for m in Corpus(settings).documents())
    answer = Session(settings, sync=False).ask(QUESTION, engine="extractive")
    assert not any(NOTE in n for n in answer.notes)

    clean = settings.model_copy(update={"home": tmp_path / "clean"})
    ingest_paths([seeds_copy], clean)  # one ordinary ingest gives the same dense index
    assert _dense_ids(settings) == _dense_ids(clean)


def test_a_question_scoped_to_embedded_documents_uses_both_indexes(settings: Settings, seeds_copy: Path) -> None:
    files = sorted(seeds_copy.glob("*.txt"))
    ingest_paths(files[:3], settings)
    ingest_paths(files[3:], settings, dense=False)
    session = Session(settings, sync=False)
    answer, hits = session.ask_with_context("地区生产总值增长多少", engine="extractive")
    assert "dense vectors for 3 of 5 documents; answered from the lexical index" in answer.notes
    assert hits and all(h.dense_rank is None for h in hits)  # not fused with a ranking of only some documents
    embedded = next(m.doc_id for m in Corpus(settings).documents() if m.source == str(files[0]))
    answer, hits = session.ask_with_context("地区生产总值增长多少", engine="extractive", doc=embedded)
    assert not any(NOTE in n for n in answer.notes)
    assert any(h.dense_rank is not None for h in hits)


def test_a_stopped_dense_pass_resumes_and_embeds_nothing_twice(settings: Settings, seeds_copy: Path) -> None:
    settings = settings.model_copy(update={"embed_batch": 16})
    first = CountingEmbedder(fail_at=4)  # Ctrl-C in the fourth batch
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([seeds_copy], settings, corpus=Corpus(settings, embedder=first))
    corpus = Corpus(settings)
    total = sum(m.chunks for m in corpus.documents())
    assert len(corpus.documents()) == 5 and 0 < len(corpus.store.pending_ids()) <= 5
    assert 0 < first.texts < total

    again = CountingEmbedder()
    report = ingest_paths([seeds_copy], settings, corpus=Corpus(settings, embedder=again))
    assert report.embedded == again.texts == total - first.texts  # every finished batch came from the cache
    assert report.pending == 0 and report.added == 0

    idle = CountingEmbedder()
    report = ingest_paths([seeds_copy], settings, corpus=Corpus(settings, embedder=idle))
    assert (report.embedded, report.dense_docs, report.chunks, idle.calls) == (0, 0, 0, 0)


@pytest.mark.embedded_store  # counts every collection of its store: a shared server holds others
def test_failed_reset_keeps_the_old_index(settings: Settings, seeds_copy: Path, tmp_path: Path) -> None:
    ingest_paths([seeds_copy], settings)
    before = ({m.doc_id for m in Corpus(settings).documents()}, _dense_ids(settings))
    only = tmp_path / "only"
    only.mkdir()
    first = sorted(seeds_copy.glob("*.txt"))[0]
    (only / first.name).write_text(first.read_text("utf-8") + "\n附：新版本。", "utf-8")  # not in the cache
    failing = CountingEmbedder(fail_at=1, error=ProviderError("embedding server failed"))
    with pytest.raises(ProviderError):
        ingest_paths([only], settings, reset=True, corpus=Corpus(settings, embedder=failing))
    assert ({m.doc_id for m in Corpus(settings).documents()}, _dense_ids(settings)) == before
    live = Corpus(settings).store
    names = {c.name for c in live._client.list_collections()}  # noqa: SLF001
    assert names == {f"{live.name}_chunks", f"{live.name}_docs"}  # the failed build is gone

    report = ingest_paths([only], settings, reset=True)
    assert report.added == 1 and report.pending == 0
    assert [Path(m.source).parent for m in Corpus(settings).documents()] == [only]


def test_questions_during_a_reset_build_see_the_old_index(settings: Settings, seeds_copy: Path, tmp_path: Path) -> None:
    ingest_paths([seeds_copy], settings)
    seen: list[int] = []

    class Watching(HashEmbedder):
        def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
            seen.append(len(Corpus(settings).documents()))  # another reader, mid-build
            return super().embed_passages(texts)

    only = tmp_path / "only"
    only.mkdir()
    first = sorted(seeds_copy.glob("*.txt"))[0]
    (only / first.name).write_text(first.read_text("utf-8") + "\n附：新版本。", "utf-8")
    ingest_paths([only], settings, reset=True, corpus=Corpus(settings, embedder=Watching()))
    assert seen and set(seen) == {5}
    assert len(Corpus(settings).documents()) == 1


@pytest.mark.embedded_store  # counts every collection of its store: a shared server holds others
def test_a_build_left_by_a_crash_is_deleted_and_the_old_index_kept(settings: Settings, seeds_copy: Path) -> None:
    files = sorted(seeds_copy.glob("*.txt"))
    ingest_paths(files, settings)
    live = Corpus(settings)
    staged = live.staging()
    ingest_paths(files[:2], staged.settings, corpus=staged)
    staged.store.mark_complete()  # a crash after the build, before the pointer was replaced
    report = ingest_paths(files, settings)
    assert (report.added, report.unchanged) == (0, 5)
    store = Corpus(settings).store
    assert {c.name for c in store._client.list_collections()} == {f"{store.name}_chunks", f"{store.name}_docs"}  # noqa: SLF001


def test_a_second_reset_says_another_is_running(settings: Settings, seeds_copy: Path) -> None:
    import subprocess
    import sys

    from ragtool.errors import IndexBusyError

    ingest_paths([seeds_copy], settings)
    lock = str(settings.home / "reset.lock")
    holder = subprocess.Popen([sys.executable, "-c", f"import time; from filelock import FileLock; "
                               f"held = FileLock({lock!r}); held.acquire(); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)  # the first --reset, mid-build
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexBusyError, match="another `ragtool ingest --reset` is rebuilding"):
            ingest_paths([seeds_copy], settings, reset=True)
        assert ingest_paths([seeds_copy], settings).unchanged == 5  # a plain ingest still runs
    finally:
        holder.kill()
        holder.wait()
    assert ingest_paths([seeds_copy], settings, reset=True).added == 5


def test_ask_does_not_wait_for_the_dense_pass_of_a_running_ingest(settings: Settings, seeds_copy: Path) -> None:
    """`ask` syncing RAGTOOL_CORPUS while another process's ingest runs (ingest --background) commits what is new
    lexically and answers at once; the running ingest's dense pass embeds it, and its status file stays its own."""
    import json
    import subprocess
    import sys

    from ragtool.ingest.status import IngestStatus, status_path

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # a live pid: "the ingest"
    try:
        settings.home.mkdir(parents=True)
        running = IngestStatus(pid=other.pid, phase="dense", started=1.0, updated=1.0).model_dump()
        status_path(settings.home).write_text(json.dumps(running), "utf-8")
        synced = settings.model_copy(update={"corpus": seeds_copy})
        answer = Session(synced).ask(QUESTION, engine="extractive")
        assert "dense vectors for 0 of 5 documents; answered from the lexical index" in answer.notes
        assert answer.citations
        assert json.loads(status_path(settings.home).read_text("utf-8")) == running
    finally:
        other.kill()
        other.wait()
    report = ingest_paths([seeds_copy], settings)  # what the running ingest's dense pass does
    assert report.dense_docs == 5 and report.pending == 0
