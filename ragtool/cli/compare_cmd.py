"""`ragtool compare`: one question answered once per place, as a table with verified quotes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ragtool.cli.common import (
    ChromaUrl,
    EmbedderOpt,
    EngineOpt,
    Home,
    JsonOpt,
    NoCache,
    NoSync,
    TopK,
    settings_from,
)
from ragtool.cli.output import err, json_text, out, progress_bar, write_out
from ragtool.errors import ExitCode, UsageError
from ragtool.zh.words import shorten, word_rules

if TYPE_CHECKING:
    from ragtool.models import ComparisonRow

SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "md", ".markdown": "md"}
QUOTE_CHARS = 60


def compare_command(
    question: Annotated[
        str, typer.Argument(help="The question asked of every place, e.g. 2026年GDP增长目标 or 镇长是谁 (- reads it from stdin).")
    ],
    place: Annotated[
        list[str] | None, typer.Option("--place", help="Only this place (repeatable), e.g. --place 凤岗 --place 厚街.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only documents from this year.")] = None,
    level: Annotated[str | None, typer.Option("--level", help="Only places of this level: 省, 市, 区, 县, 镇 or 街道.")] = None,
    all_docs: Annotated[
        bool, typer.Option("--all-docs", help="One row per document, not only each place's newest.")
    ] = False,
    by: Annotated[str, typer.Option("--by", help="place (default) or year: one row per place and year (a time series).")] = "place",
    sort: Annotated[
        str | None, typer.Option("--sort", help="place (default) or value: the highest parsed value first, not-found rows last.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="table (default on screen), csv, json or md. With --out, taken from its suffix.")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the rows to this file (csv, json or md).")] = None,
    engine: EngineOpt = "auto",
    top_k: TopK = None,
    no_sync: NoSync = False,
    no_cache: NoCache = False,
    json_out: JsonOpt = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer one question for every place (each place's newest document) and print one row per place:
    the place and its level, the document, the value as written and parsed (low, high, unit), the status and the
    verified quote. Rows not found stay in the table.

    Exit codes: 0 some row answered, 3 no row answered, 2 usage error, 1 any other failure.
    """
    from ragtool.api import Session
    from ragtool.compare import FORMATS, render
    from ragtool.query import check_question

    q = sys.stdin.read().strip() if question == "-" else question
    check_question(q)
    chosen = _format(fmt, out_file, json_out)
    if by not in ("place", "year"):
        raise UsageError(f"bad --by {by!r}: place or year")
    if sort not in (None, "place", "value"):
        raise UsageError(f"bad --sort {sort!r}: place or value")
    if chosen not in FORMATS:
        raise UsageError(f"unknown --format {chosen!r}; formats: {', '.join(FORMATS)}")
    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url)
    session = Session(settings, sync=False)
    if not no_sync:
        with progress_bar("sync corpus", enabled=not json_out) as update:
            session.sync_corpus(progress=update)
    if not session.corpus.store.doc_ids():
        raise UsageError(f"no documents indexed yet: run `ragtool ingest PATH`, or set RAGTOOL_CORPUS (now {settings.corpus})")
    rows = session.compare(
        q, places=place or None, year=year, level=level, all_docs=all_docs, by=by,  # type: ignore[arg-type]
        sort=sort, engine=engine, top_k=top_k, use_cache=not no_cache,  # type: ignore[arg-type]
    )
    if out_file is not None:
        from ragtool.fsutil import write_text_atomic

        try:
            write_text_atomic(out_file, render(rows, chosen))
        except OSError as e:
            raise UsageError(f"cannot write {out_file}: {e.strerror or e}") from e
        if not json_out:
            err.print(f"wrote {len(rows)} rows to {out_file}", markup=False)
    if json_out:
        write_out(json_text(render(rows, "json")))
    elif out_file is None and chosen != "table":
        write_out(render(rows, chosen))
    else:
        print_rows(q, rows)
    if not any(r.status != "not_found" for r in rows):
        if not json_out:
            err.print("no place states it" if rows else "no document matches the filters", markup=False)
        raise typer.Exit(ExitCode.NOT_FOUND)


def _format(fmt: str | None, out_file: Path | None, json_out: bool) -> str:
    if fmt is not None:
        if out_file is not None and fmt == "table":
            raise UsageError("--out writes csv, json or md, not a table: use --format csv, json or md")
        return fmt
    if out_file is not None:
        return SUFFIX_FORMATS.get(out_file.suffix.lower(), "csv")
    return "json" if json_out else "table"


def print_rows(question: str, rows: list[ComparisonRow]) -> None:
    """A compact table: the value and status per place, the quote and its document beside them (CSV/JSON/md carry
    the parsed low/high/unit too)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{question} · {len(rows)} rows"), title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("place", "level", "value", "status"):
        table.add_column(name, no_wrap=True)
    table.add_column("quote · document", overflow="fold", ratio=1, min_width=20)
    style = {"answered": "green", "conflicting": "yellow", "not_found": "red"}
    words = word_rules()
    for r in rows:
        quote = r.quote.replace("\n", " ")
        quote = shorten(quote, QUOTE_CHARS, words)  # never cut inside a word
        source = Text(f"「{quote}」\n" if quote else "")
        source.append(f"《{r.title[:40]}》 {r.date or (r.year or '')}", style="dim")
        cells = [r.place or "", r.level or "", r.figure or r.value]
        table.add_row(*(Text(c) for c in cells), Text(r.status, style=style[r.status]), source)
    out.print(table)
