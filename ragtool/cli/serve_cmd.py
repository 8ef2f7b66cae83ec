"""`ragtool serve`: the web app and JSON API over one long-lived Session."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from ragtool.cli.common import ChromaUrl, EmbedderOpt, Home, NoSync, settings_from
from ragtool.cli.output import err, out, progress_bar
from ragtool.errors import UsageError

TOKEN_VAR = "RAGTOOL_SERVE_TOKEN"


def serve_command(
    host: Annotated[str, typer.Option(
        "--host", help=f"Address to bind. Anything but loopback needs a token ({TOKEN_VAR} or --token-file).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0 picks a free one).")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
    token: Annotated[
        str | None, typer.Option("--token", help=f"Deprecated: visible in `ps`. Use {TOKEN_VAR} or --token-file.",
                                 show_default=False)
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option("--token-file", help="Read the bearer token every API call must send from this "
                                  f"file (- reads stdin); or set {TOKEN_VAR}.", show_default=False)
    ] = None,
    max_upload_mb: Annotated[
        float | None, typer.Option("--max-upload-mb", min=0.001, help="Largest upload per file (default 50, serve.toml).")
    ] = None,
    no_sync: NoSync = False,
    home: Home = None,
    embedder: EmbedderOpt = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Serve the web app (Chinese, with an English toggle) and the JSON API at http://HOST:PORT/ — API reference
    at /api/docs. Stop with Ctrl-C.

    Exit codes: 0 stopped, 2 usage error (e.g. a non-loopback --host without a token, or the port is taken).
    """
    import uvicorn

    from ragtool.api import Session
    from ragtool.serve.app import create_app
    from ragtool.serve.server import ServerLimits, raise_fd_limit, uvicorn_config

    secret = _token(token, token_file)
    loopback = is_loopback(host)
    if not loopback and not secret:
        raise UsageError(f"--host {host} is reachable from other machines: set {TOKEN_VAR} or --token-file")
    bound = _bind(host, port)
    settings = settings_from(home=home, embedder=embedder, chroma_url=chroma_url)
    session = Session(settings, sync=False)
    if not no_sync:
        with progress_bar("sync corpus") as update:
            session.sync_corpus(progress=update)
    session.corpus.check_embedder()
    app = create_app(session, token=secret, loopback_only=loopback, max_upload_mb=max_upload_mb, host=host,
                     readers=True)
    raise_fd_limit()
    server = uvicorn.Server(uvicorn_config(app, ServerLimits.load(settings)))
    real_port = bound.getsockname()[1]
    url = f"http://{_url_host(host)}:{real_port}/"
    threading.Thread(target=_announce, args=(server, url, open_browser, secret), daemon=True).start()
    try:
        server.run(sockets=[bound])
    except KeyboardInterrupt:  # uvicorn shuts down on Ctrl-C, then raises it again
        pass
    finally:
        bound.close()
    err.print("stopped", markup=False)


def _token(given: str | None, token_file: Path | None) -> str | None:
    """The bearer token from --token-file (- is stdin), RAGTOOL_SERVE_TOKEN, or the deprecated --token."""
    if given:
        err.print(f"warning: --token is visible to every user in `ps`; use {TOKEN_VAR} or --token-file",
                  markup=False)
    if token_file is not None:
        try:
            text = sys.stdin.readline() if str(token_file) == "-" else token_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"cannot read --token-file {token_file}: {getattr(e, 'strerror', None) or e}") from e
        lines = text.strip().splitlines()
        if not lines or not lines[0].strip():
            raise UsageError(f"--token-file {token_file} is empty")
        return lines[0].strip()
    return given or os.environ.get(TOKEN_VAR) or None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the index is opened, so a taken port fails fast with one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        sock.close()
        hint = f": try --port {port + 1}" if e.errno in (98, 48) else ""
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}{hint}") from e
    sock.listen(128)
    return sock


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1" if host == "0.0.0.0" else "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _announce(server: object, url: str, open_browser: bool, secret: str | None) -> None:
    import time

    from ragtool.config import mask_secret

    while not getattr(server, "started", False):
        if getattr(server, "should_exit", False):
            return
        time.sleep(0.05)
    out.print(f"ragtool serve: {url}  (API reference {url}api/docs; Ctrl-C stops)", markup=False)
    if secret:
        out.print(f"every API call needs the token {mask_secret(secret)} (Authorization: Bearer …); the page asks "
                  "for it once", markup=False)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
