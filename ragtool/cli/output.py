"""Console helpers shared by the commands: JSON output, progress bars and one-line errors.

Nothing reaches the terminal raw: every string printed through `out` and `err` (and so every table cell) has
its control characters, escape sequences and bidi overrides shown as visible escapes, emoji shortcodes are
never interpreted (quotes stay verbatim), and JSON output escapes C1 controls too.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.text import Text

from ragtool.config import mask_url_passwords

# C0 controls but tab and newline, DEL, C1 controls (\x9b is a one-byte CSI), and bidi embeddings/overrides/
# isolates, which reorder what is shown.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\x85]")
_C1 = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    c = m.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def safe(text: str) -> str:
    """`text` for the terminal: newlines and tabs kept, every other control character shown as an escape."""
    return _UNSAFE.sub(_visible, text)


def safe_line(text: str) -> str:
    """`text` on one line: newlines too are shown as escapes (a file name cannot forge a report line)."""
    return _UNSAFE_LINE.sub(_visible, str(text))


class SafeConsole(Console):
    """A rich Console that sanitises every string it renders (print arguments, table cells, markup)."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(safe(mask_url_passwords(text)), **kwargs)


out = SafeConsole(highlight=False, soft_wrap=True, emoji=False)
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def json_text(text: str) -> str:
    """JSON text with DEL, C1 controls, line separators and bidi controls escaped too (json escapes only C0)."""
    return mask_url_passwords(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def write_out(text: str) -> None:
    """Text (csv, markdown) on stdout, sanitised for the terminal."""
    sys.stdout.write(safe(mask_url_passwords(text)))
    sys.stdout.flush()


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, no escaping of Chinese."""
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=2)
    else:
        text = json.dumps(_plain(data), ensure_ascii=False, indent=2)
    sys.stdout.write(json_text(text) + "\n")
    sys.stdout.flush()


def print_jsonl(item: BaseModel | dict[str, Any]) -> None:
    text = item.model_dump_json() if isinstance(item, BaseModel) else json.dumps(_plain(item), ensure_ascii=False)
    sys.stdout.write(json_text(text) + "\n")
    sys.stdout.flush()


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    return data


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[str, float, int], None]]:
    """A rich progress bar on stderr (only when it is a terminal); yields update(name, done, total).

    The bar appears at the first update, so work that turns out to be nothing (a corpus already in sync)
    shows no bar and does not load rich.progress."""
    if not enabled or not err.is_terminal:
        yield lambda name, done, total: None
        return
    bar: Any = None
    task: Any = None

    def update(name: str, done: float, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            bar = _new_bar()
            bar.start()
            task = bar.add_task(label, total=None, name="")
        bar.update(task, completed=done, total=total, name=safe_line(name[:40]))

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def _new_bar() -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[name]}", markup=False),
        console=err,
        transient=True,
    )


def fail(message: str) -> None:
    """One line on stderr; the message is printed literally (no rich markup), control characters escaped."""
    err.print(Text.assemble(("error: ", "bold red"), safe_line(mask_url_passwords(" ".join(message.splitlines())))))
