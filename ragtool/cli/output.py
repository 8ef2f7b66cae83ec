"""Console helpers shared by the commands: JSON output, progress bars and one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, no escaping of Chinese."""
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=2)
    else:
        text = json.dumps(_plain(data), ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def print_jsonl(item: BaseModel | dict[str, Any]) -> None:
    text = item.model_dump_json() if isinstance(item, BaseModel) else json.dumps(_plain(item), ensure_ascii=False)
    sys.stdout.write(text + "\n")
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
        bar.update(task, completed=done, total=total, name=name[:40])

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
        TextColumn("{task.fields[name]}"),
        console=err,
        transient=True,
    )


def fail(message: str) -> None:
    """One line on stderr; the message is printed literally (no rich markup)."""
    from rich.text import Text

    err.print(Text.assemble(("error: ", "bold red"), message.replace("\n", " ")))
