"""The ASGI app: the page and the JSON API from one origin, with a strict CSP, bearer auth when a token is set, and
no request from another site's page: a write or a costly call needs this server's CSRF token in a header."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ragtool import __version__
from ragtool.api import Session
from ragtool.errors import ExitCode, RagtoolError
from ragtool.serve.errors import HttpError, body, error_body
from ragtool.serve.jobs import JOBS_DIR, Jobs
from ragtool.serve.readers import Readers
from ragtool.serve.routes import STATIC, resume_jobs, router
from ragtool.serve.state import Limits, State

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "x-ragtool-csrf"


class Guard:
    """Security headers on every response; with a token, 401 for any /api/ call without `Bearer <token>`;
    only the Host names the server was bound to (a web page elsewhere cannot rebind its name to us); and for /api/:
    403 for a request another site's page made (Sec-Fetch-Site, Origin), and for any POST/DELETE without the
    per-server CSRF token (GET /api/csrf, same-origin only) in X-Ragtool-CSRF. The custom header alone forces a
    CORS preflight, which this server never grants. Bodies other than multipart (which routes.ingest bounds) are
    refused past max_json_bytes before they are read; a NUL in the path is a 400."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: set[str] | None, csrf: str,
                 max_json_bytes: int = 1 << 20) -> None:
        self.app, self.token, self.hosts, self.csrf = app, token, hosts, csrf
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path: str = scope["path"]

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
                if path.startswith("/api/"):
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        if "\x00" in path:
            await _reject(send_secured, 400, "usage", "bad path: it contains a NUL character")
            return
        if self.hosts is not None and _host(headers.get(b"host", b"")) not in self.hosts:
            await _reject(send_secured, 403, "forbidden", f"this server answers only to {', '.join(sorted(self.hosts))}")
            return
        if path.startswith("/api/"):
            if self.token and not self._authorised(headers.get(b"authorization", b"")):
                await _reject(send_secured, 401, "unauthorized",
                              "missing or wrong token: send Authorization: Bearer <token>")
                return
            refused = self._cross_site(scope["method"], headers)
            if refused:
                await _reject(send_secured, 403, "forbidden", refused)
                return
        if path.startswith("/api/") and not headers.get(b"content-type", b"").startswith(b"multipart/form-data"):
            declared = headers.get(b"content-length")
            if declared is not None and int(declared or 0) > self.max_json_bytes:
                await _reject(send_secured, 413, "too_large", self._too_large)
                return
            if declared is None and scope["method"] not in SAFE_METHODS:
                data = await self._read_bounded(receive)
                if data is None:
                    await _reject(send_secured, 413, "too_large", self._too_large)
                    return
                receive = _replay(data, receive)
        await self.app(scope, receive, send_secured)

    @property
    def _too_large(self) -> str:
        return f"request body larger than {self.max_json_bytes // 1024} KB"

    async def _read_bounded(self, receive: Receive) -> bytes | None:
        """A body sent without Content-Length (chunked), read up to the limit; None past it."""
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_json_bytes:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    def _cross_site(self, method: str, headers: dict[bytes, bytes]) -> str | None:
        """Why this /api/ request may come from another site's page (None when it comes from ours or a script)."""
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
        navigate = headers.get(b"sec-fetch-mode", b"").decode("latin-1").lower() == "navigate"
        if site in ("cross-site", "same-site") and not (method in SAFE_METHODS and navigate):
            return "a page on another site cannot call this API"
        if method in SAFE_METHODS:
            return None
        origin = headers.get(b"origin")
        if origin is not None and _origin_host(origin) != headers.get(b"host", b"").decode("latin-1").lower():
            return "a page on another site cannot call this API (Origin differs)"
        if self.token:  # the bearer token already proves it: a page elsewhere cannot send it without a preflight
            return None
        given = headers.get(CSRF_HEADER.encode(), b"")
        if not hmac.compare_digest(given, self.csrf.encode()):
            return f"missing or wrong CSRF token: send {CSRF_HEADER} with the value of GET /api/csrf"
        return None

    def _authorised(self, header: bytes) -> bool:
        assert self.token is not None
        scheme, _, given = header.decode("latin-1").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` that first hands the app the body already read."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _origin_host(value: bytes) -> str:
    """`host:port` of an Origin header as the Host header spells it ("null" and other schemes match nothing)."""
    scheme, sep, rest = value.decode("latin-1").strip().lower().partition("://")
    if not sep or scheme not in ("http", "https"):
        return "\x00"
    return rest

def _host(value: bytes) -> str:
    host = value.decode("latin-1").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _reject(send: Any, status: int, code: str, message: str) -> None:
    data = json.dumps(body(code, message, ExitCode.USAGE), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def create_app(session: Session, *, token: str | None = None, loopback_only: bool = True,
               max_upload_mb: float | None = None, host: str | None = None, readers: bool = False) -> FastAPI:
    """The web app over one Session (the caller has synced its corpus). `host` is the bound address: on a loopback
    bind the server answers to it and to localhost names only. Unfinished jobs of a previous run resume. `readers`:
    new questions go to serve.toml `readers` reader processes (ragtool.serve.readers) once they are up."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        st = app.state.ragtool
        if readers and st.limits.readers > 0:
            st.readers = Readers(st.session.settings, st.limits.readers)
        resume_jobs(st)
        try:
            yield
        finally:
            st.jobs.close()
            if st.readers is not None:
                st.readers.close()

    app = FastAPI(title="ragtool", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  openapi_url="/api/openapi.json",
                  description="Answers with verified quotes over Chinese local-government documents. "
                              'Errors are {"error": {"code", "message", "exit_code"}}, exit_code as in the CLI. '
                              "Every POST and DELETE sends the X-Ragtool-CSRF header with the value of GET /api/csrf "
                              "(not needed with a bearer token); requests from other sites' pages are refused (403).")
    csrf = secrets.token_urlsafe(32)
    jobs = Jobs(session.settings.home / JOBS_DIR)
    app.state.ragtool = State(session=session, limits=Limits.load(session, max_upload_mb), token=token, csrf=csrf,
                              jobs=jobs)
    app.include_router(router)
    _handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    hosts = LOOPBACK | ({_host(host.encode())} if host else set()) if loopback_only else None
    max_json = app.state.ragtool.limits.max_json_bytes
    app.add_middleware(Guard, token=token, hosts=hosts, csrf=csrf, max_json_bytes=max_json)
    return app


def _handlers(app: FastAPI) -> None:
    async def _known(request: Request, e: Exception) -> JSONResponse:
        status, data = error_body(e)
        return JSONResponse(data, status_code=status)

    for kind in (RagtoolError, HttpError, OSError):
        app.add_exception_handler(kind, _known)
    app.add_exception_handler(Exception, _known)  # anything else: 500 with one line (and a log entry)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, e: ClientDisconnect) -> Response:
        return Response(status_code=400)  # nobody reads it; what matters is no traceback in the log

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(body("usage", f"bad request {where}: {first.get('msg', 'invalid')}".strip(),
                                 ExitCode.USAGE), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "usage"}.get(e.status_code, "failure")
        return JSONResponse(body(code, str(e.detail), ExitCode.USAGE), status_code=e.status_code)
