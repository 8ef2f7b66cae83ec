"""Spreadsheet-safe CSV cells (OWASP "CSV Injection"): a cell a spreadsheet would read as a formula gets a
leading single quote, so Excel, LibreOffice and Sheets show it as text.

Triggers are a first character of = + - @, tab or carriage return. One exception keeps data readable: a cell
that is only a plain decimal number with a minus sign (-3.6, -12, -3.6%) is left alone. A spreadsheet parses it
as a numeric literal; with no operator, function, reference or separator after the sign there is nothing to
execute, and quoting it would turn a real figure (growth of -3.6%) into text that no longer sorts or sums.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NEGATIVE = re.compile(r"-\d+(?:\.\d+)?%?")


def safe_cell(value: Any) -> str:
    """The cell's text, neutralised when a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    if text.startswith(TRIGGERS) and not _PLAIN_NEGATIVE.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[str]:
    return [safe_cell(v) for v in values]
