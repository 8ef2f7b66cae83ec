"""Request and response bodies of the JSON API (the library's pydantic models are reused inside them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ragtool.models import DocMeta

Engine = Literal["auto", "extractive", "llm"]


class AskRequest(BaseModel):
    question: str = Field(..., examples=["凤岗2025年GDP目标?"])
    engine: Engine = "auto"
    top_k: int | None = Field(None, ge=1)
    place: str | None = None
    year: int | None = None
    doc: str | None = None
    explain: bool = False
    context: bool = Field(False, description="Also return the retrieved chunks (like ask --show-context).")


class CompareRequest(BaseModel):
    question: str = Field(..., examples=["2025年GDP增长目标"])
    places: list[str] | None = None
    year: int | None = None
    level: str | None = None
    all_docs: bool = False
    by: Literal["place", "year"] = "place"
    sort: Literal["place", "value"] | None = None
    engine: Engine = "auto"
    format: Literal["json", "csv"] = "json"


class Highlight(BaseModel):
    start: int
    end: int


class DocumentView(BaseModel):
    """A document's metadata and cleaned text; `highlight` locates the asked quote in that text."""

    meta: DocMeta
    text: str
    highlight: Highlight | None = None


class Removed(BaseModel):
    """What `ragtool docs rm --json` prints."""

    doc_id: str
    removed: bool = True


class IngestPaths(BaseModel):
    paths: list[str] = Field(..., description="Files or folders relative to the corpus folder.")
    reset: bool = False


class EvalRequest(BaseModel):
    suite: str = Field("seeds.jsonl", description="A cases file under evals/ (see GET /api/eval/suites).")
    filter: str | None = Field(None, description="Only cases with this tag, kind or id.")
    engine: Engine = "extractive"


class SummaryRequest(BaseModel):
    engine: Engine = "auto"


class FiguresRequest(BaseModel):
    indicator: str | None = None
    place: str | None = None
    format: Literal["json", "csv"] = "json"
    engine: Engine = "auto"


class Csrf(BaseModel):
    csrf: str = Field(..., description="Send it as the X-Ragtool-CSRF header of every POST and DELETE.")
    header: str = "X-Ragtool-CSRF"


class Health(BaseModel):
    ok: bool = True
    version: str
    documents: int
    embedder: str
    engine: str
    auth: bool


class ErrorDetail(BaseModel):
    code: str  # usage, not_found, busy, store, provider, failure, unauthorized, forbidden, too_large
    message: str
    exit_code: int  # what the CLI exits with for the same error


class ErrorBody(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "usage error (exit code 2)"},
    401: {"model": ErrorBody, "description": "missing or wrong token"},
    403: {"model": ErrorBody, "description": "a request from another site, or a write without the CSRF header"},
    404: {"model": ErrorBody, "description": "no such document or job"},
    500: {"model": ErrorBody, "description": "index or store error (exit code 6), or another failure"},
}
