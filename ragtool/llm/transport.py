"""The HTTP transport under the openai client: one deadline for a whole call, and a size cap.

httpx's timeouts are per socket operation, so a server dripping one byte every few seconds never trips them.
Here every reply is read against a deadline of RAGTOOL_LLM_TIMEOUT from the start of the call (`call_deadline`,
the SDK's retries included: a retry gets only the time left, and none once it is gone), and refused past
data/limits.toml's max_reply_bytes (declared or actually sent). Replies are asked uncompressed, so the cap is what
lands in memory.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import httpx2
import openai

from ragtool.config import PACKAGE_DIR
from ragtool.datafiles import read_toml


class ReplyTooLarge(openai.OpenAIError):
    """The server's reply is over the size cap (not retried)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"reply larger than {limit / 1e6:.0f} MB")


class DeadlinePassed(openai.OpenAIError):
    """The call's deadline passed before a retry could start (not retried)."""


_deadline: ContextVar[float | None] = ContextVar("ragtool_llm_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    """Every HTTP attempt made inside (the SDK's retries included) ends `seconds` from now at the latest."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


class HtmlReply(openai.OpenAIError):
    """A 200 carrying an HTML page (a proxy's login or error page), not an API reply (not retried)."""


@lru_cache(maxsize=1)
def max_reply_bytes() -> int:
    return int(read_toml(PACKAGE_DIR / "data" / "limits.toml")["llm"]["max_reply_bytes"])


class _Bounded(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, deadline: float, limit: int, request: httpx2.Request) -> None:
        self.inner, self.deadline, self.limit, self.request = inner, deadline, limit, request

    def __iter__(self) -> Iterator[bytes]:
        got = 0
        for chunk in self.inner:
            got += len(chunk)
            if got > self.limit:
                raise ReplyTooLarge(self.limit)
            if time.monotonic() > self.deadline:
                raise httpx2.ReadTimeout("reply not complete before the deadline", request=self.request)
            yield chunk

    def close(self) -> None:
        self.inner.close()


class BoundedTransport(httpx2.BaseTransport):
    def __init__(self, timeout: float, limit: int | None = None) -> None:
        self.timeout = timeout
        self.limit = limit or max_reply_bytes()
        self._inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        now, whole = time.monotonic(), _deadline.get()
        if whole is not None and now >= whole:
            raise DeadlinePassed("the call's deadline passed")
        deadline = min(now + self.timeout, whole if whole is not None else now + self.timeout)
        request.headers["Accept-Encoding"] = "identity"
        response = self._inner.handle_request(request)
        if response.status_code < 300 and "text/html" in response.headers.get("content-type", ""):
            response.close()
            raise HtmlReply("an HTML page")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            response.close()
            raise ReplyTooLarge(self.limit)
        response.stream = _Bounded(response.stream, deadline, self.limit, request)  # type: ignore[arg-type]
        return response

    def close(self) -> None:
        self._inner.close()
