"""`ragtool summarize`: structured summaries of one or many documents, printed or written to --out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ragtool.cli.common import ChromaUrl, EmbedderOpt, EngineOpt, Home, JsonOpt, NoCache, settings_from
from ragtool.cli.output import err, out, print_json, progress_bar
from ragtool.errors import ExitCode, RagtoolError, UsageError

if TYPE_CHECKING:  # summaries load only when summarize runs (ragtool ask starts faster)
    from ragtool.config import Settings
    from ragtool.models import DocumentSummary
    from ragtool.summarize.batch import BatchReport, Failure, Job


def summarize_command(
    targets: Annotated[list[str] | None, typer.Argument(help="Document ids (or prefixes) in the index, or files/folders.")] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="Summarise every indexed document.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write summaries to this folder (resumable).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="json or md (one file per document), jsonl or csv (one file; csv: one row per key figure); without --out, printed in that format.")] = None,
    engine: EngineOpt = "auto",
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Documents summarised at once (llm engine).")] = 4,
    batch_api: Annotated[bool, typer.Option("--batch-api", help="Use the OpenAI Batch API (llm engine; cheaper, slower).")] = False,
    batch_file: Annotated[Path | None, typer.Option("--batch-file-only", help="Only write the batch input JSONL to this file (for the Batch API or vLLM run_batch).")] = None,
    batch_results: Annotated[Path | None, typer.Option("--batch-results", help="Read a finished batch output JSONL (e.g. from vLLM run_batch) instead of calling a server.")] = None,
    poll_interval: Annotated[float, typer.Option("--poll-interval", min=0.0, help="Seconds between batch status checks.")] = 30.0,
    no_cache: NoCache = False,
    json_out: JsonOpt = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Summarise documents: officials, key figures (actual/target), priorities, meeting and abstract, each
    item with a verified quote.

    Exit codes: 0 ok, 3 nothing found, 4 some documents failed (listed at the end), 7 LLM server error.
    """
    from ragtool.summarize.batch import FORMATS, NotFoundError, load_jobs

    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}: use {', '.join(FORMATS)}")
    if not targets and not all_docs:
        raise UsageError("name documents (ids or paths) or use --all")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file, not a folder: name a folder (created if missing)")
    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url)
    _check_prefixes(settings, [t for t in targets or [] if not Path(t).exists()])
    jobs, failures = load_jobs(settings, targets or [], all_docs)
    if not jobs:
        raise NotFoundError(failures[0].error + f": {failures[0].doc_id}" if failures else "no documents to summarise")
    if batch_file is not None:
        _write_batch_file(settings, jobs, batch_file, json_out)
        return
    uses_batch = batch_api or batch_results is not None
    if uses_batch and engine == "extractive":
        raise UsageError("--batch-api and --batch-results need the llm engine")
    engine = "llm" if uses_batch else engine
    if out_dir is None:
        _print_summaries(settings, jobs, failures, engine, not no_cache, "json" if json_out and not fmt else fmt)
        return
    report = _run(settings, jobs, out_dir, fmt or "json", engine, concurrency, not no_cache, json_out,
                  batch_api, batch_results, poll_interval)
    report.failed = failures + report.failed
    _report(report, json_out)
    if report.failed:
        raise typer.Exit(ExitCode.PARTIAL)


def _check_prefixes(settings: Settings, prefixes: list[str]) -> None:
    if not prefixes:
        return
    from ragtool.api import check_prefix
    from ragtool.index.lock import index_lock
    from ragtool.index.store import VectorStore

    with index_lock(settings):
        ids = VectorStore(settings).doc_ids()
    for prefix in prefixes:
        check_prefix(prefix, ids)


def _run(settings: Settings, jobs: list[Job], out_dir: Path, fmt: str, engine: str, concurrency: int,
         use_cache: bool, json_out: bool, batch_api: bool, batch_results: Path | None,
         poll_interval: float) -> BatchReport:
    from ragtool.summarize import batch_api as api
    from ragtool.summarize.batch import run_batch

    runner = None
    version = None
    if batch_results is not None:
        text = batch_results.read_text(encoding="utf-8")
        runner = lambda todo: api.summaries_from_results(settings, todo, api.parse_results(text))  # noqa: E731
        version = api.batch_version(settings)
    elif batch_api:
        runner = api.BatchAPI(settings, poll_interval=poll_interval).run
        version = api.batch_version(settings)
    with progress_bar("summarize", enabled=not json_out) as update:
        return run_batch(settings, jobs, out_dir, fmt, engine, concurrency, use_cache, update,
                         batch_api=runner, version=version)


def _write_batch_file(settings: Settings, jobs: list[Job], path: Path, json_out: bool) -> None:
    from ragtool.summarize.batch_api import write_batch_file

    n = write_batch_file(settings, jobs, path)
    if json_out:
        print_json({"batch_file": str(path), "requests": n, "documents": len(jobs)})
    else:
        out.print(f"wrote {n} requests for {len(jobs)} documents to {path}", markup=False)


def _print_summaries(settings: Settings, jobs: list[Job], failures: list[Failure], engine: str,
                     use_cache: bool, fmt: str | None) -> None:
    """Summaries on stdout: readable, or in --format (json, jsonl, md, csv)."""
    import sys

    from ragtool.summarize import summarize_document
    from ragtool.summarize.batch import Failure
    from ragtool.summarize.render import to_csv, to_jsonl, to_markdown

    summaries = []
    for j in jobs:
        try:
            summaries.append(summarize_document(settings, j.doc, j.chunks, engine=engine, use_cache=use_cache))
        except RagtoolError as e:
            if e.exit_code != ExitCode.PARTIAL:
                raise
            failures.append(Failure(doc_id=j.doc_id, error=str(e)))
    if not summaries:
        pass
    elif fmt == "json":
        print_json(summaries[0] if len(summaries) == 1 else [s.model_dump(mode="json") for s in summaries])
    elif fmt in ("jsonl", "md"):
        sys.stdout.write(to_jsonl(summaries) if fmt == "jsonl" else "\n".join(to_markdown(s) for s in summaries))
        sys.stdout.flush()
    elif fmt == "csv":
        sys.stdout.write(to_csv(summaries).decode("utf-8-sig"))
        sys.stdout.flush()
    else:
        for s in summaries:
            _print_readable(s)
    for f in failures:
        err.print(f"failed {f.doc_id}: {f.error}", markup=False)
    if failures:
        raise typer.Exit(ExitCode.PARTIAL)


def _print_readable(s: DocumentSummary) -> None:
    from rich.markup import escape
    from rich.table import Table

    out.print(f"[bold]{escape(s.title or s.doc_id)}[/bold]")
    facts = " · ".join(escape(str(v)) for v in (s.doc_id, s.place, s.kind, s.date, s.meeting) if v)
    out.print(facts)
    if s.abstract:
        out.print(escape(s.abstract))
    if s.officials:
        table = Table("职务", "姓名", "原文", title="领导")
        for o in s.officials:
            table.add_row(escape(o.role), escape(o.name), escape(o.quote))
        out.print(table)
    if s.key_figures:
        table = Table("指标", "数值", "年份", "类型", "限定", "原文", title="主要指标")
        for f in s.key_figures:
            table.add_row(escape(f.indicator), escape(f.value), str(f.year or ""), f.type, escape(f.qualifier),
                          escape(f.quote))
        out.print(table)
    if s.priorities:
        out.print("[bold]重点工作[/bold]")
        for p in s.priorities:
            out.print(f"  • {escape(p.text)}")
    out.print(f"[dim]{escape(s.engine)} {escape(s.prompt_version)}[/dim]\n")


def _report(report: BatchReport, json_out: bool) -> None:
    if json_out:
        print_json(report)
        return
    out.print(f"{report.out}: written {len(report.written)} · up to date {len(report.skipped)} · "
              f"failed {len(report.failed)} · engine {report.engine}", markup=False)
    for f in report.failed:
        err.print(f"failed {f.doc_id}: {f.error}", markup=False)
