"""Versioned prompt files and safe `{var}` substitution."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtool.config import Settings
from ragtool.errors import UsageError

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<head>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_VERSION_LINE = re.compile(r"\Aversion:[ \t]*(?P<v>\S+)[ \t]*(?:\r?\n|\Z)")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str
    version: str


def parse_prompt(name: str, raw: str) -> Prompt:
    """Split the front matter (`---` block with `version: x`, or a first line `version: x`) from the text."""
    m = _FRONT_MATTER.match(raw)
    if m:
        fields = dict(_field(line) for line in m["head"].splitlines() if ":" in line)
        return Prompt(name, raw[m.end():].strip("\n"), fields.get("version", ""))
    m = _VERSION_LINE.match(raw)
    if m:
        return Prompt(name, raw[m.end():].strip("\n"), m["v"])
    return Prompt(name, raw.strip("\n"), "")


def _field(line: str) -> tuple[str, str]:
    key, _, value = line.partition(":")
    return key.strip(), value.strip()


def load_prompt(settings: Settings, name: str) -> Prompt:
    """The prompt file `name` (e.g. "answer.system.md") from settings.prompt_path."""
    path = settings.prompt_path(name)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read prompt file {path}: {e.strerror or e}") from e
    return parse_prompt(name, raw)


def render(template: str, **variables: object) -> str:
    """Replace `{name}` for the given names in one pass.

    Values are inserted verbatim and never re-scanned, so braces inside document text are safe;
    placeholders not given (and any other braces in the template) are left as they are.
    """

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        return str(variables[key]) if key in variables else m.group(0)

    return _PLACEHOLDER.sub(sub, template)
