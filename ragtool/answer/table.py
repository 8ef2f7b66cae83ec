"""Table rows as ingest writes them: a label, then cells labelled by their column header
(地区生产总值 | 2024年实际: 411亿元 | 2025年目标: 增长5.5%). Each cell is read as the label's value under its header, so
the header's year and target word frame the value as a sentence would."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"\|\s*(?P<head>[^|:：\n]{1,24}?)\s*[:：]\s*(?P<value>[^|\n]+?)\s*(?=\||\n|$)")


@dataclass(frozen=True)
class Cell:
    start: int  # the header's start
    value: tuple[int, int]  # the value's span


def row_cells(text: str, at: int) -> list[Cell]:
    """The cells of the table row whose label holds position `at` ([] when that line is no such row)."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at) if text.find("\n", at) >= 0 else len(text)
    label_end = text.find("|", line_start, line_end)
    if label_end < 0 or at >= label_end:
        return []
    return [Cell(m.start("head"), m.span("value")) for m in _CELL.finditer(text, label_end, line_end)]
