"""Tables the extractive summary reads: indicators, cue words and official titles (ragtool/data/*.toml)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_surnames, read_toml

DATA_FILES = ("indicators.toml", "cues.toml", "officials.toml")


def _load(settings: Settings, name: str) -> tuple[dict[str, Any], bytes]:
    path = settings.data_path(name)
    data = read_toml(path)
    return data, path.read_bytes()


@dataclass(frozen=True)
class Rules:
    """Everything the extractive engine reads from data files, plus a version string of those files."""

    indicators: dict[str, list[str]]  # canonical name -> forms
    cues: dict[str, Any]
    officials: dict[str, Any]
    version: str

    @classmethod
    def load(cls, settings: Settings) -> Rules:
        tables: list[dict[str, Any]] = []
        digest = hashlib.sha256()
        for name in DATA_FILES:
            data, raw = _load(settings, name)
            tables.append(data)
            digest.update(raw)
        indicators = {name: list(spec.get("forms", [name])) for name, spec in tables[0].get("indicator", {}).items()}
        single, compound = load_surnames(settings)
        tables[2] = {**tables[2], "surnames": "".join(sorted(single)), "compound_surnames": list(compound)}
        digest.update(settings.data_path("surnames.txt").read_bytes())
        return cls(indicators, tables[1], tables[2], f"extractive-v1+{digest.hexdigest()[:8]}")

    def form_to_indicator(self) -> dict[str, str]:
        return {form: name for name, forms in self.indicators.items() for form in forms}

    def figure_cue(self, key: str) -> list[str]:
        return list(self.cues.get("figures", {}).get(key, []))

    def section_cue(self, key: str) -> list[str]:
        return list(self.cues.get("sections", {}).get(key, []))

    def relative_years(self) -> dict[str, int]:
        return dict(self.cues.get("years", {}).get("relative", {}))
