"""A recording proxy for an OpenAI-compatible server: every request and reply passes through unchanged and is
appended to a JSONL file (request body, HTTP status, reply body, seconds). Used to record a real model's replies as
test fixtures (tests/fixtures/llm_recorded.json), replayed through tests/fake_openai.py.

    python benchmarks/record_llm.py --upstream http://127.0.0.1:8081 --port 8082 --out benchmarks/out/llm_calls.jsonl &
    OPENAI_BASE_URL=http://127.0.0.1:8082/v1 ragtool ask --engine llm "北京2026年GDP增长目标?"
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def handler(upstream: str, out: Path, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        def _forward(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if method == "POST" else None
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
            req = urllib.request.Request(upstream + self.path, data=body, headers=headers, method=method)
            started = time.time()
            try:
                with urllib.request.urlopen(req, timeout=3600) as resp:
                    status, reply = resp.status, resp.read()
            except urllib.error.HTTPError as e:
                status, reply = e.code, e.read()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            if method == "POST":
                self._record(body or b"", status, reply, time.time() - started)

        def _record(self, body: bytes, status: int, reply: bytes, seconds: float) -> None:
            row: dict[str, Any] = {"path": self.path, "status": status, "seconds": round(seconds, 1),
                                   "request": _json(body), "reply": _json(reply)}
            with lock, out.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._forward("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._forward("POST")

        def log_message(self, *args: Any) -> None:
            pass

    return Proxy


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", default="http://127.0.0.1:8081")
    ap.add_argument("--port", type=int, default=8082)
    ap.add_argument("--out", default=str(Path(__file__).parent / "out" / "llm_calls.jsonl"))
    args = ap.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(args.upstream.rstrip("/"), out, threading.Lock()))
    print(f"recording {args.upstream} on http://127.0.0.1:{args.port} into {out}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
