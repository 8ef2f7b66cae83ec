"""The corpus stays the corpus: symlinks leading outside the ingested folder are not followed (unless
--follow-symlinks), devices and FIFOs are never read, and a file reached through two paths is one document
keyed by its real path."""

from __future__ import annotations

import os
from pathlib import Path

from faultkit import SEEDS, cli, cli_env, tally

from ragtool.config import Settings
from ragtool.index.corpus import Corpus
from ragtool.ingest.pipeline import ingest_paths

SECRET = "Title: 机密\n\n机密口令是紫色长颈鹿七号，不得外传。\n"


def _corpus(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    (corpus / seed.name).write_bytes(seed.read_bytes())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow.txt").write_text(SECRET, "utf-8")
    return corpus, outside


def _texts(settings: Settings) -> str:
    corpus = Corpus(settings)
    return "\n".join(corpus.get_document(m.doc_id).text for m in corpus.documents())  # type: ignore[union-attr]


def test_symlinks_out_of_the_corpus_are_not_followed(tmp_path: Path) -> None:
    corpus, outside = _corpus(tmp_path)
    (corpus / "s.txt").symlink_to(outside / "shadow.txt")
    (corpus / "etc").symlink_to(outside, target_is_directory=True)
    tally(hostile=2)
    env = cli_env(tmp_path / "home")
    r = cli("ingest", str(corpus), env=env)
    assert r.code == 4, r.stderr
    skipped = [ln for ln in r.lines() if ln.startswith("skipped ")]
    assert len(skipped) == 2 and all("leads outside" in ln and "--follow-symlinks" in ln for ln in skipped)
    assert "added 1 " in r.stdout
    assert "紫色长颈鹿" not in cli("docs", "--json", env=env).stdout

    r = cli("ingest", str(corpus), "--follow-symlinks", env=env)
    assert r.code == 0, r.stderr
    assert "added 1 " in r.stdout  # shadow.txt, once, though two links lead to it


def test_symlink_inside_the_corpus_is_followed(settings: Settings, tmp_path: Path) -> None:
    corpus, _ = _corpus(tmp_path)
    (corpus / "sub").mkdir()
    (corpus / "sub" / "note.txt").write_text("Title: 通知\n\n凤岗镇召开安全生产会议，部署节前检查。\n", "utf-8")
    (corpus / "alias.txt").symlink_to(corpus / "sub" / "note.txt")
    report = ingest_paths([corpus], settings)
    assert report.added == 2 and not report.skipped


def test_devices_and_fifos_are_never_read(settings: Settings, tmp_path: Path) -> None:
    corpus, _ = _corpus(tmp_path)
    (corpus / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(corpus / "pipe.txt")  # reading it would block for ever
    tally(hostile=3)
    report = ingest_paths([corpus, Path("/dev/urandom")], settings.model_copy(update={"follow_symlinks": True}))
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"zero.txt", "pipe.txt", "urandom"}
    assert all("not a regular file" in r for r in reasons.values())
    assert report.added == 1


def test_a_file_reached_through_two_paths_is_one_document(settings: Settings, tmp_path: Path) -> None:
    corpus, _ = _corpus(tmp_path)
    alias = tmp_path / "alias"
    alias.symlink_to(corpus, target_is_directory=True)
    first = ingest_paths([corpus], settings)
    second = ingest_paths([alias], settings)
    both = ingest_paths([alias, corpus], settings)
    assert (first.added, second.added, second.duplicates, second.unchanged) == (1, 0, 0, 1)
    assert both.files == 1 and both.unchanged == 1
    [doc] = Corpus(settings).documents()
    assert doc.source == str((corpus / sorted(SEEDS.glob("*.txt"))[0].name).resolve())
