"""multipart/form-data read as it streams in: each file kept in memory up to the size limit, never spooled to
a temporary file (nothing is written outside RAGTOOL_HOME), refused with 413 as soon as it passes the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from ragtool.serve.errors import HttpError
from ragtool.serve.uploads import safe_name


@dataclass
class Part:
    name: str = ""  # the form field
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


@dataclass
class _State:
    max_bytes: int
    max_files: int
    name_chars: int
    parts: list[Part] = field(default_factory=list)
    header_field: bytes = b""
    header_value: bytes = b""
    current: Part | None = None
    error: HttpError | None = None


def _on_header_end(st: _State) -> None:
    if st.header_field.lower() == b"content-disposition" and st.current is not None:
        _, opts = parse_options_header(st.header_value)
        st.current.name = opts.get(b"name", b"").decode("utf-8", "replace")
        raw = opts.get(b"filename")
        if raw is not None:
            st.current.filename = raw.decode("utf-8", "replace")
            safe_name(st.current.filename, st.name_chars)  # refuse an unsupported type before its bytes arrive
    st.header_field = st.header_value = b""


def _on_data(st: _State, data: bytes, start: int, end: int) -> None:
    part = st.current
    assert part is not None
    part.data += data[start:end]
    limit = st.max_bytes if part.filename is not None else 64 * 1024
    if len(part.data) > limit:
        what = part.filename or part.name
        raise HttpError(413, "too_large", f"{what} is larger than the upload limit of {st.max_bytes / (1 << 20):g} MB")


def _on_part_end(st: _State) -> None:
    assert st.current is not None
    st.parts.append(st.current)
    if sum(p.filename is not None for p in st.parts) > st.max_files:
        raise HttpError(413, "too_large", f"too many files in one upload (at most {st.max_files})")
    st.current = None


async def read_form(content_type: str, stream: AsyncIterator[bytes], max_bytes: int, max_files: int,
                    name_chars: int = 120) -> list[Part]:
    """The parts of a multipart body; HttpError 400 when it is not multipart, 413 past a limit."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise HttpError(400, "usage", "expected multipart/form-data with files, or JSON {\"paths\": [...]}")
    st = _State(max_bytes=max_bytes, max_files=max_files, name_chars=name_chars)

    def begin() -> None:
        st.current = Part()

    callbacks = {
        "on_part_begin": begin,
        "on_part_data": lambda d, s, e: _on_data(st, d, s, e),
        "on_part_end": lambda: _on_part_end(st),
        "on_header_field": lambda d, s, e: setattr(st, "header_field", st.header_field + d[s:e]),
        "on_header_value": lambda d, s, e: setattr(st, "header_value", st.header_value + d[s:e]),
        "on_header_end": lambda: _on_header_end(st),
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    async for chunk in stream:
        parser.write(chunk)
    parser.finalize()
    return st.parts
