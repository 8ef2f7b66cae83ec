"""The JSON API: thin handlers over api.Session (see README "Web app and HTTP API")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ragtool import __version__
from ragtool.api import doc_row
from ragtool.config import PACKAGE_DIR, resolve_engine
from ragtool.models import Answer, ComparisonRow, DocMeta, DocumentSummary
from ragtool.serve import schemas as s
from ragtool.serve.errors import HttpError
from ragtool.serve.jobs import Job, JobState
from ragtool.serve.locate import locate
from ragtool.serve.multipart import read_form
from ragtool.serve.readers import answer_bytes
from ragtool.serve.state import State
from ragtool.serve.uploads import UPLOAD_DIR, is_upload, safe_name, save_upload, under

STATIC = Path(__file__).resolve().parent / "static"
T = TypeVar("T")
router = APIRouter(prefix="/api", responses=s.ERRORS)


def state(request: Request) -> State:
    st: State = request.app.state.ragtool
    return st


def read(request: Request, fn: Callable[[], T]) -> T:
    """Session reads take turns (its caches are shared); writes run on the job worker."""
    st = state(request)
    with st.read_lock:
        return fn()


def csv_response(text: str | bytes, name: str) -> Response:
    data = text.encode("utf-8-sig") if isinstance(text, str) else text
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- health, ask, compare ----------------------------------------------------------------------


@router.get("/csrf", response_model=s.Csrf)
def csrf(request: Request) -> s.Csrf:
    """This server's CSRF token: every POST and DELETE sends it as X-Ragtool-CSRF. Only a page (or script) that
    can read this same-origin answer can write or start costly work; another site's page cannot."""
    return s.Csrf(csrf=state(request).csrf)


@router.get("/health", response_model=s.Health)
def health(request: Request) -> s.Health:
    st = state(request)
    docs = read(request, lambda: len(st.session.corpus.store.doc_ids()))
    return s.Health(version=__version__, documents=docs, embedder=st.session.settings.embedder,
                    engine=resolve_engine(st.session.settings, "auto"), auth=st.token is not None)


@router.post("/ask", response_model=Answer)
async def ask(body: s.AskRequest, request: Request) -> Any:
    """The Answer model (what `ragtool ask --json` prints); `context: true` adds the retrieved chunks. The same
    request on the same index is answered from memory (serve.toml `answer_cache`)."""
    st = state(request)
    key = (body.model_dump_json(), await run_in_threadpool(st.session.corpus.store.signature))
    got = st.remembered(key)
    if got is None:
        if st.readers is not None and st.readers.ready:  # new questions in parallel, one per reader process
            got = await st.readers.ask(body)
        else:
            got = await run_in_threadpool(read, request, lambda: answer_bytes(st.session, body))
        st.remember(key, got)
    return Response(got, media_type="application/json")


@router.post("/compare", response_model=list[ComparisonRow])
def compare(body: s.CompareRequest, request: Request) -> Any:
    """One row per place (what `ragtool compare --json` prints); `format: csv` gives the CSV file."""
    from ragtool.compare import to_csv

    st = state(request)
    rows = read(request, lambda: st.session.compare(
        body.question, places=body.places, year=body.year, level=body.level, all_docs=body.all_docs, by=body.by,
        sort=body.sort, engine=body.engine))
    if body.format == "csv":
        return csv_response(to_csv(rows), "compare.csv")
    return rows


# ---- documents -----------------------------------------------------------------------------------


@router.get("/docs", response_model=list[DocMeta], summary="List documents (a browser gets this API's docs)")
def documents(request: Request) -> Any:
    """Indexed documents (what `ragtool docs --json` lists, with every metadata field). A browser asking for HTML
    gets the API reference page instead."""
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "application/json" not in accept:
        return FileResponse(STATIC / "apidocs.html", media_type="text/html")
    st = state(request)
    return [doc_row(m) for m in read(request, st.session.documents)]


@router.get("/docs/{doc_id}", response_model=s.DocumentView)
def document(doc_id: str, request: Request, quote: str | None = None, start: int | None = None,
             end: int | None = None) -> s.DocumentView:
    """A document's metadata and cleaned text; with `quote` (and its offsets, if known) also where it is."""
    st = state(request)
    doc = read(request, lambda: st.session.document(doc_id))
    where = locate(doc.text, quote or "", start, end)
    return s.DocumentView(meta=doc.meta, text=doc.text,
                          highlight=s.Highlight(start=where[0], end=where[1]) if where else None)


@router.delete("/docs/{doc_id}", response_model=s.Removed)
def remove(doc_id: str, request: Request) -> s.Removed:
    """Remove a document from the index (under the index lock); an uploaded file is deleted with it."""
    st = state(request)
    meta = read(request, lambda: st.session.remove(doc_id))
    if is_upload(meta.source, st.session.settings.home):
        Path(meta.source).unlink(missing_ok=True)
    return s.Removed(doc_id=meta.doc_id)


# ---- ingest and jobs -----------------------------------------------------------------------------


@router.post("/ingest", response_model=Job, status_code=202, openapi_extra={"requestBody": {"content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
    "application/json": {"schema": s.IngestPaths.model_json_schema()}}}})
async def ingest(request: Request) -> Job:
    """Upload files (multipart, field `files`) or name paths under the corpus folder (JSON). Returns a job to poll
    at /api/jobs/{id} (or stream at /api/jobs/{id}/events); its result is the IngestReport. The files and the job
    are on disk before the 202: a restarted server ingests them. An upload that ends up not being an indexed
    document (refused, a duplicate of another file) is deleted."""
    st = state(request)
    settings = st.session.settings
    lim = st.limits
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            body = s.IngestPaths.model_validate_json(await request.body())
        except ValidationError as e:
            raise HttpError(400, "usage", f"bad ingest request: {e.errors()[0]['msg']}") from e
        paths = [under(settings.corpus, p) for p in body.paths]
        reset = body.reset
    else:
        declared = int(request.headers.get("content-length") or 0)
        if declared > min(lim.max_upload_bytes * lim.max_upload_files, lim.max_request_bytes) + (1 << 20):
            raise HttpError(413, "too_large", f"upload too large (limit {lim.max_upload_bytes >> 20} MB per file, "
                                              f"{lim.max_request_bytes >> 20} MB per request)")
        parts = await read_form(kind, request.stream(), lim)
        files = [p for p in parts if p.filename is not None]
        if not files:
            raise HttpError(400, "usage", "no files in the upload (form field `files`)")
        named = [(bytes(p.data), safe_name(p.filename or "", lim.name_chars)) for p in files]
        paths = await run_in_threadpool(save_all, st, named)
        reset = False
    return await run_in_threadpool(
        st.jobs.submit, "ingest", ingest_work(st, paths, reset), [str(p) for p in paths], reset)


def save_all(st: State, named: list[tuple[bytes, str]]) -> list[Path]:
    """Save every upload, or none: when one fails (a full disk), the ones saved before it go too."""
    saved: list[Path] = []
    try:
        for data, name in named:
            saved.append(save_upload(data, name, st.session.settings.home))
    except BaseException:
        drop_unindexed_uploads(st, saved)
        raise
    return saved


def ingest_work(st: State, paths: list[Path], reset: bool) -> Callable[[Callable[[str, float, int], None]], Any]:
    def work(progress: Callable[[str, float, int], None]) -> Any:
        try:
            return st.session.ingest(paths, reset=reset, progress=progress)
        finally:
            drop_unindexed_uploads(st, paths)

    return work


def drop_unindexed_uploads(st: State, paths: list[Path], waiting: tuple[JobState, ...] = ("queued",)) -> None:
    """Delete uploaded files that are not the source of an indexed document (refused, duplicates, or already
    indexed from another file), unless a job in a `waiting` state still names them."""
    home = st.session.settings.home
    candidates = [p for p in paths if is_upload(str(p), home)]
    if not candidates:
        return
    with st.read_lock:
        sources = {str(Path(m.source).resolve()) for m in st.session.documents() if m.source}
    keep = sources | {str(Path(p).resolve()) for p in st.jobs.pending_paths(waiting)}
    for path in candidates:
        if str(path.resolve()) not in keep:
            path.unlink(missing_ok=True)


def resume_jobs(st: State) -> None:
    """At start-up: delete uploads that no unfinished job names and no document came from (a kill before the 202);
    ingest again what a killed server accepted; say plainly which evaluations were lost."""
    unfinished = st.jobs.unfinished()
    folder = st.session.settings.home / UPLOAD_DIR
    if folder.is_dir():
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        drop_unindexed_uploads(st, files, waiting=("queued", "running"))
    for record in unfinished:
        if record.job.kind == "ingest":
            paths = [Path(p) for p in record.paths if Path(p).exists()]
            lost = len(record.paths) - len(paths)
            note = "resumed after a server restart" + (f"; {lost} file(s) were gone" if lost else "")
            st.jobs.resume(record, ingest_work(st, paths, record.reset), note)
        else:
            st.jobs.resume(record, None, "lost: the server stopped before this evaluation finished; run it again")


@router.get("/jobs/{job_id}", response_model=Job)
def job(job_id: str, request: Request) -> Job:
    got = state(request).jobs.get(job_id)
    if got is None:
        raise HttpError(404, "not_found", f"no job {job_id!r}")
    return got


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse)
async def job_events(job_id: str, request: Request) -> StreamingResponse:
    """Server-sent events: the job as JSON whenever it changes, until it is done or failed."""
    jobs = state(request).jobs
    if jobs.get(job_id) is None:
        raise HttpError(404, "not_found", f"no job {job_id!r}")

    async def events() -> AsyncIterator[str]:
        last = ""
        while True:
            got = jobs.get(job_id)
            if got is None:
                return
            text = got.model_dump_json()
            if text != last:
                last = text
                yield f"data: {text}\n\n"
            if got.state in ("done", "failed") or await request.is_disconnected():
                return
            await asyncio.sleep(0.2)

    return StreamingResponse(events(), media_type="text/event-stream")


# ---- summaries and figures -----------------------------------------------------------------------


@router.get("/summaries/{doc_id}", response_model=DocumentSummary)
def summary(doc_id: str, request: Request, engine: s.Engine = "extractive") -> DocumentSummary:
    """One document's extractive DocumentSummary (what `ragtool summarize ID --engine extractive --json` prints).
    A GET never calls the LLM: POST for the LLM engine."""
    if engine != "extractive":
        raise HttpError(400, "usage", f"a GET never calls the LLM: POST /api/summaries/{doc_id} with "
                                      f'{{"engine": "{engine}"}}')
    st = state(request)
    return read(request, lambda: st.session.summarize(doc_id, engine="extractive"))


@router.post("/summaries/{doc_id}", response_model=DocumentSummary)
def summary_with(doc_id: str, body: s.SummaryRequest, request: Request) -> DocumentSummary:
    """One document's DocumentSummary with any engine (what `ragtool summarize ID --json` prints); the LLM engine
    spends calls, so this is a POST with the CSRF header."""
    st = state(request)
    return read(request, lambda: st.session.summarize(doc_id, engine=body.engine))


@router.get("/figures", response_model=list[dict[str, Any]])
def figures(request: Request, indicator: str | None = None, place: str | None = None,
            format: Literal["json", "csv"] = Query("json")) -> Any:  # noqa: A002 - the API's parameter name
    """Key figures of every document from the extractive summaries, one row each (the columns of `ragtool
    summarize --format csv`). A GET never calls the LLM: POST for the LLM engine."""
    return _figures(request, s.FiguresRequest(indicator=indicator, place=place, format=format, engine="extractive"))


@router.post("/figures", response_model=list[dict[str, Any]])
def figures_with(body: s.FiguresRequest, request: Request) -> Any:
    """Key figures with any engine (the LLM engine spends calls, so this is a POST with the CSRF header)."""
    return _figures(request, body)


def _figures(request: Request, body: s.FiguresRequest) -> Any:
    from ragtool.summarize.render import figure_rows, to_csv

    st = state(request)
    summaries = read(request, lambda: st.session.figures(indicator=body.indicator, place=body.place,
                                                         engine=body.engine))
    if body.format == "csv":
        return csv_response(to_csv(summaries), "key_figures.csv")
    return figure_rows(summaries)


# ---- evaluation ------------------------------------------------------------------------------------


def eval_root() -> Path:
    here = Path("evals")
    return here.resolve() if here.is_dir() else PACKAGE_DIR.parent / "evals"


def suites() -> list[str]:
    root = eval_root()
    found = [p for p in root.rglob("*.jsonl") if p.is_file() and "summary_facts" not in p.name]
    return sorted(str(p.relative_to(root)) for p in found)


@router.get("/eval/suites", response_model=list[str])
def eval_suites() -> list[str]:
    """The labelled suites under evals/ that POST /api/eval can run."""
    return suites()


@router.post("/eval", response_model=Job, status_code=202)
def evaluate(body: s.EvalRequest, request: Request) -> Job:
    """Run a suite (like `ragtool eval --json`) on the job worker; the job's result is the EvalRun."""
    st = state(request)
    if body.suite not in suites():
        raise HttpError(400, "usage", f"unknown suite {body.suite!r}: see GET /api/eval/suites")
    path = eval_root() / body.suite

    def work(progress: Callable[[str, float, int], None]) -> Any:
        from ragtool.eval.run import run_suite

        settings = st.session.settings
        run = run_suite(settings, path, engine=resolve_engine(settings, body.engine), label=body.filter,
                        progress=lambda done, total: progress("", done, total))
        return run.model_dump(mode="json") | {"baseline_key": run.baseline_key,
                                               "provider_errors": len(run.provider_errors)}

    return st.jobs.submit("eval", work)


@router.get("/eval/{job_id}/report.html", response_class=Response)
def eval_report(job_id: str, request: Request) -> Response:
    """The finished run's self-contained HTML report (what `ragtool eval --report out.html` writes), as a download."""
    from ragtool.eval.report import render_html
    from ragtool.eval.results import EvalRun

    got = state(request).jobs.get(job_id)
    if got is None or got.kind != "eval" or got.state != "done":
        raise HttpError(404, "not_found", f"no finished eval job {job_id!r}")
    run = EvalRun.model_validate({k: v for k, v in got.result.items() if k not in ("baseline_key", "provider_errors")})
    return Response(render_html(run), media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="eval-report.html"'})
