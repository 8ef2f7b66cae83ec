"""multipart/form-data read as it streams in: each file kept in memory up to the size limit, never spooled to
a temporary file (nothing is written outside RAGTOOL_HOME), refused with 413 as soon as it passes a limit (file
size, number of files, all files together, number and size of other fields), and with 400 when a part has too many or too long
header lines.

The parser does work proportional to the body (counts are kept, never recounted) and runs on the threadpool,
so a hostile body cannot hold the event loop: other requests are answered while it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from ragtool.serve.errors import HttpError
from ragtool.serve.state import Limits
from ragtool.serve.uploads import safe_name

BATCH_BYTES = 256 << 10  # body bytes handed to the parser per trip to the threadpool
PART_HEADERS = 8  # header lines per part (more: 400)


@dataclass
class Part:
    name: str = ""  # the form field
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


@dataclass
class _State:
    limits: Limits
    parts: list[Part] = field(default_factory=list)
    files: int = 0
    fields: int = 0
    total: int = 0  # bytes of all parts
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    current: Part | None = None


def _too_large(message: str) -> HttpError:
    return HttpError(413, "too_large", message)


def _on_begin(st: _State) -> None:
    st.current = Part()


def _on_header(into: bytearray, data: bytes, start: int, end: int) -> None:
    into += data[start:end]  # the parser bounds a part's header lines (count and size)


def _on_header_end(st: _State) -> None:
    if bytes(st.header_field).lower() == b"content-disposition" and st.current is not None:
        _, opts = parse_options_header(bytes(st.header_value))
        st.current.name = opts.get(b"name", b"").decode("utf-8", "replace")
        raw = opts.get(b"filename")
        if raw is not None:
            st.current.filename = raw.decode("utf-8", "replace")
            safe_name(st.current.filename, st.limits.name_chars)  # refuse an unsupported type before its bytes
    st.header_field.clear()
    st.header_value.clear()


def _on_headers_finished(st: _State) -> None:
    """Count the part as soon as its kind is known, before any of its bytes are kept."""
    part = st.current
    assert part is not None
    lim = st.limits
    if part.filename is not None:
        st.files += 1
        if st.files > lim.max_upload_files:
            raise _too_large(f"too many files in one upload (at most {lim.max_upload_files})")
    else:
        st.fields += 1
        if st.fields > lim.max_fields:
            raise _too_large(f"too many form fields in one upload (at most {lim.max_fields} besides the files)")


def _on_data(st: _State, data: bytes, start: int, end: int) -> None:
    part = st.current
    assert part is not None
    part.data += data[start:end]
    lim = st.limits
    st.total += end - start
    if st.total > lim.max_request_bytes:
        raise _too_large(f"upload larger than the limit of {lim.max_request_bytes / (1 << 20):g} MB per request")
    limit = lim.max_upload_bytes if part.filename is not None else lim.max_field_bytes
    if len(part.data) > limit:
        what = part.filename or part.name or "a form field"
        raise _too_large(f"{what} is larger than the limit of {limit / (1 << 20):g} MB")


def _on_part_end(st: _State) -> None:
    assert st.current is not None
    st.parts.append(st.current)
    st.current = None


def _feed(parser: MultipartParser, chunks: list[bytes], final: bool = False) -> None:
    try:
        for chunk in chunks:
            parser.write(chunk)
        if final:
            parser.finalize()
    except FormParserError as e:
        raise HttpError(400, "usage", f"malformed multipart body: {e}") from e


async def read_form(content_type: str, stream: AsyncIterator[bytes], limits: Limits) -> list[Part]:
    """The parts of a multipart body; HttpError 400 when it is not multipart, 413 past a limit."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise HttpError(400, "usage", "expected multipart/form-data with files, or JSON {\"paths\": [...]}")
    if len(boundary) > 200:
        raise HttpError(400, "usage", "multipart boundary longer than 200 bytes")
    st = _State(limits=limits)
    callbacks = {
        "on_part_begin": lambda: _on_begin(st),
        "on_part_data": lambda d, s, e: _on_data(st, d, s, e),
        "on_part_end": lambda: _on_part_end(st),
        "on_header_field": lambda d, s, e: _on_header(st.header_field, d, s, e),
        "on_header_value": lambda d, s, e: _on_header(st.header_value, d, s, e),
        "on_header_end": lambda: _on_header_end(st),
        "on_headers_finished": lambda: _on_headers_finished(st),
    }
    parser = MultipartParser(boundary, callbacks, max_header_count=PART_HEADERS,  # type: ignore[arg-type]
                             max_header_size=limits.max_part_header_bytes)
    batch: list[bytes] = []
    size = 0
    async for chunk in stream:
        batch.append(chunk)
        size += len(chunk)
        if size >= BATCH_BYTES:
            await run_in_threadpool(_feed, parser, batch)
            batch, size = [], 0
    await run_in_threadpool(_feed, parser, batch, True)
    return st.parts
