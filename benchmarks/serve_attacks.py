"""`ragtool serve` under hostile requests: how long GET /api/health takes while each attack runs.

A real `ragtool serve` process (hash embedder, the seeds corpus) on a free loopback port, started with `ulimit -n
1024`. Each attack runs for at most --seconds while a client calls /api/health every 0.1 s (timeout 5 s);
afterwards the server must answer again within 30 s, else it is reported frozen. Attacks:

* fields: a multipart body of 40,000 form fields;
* preamble: a 40 MB multipart body that never finds its boundary;
* parts2mb: 2 MB of small file parts;
* slow: 1,100 connections that send a request's head one byte a second;
* slowbody: 1,100 uploads that send their head at once, then their body one byte every 2 seconds.

    python benchmarks/serve_attacks.py                 # the code on PYTHONPATH
    PYTHONPATH=/path/to/old/checkout python benchmarks/serve_attacks.py --attacks fields preamble

Writes benchmarks/out/serve_attacks.json.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from common import SEEDS, clean_env, median, print_table, write_json

B = b"benchboundary"


def fields(n: int = 40_000) -> bytes:
    body = b"".join(b"--" + B + b'\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i for i in range(n))
    return body + b"--" + B + b"--\r\n"


def preamble(size: int = 40 << 20) -> bytes:
    return (b"\r\n--benchboundar" * (size // 16 + 1))[:size]


def parts2mb() -> bytes:
    one = b"--" + B + b'\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nx\r\n'
    return one * ((2 << 20) // len(one)) + b"--" + B + b"--\r\n"


def start(home: Path) -> tuple[subprocess.Popen[str], str]:
    corpus = home / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = clean_env(RAGTOOL_HOME=str(home / "h"), RAGTOOL_CORPUS=str(corpus), RAGTOOL_EMBEDDER="hash")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    proc = subprocess.Popen([sys.executable, "-m", "ragtool", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, preexec_fn=limit)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ragtool serve: "):
        proc.kill()
        raise SystemExit(f"ragtool serve did not start: {line}")
    return proc, line.split()[2].rstrip("/")


def post_raw(url: str, body: bytes) -> None:
    host, port = url.removeprefix("http://").split(":")
    csrf = httpx.get(f"{url}/api/csrf", timeout=10)
    token = csrf.json().get("csrf", "") if csrf.status_code == 200 else ""
    head = (f"POST /api/ingest HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: multipart/form-data; boundary="
            f"{B.decode()}\r\nContent-Length: {len(body)}\r\nX-Ragtool-CSRF: {token}\r\n\r\n").encode()
    try:
        with socket.create_connection((host, int(port)), timeout=120) as s:
            s.sendall(head)
            for i in range(0, len(body), 1 << 16):
                s.sendall(body[i:i + (1 << 16)])
            s.recv(100)
    except OSError:
        pass


async def _slow(host: str, port: int, first: bytes, drip: bytes, pause: float, stop: float) -> None:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return
    try:
        writer.write(first)
        for byte in drip:
            if time.monotonic() > stop:
                break
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(pause)
    except OSError:
        pass
    writer.close()


def slow_clients(url: str, seconds: float, body: bool = False, n: int = 1100) -> None:
    host, port = url.removeprefix("http://").split(":")
    if body:
        csrf = httpx.get(f"{url}/api/csrf", timeout=10)
        token = csrf.json().get("csrf", "") if csrf.status_code == 200 else ""
        first = (f"POST /api/ingest HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: multipart/form-data; "
                 f"boundary={B.decode()}\r\nContent-Length: 100000\r\nX-Ragtool-CSRF: {token}\r\n\r\n").encode()
        drip, pause = b"-" * 100, 2.0
    else:
        first, drip, pause = b"", f"GET /api/health HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode() * 10, 1.0

    async def run() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(_slow(host, int(port), first, drip, pause, stop) for _ in range(n)))

    asyncio.run(run())


def measure(url: str, attack: Callable[[], None], seconds: float) -> dict[str, Any]:
    worker = threading.Thread(target=attack, daemon=True)
    worker.start()
    took: list[float] = []
    failures = 0
    end = time.monotonic() + seconds
    with httpx.Client(timeout=5) as c:
        while worker.is_alive() and time.monotonic() < end or len(took) + failures < 5:
            t0 = time.perf_counter()
            try:
                ok = c.get(f"{url}/api/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            took.append(time.perf_counter() - t0) if ok else None
            failures += not ok
            time.sleep(0.1)
        recovered = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not recovered:
            try:
                recovered = c.get(f"{url}/api/health").status_code == 200
            except httpx.HTTPError:
                time.sleep(0.5)
    return {"calls": len(took) + failures, "failed": failures, "median_s": median(took) if took else None,
            "max_s": max(took) if took else None, "over_1s": sum(t > 1 for t in took), "frozen": not recovered}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attacks", nargs="+", default=["fields", "preamble", "parts2mb", "slow", "slowbody"])
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    bodies = {"fields": fields, "preamble": preamble, "parts2mb": parts2mb}
    rows, results = [], {}
    for name in args.attacks:
        with tempfile.TemporaryDirectory(prefix="ragtool_attack_") as tmp:
            proc, url = start(Path(tmp))
            try:
                attack: Callable[[], None] = (
                    functools.partial(slow_clients, url, args.seconds, name == "slowbody")
                    if name.startswith("slow") else functools.partial(post_raw, url, bodies[name]()))
                got = measure(url, attack, args.seconds)
            finally:
                proc.kill()
                proc.wait()
        results[name] = got
        rows.append([name, got["calls"], got["failed"], got["median_s"], got["max_s"], got["over_1s"], got["frozen"]])
    print_table("GET /api/health during each attack (seconds)",
                ["attack", "calls", "failed", "median", "max", "> 1 s", "frozen"], rows)
    write_json("serve_attacks", results)


if __name__ == "__main__":
    main()
