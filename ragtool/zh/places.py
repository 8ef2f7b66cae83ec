"""The places a document is about and a question asks about, read through the gazetteer (ragtool.zh.gazetteer).

Provinces, prefectures, counties and districts come from the gazetteer; towns, townships and 街道 (which it lacks) are
read by their suffix from a document's title and opening, and attached to the county or city the document names.
Every word list is in places.toml.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ragtool.config import Settings
from ragtool.datafiles import read_toml
from ragtool.zh.gazetteer import (
    COUNTY,
    PREFECTURE,
    PROVINCE,
    TOWN,
    Gazetteer,
    Mention,
    Place,
    load_gazetteer,
    town,
)

PLACES_FILE = "places.toml"


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per places.toml version (see _load)
class PlaceRules:
    """How towns are recognised and how a document's own place is chosen (places.toml [rules] and [doc])."""

    gazetteer: Gazetteer
    town_suffixes: tuple[str, ...]  # 街道, 镇, 乡
    bad_chars: str
    bad_start: str
    bad_end: str
    bad_next: dict[str, str]
    modifier_next: str
    min_mentions: int
    generic: frozenset[str]
    generic_cores: frozenset[str]
    opening_chars: int = 300
    hint_next: str = ""
    hint_levels: dict[str, list[str]] = field(default_factory=dict)
    sibling_mentions: int = 2
    level_names: dict[str, str] = field(default_factory=dict)  # suffix -> level label, longest first
    levels: tuple[str, ...] = ()  # the level labels, outermost first (the one place-level ladder)
    sub_place_cues: tuple[str, ...] = ()  # a question asking about a place's sub-places (哪个县, 各镇)
    name_after: tuple[str, ...] = ()  # a place followed by one of these is part of a name (珠海经济特区)


    @property
    def provincial(self) -> dict[str, str]:
        """Provincial-level units: full name -> short form (广西壮族自治区 -> 广西)."""
        gz = self.gazetteer
        return {p.name: gz.short(c) for c, p in gz.places.items() if p.rank == PROVINCE}

    def suffix(self, name: str) -> str:
        return next((s for s in self.level_names if name.endswith(s)), "")

    def code_of(self, name: str) -> str | None:
        """The gazetteer code of a full name when it names one place only."""
        codes = [c for c in self.gazetteer.candidates(name) if self.gazetteer.places[c].name == name]
        return codes[0] if len(codes) == 1 else None

    def short_form(self, name: str) -> str:
        """广东省 -> 广东, 广西壮族自治区 -> 广西, 凤岗镇 -> 凤岗; a name too short to cut stays whole."""
        codes = [c for c in self.gazetteer.candidates(name) if self.gazetteer.places[c].name == name]
        if codes:
            return self.gazetteer.short(codes[0])
        suffix = next((s for s in self.town_suffixes if name.endswith(s)), "")
        return name[: -len(suffix)] if suffix and len(name) - len(suffix) >= 2 else name

    def level(self, name: str | None) -> str | None:
        """The level label of a place name (省 for every provincial-level unit, 北京市 included)."""
        if not name:
            return None
        codes = [c for c in self.gazetteer.candidates(name) if self.gazetteer.places[c].name == name]
        if codes:
            return self.gazetteer.level(codes[0])
        return next((self.gazetteer.rules.town_levels[s] for s in self.town_suffixes if name.endswith(s)), None)

    def plausible(self, name: str) -> bool:
        """Could this word be a town's name (凤岗镇), rather than a phrase ending like one (各镇, 城镇)?"""
        suffix = self.suffix(name)
        core = name[: -len(suffix)] if suffix else name
        return (
            len(core) >= 2
            and not any(c in self.bad_chars for c in core)
            and core[0] not in self.bad_start
            and name not in self.generic
            and core not in self.generic_cores
        )


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float, gazetteer: Gazetteer) -> PlaceRules:
    data = read_toml(path)
    rules, doc = data.get("rules", {}), data.get("doc", {})
    return PlaceRules(
        gazetteer=gazetteer,
        town_suffixes=tuple(sorted(rules.get("levels", ["街道", "镇", "乡"]), key=len, reverse=True)),
        bad_chars=rules.get("bad_chars", ""),
        bad_start=rules.get("bad_start", ""),
        bad_end=rules.get("bad_end", ""),
        bad_next=dict(rules.get("bad_next", {})),
        modifier_next=rules.get("modifier_next", ""),
        min_mentions=int(rules.get("min_mentions", 2)),
        generic=frozenset(rules.get("generic", [])),
        generic_cores=frozenset(rules.get("generic_cores", [])),
        opening_chars=int(doc.get("opening_chars", 300)),
        hint_next=str(doc.get("hint_next", "")),
        hint_levels={k: list(v) for k, v in doc.get("hint_levels", {}).items()},
        sibling_mentions=int(doc.get("sibling_mentions", 2)),
        level_names=dict(sorted(data.get("level_names", {}).items(), key=lambda kv: len(kv[0]), reverse=True)),
        levels=tuple(dict.fromkeys(data.get("level_names", {}).values())),
        sub_place_cues=tuple(data.get("question", {}).get("sub_place_cues", [])),
        name_after=tuple(data.get("question", {}).get("name_after", [])),
    )


def load_place_rules(settings: Settings) -> PlaceRules:
    path = settings.data_path(PLACES_FILE)
    return _load(path, path.stat().st_mtime, load_gazetteer(settings))


def place_stems(place: str, levels: list[str]) -> tuple[str, ...]:
    """厚街镇 -> (厚街镇, 厚街): how a document names its own place before an indicator (levels: officials.toml's
    place_levels)."""
    if len(place) < 2:
        return ()
    suffix = next((w for w in sorted(levels, key=len, reverse=True) if place.endswith(w)), "")
    stem = place[: len(place) - len(suffix)]
    return (place, stem) if len(stem) >= 2 else (place,)


# ---- a document's places ------------------------------------------------------------------------------


@dataclass
class DocPlaces:
    place: str | None = None  # the most specific place the document is about
    code: str | None = None  # its gazetteer code (a town's: its parent's code + "/" + name)
    level: str | None = None
    chain: list[str] = field(default_factory=list)  # its parents' names, province first
    places: list[str] = field(default_factory=list)  # every place named, in order of first mention
    also: list[str] = field(default_factory=list)  # codes of siblings it reports on as well (成德眉资四市)
    towns: list[Place] = field(default_factory=list)  # towns read from the text (not in the gazetteer)


def read_doc_places(title: str, text: str, rules: PlaceRules) -> DocPlaces:
    """The places of a document (simplified title and text)."""
    full = title + "\n" + text
    gz = rules.gazetteer
    resolved = [(m, c) for m, c in gz.resolve(gz.mentions(full)) if not _inside_word(full, m, rules)]
    resolved = _supported(resolved, gz, len(title) + 1 + rules.opening_chars)
    counts = Counter(code for _, code in resolved)
    first: dict[str, int] = {}
    for m, code in resolved:
        first.setdefault(code, m.start)
    towns = _towns(title, text, rules, resolved, counts)
    if towns:
        gz = gz.with_places(towns)
        for t in towns:
            counts[t.code] = full.count(t.name) + full.count(rules.short_form(t.name))
            first.setdefault(t.code, full.find(t.name))
    title_end, opening_end = len(title), len(title) + 1 + rules.opening_chars
    in_title = {c for m, c in resolved if m.end <= title_end} | {
        t.code for t in towns if t.name in title or rules.short_form(t.name) in title}
    in_opening = {c for m, c in resolved if m.start < opening_end} | {t.code for t in towns}
    main = _main(gz, [in_title, in_opening, set(counts)], counts, _hint(title, rules))
    out = DocPlaces(places=[gz.places[c].name for c in sorted(counts, key=first.__getitem__)], towns=towns)
    if main is None:
        return out
    code = main
    chain = gz.chain(code)
    out.place, out.code, out.level = chain[-1].name, code, gz.level(code)
    out.chain = [p.name for p in chain[:-1]]
    place = gz.places[code]
    out.also = [c for c in counts if c != code and gz.places[c].parent == place.parent
                and gz.places[c].rank == place.rank and counts[c] >= rules.sibling_mentions and place.rank > PROVINCE]
    return out


def _main(gz: Gazetteer, pools: list[set[str]], counts: Counter[str], hint: list[str]) -> str | None:
    """The most specific place of the title; else of the opening, else of the text (the most named, at the level a
    title such as 市委常委会 asks for)."""
    for i, pool in enumerate(pools):
        if not pool:
            continue
        if hint:
            pool = {c for c in pool if gz.level(c) in hint} or (pool if i == 0 else set())
            if not pool:
                continue
        if i == 0:
            return max(pool, key=lambda c: (gz.places[c].rank, counts[c]))
        return max(pool, key=lambda c: (counts[c], gz.places[c].rank))
    return None


def _hint(title: str, rules: PlaceRules) -> list[str]:
    """市十七届人大五次会议, ——市委经济工作会议, 区委…: a level word opening a phrase of the title, with no name before
    it, asks for a place of that level."""
    for i, ch in enumerate(title):
        levels = rules.hint_levels.get(ch)
        opens = i == 0 or not "\u4e00" <= title[i - 1] <= "\u9fff"
        if levels and opens and title[i + 1 : i + 2] and title[i + 1] in rules.hint_next:
            return levels
    return []


def _inside_word(text: str, m: Mention, rules: PlaceRules) -> bool:
    """中原区域, 运河区间: a suffix followed by a character that makes it another word."""
    return text[m.end : m.end + 1] in rules.bad_next.get(m.form[-1], "") and m.end < len(text)


def _supported(resolved: list[tuple[Mention, str]], gz: Gazetteer, opening_end: int) -> list[tuple[Mention, str]]:
    """A place named once in the body counts when the text also names its parent (a county's prefecture; a
    prefecture's province, unless named in full), or in the title or opening (平原县 once in a provincial report is a
    word, not a place)."""
    counts = Counter(code for _, code in resolved)
    early = {code for m, code in resolved if m.start < opening_end}
    full = {code for m, code in resolved if m.form == gz.places[code].name}
    def keep(code: str) -> bool:
        place = gz.places[code]
        if place.rank == PROVINCE or code in early or counts[code] >= 2:
            return True
        if place.rank == PREFECTURE:  # 长治 in 长治久安, 长春 in a person's name: once, short, no province named
            return code in full or place.parent in counts
        return place.parent in counts and gz.places[place.parent or ""].rank > PROVINCE
    return [(m, c) for m, c in resolved if keep(c)]


def _towns(title: str, text: str, rules: PlaceRules, resolved: list[tuple[Mention, str]],
           counts: Counter[str]) -> list[Place]:
    """Towns named in the title, or at least twice in the opening, attached to the county or city the text names
    most (凤岗镇 under 东莞市)."""
    gz = rules.gazetteer
    opening = title + "\n" + text[: rules.opening_chars]
    full = title + "\n" + text
    names: list[str] = []
    for suffix in rules.town_suffixes:
        for m in re.finditer(suffix, opening):
            name = _town_name(opening, m.start(), suffix, rules)
            if not name or name in names or gz.candidates(name):  # 景德镇 is a city
                continue
            generic = name in rules.generic or name[-2:] in rules.generic  # 苍城镇, 下各镇 end like 城镇, 各镇
            if (name in title and (not generic or full.count(name) >= 2)) or (
                    not generic and full.count(name) >= rules.min_mentions):
                names.append(name)
    if not names:
        return []
    parents = [c for c in counts if gz.places[c].rank <= COUNTY]
    parent = max(parents, key=lambda c: (gz.places[c].rank > PROVINCE, counts[c], gz.places[c].rank), default=None)
    return [town(name, parent) for name in names]


def _town_name(text: str, pos: int, suffix: str, rules: PlaceRules) -> str:
    """The town name ending in the suffix at pos, or ''."""
    core = text[max(0, pos - 2) : pos]
    after = text[pos + len(suffix) : pos + len(suffix) + 1]
    if (
        len(core) < 2
        or not all("\u4e00" <= c <= "\u9fff" for c in core)
        or core[0] in rules.bad_start
        or any(c in rules.bad_chars for c in core)
        or core[-1] in rules.bad_end
        or (after and after in rules.bad_next.get(suffix, ""))
        or core in rules.generic_cores
    ):
        return ""
    return core + suffix


def is_town(place: Place) -> bool:
    return place.rank == TOWN
