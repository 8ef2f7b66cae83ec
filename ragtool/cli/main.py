"""The `ragtool` command. Each command parses options, calls the library, and prints."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ragtool.cli.ask_cmd import ask_command
from ragtool.cli.common import (
    ChromaUrl,
    EmbedderOpt,
    Home,
    JsonOpt,
    settings_from,
)
from ragtool.cli.compare_cmd import compare_command
from ragtool.cli.init_cmd import init_command
from ragtool.cli.output import err, fail, out, print_json, progress_bar, safe_line
from ragtool.cli.serve_cmd import serve_command
from ragtool.cli.status_cmd import status_command
from ragtool.errors import ExitCode, RagtoolError, UsageError

if TYPE_CHECKING:
    from ragtool.models import Document

app = typer.Typer(
    name="ragtool",
    help=(
        "Answer questions and write structured summaries over Chinese local-government documents, "
        "offline, with verified quotes.\n\nExit codes: 0 ok, 1 failure, 2 usage, 3 not found, "
        "4 some files/documents skipped or failed, 5 index busy, 6 index/store error, "
        "7 LLM/embedding server error, 8 eval regression."
    ),
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from ragtool import __version__

        out.print(f"ragtool {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """Answer questions and write structured summaries over Chinese local-government documents."""


docs_app = typer.Typer(
    help="List, show and remove indexed documents.", no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(docs_app, name="docs")
app.command("ask")(ask_command)
app.command("compare")(compare_command)
app.command("serve")(serve_command)
app.command("init")(init_command)
app.command("status")(status_command)


def _optional_commands() -> None:
    """summarize and eval live in their own modules."""
    try:
        from ragtool.cli.summarize_cmd import summarize_command
    except ImportError:  # pragma: no cover - during development only
        pass
    else:
        app.command("summarize")(summarize_command)
    try:
        from ragtool.cli.eval_cmd import eval_command
    except ImportError:  # pragma: no cover
        pass
    else:
        app.command("eval")(eval_command)


_optional_commands()


@app.command()
def ingest(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files or folders (recursive). `-` reads one document from stdin. None: resume the dense pass.")] = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Rebuild the index from these paths only; the old one stays in use until the new one is complete."),
    ] = False,
    background: Annotated[
        bool, typer.Option("--background", help="Return at once; the ingest goes on in the background (see `ragtool status`).")
    ] = False,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="Follow symlinks that lead outside the folders given (RAGTOOL_FOLLOW_SYMLINKS).")] = False,
    no_ocr: Annotated[bool, typer.Option(
        "--no-ocr", help="Do not read scanned PDF pages and images by OCR (RAGTOOL_OCR=false).")] = False,
    json_out: JsonOpt = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Ingest .txt .md .html .pdf .docx files, and .png .jpg .tif images, into the index. Unchanged files are skipped.

    Every document is searchable lexically (BM25) within seconds; its dense vectors follow. Scanned PDF pages and
    images are read by OCR (offline), page by page. Only the documents of PATHS are embedded; `ragtool ingest`
    with no paths resumes every document still without dense vectors (a stopped ingest's, or a corpus sync's).
    Exit code 2 when a path does not exist (before any work), 4 when some files were skipped (each is listed with
    its reason).
    """
    from ragtool.api import Session

    missing = [p for p in paths or [] if p != "-" and not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {safe_line(missing[0])}")
    if reset and not paths:
        raise UsageError("--reset rebuilds the index from the paths given: name at least one")
    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url,
                             follow_symlinks=follow_symlinks or None, ocr=False if no_ocr else None)
    targets = [_stdin_document(settings.home) if p == "-" else Path(p) for p in paths or []]
    if not targets and not json_out:
        err.print("no paths: resuming the dense pass of every document still without dense vectors", markup=False)
    if background:
        from ragtool.cli.status_cmd import ingest_in_background

        ingest_in_background(settings, targets, reset=reset, json_out=json_out)
        return
    with progress_bar("ingest", enabled=not json_out) as update:
        report = Session(settings, sync=False).ingest(targets, reset=reset, progress=update)
    if json_out:
        print_json(report)
    else:
        out.print(
            f"files {report.files} · added {report.added} · replaced {report.replaced} · "
            f"unchanged {report.unchanged} · "
            + (f"repaired {report.repaired} (chunks were missing) · " if report.repaired else "")
            + f"duplicates {report.duplicates} · chunks {report.chunks} · "
            f"skipped {len(report.skipped)} · {report.seconds:.1f}s (searchable lexically after "
            f"{report.lexical_seconds:.1f}s; {report.embedded} chunks embedded)"
            + (f" · {report.ocr_pages} pages read by OCR" if report.ocr_pages else "")
        )
        for s in report.skipped:
            err.print(f"skipped {safe_line(s.path)}: {safe_line(s.reason)}", markup=False)
        for s in report.notes:
            err.print(f"note {safe_line(s.path)}: {safe_line(s.reason)}", markup=False)
        if report.excluded:
            err.print(f"excluded {len(report.excluded)} file(s) removed with `ragtool docs rm` (see `ragtool docs`; "
                      "ingest a file by its own path to bring it back)", markup=False)
        for path in report.readmitted:
            err.print(f"brought back {safe_line(path)} (it had been removed with `ragtool docs rm`)", markup=False)
        if report.pending and targets:
            err.print(f"{report.pending} other document(s) still without dense vectors: `ragtool ingest` with no "
                      "paths (or `ragtool status --resume`) embeds them", markup=False)
    if report.skipped:
        raise typer.Exit(ExitCode.PARTIAL)


def _stdin_document(home: Path) -> Path:
    import hashlib

    from ragtool.fsutil import write_bytes_atomic

    data = sys.stdin.buffer.read()
    if not data.strip():
        raise UsageError("nothing on stdin to ingest")
    path = home / "stdin" / f"stdin-{hashlib.sha256(data).hexdigest()[:12]}.txt"
    write_bytes_atomic(path, data)
    return path


@docs_app.callback(invoke_without_command=True)
def docs_list(
    ctx: typer.Context,
    json_out: JsonOpt = False,
    home: Home = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """List indexed documents: id, place, kind, date, title, chunks."""
    if ctx.invoked_subcommand:
        return
    from ragtool.api import Session, doc_row
    from ragtool.ingest.exclusions import load

    settings = settings_from(home=home, chroma_url=chroma_url)
    metas = Session(settings, sync=False).documents()
    rows = [doc_row(m) for m in metas]
    excluded = load(settings.home).files
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("doc_id", "place", "kind", "date", "title", "chunks")
    table.columns[0].no_wrap = True
    table.columns[0].min_width = 16  # ids are never cut (`docs show` needs them)
    for m in metas:
        table.add_row(m.doc_id, m.place or "", m.kind, m.date or "", m.title[:40], str(m.chunks))
    out.print(table)
    if not rows and not excluded:
        err.print("no documents indexed yet: run `ragtool ingest PATH` (or `ragtool ask`, which syncs the corpus)")
    for path, ex in excluded.items():
        err.print(f"excluded (removed with `docs rm`): {safe_line(path)} ({safe_line(ex.title)}); "
                  "`ragtool ingest` it by this path to bring it back", markup=False)


@docs_app.command("show")
def docs_show(
    doc_id: Annotated[str, typer.Argument(help="Document id (or a unique prefix).")],
    at: Annotated[
        int | None, typer.Option("--at", min=0, help="Show only the passage around this offset (a citation's @START).")
    ] = None,
    around: Annotated[int, typer.Option("--context", min=0, help="Characters shown on each side of --at.")] = 200,
    json_out: JsonOpt = False,
    home: Home = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Print a document's metadata and cleaned text, or with --at OFFSET the passage around that offset."""
    from ragtool.api import Session

    settings = settings_from(home=home, chroma_url=chroma_url)
    doc = Session(settings, sync=False).document(doc_id)
    if at is not None:
        _show_passage(doc, at, around, json_out)
        return
    if json_out:
        print_json(doc)
        return
    for key, value in doc.meta.model_dump().items():
        out.print(f"{key}: {safe_line(str(value))}", markup=False)
    out.print("")
    out.print(doc.text, markup=False)


@docs_app.command("rm")
def docs_rm(
    doc_id: Annotated[str, typer.Argument(help="Document id (or a unique prefix).")],
    json_out: JsonOpt = False,
    home: Home = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Remove a document and its chunks from the index. If its file is still on disk, later ingests of its folder
    (and the corpus sync) skip it until it is ingested again by its own path."""
    from ragtool.api import Session

    settings = settings_from(home=home, chroma_url=chroma_url)
    meta = Session(settings, sync=False).remove(doc_id)
    if json_out:
        print_json({"doc_id": meta.doc_id, "removed": True})
    else:
        out.print(f"removed {meta.doc_id} ({meta.title})", markup=False)
        if Path(meta.source).is_file():
            out.print(f"{safe_line(meta.source)} stays out of later ingests of its folder and the corpus sync; "
                      "`ragtool ingest` it by this path to bring it back", markup=False)


def _show_passage(doc: Document, at: int, around: int, json_out: bool) -> None:
    """The passage around offset `at` of the cleaned text, the offset marked with ▶."""
    if at > len(doc.text):
        raise UsageError(f"--at {at} is past the end of the document ({len(doc.text)} characters)")
    start, end = max(0, at - around), min(len(doc.text), at + around)
    m = doc.meta
    if json_out:
        print_json({"doc_id": m.doc_id, "title": m.title, "source": m.url or m.source, "path": m.source,
                    "at": at, "start": start, "end": end, "text": doc.text[start:end]})
        return
    out.print(f"《{m.title}》 {m.doc_id} @{start}-{end}", style="dim", markup=False)
    if m.url or m.source:
        out.print(m.url or m.source, style="dim", markup=False)
    before, after = doc.text[start:at], doc.text[at:end]
    out.print(("…" if start else "") + before, end="", markup=False)
    out.print("▶", style="bold red", end="", markup=False)
    out.print(after + ("…" if end < len(doc.text) else ""), markup=False)



@app.command()
def config(json_out: JsonOpt = False) -> None:
    """Print the effective settings (environment, then ragtool.toml here or in a parent, then defaults), secrets masked."""
    from ragtool.config import find_project_file, user_home

    settings = settings_from()
    values = settings.masked()
    project = find_project_file()
    if json_out:
        print_json({"config_file": str(project) if project else None, **values})
        return
    if project:
        out.print(f"# settings from {project}", markup=False)
    else:
        out.print(f"# no ragtool.toml here or in a parent folder: using the per-user home {user_home()} "
                  "(`ragtool init` makes this folder a project)", markup=False)
    for key, value in values.items():
        out.print(f"{key} = {value}", markup=False)


@app.command()
def doctor(
    json_out: JsonOpt = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    repair: Annotated[bool, typer.Option(
        "--repair", help="Move a damaged index aside and rebuild it from the source files (exit 4 if some are gone).")
    ] = False,
) -> None:
    """Check that the install works offline: tokenizer, OpenCC, embedder, store, index files. Exit 1 if any
    check fails."""
    from ragtool.doctor import run_checks

    settings = settings_from(home=home, embedder=embedder)
    if repair:
        from ragtool.cli.doctor_cmd import repair_command

        repair_command(settings, json_out)
        return
    checks = run_checks(settings)
    if json_out:
        print_json(checks)
    else:
        for c in checks:
            mark = "[green]ok[/green]" if c["ok"] else "[red]failed[/red]"
            out.print(f"{mark} {c['check']}: ", end="")
            out.print(c["detail"], markup=False)
    if not all(c["ok"] for c in checks):
        raise typer.Exit(ExitCode.FAILURE)


def run() -> None:
    """Entry point: user errors become one line on stderr and a documented exit code."""
    try:
        code = app(standalone_mode=False)
        if code == 130:  # typer turns Ctrl-C into a silent exit code 130
            code = _interrupted()
    except RagtoolError as e:
        fail(str(e))
        code = e.exit_code
    except KeyboardInterrupt:
        code = _interrupted()
    except SystemExit as e:  # rich and typer exit 1 when stdout is a closed pipe (`ragtool docs | head`)
        if not _closed_pipe(e):
            raise
        _quiet_stdout()
        code = ExitCode.OK
    except Exception as e:  # noqa: BLE001 - usage errors from typer's click, and anything unexpected
        code = _unexpected(e)
    # Everything is written and closed by now. The interpreter's final garbage collection walks every object
    # chromadb and pydantic created (0.1-0.2 s); frozen objects are skipped. Files still close as usual.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


def _closed_pipe(e: SystemExit) -> bool:
    return e.code == 1 and (isinstance(e.__context__, BrokenPipeError)
                            or type(sys.stdout).__name__ == "PacifyFlushWrapper")


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    import contextlib
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    os.close(devnull)


def _interrupted() -> int:
    """Ctrl-C: every write is atomic (temp file + rename, one commit per document), so nothing is half-written."""
    fail("interrupted; nothing half-written")
    return 130


def _click_message(e: Exception) -> str:
    """A click usage error as one line, pointing at the command's --help."""
    message = str(e.format_message())  # type: ignore[attr-defined]
    ctx = getattr(e, "ctx", None)
    if ctx is not None and "UsageError" in {c.__name__ for c in type(e).__mro__}:
        message += f" (see `{ctx.command_path} --help`)"
    return message


def _unexpected(e: Exception) -> int:
    names = {c.__name__ for c in type(e).__mro__}  # typer vendors click: match its exceptions by name
    if "Abort" in names and isinstance(e.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        return _interrupted()
    if "Abort" in names:
        fail("aborted")
        return ExitCode.FAILURE
    if "NoArgsIsHelpError" in names:
        e.show()  # type: ignore[attr-defined]
        return ExitCode.USAGE
    if "ClickException" in names:
        fail(_click_message(e))
        return ExitCode.USAGE if "UsageError" in names else int(getattr(e, "exit_code", 1))
    if isinstance(e, OSError):
        fail(f"{e.strerror or e} {e.filename or ''}".strip())
        return ExitCode.FAILURE
    fail(f"unexpected {type(e).__name__}: {e}")
    return ExitCode.FAILURE
