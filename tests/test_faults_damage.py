"""A damaged store is recoverable from the CLI: random bytes in chroma.sqlite3 (checked before chromadb, whose
Rust core would panic), garbage in index.gen, a BM25 index that loads but does not fit. Each is named in one line
with `ragtool doctor --repair`, which moves the damaged store aside and rebuilds it from the source files."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from faultkit import SEEDS, Run, cli, cli_env, tally


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("damage")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = cli_env(root / "home", embedded=True)
    r = cli("ingest", str(corpus), env=env)
    assert r.code == 0, r.stderr
    assert cli("ask", "凤岗2025年GDP目标", "--no-sync", env=env).code == 0  # the BM25 index is saved too
    return root / "home", corpus, _doc_ids(env)


def _doc_ids(env: dict[str, str]) -> list[str]:
    r = cli("docs", "--json", env=env)
    assert r.code == 0, r.stderr
    return sorted(d["doc_id"] for d in json.loads(r.stdout))


def _home(built: tuple[Path, Path, list[str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "home"
    shutil.copytree(built[0], home)
    return home, cli_env(home, embedded=True, RAGTOOL_CORPUS=str(tmp_path / "no-corpus"))


def _one_line(r: Run, *needles: str) -> str:
    assert "Traceback" not in r.stderr and "panicked" not in r.stderr, r.stderr[-2000:]
    lines = r.lines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def _scribble(path: Path, offset: int, size: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(bytes(rng.randrange(256) for _ in range(size)))


SQLITE_DAMAGE = {"pages": (100_000, 200_000), "header": (0, 100), "tail": (-4096, 4096)}


@pytest.mark.slow
@pytest.mark.parametrize("where", list(SQLITE_DAMAGE))
def test_random_bytes_in_chroma_sqlite_are_named_and_repaired(
    built: tuple[Path, Path, list[str]], tmp_path: Path, where: str
) -> None:
    home, env = _home(built, tmp_path)
    db = home / "chroma" / "chroma.sqlite3"
    offset, size = SQLITE_DAMAGE[where]
    _scribble(db, offset if offset >= 0 else db.stat().st_size + offset, size, seed=len(where))
    tally(faults=1)
    commands = [["docs"], ["ingest", "--reset", str(built[1])]]
    if where == "pages":
        commands += [["ask", "凤岗2025年GDP目标"], ["ingest", str(built[1])]]
    for args in commands:
        r = cli(*args, env=env)
        assert r.code == 6, (args, r.code, r.stderr[-1500:])  # not a Rust panic (134), not a traceback (1)
        _one_line(r, str(db), "doctor --repair")

    r = cli("doctor", "--repair", env=env)
    assert r.code == 0, r.stderr
    assert "moved aside" in r.stdout and f"{len(built[2])} document(s)" in r.stdout
    assert _doc_ids(env) == built[2]  # rebuilt from the sources the damaged registry named
    tally(docs=len(built[2]), lost=len(built[2]) - len(_doc_ids(env)))
    assert list(home.glob("damaged-*/chroma/chroma.sqlite3"))  # the damaged store is kept, aside
    assert cli("ask", "凤岗2025年GDP目标", env=env).code == 0
    assert cli("doctor", env=env).code == 0


def test_garbage_index_gen_and_inconsistent_bm25_are_reported_and_repaired(
    built: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    home, env = _home(built, tmp_path)
    (home / "index.gen").write_bytes(os.urandom(64))
    signature = json.loads((home / "lexical" / "current.json").read_text("utf-8"))["signature"]
    ids_file = home / "lexical" / signature / "chunk_ids.json"
    ids_file.write_text(json.dumps(json.loads(ids_file.read_text("utf-8"))[:3]), "utf-8")
    tally(faults=2)

    r = cli("doctor", env=env)
    assert r.code == 1
    assert "index.gen is damaged" in r.stdout and "doctor --repair" in r.stdout
    # commands keep working meanwhile: the token reads as unknown and the BM25 index is rebuilt
    r = cli("ask", "凤岗2025年GDP目标", "--no-sync", env=env)
    assert r.code == 0, r.stderr

    ids_file = home / "lexical" / json.loads((home / "lexical" / "current.json").read_text("utf-8"))["signature"]
    (ids_file / "chunk_ids.json").write_text("[1, 2, 3]", "utf-8")
    r = cli("doctor", "--repair", env=env)
    assert r.code == 0, r.stderr
    assert "index.gen" in r.stdout and "derived files" in r.stdout
    assert cli("doctor", env=env).code == 0
    assert _doc_ids(env) == built[2]
    tally(docs=len(built[2]))


def test_repair_of_an_intact_index_changes_nothing(built: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    home, env = _home(built, tmp_path)
    r = cli("doctor", "--repair", "--json", env=env)
    assert r.code == 0, r.stderr
    assert json.loads(r.stdout)["damaged"] == [] and not list(home.glob("damaged-*"))
