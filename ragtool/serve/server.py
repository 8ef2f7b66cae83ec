"""The uvicorn server of `ragtool serve`, hardened against slow and numerous clients (serve.toml [server]):
a client must send a request's headers within `header_timeout` seconds and each piece of its body within as long
again, idle keep-alive connections close after `keep_alive`, and past `max_connections` open connections the oldest
one still sending its headers or body is dropped, one that has not yet been answered first (one being answered
never is: the newcomer is, instead)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ragtool.config import Settings
from ragtool.datafiles import load_data

MAX_HEADER_BYTES = 16 << 10  # of a request's head (request line and headers)


@dataclass(frozen=True)
class ServerLimits:
    header_timeout: float = 10.0
    keep_alive: float = 5.0
    max_connections: int = 256
    backlog: int = 1024

    @classmethod
    def load(cls, settings: Settings) -> ServerLimits:
        data = load_data(settings, "serve.toml").get("server", {})
        return cls(header_timeout=float(data.get("header_timeout", cls.header_timeout)),
                   keep_alive=float(data.get("keep_alive", cls.keep_alive)),
                   max_connections=int(data.get("max_connections", cls.max_connections)),
                   backlog=int(data.get("backlog", cls.backlog)))


def protocol_class(limits: ServerLimits) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with read deadlines (headers, then each piece of the body) and a cap on open
    connections."""

    class Guarded(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _armed_for: object = None  # the request cycle current when the header deadline was set
        _body_deadline: asyncio.TimerHandle | None = None
        _since: float = 0.0
        _served = False  # has answered a request: a client that speaks HTTP at a normal pace

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._since = self.loop.time()
            self._arm()
            if len(self.connections) > limits.max_connections:
                self._evict()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and self._waiting():
                self._arm()
            super().data_received(data)
            self._arm_body()

        def connection_lost(self, exc: Exception | None) -> None:
            for timer in (self._deadline, self._body_deadline):
                if timer is not None:
                    timer.cancel()
            self._deadline = self._body_deadline = None
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            self._served = True
            super().on_response_complete()

        def _waiting(self) -> bool:
            """No request is being served: the connection is new, idle, or sending a request's headers."""
            return self.cycle is None or self.cycle.response_complete

        def _receiving(self) -> bool:
            """A request's body is still coming in."""
            return self.cycle is not None and not self.cycle.response_complete and self.cycle.more_body

        def _arm(self) -> None:
            self._armed_for = self.cycle
            self._deadline = self.loop.call_later(limits.header_timeout, self._expire)

        def _expire(self) -> None:
            self._deadline = None
            if self.cycle is self._armed_for and self._waiting():
                self.transport.close()

        def _arm_body(self) -> None:
            """Each piece of a body must follow the last within header_timeout seconds."""
            if self._body_deadline is not None:
                self._body_deadline.cancel()
                self._body_deadline = None
            if self._receiving():
                self._body_deadline = self.loop.call_later(limits.header_timeout, self._expire_body)

        def _expire_body(self) -> None:
            self._body_deadline = None
            if self._receiving() and self.flow.read_paused:  # the app is slow to read, not the client to send
                self._arm_body()
            elif self._receiving():
                self.transport.close()

        def _evict(self) -> None:
            slow = [c for c in self.connections if isinstance(c, Guarded) and (c._waiting() or c._receiving())]
            oldest = min(slow, key=lambda c: (c._served, c._since), default=self)  # never-served ones first
            oldest.transport.close()
            self.connections.discard(oldest)  # now: the close itself lands on a later turn of the loop

    return Guarded


def raise_fd_limit() -> None:
    """Let the server hold as many sockets as the system allows this user (the soft limit is often 1024)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 1 << 16), hard))
    except (ImportError, ValueError, OSError):  # not on this platform, or not allowed
        pass


def uvicorn_config(app: Any, limits: ServerLimits, **extra: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app, http=protocol_class(limits), log_level="warning", access_log=False, timeout_graceful_shutdown=3,
        timeout_keep_alive=max(1, round(limits.keep_alive)), limit_concurrency=2 * limits.max_connections,
        backlog=limits.backlog, h11_max_incomplete_event_size=MAX_HEADER_BYTES, **extra)
