"""Misbehaving servers on real sockets, for the fault tests: HTML pages, replies dripped one byte at a time,
replies too large, and servers that accept a connection and never answer.

    with bad_server(drip(body, every=0.3)) as url: ...
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

Handler = Callable[[socket.socket], None]


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


def reply(status: str, ctype: str, body: bytes) -> Handler:
    def handle(conn: socket.socket) -> None:
        _read_request(conn)
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)

    return handle


def drip(body: bytes, every: float, ctype: str = "application/json") -> Handler:
    """A correct reply, one byte every `every` seconds (each socket read succeeds quickly)."""
    def handle(conn: socket.socket) -> None:
        _read_request(conn)
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode())
        for i in range(len(body)):
            conn.sendall(body[i : i + 1])
            time.sleep(every)

    return handle


def endless(chunk: bytes = b"[" + b"1.0," * 16384) -> Handler:
    """A 200 without Content-Length that never ends (until the client hangs up)."""
    def handle(conn: socket.socket) -> None:
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
        while True:
            conn.sendall(chunk)

    return handle


def silent(conn: socket.socket) -> None:
    """Accepts the connection, reads nothing, answers nothing."""
    time.sleep(3600)


@contextlib.contextmanager
def bad_server(handler: Handler) -> Iterator[str]:
    """http://127.0.0.1:PORT of a server answering every connection with `handler`; counts them in .hits."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            handler(conn)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        sock.close()
