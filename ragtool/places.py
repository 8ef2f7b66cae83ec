"""Place names at every level of government: the suffix ladder (镇, 区, 县, 市, 街道) and the provincial-level
units (provinces, autonomous regions, municipalities), all read from places.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ragtool.config import Settings
from ragtool.datafiles import read_toml

PLACES_FILE = "places.toml"


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per places.toml version (see _load)
class PlaceRules:
    """How place names are recognised and ranked (places.toml)."""

    levels: dict[str, int]  # suffix -> specificity (higher = smaller area); provincial units are 0
    level_names: dict[str, str]  # suffix -> level label (省, 市, 区, 县, 镇, 街道)
    provincial: dict[str, str]  # full name -> short form (广西壮族自治区 -> 广西)
    bad_chars: str
    bad_start: str
    bad_end: str
    bad_next: dict[str, str]
    modifier_next: str
    min_mentions: int
    generic: frozenset[str]
    generic_cores: frozenset[str]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(sorted(self.levels, key=len, reverse=True)))

    def suffix(self, name: str) -> str:
        return next((s for s in sorted(self.level_names, key=len, reverse=True) if name.endswith(s)), "")

    def short_form(self, name: str) -> str:
        """广东省 -> 广东, 广西壮族自治区 -> 广西, 凤岗镇 -> 凤岗; a name too short to cut stays whole."""
        if name in self.provincial:
            return self.provincial[name]
        suffix = self.suffix(name)
        return name[: -len(suffix)] if suffix and len(name) - len(suffix) >= 2 else name

    def plausible(self, name: str) -> bool:
        """Could this word be a place name (深圳市), rather than a phrase ending like one (今年地区, 全市)?"""
        core = name[: -len(self.suffix(name))] if self.suffix(name) else name
        return (
            len(core) >= 2
            and not any(c in self.bad_chars for c in core)
            and core[0] not in self.bad_start
            and name not in self.generic
            and core not in self.generic_cores
        )

    def specificity(self, name: str) -> int:
        return 0 if name in self.provincial else self.levels.get(self.suffix(name), 0)

    def level(self, name: str | None) -> str | None:
        """The level label of a place (省 for every provincial-level unit, 北京市 included)."""
        if not name:
            return None
        return "省" if name in self.provincial else self.level_names.get(self.suffix(name))


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> PlaceRules:
    data = read_toml(path)
    rules = data.get("rules", {})
    return PlaceRules(
        levels={k: int(v) for k, v in data.get("levels", {}).items()},
        level_names=dict(data.get("level_names", {})),
        provincial=dict(data.get("provincial", {})),
        bad_chars=rules.get("bad_chars", ""),
        bad_start=rules.get("bad_start", ""),
        bad_end=rules.get("bad_end", ""),
        bad_next=dict(rules.get("bad_next", {})),
        modifier_next=rules.get("modifier_next", ""),
        min_mentions=int(rules.get("min_mentions", 2)),
        generic=frozenset(rules.get("generic", [])),
        generic_cores=frozenset(rules.get("generic_cores", [])),
    )


def load_place_rules(settings: Settings) -> PlaceRules:
    path = settings.data_path(PLACES_FILE)
    return _load(path, path.stat().st_mtime)


def place_stems(place: str, levels: list[str]) -> tuple[str, ...]:
    """厚街镇 -> (厚街镇, 厚街): how a document names its own place before an indicator (levels: officials.toml's
    place_levels)."""
    if len(place) < 2:
        return ()
    suffix = next((w for w in sorted(levels, key=len, reverse=True) if place.endswith(w)), "")
    stem = place[: len(place) - len(suffix)]
    return (place, stem) if len(stem) >= 2 else (place,)
