"""Errors as JSON `{"error": {"code", "message", "exit_code"}}`, with the meaning of the CLI's exit codes."""

from __future__ import annotations

from typing import Any

from ragtool.errors import ExitCode, RagtoolError

# exit code -> (HTTP status, code)
BY_EXIT: dict[int, tuple[int, str]] = {
    ExitCode.FAILURE: (500, "failure"),
    ExitCode.USAGE: (400, "usage"),
    ExitCode.NOT_FOUND: (404, "not_found"),
    ExitCode.PARTIAL: (422, "partial"),
    ExitCode.BUSY: (503, "busy"),
    ExitCode.STORE: (500, "store"),
    ExitCode.PROVIDER: (502, "provider"),
    ExitCode.REGRESSION: (409, "regression"),
}


class HttpError(Exception):
    """An error raised by the server itself (auth, sizes, unknown routes)."""

    def __init__(self, status: int, code: str, message: str, exit_code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.status, self.code, self.exit_code = status, code, exit_code


def body(code: str, message: str, exit_code: int) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "exit_code": exit_code}}


def error_body(e: BaseException) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for any exception; unexpected ones are 500 with a one-line message."""
    from ragtool.api import UnknownDocumentError

    if isinstance(e, HttpError):
        return e.status, body(e.code, str(e), e.exit_code)
    if isinstance(e, UnknownDocumentError):
        return 404, body("not_found", str(e), e.exit_code)
    if isinstance(e, RagtoolError):
        status, code = BY_EXIT.get(e.exit_code, (500, "failure"))
        return status, body(code, " ".join(str(e).split()), e.exit_code)
    if isinstance(e, OSError):
        return 500, body("failure", f"{e.strerror or e}", ExitCode.FAILURE)
    return 500, body("failure", f"unexpected {type(e).__name__}: {e}", ExitCode.FAILURE)
