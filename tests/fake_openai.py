"""A fake OpenAI-compatible HTTP server for tests: real sockets, real HTTP, real openai client.

Usage in a test module (tests/ is on sys.path)::

    from fake_openai import Fault, fake_openai  # noqa: F401

    def test_something(fake_openai, settings):
        fake_openai.script_chat('{"answer": "5%"}', Fault.rate_limit(), "plain text")
        s = fake_openai.configure(settings, llm_timeout=0.5, llm_max_retries=1)
        ...
        assert fake_openai.chat_requests[0].body["model"] == s.llm_model

What it serves (shapes follow the OpenAI API reference):

* ``POST /v1/chat/completions``: each HTTP attempt pops the next scripted reply (`script_chat`); when the
  queue is empty it calls `responder(request_json)`. A reply is content text (str), a dict/list (sent as
  its JSON text), or a `Fault`. Every success carries ``usage`` (prompt/completion/total tokens).
  `reject_modes` (e.g. ``{"json_schema"}``) makes the server answer 400 to that ``response_format``
  type on every request, without consuming the queue, like servers that lack structured output.
* ``POST /v1/embeddings``: deterministic hash vectors of `embed_dim` floats (unit length), ``float`` or
  ``base64`` encoding; `script_embeddings` queues faults (None = a normal reply).
* ``/v1/files`` (upload multipart, list, retrieve, ``/content``, delete) and ``/v1/batches`` (create,
  retrieve, list, cancel). A batch moves validating -> in_progress -> completed, one step per
  retrieve (`batch_steps`); on completion each input line is answered through the chat path (queue,
  then responder) and written as JSONL to ``output_file_id`` (status 200) or ``error_file_id``.
* ``GET /v1/models`` and ``/v1/models/{id}``: `models` if set, else the models seen so far.

Every endpoint checks ``Authorization: Bearer <api_key>`` (401 otherwise). When `models` is set, an
unknown model gets 404 ``model_not_found``. All received requests are recorded in `requests`.
The fixture `fake_openai` starts the server on 127.0.0.1 (ephemeral port) and stops it at teardown.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import hashlib
import itertools
import json
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Reply = Any  # str | dict | list | Fault
Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class Fault:
    """A scripted misbehaviour. Build one with the class methods; `content` is sent after a `delay`."""

    status: int = 200
    error: dict[str, Any] | None = None  # the OpenAI error object: message, type, param, code
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content: str | None = None  # for 200 replies: the assistant content
    raw_body: bytes | None = None  # sent as is instead of JSON
    finish_reason: str = "stop"

    @classmethod
    def rate_limit(cls, retry_after_ms: int = 20) -> Fault:
        """429 with Retry-After (and retry-after-ms, which the openai client prefers)."""
        return cls(
            429,
            _err("Rate limit reached for requests", "requests", code="rate_limit_exceeded"),
            {"Retry-After": "1", "retry-after-ms": str(retry_after_ms)},
        )

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls(status, _err("The server had an error while processing your request.", "server_error"))

    @classmethod
    def wrong_key(cls) -> Fault:
        return cls(401, _err("Incorrect API key provided.", "invalid_request_error", code="invalid_api_key"))

    @classmethod
    def model_not_found(cls, model: str = "unknown") -> Fault:
        return cls(
            404,
            _err(f"The model `{model}` does not exist or you do not have access to it.",
                 "invalid_request_error", param="model", code="model_not_found"),
        )

    @classmethod
    def slow(cls, seconds: float, content: str = "{}") -> Fault:
        """A correct reply that only starts after `seconds` (for client timeouts)."""
        return cls(delay=seconds, content=content)

    @classmethod
    def garbage(cls) -> Fault:
        """HTTP 200 whose body is not JSON."""
        return cls(raw_body=b"<html><body>502 Bad Gateway (upstream)</body></html", headers={"Content-Type": "application/json"})

    @classmethod
    def truncated_json(cls, content: str = '{"answer": "地区生产总值增长5', finish_reason: str = "length") -> Fault:
        """A well-formed completion whose content is cut-off JSON."""
        return cls(content=content, finish_reason=finish_reason)

    @classmethod
    def reject_response_format(cls, kind: str = "json_schema") -> Fault:
        """400 about response_format, as servers without structured output answer."""
        return cls(400, _reject_format_error(kind))

    @classmethod
    def recorded(cls, status: int, body: Any) -> Fault:
        """A real server's error reply, status and JSON body as recorded (tests/fixtures/llm_servers.json)."""
        return cls(status, raw_body=json.dumps(body, ensure_ascii=False).encode(),
                   headers={"Content-Type": "application/json"})

    @classmethod
    def http(cls, status: int, message: str, code: str | None = None) -> Fault:
        return cls(status, _err(message, "invalid_request_error", code=code))


def _err(message: str, type_: str, *, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"message": message, "type": type_, "param": param, "code": code}


def _reject_format_error(kind: str) -> dict[str, Any]:
    return _err(f"Invalid parameter: 'response_format' of type '{kind}' is not supported with this model.",
                "invalid_request_error", param="response_format")


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None for non-JSON bodies
    raw: bytes

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []


def hash_vector(text: str, dim: int) -> list[float]:
    """Deterministic unit vector for `text` (the fake embedding)."""
    out: list[float] = []
    for block in itertools.count():
        if len(out) >= dim:
            break
        digest = hashlib.sha256(f"{block}:{text}".encode()).digest()
        out.extend(b / 127.5 - 1.0 for b in digest)
    vec = out[:dim]
    norm = sum(v * v for v in vec) ** 0.5 or 1.0
    return [v / norm for v in vec]


class FakeOpenAI:
    """State and script of one fake server. Attributes may be changed by tests at any time."""

    def __init__(self, api_key: str = "sk-fake-test-key-0123456789") -> None:
        self.api_key = api_key
        self.base_url = ""  # set by start()
        self.requests: list[RecordedRequest] = []
        self.responder: Responder | None = None
        self.reject_modes: set[str] = set()
        self.models: set[str] | None = None
        self.embed_dim = 32
        self.batch_steps = 2  # retrieves until a batch completes
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._chat: deque[Reply] = deque()
        self._embed: deque[Fault | None] = deque()
        self._seen_models: set[str] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.stop_event = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- script API -------------------------------------------------------------------------

    def script_chat(self, *replies: Reply) -> None:
        """Queue replies for /v1/chat/completions, one per HTTP attempt (retries included)."""
        with self._lock:
            self._chat.extend(replies)

    def script_embeddings(self, *replies: Fault | None) -> None:
        """Queue faults for /v1/embeddings, one per attempt; None means a normal reply."""
        with self._lock:
            self._embed.extend(replies)

    @property
    def pending_chat(self) -> int:
        return len(self._chat)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/embeddings")]

    def configure(self, settings: Any, **overrides: Any) -> Any:
        """A copy of a ragtool Settings pointed at this server (key, base URL), with `overrides`."""
        from pydantic import SecretStr

        update = {"openai_base_url": self.base_url, "openai_api_key": SecretStr(self.api_key), **overrides}
        return settings.model_copy(update=update)

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()  # wakes slow replies
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ---- behaviour ----------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):06d}"

    def next_chat_reply(self, body: dict[str, Any]) -> Reply:
        fmt = (body.get("response_format") or {}).get("type")
        if fmt in self.reject_modes:
            return Fault(400, _reject_format_error(fmt))
        with self._lock:
            if self._chat:
                return self._chat.popleft()
        if self.responder is not None:
            return self.responder(body)
        return Fault(500, _err("fake_openai: no scripted chat reply and no responder", "server_error"),
                     {"x-should-retry": "false"})

    def next_embed_fault(self) -> Fault | None:
        with self._lock:
            return self._embed.popleft() if self._embed else None

    def check_model(self, model: Any) -> Fault | None:
        if not isinstance(model, str) or not model:
            return Fault.http(400, "you must provide a model parameter")
        self._seen_models.add(model)
        if self.models is not None and model not in self.models:
            return Fault.model_not_found(model)
        return None

    def list_models(self) -> list[str]:
        return sorted(self.models if self.models is not None else self._seen_models or {"fake-model"})

    def chat_completion(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], Fault | None]:
        """(status, JSON body, fault) for one chat request; `fault` carries headers/delay/raw body."""
        fault = self.check_model(body.get("model"))
        reply: Reply = fault if fault is not None else self.next_chat_reply(body)
        if not isinstance(reply, Fault):
            text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
            reply = Fault(content=text)
        if reply.status != 200:
            return reply.status, {"error": reply.error or _err("error", "server_error")}, reply
        content = reply.content or ""
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 2 + 1
        completion_tokens = len(content) // 2 + 1
        return 200, {
            "id": self.new_id("chatcmpl"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "system_fingerprint": None,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }, reply

    def embeddings(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], Fault | None]:
        fault = self.check_model(body.get("model")) or self.next_embed_fault()
        if fault is not None and fault.status != 200:
            return fault.status, {"error": fault.error or _err("error", "server_error")}, fault
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        if not texts or not all(isinstance(t, str) for t in texts):
            return 400, {"error": _err("'input' must be a string or a list of strings", "invalid_request_error",
                                       param="input")}, None
        dim = int(body.get("dimensions") or self.embed_dim)
        data = []
        for i, text in enumerate(texts):
            vec = hash_vector(text, dim)
            emb: Any = vec
            if body.get("encoding_format") == "base64":
                emb = base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode()
            data.append({"object": "embedding", "index": i, "embedding": emb})
        tokens = sum(len(t) for t in texts)
        return 200, {"object": "list", "data": data, "model": body.get("model"),
                     "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}, fault

    # ---- files and batches ----------------------------------------------------------------------

    def add_file(self, content: bytes, filename: str, purpose: str) -> dict[str, Any]:
        file_id = self.new_id("file")
        obj = {"id": file_id, "object": "file", "bytes": len(content), "created_at": int(time.time()),
               "expires_at": None, "filename": filename, "purpose": purpose, "status": "processed",
               "status_details": None}
        self.files[file_id] = {"object": obj, "content": content}
        return obj

    def create_batch(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        input_id = body.get("input_file_id")
        if input_id not in self.files:
            return 404, {"error": _err(f"No such File object: {input_id}", "invalid_request_error",
                                       param="input_file_id")}
        if body.get("endpoint") not in ("/v1/chat/completions", "/v1/embeddings", "/v1/responses",
                                        "/v1/completions"):
            return 400, {"error": _err("invalid endpoint", "invalid_request_error", param="endpoint")}
        now = int(time.time())
        batch = {
            "id": self.new_id("batch"), "object": "batch", "endpoint": body["endpoint"], "errors": None,
            "input_file_id": input_id, "completion_window": body.get("completion_window", "24h"),
            "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": now,
            "in_progress_at": None, "expires_at": now + 86400, "finalizing_at": None, "completed_at": None,
            "failed_at": None, "expired_at": None, "cancelling_at": None, "cancelled_at": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": body.get("metadata"), "_polls": 0,
        }
        self.batches[batch["id"]] = batch
        return 200, _public(batch)

    def retrieve_batch(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, {"error": _err(f"No batch found with id '{batch_id}'", "invalid_request_error")}
        if batch["status"] in ("validating", "in_progress"):
            batch["_polls"] += 1
            if batch["_polls"] >= self.batch_steps:
                self._run_batch(batch)
            elif batch["status"] == "validating":
                batch["status"], batch["in_progress_at"] = "in_progress", int(time.time())
        elif batch["status"] == "cancelling":
            batch["status"], batch["cancelled_at"] = "cancelled", int(time.time())
        return 200, _public(batch)

    def cancel_batch(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, {"error": _err(f"No batch found with id '{batch_id}'", "invalid_request_error")}
        if batch["status"] in ("validating", "in_progress"):
            batch["status"], batch["cancelling_at"] = "cancelling", int(time.time())
        return 200, _public(batch)

    def _run_batch(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]]["content"].decode("utf-8").splitlines()
        outputs: list[str] = []
        errors: list[str] = []
        bad: list[dict[str, Any]] = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                custom_id, req_body = item["custom_id"], item["body"]
            except (ValueError, KeyError, TypeError):
                bad.append({"code": "invalid_json_line", "message": "This line is not valid JSON.", "param": None,
                            "line": n})
                continue
            status, resp, _ = (self.chat_completion(req_body) if batch["endpoint"] == "/v1/chat/completions"
                               else self.embeddings(req_body))
            out = json.dumps({"id": self.new_id("batch_req"), "custom_id": custom_id,
                              "response": {"status_code": status, "request_id": self.new_id("req"), "body": resp},
                              "error": None}, ensure_ascii=False)
            (outputs if status == 200 else errors).append(out)
        now = int(time.time())
        if bad:
            batch.update(status="failed", failed_at=now, errors={"object": "list", "data": bad})
            return
        batch["request_counts"] = {"total": len(outputs) + len(errors), "completed": len(outputs),
                                   "failed": len(errors)}
        if outputs:
            batch["output_file_id"] = self.add_file(("\n".join(outputs) + "\n").encode(),
                                                    "batch_output.jsonl", "batch_output")["id"]
        if errors:
            batch["error_file_id"] = self.add_file(("\n".join(errors) + "\n").encode(),
                                                   "batch_errors.jsonl", "batch_output")["id"]
        batch.update(status="completed", in_progress_at=batch["in_progress_at"] or now, finalizing_at=now,
                     completed_at=now)


def _public(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if not k.startswith("_")}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body: Any = None
        if raw and "json" in (self.headers.get("Content-Type") or ""):
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        path = self.path.split("?", 1)[0]
        with fake._lock:
            fake.requests.append(RecordedRequest(method, path, {k.lower(): v for k, v in self.headers.items()},
                                                 body, raw))
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            self._send(401, {"error": Fault.wrong_key().error})
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self._route(method, path, body, raw)

    def _route(self, method: str, path: str, body: Any, raw: bytes) -> None:
        fake = self.server.fake
        parts = [p for p in path.split("/") if p]
        if parts[:1] != ["v1"]:
            self._send(404, {"error": _err(f"Invalid URL ({method} {path})", "invalid_request_error")})
            return
        route = parts[1:]
        if method == "POST" and route == ["chat", "completions"] and isinstance(body, dict):
            self._send_result(*fake.chat_completion(body))
        elif method == "POST" and route == ["embeddings"] and isinstance(body, dict):
            self._send_result(*fake.embeddings(body))
        elif method == "GET" and route == ["models"]:
            self._send(200, {"object": "list", "data": [_model(m) for m in fake.list_models()]})
        elif method == "GET" and len(route) == 2 and route[0] == "models":
            if route[1] in fake.list_models():
                self._send(200, _model(route[1]))
            else:
                self._send_result(*_as_error(Fault.model_not_found(route[1])))
        elif route[:1] == ["files"]:
            self._files(method, route[1:], raw)
        elif route[:1] == ["batches"]:
            self._batches(method, route[1:], body)
        else:
            self._send(404, {"error": _err(f"Invalid URL ({method} {path})", "invalid_request_error")})

    def _files(self, method: str, rest: list[str], raw: bytes) -> None:
        fake = self.server.fake
        if method == "POST" and not rest:
            fields = _multipart(self.headers.get("Content-Type") or "", raw)
            if "file" not in fields or "purpose" not in fields:
                self._send(400, {"error": _err("'file' and 'purpose' are required", "invalid_request_error")})
                return
            content, filename = fields["file"]
            self._send(200, fake.add_file(content, filename or "upload", fields["purpose"][0].decode()))
        elif method == "GET" and not rest:
            self._send(200, {"object": "list", "data": [f["object"] for f in fake.files.values()],
                             "has_more": False})
        elif rest and rest[0] in fake.files:
            entry = fake.files[rest[0]]
            if method == "GET" and rest[1:] == ["content"]:
                self._send_bytes(200, entry["content"], "application/octet-stream")
            elif method == "GET" and len(rest) == 1:
                self._send(200, entry["object"])
            elif method == "DELETE" and len(rest) == 1:
                del fake.files[rest[0]]
                self._send(200, {"id": rest[0], "object": "file", "deleted": True})
            else:
                self._send(404, {"error": _err("Invalid URL", "invalid_request_error")})
        else:
            self._send(404, {"error": _err(f"No such File object: {rest[0] if rest else ''}",
                                           "invalid_request_error")})

    def _batches(self, method: str, rest: list[str], body: Any) -> None:
        fake = self.server.fake
        if method == "POST" and not rest and isinstance(body, dict):
            self._send(*fake.create_batch(body))
        elif method == "GET" and not rest:
            data = [_public(b) for b in fake.batches.values()]
            self._send(200, {"object": "list", "data": data, "has_more": False,
                             "first_id": data[0]["id"] if data else None,
                             "last_id": data[-1]["id"] if data else None})
        elif method == "GET" and len(rest) == 1:
            self._send(*fake.retrieve_batch(rest[0]))
        elif method == "POST" and rest[1:] == ["cancel"]:
            self._send(*fake.cancel_batch(rest[0]))
        else:
            self._send(404, {"error": _err("Invalid URL", "invalid_request_error")})

    def _send_result(self, status: int, payload: dict[str, Any], fault: Fault | None) -> None:
        if fault is not None and fault.delay and self.server.fake.stop_event.wait(fault.delay):
            return  # server stopping
        if fault is not None and fault.raw_body is not None:
            self._send_bytes(status, fault.raw_body, fault.headers.get("Content-Type", "text/plain"))
            return
        self._send(status, payload, fault.headers if fault else None)

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send_bytes(status, data, "application/json", headers)

    def _send_bytes(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            if k.lower() not in ("content-type", "content-length"):
                self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def _as_error(fault: Fault) -> tuple[int, dict[str, Any], Fault]:
    return fault.status, {"error": fault.error}, fault


def _model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "fake-openai"}


def _multipart(content_type: str, raw: bytes) -> dict[str, tuple[bytes, str | None]]:
    """Form fields of a multipart/form-data body: name -> (bytes, filename)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, tuple[bytes, str | None]] = {}
    if not msg.is_multipart():
        return fields
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = (payload if isinstance(payload, bytes) else b"", part.get_filename())
    return fields


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI server; see the module docstring."""
    fake = FakeOpenAI().start()
    try:
        yield fake
    finally:
        fake.stop()
