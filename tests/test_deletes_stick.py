"""`docs rm` of a file still in the corpus folder sticks (issue 22 item 6): the corpus sync and ingests of the
folder skip it, `docs` and `status` say so, and ingesting the file by its own path brings it back (real CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from faultkit import SEEDS, cli, cli_env


def _docs(env: dict[str, str]) -> dict[str, str]:
    r = cli("docs", "--json", env=env)
    assert r.code == 0, r.stderr
    return {row["doc_id"]: row["source"] for row in json.loads(r.stdout)}


def test_a_removed_file_stays_out_of_the_corpus_sync_until_ingested_by_name(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = cli_env(tmp_path / "home", RAGTOOL_CORPUS=str(corpus))
    assert cli("ingest", str(corpus), env=env).code == 0
    before = _docs(env)
    doc_id, source = sorted(before.items())[0]

    removed = cli("docs", "rm", doc_id, env=env)
    assert removed.code == 0, removed.stderr
    assert "stays out of later ingests of its folder" in removed.stdout

    (corpus / "new.txt").write_text("凤岗镇2025年工作要点。地区生产总值增长6%。", "utf-8")  # the corpus changed: a sync
    asked = cli("ask", "凤岗2025年GDP目标?", "--engine", "extractive", env=env)
    assert asked.code in (0, 3), asked.stderr
    after = _docs(env)
    assert doc_id not in after and len(after) == len(before)  # the new file came in, the removed one did not

    folder = cli("ingest", str(corpus), env=env)
    assert "excluded 1 file(s) removed with `ragtool docs rm`" in folder.stderr
    assert doc_id not in _docs(env)
    listed = cli("docs", env=env)
    assert f"excluded (removed with `docs rm`): {source}" in listed.stderr.replace("\n", "")
    status = cli("status", "--json", env=env)
    assert json.loads(status.stdout)["excluded"] == [source]

    back = cli("ingest", source, env=env)
    assert back.code == 0 and "brought back" in back.stderr
    assert doc_id in _docs(env)
    assert json.loads(cli("status", "--json", env=env).stdout)["excluded"] == []


def test_removing_a_file_no_longer_on_disk_remembers_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = cli_env(tmp_path / "home")
    assert cli("ingest", str(corpus), env=env).code == 0
    doc_id, source = sorted(_docs(env).items())[0]
    Path(source).unlink()
    removed = cli("docs", "rm", doc_id, env=env)
    assert removed.code == 0 and "stays out" not in removed.stdout
    assert json.loads(cli("status", "--json", env=env).stdout)["excluded"] == []
