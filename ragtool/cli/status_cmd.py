"""`ragtool status`: the latest ingest's progress and what the index can answer from; `ingest --background`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ragtool.cli.common import ChromaUrl, EmbedderOpt, Home, JsonOpt, settings_from
from ragtool.cli.output import err, out, print_json
from ragtool.config import Settings

STATUS_LOCK_WAIT = 10.0  # seconds: status waits this long at most for the index lock (an ingest holds it briefly)


def status_command(
    resume: Annotated[bool, typer.Option(
        "--resume", help="Start a background ingest of the documents still without dense vectors.")] = False,
    json_out: JsonOpt = False, home: Home = None, chroma_url: ChromaUrl = None, embedder: EmbedderOpt = None,
) -> None:
    """Show the latest ingest's progress (lexical pass, dense pass) and how many documents have dense vectors.

    Documents are searchable lexically as soon as the lexical pass has committed them; questions asked before
    all of them have dense vectors are answered from the lexical index, and say so. `--resume` starts their
    dense pass in the background (what `ragtool ingest` with no paths does in the foreground).
    """
    settings = settings_from(home=home, chroma_url=chroma_url, embedder=embedder)
    if resume:
        _resume(settings, json_out)
    report = status_report(settings)
    if json_out:
        print_json(report)
        return
    for line in describe(report):
        out.print(line, markup=False)


def _resume(settings: Settings, json_out: bool) -> None:
    from ragtool.ingest.status import ingest_running, resume_in_background

    idx = _index_counts(settings)
    if ingest_running(settings.home):
        message = "an ingest is already running; it embeds what is pending"
    elif idx is not None and not idx["lexical_only"]:
        message = "nothing to resume: every document has dense vectors"
    else:
        pid = resume_in_background(settings)
        message = f"resuming the dense pass in the background (pid {pid})"
    if not json_out:
        err.print(message, markup=False)


def status_report(settings: Settings) -> dict[str, Any]:
    from ragtool.ingest.status import ingest_state, read_status

    status = read_status(settings.home)
    ingest: dict[str, Any] | None = None
    if status is not None:
        ingest = status.model_dump() | {"state": ingest_state(status)}
    from ragtool.ingest.exclusions import load

    return {"ingest": ingest, "index": _index_counts(settings), "excluded": sorted(load(settings.home).files)}


def _index_counts(settings: Settings) -> dict[str, Any] | None:
    """Documents committed and with dense vectors; None when the index is busy for longer than a moment."""
    from ragtool.errors import IndexBusyError
    from ragtool.index.lock import index_lock
    from ragtool.index.store import VectorStore

    try:
        with index_lock(settings, timeout=min(settings.lock_timeout, STATUS_LOCK_WAIT)):
            dense, total = VectorStore(settings).dense_counts()
    except IndexBusyError:
        return None
    return {"documents": total, "dense": dense, "lexical_only": total - dense}


def describe(report: dict[str, Any]) -> list[str]:
    lines = []
    ing = report["ingest"]
    if ing is None:
        lines.append("ingest: none recorded in this RAGTOOL_HOME")
    else:
        lines.append(_ingest_line(ing))
    idx = report["index"]
    if idx is None:
        lines.append("index: busy (an ingest is writing); try again")
    elif idx["lexical_only"]:
        lines.append(f"index: {idx['documents']} documents, dense vectors for {idx['dense']} of them; "
                     "questions are answered from the lexical index until all have them")
    else:
        lines.append(f"index: {idx['documents']} documents, all searchable lexically and densely")
    if report.get("excluded"):
        lines.append(f"excluded: {len(report['excluded'])} file(s) removed with `docs rm` stay out of ingests of "
                     "their folder (`ragtool docs` lists them)")
    return lines


def _ingest_line(ing: dict[str, Any]) -> str:
    state, phase = ing["state"], ing["phase"]
    end = ing["finished"] + ing["started"] if ing["finished"] is not None else time.time()
    elapsed = _duration(max(0.0, end - ing["started"]))
    if state == "done":
        return (f"ingest: done in {elapsed} · {ing['files_total']} files, {ing['added']} added, "
                f"{ing['skipped']} skipped")
    if state == "failed":
        return f"ingest: failed after {elapsed}: {ing['error']} (run `ragtool ingest PATH` again to retry)"
    who = f"pid {ing['pid']}"
    if state == "stopped":
        return (f"ingest: stopped ({who} is gone) in its {phase} pass; `ragtool ingest PATH` again resumes it "
                "(`ragtool status --resume`: the dense pass of every document without vectors)")
    if phase == "lexical":
        ocr = (f" · OCR {ing['ocr_file']} p. {ing['ocr_pages_done']} of {ing['ocr_pages_total']}"
               if ing.get("ocr_pages_total") and ing["ocr_pages_done"] < ing["ocr_pages_total"] else "")
        return f"ingest: running ({who}) · lexical pass · {ing['files_done']} of {ing['files_total']} files{ocr} · {elapsed}"
    if phase == "dense":
        total = ing["chunks_to_embed"] or 0
        pct = f" ({ing['chunks_embedded'] / total:.0%})" if total else ""
        return (f"ingest: running ({who}) · dense pass · {ing['chunks_embedded']} of {total} chunks embedded{pct} · "
                f"{ing['docs_dense_done']} of {ing['docs_pending']} documents · {elapsed}")
    return f"ingest: running ({who}) · {phase} · {elapsed}"


def _duration(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{seconds:.1f}s"


def ingest_in_background(
    settings: Settings, targets: list[Path], *, reset: bool, json_out: bool,
) -> None:
    """Start the ingest in its own process and return at once."""
    from ragtool.ingest.status import LOG_FILE, ingest_args, start_background

    home = settings.home.resolve()
    pid = start_background(home, ingest_args(settings, targets, reset))
    log = home / LOG_FILE
    if json_out:
        print_json({"pid": pid, "log": str(log), "home": str(home)})
        return
    out.print(f"ingest started in the background (pid {pid}); `ragtool status` shows its progress", markup=False)
    err.print(f"log: {log}", markup=False)
