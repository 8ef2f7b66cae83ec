"""`ragtool ask`: one question, a file of questions, or questions on stdin."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Annotated

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
from ragtool.cli.output import err, fail, out, print_json, print_jsonl, progress_bar
from ragtool.errors import ExitCode, RagtoolError, UsageError
from ragtool.models import Answer, Citation, RetrievedChunk, context_chunks


def ask_command(
    question: Annotated[
        str | None, typer.Argument(help="The question, e.g. 凤岗2025年GDP目标? Use - to read questions from stdin.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("-f", "--file", help="Answer one question per line of this file (- for stdin).")
    ] = None,
    engine: EngineOpt = "auto",
    top_k: TopK = None,
    place: Annotated[str | None, typer.Option("--place", help="Only documents about this place, e.g. 凤岗.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only documents from this year.")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document id (or prefix).")] = None,
    show_context: Annotated[bool, typer.Option("--show-context", help="Also print the retrieved chunks and scores.")] = False,
    no_sync: NoSync = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also print the candidate answers the extractive engine weighed, with their features.")
    ] = False,
    no_cache: NoCache = False,
    json_out: JsonOpt = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer a question from the indexed documents, with verified quotes.

    Exit codes: 0 answered or conflicting (with -f: all questions processed), 3 not found, 2 usage error,
    1 any other failure.
    """
    from ragtool.api import Session
    from ragtool.query import check_question

    questions = _questions(question, file)
    if file is None and question != "-":
        check_question(questions[0])
    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url)
    session = Session(settings, sync=False)
    if not no_sync:
        with progress_bar("sync corpus", enabled=not json_out) as update:
            report = session.sync_corpus(progress=update)
        if report and report.skipped and not json_out:
            err.print(f"sync: skipped {len(report.skipped)} file(s); run `ragtool ingest` to see why", markup=False)
        if report and report.background and not json_out:
            err.print(f"sync: dense vectors are being computed in the background (pid {report.background}); "
                      "`ragtool status` follows it", markup=False)
    known = session.corpus.store.doc_ids()
    if not known:
        raise UsageError(_empty_index(settings.corpus))
    # What the imports and the store's opening made lives to the end: the cycle collector's runs while the question
    # is answered skip it, instead of walking every object of chromadb and pydantic each time (about 60 ms).
    gc.freeze()
    if doc:
        from ragtool.api import check_prefix

        check_prefix(doc, known)
    opts = {"engine": engine, "top_k": top_k, "place": place, "year": year, "doc": doc, "use_cache": not no_cache,
            "explain": explain}
    if file is None and question != "-":
        answer, hits = session.ask_with_context(questions[0], **opts)  # type: ignore[arg-type]
        if show_context:
            answer.context = context_chunks(hits, top_k or settings.top_k)
        _emit(answer, hits, json_out, show_context)
        if answer.status == "not_found":
            raise typer.Exit(ExitCode.NOT_FOUND)
        return
    failures = 0
    for n, q in enumerate(questions, 1):
        try:
            check_question(q)
            answer, hits = session.ask_with_context(q, **opts)  # type: ignore[arg-type]
            if show_context:
                answer.context = context_chunks(hits, top_k or settings.top_k)
        except UsageError as e:
            failures += 1
            fail(f"question {n}: {e}")
            continue
        except RagtoolError:
            raise
        if json_out:
            print_jsonl(answer)
        else:
            out.rule(f"{n}. {q}", style="dim")
            _emit(answer, hits, False, show_context)
    if failures:
        raise typer.Exit(ExitCode.FAILURE)


def _empty_index(corpus: Path) -> str:
    state = "has no documents" if corpus.is_dir() else "does not exist"
    return (f"no documents indexed yet and the corpus folder {corpus} {state}: "
            "run `ragtool ingest PATH`, or set RAGTOOL_CORPUS to a folder of documents")


def _questions(question: str | None, file: Path | None) -> list[str]:
    if question and file:
        raise UsageError("give either a question or -f FILE, not both")
    if file is not None:
        text = sys.stdin.read() if str(file) == "-" else _read(file)
    elif question == "-":
        text = sys.stdin.read()
    elif question is not None:
        return [question]
    else:
        raise UsageError("no question: try  ragtool ask \"凤岗2025年GDP目标?\"")
    lines = [ln.strip() for ln in text.splitlines()]
    found = [ln for ln in lines if ln and not ln.startswith("#")]
    if not found:
        raise UsageError("no questions found (one per line; # starts a comment)")
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read questions from {path}: {getattr(e, 'strerror', None) or e}") from e


def _emit(answer: Answer, hits: list[RetrievedChunk], json_out: bool, show_context: bool) -> None:
    if json_out:
        print_json(answer)
        return
    style = {"answered": "bold green", "conflicting": "bold yellow", "not_found": "bold red"}[answer.status]
    out.print(answer.answer, style=style, markup=False)
    if answer.comparison:  # 哪个镇…最高, 比较A和B, 各镇…分别: one row per place
        from ragtool.cli.compare_cmd import print_rows

        print_rows(answer.question, answer.comparison)
    if answer.status == "conflicting":
        for i, cand in enumerate(answer.candidates, 1):
            out.print(f"  候选{i}: {cand.value} — {cand.kind} {cand.date or ''} 《{cand.title}》", markup=False)
    for i, c in enumerate(answer.citations, 1):
        print_citation(i, c)
    for note in answer.notes:
        out.print(f"note: {note}", style="yellow", markup=False)
    out.print(f"engine {answer.engine} · confidence {answer.confidence:.2f}", style="dim", markup=False)
    if answer.explanation:
        out.rule("candidates (score, veto, features)", style="dim")
        for weighed in answer.explanation:
            feats = " ".join(f"{k}={v:g}" for k, v in weighed.features.items())
            out.print(
                f"{weighed.score:7.2f} {weighed.vetoed or '-':6} {weighed.value[:50]} 《{weighed.title}》 § {weighed.section}",
                markup=False,
            )
            out.print(f"        {feats}", style="dim", markup=False)
    if show_context:
        out.rule("retrieved context", style="dim")
        for ctx in answer.context:
            out.print(
                f"#{ctx.rank} score {ctx.score:.4f} dense {_rank(ctx.dense_rank)} lexical {_rank(ctx.lexical_rank)} "
                f"{ctx.chunk_id} {ctx.place or ''} {ctx.date or ''} § {ctx.section}",
                style="dim",
                markup=False,
            )
            out.print("    " + ctx.text[:200].replace("\n", " "), markup=False)


def citation_fields(c: Citation) -> list[str]:
    """A citation's fields as printed; each is kept whole when the line wraps."""
    fields = [f"《{c.title}》", f"doc {c.doc_id} @{c.start}-{c.end}"]
    fields += [v for v in (c.place, c.date, c.kind if c.kind != "other" else "") if v]
    fields += [v for v in dict.fromkeys((c.source, c.path)) if v]
    if c.page is not None:
        fields.append(f"p. {c.page}")
    if c.ocr:
        fields.append("(read by OCR)")
    if c.source_start is not None:
        fields.append(f"file @{c.source_start}-{c.source_end}")
    return fields


def wrap_fields(fields: list[str], width: int, first: str = "", indent: str = "    ") -> list[str]:
    """Fields joined by spaces into lines of at most `width` cells, breaking only between fields."""
    from rich.cells import cell_len

    lines: list[str] = []
    line, filled = first, False
    for f in fields:
        candidate = f"{line} {f}" if line else f
        if filled and cell_len(candidate) > width:
            lines.append(line)
            candidate = indent + f
        line, filled = candidate, True
    lines.append(line)
    return lines


def print_citation(i: int, c: Citation) -> None:
    for line in wrap_fields(citation_fields(c), out.width, first=f"[{i}]"):
        out.print(line, style="dim", markup=False)
    out.print(f"    「{c.quote}」", markup=False)
    if c.source_quote:
        out.print(f"    原文「{c.source_quote}」", markup=False)


def _rank(r: int | None) -> str:
    return "-" if r is None else str(r + 1)
