"""Clean text: boilerplate, repeated paragraphs, whitespace, full-width, pinyin. (minimal version)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ragtool.config import Settings
from ragtool.textnorm import halfwidth


@dataclass
class Cleaner:
    """Cleans raw text with boilerplate patterns read from a data file."""

    line_patterns: list[re.Pattern[str]] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings) -> Cleaner:
        return cls()

    def clean(self, text: str) -> str:
        """Cleaned text: what is shown, quoted and chunked."""
        seen: set[str] = set()
        out: list[str] = []
        for line in halfwidth(text).replace("\r\n", "\n").split("\n"):
            line = re.sub(r"[ \t]+", " ", line).strip()
            if not line or line in seen:
                continue
            seen.add(line)
            out.append(line)
        return "\n".join(out)
