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
from ragtool.cli.output import err, fail, out, print_json, progress_bar
from ragtool.cli.status_cmd import status_command
from ragtool.errors import ExitCode, RagtoolError, UsageError

if TYPE_CHECKING:
    from ragtool.index.corpus import Corpus
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
    add_completion=False,
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


docs_app = typer.Typer(help="List, show and remove indexed documents.", no_args_is_help=False)
app.add_typer(docs_app, name="docs")
app.command("ask")(ask_command)
app.command("compare")(compare_command)
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
    paths: Annotated[list[str], typer.Argument(help="Files or folders (recursive). `-` reads one document from stdin.")],
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Rebuild the index from these paths only; the old one stays in use until the new one is complete."),
    ] = False,
    background: Annotated[
        bool, typer.Option("--background", help="Return at once; the ingest goes on in the background (see `ragtool status`).")
    ] = False,
    json_out: JsonOpt = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Ingest .txt .md .html .pdf .docx files into the index. Unchanged files are skipped.

    Every document is searchable lexically (BM25) within seconds; its dense vectors follow. A stopped ingest
    resumes where it stopped when run again. Exit code 4 when some files were skipped (each is listed with its reason).
    """
    from ragtool.ingest.pipeline import ingest_paths

    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url)
    targets = [_stdin_document(settings.home) if p == "-" else Path(p) for p in paths]
    if background:
        from ragtool.cli.status_cmd import ingest_in_background

        ingest_in_background(settings, targets, reset=reset, embedder=embedder, chroma_url=chroma_url, json_out=json_out)
        return
    with progress_bar("ingest", enabled=not json_out) as update:
        report = ingest_paths(targets, settings, reset=reset, progress=update)
    if json_out:
        print_json(report)
    else:
        out.print(
            f"files {report.files} · added {report.added} · replaced {report.replaced} · "
            f"unchanged {report.unchanged} · duplicates {report.duplicates} · chunks {report.chunks} · "
            f"skipped {len(report.skipped)} · {report.seconds:.1f}s (searchable lexically after "
            f"{report.lexical_seconds:.1f}s; {report.embedded} chunks embedded)"
        )
        for s in report.skipped:
            err.print(f"skipped {s.path}: {s.reason}", markup=False)
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
    from ragtool.index.lock import index_lock
    from ragtool.index.store import VectorStore

    settings = settings_from(home=home, chroma_url=chroma_url)
    with index_lock(settings):
        metas = VectorStore(settings).documents()
    rows = [
        {"id": m.doc_id, "place": m.place, "kind": m.kind, "date": m.date, "title": m.title, "chunks": m.chunks}
        for m in metas
    ]
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("id", "place", "kind", "date", "title", "chunks")
    for m in metas:
        table.add_row(m.doc_id, m.place or "", m.kind, m.date or "", m.title[:40], str(m.chunks))
    out.print(table)
    if not rows:
        err.print("no documents indexed yet: run `ragtool ingest PATH` (or `ragtool ask`, which syncs the corpus)")


@docs_app.command("show")
def docs_show(
    doc_id: Annotated[str, typer.Argument(help="Document id (or a unique prefix).")],
    json_out: JsonOpt = False,
    home: Home = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Print a document's metadata and cleaned text."""
    from ragtool.index.corpus import Corpus
    from ragtool.index.lock import index_lock

    settings = settings_from(home=home, chroma_url=chroma_url)
    with index_lock(settings):
        doc = _find_doc(doc_id, Corpus(settings))
    if json_out:
        print_json(doc)
        return
    for key, value in doc.meta.model_dump().items():
        out.print(f"{key}: {value}", markup=False)
    out.print("")
    out.print(doc.text, markup=False)


@docs_app.command("rm")
def docs_rm(
    doc_id: Annotated[str, typer.Argument(help="Document id (or a unique prefix).")],
    json_out: JsonOpt = False,
    home: Home = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Remove a document and its chunks from the index."""
    from ragtool.index.corpus import Corpus
    from ragtool.index.lock import index_lock

    settings = settings_from(home=home, chroma_url=chroma_url)
    with index_lock(settings):
        corpus = Corpus(settings)
        doc = _find_doc(doc_id, corpus)
        corpus.store.remove_document(doc.meta.doc_id)
    if json_out:
        print_json({"removed": doc.meta.doc_id})
    else:
        out.print(f"removed {doc.meta.doc_id} ({doc.meta.title})", markup=False)


def _find_doc(doc_id: str, corpus: Corpus) -> Document:
    """A document by id or unique prefix; the caller holds the index lock."""
    doc = corpus.get_document(doc_id)
    if doc is None:
        raise UsageError(f"no indexed document with id {doc_id!r} (see `ragtool docs`)")
    return doc


@app.command()
def config(json_out: JsonOpt = False) -> None:
    """Print the effective settings (environment, then ./ragtool.toml, then defaults), secrets masked."""
    settings = settings_from()
    values = settings.masked()
    if json_out:
        print_json(values)
        return
    for key, value in values.items():
        out.print(f"{key} = {value}", markup=False)


@app.command()
def doctor(json_out: JsonOpt = False, home: Home = None, embedder: EmbedderOpt = None) -> None:
    """Check that the install works offline: tokenizer, OpenCC, embedder, store. Exit 1 if any check fails."""
    from ragtool.doctor import run_checks

    settings = settings_from(home=home, embedder=embedder)
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
    except RagtoolError as e:
        fail(str(e))
        code = e.exit_code
    except KeyboardInterrupt:
        fail("interrupted")
        code = 130
    except Exception as e:  # noqa: BLE001 - usage errors from typer's click, and anything unexpected
        code = _unexpected(e)
    # Everything is written and closed by now. The interpreter's final garbage collection walks every object
    # chromadb and pydantic created (0.1-0.2 s); frozen objects are skipped. Files still close as usual.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


def _click_message(e: Exception) -> str:
    """A click usage error as one line, pointing at the command's --help."""
    message = str(e.format_message())  # type: ignore[attr-defined]
    ctx = getattr(e, "ctx", None)
    if ctx is not None and "UsageError" in {c.__name__ for c in type(e).__mro__}:
        message += f" (see `{ctx.command_path} --help`)"
    return message


def _unexpected(e: Exception) -> int:
    names = {c.__name__ for c in type(e).__mro__}  # typer vendors click: match its exceptions by name
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
