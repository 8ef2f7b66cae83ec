"""China's administrative divisions (gazetteer.csv) and the places a text names.

A place is a province (rank 0), a prefecture (1), a county, district or county-level city (2), or a town, township or
街道 (3; not in the gazetteer: read from documents or added in places.toml). Each has its full name and the short
forms people write (内蒙古自治区/内蒙古, 黔东南苗族侗族自治州/黔东南州/黔东南, 武进区/武进). A name that several places
share (朝阳区, 郊区, 华容) is resolved by the other places the same text names (its parents), else by what the caller
already knows (the places a corpus is about).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import pickle
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ragtool.config import Settings
from ragtool.datafiles import read_toml

GAZETTEER_FILE = "gazetteer.csv"
PLACES_FILE = "places.toml"
PROVINCE, PREFECTURE, COUNTY, TOWN = 0, 1, 2, 3
CACHE_FORMAT = 1  # raise when Gazetteer, Place or Rules change shape: older saved gazetteers are then rebuilt


@dataclass(frozen=True)
class Place:
    code: str  # 12-digit adcode; a town's is its parent's code + "/" + its name
    name: str  # full name: 广西壮族自治区, 常州市 … 武进区, 凤岗镇
    rank: int  # PROVINCE … TOWN
    parent: str | None  # the parent's code


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    form: str
    codes: tuple[str, ...]  # every place this form names


@dataclass(frozen=True)
class Rules:
    """How names are formed and which need a parent beside them (places.toml [gazetteer])."""

    suffixes: tuple[str, ...]  # administrative suffixes, longest first: 特别行政区, 自治区, 自治州 … 镇
    ethnic: tuple[str, ...]  # 苗族, 侗族 …: cut from autonomous names (黔东南苗族侗族自治州 -> 黔东南州)
    needs_parent: frozenset[str]  # names too generic to stand alone (郊区, 城区, 矿区, 市中区)
    not_forms: frozenset[str]  # short forms that are common words (东方, 和平): only their full name counts
    town_levels: dict[str, str]  # town suffix -> level label (镇, 乡, 街道)


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per data version (see load_gazetteer)
class Gazetteer:
    places: Mapping[str, Place]
    rules: Rules
    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # form -> codes
    weak: frozenset[tuple[str, str]] = frozenset()  # (form, code): counts only beside a parent of the place
    sizes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # first character -> form lengths, longest first

    # ---- building ---------------------------------------------------------------------------------

    @classmethod
    def build(cls, places: Iterable[Place], rules: Rules) -> Gazetteer:
        return cls({}, rules)._plus(places)

    def _plus(self, places: Iterable[Place]) -> Gazetteer:
        """This gazetteer with more places: only their names are read (a corpus's towns added at every start)."""
        new = {p.code: p for p in places}
        forms: dict[str, tuple[str, ...]] = dict(self.forms)
        weak: set[tuple[str, str]] = set(self.weak)
        sizes: dict[str, tuple[int, ...]] = dict(self.sizes)
        for p in new.values():
            for form, is_weak in _forms(p, self.rules):
                codes = forms.get(form, ())
                if p.code not in codes:
                    forms[form] = (*codes, p.code)
                if is_weak:
                    weak.add((form, p.code))
                if len(form) not in sizes.get(form[0], ()):
                    sizes[form[0]] = tuple(sorted({*sizes.get(form[0], ()), len(form)}, reverse=True))
        return type(self)({**self.places, **new}, self.rules, forms, frozenset(weak), sizes)

    def with_places(self, extra: Iterable[Place]) -> Gazetteer:
        """This gazetteer plus places it lacks (the towns of a corpus, places a user added)."""
        new = [p for p in extra if p.code not in self.places]
        return self if not new else _extended(self, tuple(sorted(new, key=lambda p: p.code)))

    # ---- one place --------------------------------------------------------------------------------

    def get(self, code: str | None) -> Place | None:
        return self.places.get(code or "")

    def chain(self, code: str) -> list[Place]:
        """The place and its parents, province first."""
        out: list[Place] = []
        place = self.places.get(code)
        while place is not None and len(out) < 6:
            out.append(place)
            place = self.places.get(place.parent or "")
        return out[::-1]

    def ancestors(self, code: str) -> list[str]:
        return [p.code for p in self.chain(code)[:-1]]

    def short(self, code: str) -> str:
        """The shortest form people write alone: 广西, 成都, 武进, 凤岗; the full name when too short to cut."""
        place = self.places[code]
        cut = _core(place.name, self.rules)
        return cut if len(cut) >= 2 and (cut not in self.rules.not_forms or place.rank == TOWN) else place.name

    def level(self, code: str | None) -> str | None:
        """省, 市, 区, 县, 镇, 乡 or 街道 (a county-level city is 市, a banner 县)."""
        place = self.places.get(code or "")
        if place is None:
            return None
        if place.rank == PROVINCE:
            return "省"
        if place.rank == PREFECTURE:
            return "市"
        if place.rank == TOWN:
            return next((lv for s, lv in self.rules.town_levels.items() if place.name.endswith(s)), "镇")
        return "区" if place.name.endswith("区") else "市" if place.name.endswith("市") else "县"

    def label(self, code: str) -> str:
        """凤岗镇 (东莞市), 武进区 (常州市), 四川省."""
        chain = self.chain(code)
        return chain[-1].name + (f" ({chain[-2].name})" if len(chain) >= 2 else "")

    def within(self, code: str, ancestor: str) -> bool:
        return ancestor in self.ancestors(code)

    # ---- reading a text ---------------------------------------------------------------------------

    def mentions(self, text: str) -> list[Mention]:
        """The longest place form starting at each position of text (they may overlap: 和龙 and 龙江 in 石湾和龙江;
        resolve keeps one of each overlap)."""
        out: list[Mention] = []
        n = len(text)
        for i in range(n):
            for size in self.sizes.get(text[i], ()):
                codes = self.forms.get(text[i : i + size]) if i + size <= n else None
                if codes:
                    out.append(Mention(i, i + size, text[i : i + size], codes))
                    break
        return out

    def resolve(self, mentions: list[Mention], known: Iterable[str] = ()) -> list[tuple[Mention, str]]:
        """(mention, code) for every mention that names one place: its parents named in the same text decide,
        then the places the caller knows; a weak form (a county's short form, 郊区) needs a parent or a known place."""
        known_set = set(known)
        sure = {m.codes[0] for m in mentions if len(m.codes) == 1 and (m.form, m.codes[0]) not in self.weak}
        for _ in range(2):  # a resolved place can decide another one
            resolved = self._resolve_once(mentions, sure, known_set)
            sure |= {code for _, code in resolved}
        kept: list[tuple[Mention, str]] = []
        for m, code in resolved:  # of overlapping names the first (and longest) that names a place
            if not kept or m.start >= kept[-1][0].end:
                kept.append((m, code))
        return kept

    def _resolve_once(self, mentions: list[Mention], sure: set[str], known: set[str]) -> list[tuple[Mention, str]]:
        out = []
        before = {m.end: m for m in mentions}
        for m in mentions:
            scored = []
            others = sure - set(m.codes)  # 岳阳 (the city) is no support for 岳阳 (the county)
            for code in m.codes:
                parents = set(self.ancestors(code))
                adjacent = m.start in before and bool(parents & set(before[m.start].codes))
                weak = (m.form, code) in self.weak
                # a weak form needs its own parent (新兴 needs 云浮, not just 广东)
                named = {self.places[code].parent} if weak else parents
                support = len(named & others) + 2 * adjacent
                if weak and not support and code not in known:
                    continue
                scored.append((support, code in known, -self.places[code].rank, code))
            if not scored:
                continue
            scored.sort(reverse=True)
            if len(scored) > 1 and scored[0][:3] == scored[1][:3]:
                continue  # 朝阳区 with nothing to tell which
            out.append((m, scored[0][3]))
        return out

    def candidates(self, form: str) -> tuple[str, ...]:
        return self.forms.get(form, ())


def count_codes(resolved: list[tuple[Mention, str]]) -> Counter[str]:
    return Counter(code for _, code in resolved)


# ---- names ------------------------------------------------------------------------------------------


def _core(name: str, rules: Rules) -> str:
    """The name without its suffix and ethnic names: 黔东南苗族侗族自治州 -> 黔东南, 武进区 -> 武进."""
    for suffix in rules.suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            core = name[: -len(suffix)]
            if suffix.startswith("自治"):
                core = _strip_ethnic(core, rules.ethnic)
            return core
    return name


def _strip_ethnic(core: str, ethnic: tuple[str, ...]) -> str:
    """黔东南苗族侗族 -> 黔东南; 新疆维吾尔 -> 新疆 (a people named without 族 only at the end, 内蒙古 stays)."""
    cut = min((core.find(e) for e in ethnic if core.find(e) > 0), default=-1)
    if cut > 0:
        return core[:cut]
    bare = next((e[:-1] for e in ethnic if len(e) >= 4 and core.endswith(e[:-1])), "")
    return core[: -len(bare)] if bare and len(core) - len(bare) >= 2 else core


def _forms(place: Place, rules: Rules) -> list[tuple[str, bool]]:
    """(form, weak) pairs: the full name, the autonomous name without its peoples (黔东南州, 本溪县), the core."""
    name = place.name
    # 郊区, and a one-character county (康县 in 健康县, 和县): only beside a parent
    weak_full = name in rules.needs_parent or (len(name) == 2 and place.rank >= COUNTY)
    out = [(name, weak_full)]
    core = _core(name, rules)
    if core == name or len(core) < 2 or (core in rules.not_forms and place.rank < TOWN):  # 长安镇 is 长安 in its corpus
        return out
    suffix = name[len(core):]
    if "自治" in suffix:
        plain = suffix.replace("特别行政区", "").replace("自治", "")
        plain = _strip_ethnic_suffix(plain, rules.ethnic)
        if plain and plain != "区":
            out.append((core + plain, weak_full))
    # a county's bare name is a word too often (长安, 和平, 新华): it needs a parent beside it
    out.append((core, weak_full or place.rank >= COUNTY))
    return out


def _strip_ethnic_suffix(suffix: str, ethnic: tuple[str, ...]) -> str:
    for e in ethnic:
        suffix = suffix.replace(e, "")
    return suffix


# ---- loading ----------------------------------------------------------------------------------------


def _rank(code: str) -> int:
    if code[2:] == "0" * 10:
        return PROVINCE
    if code[4:] == "0" * 8:
        return PREFECTURE
    return COUNTY


def _parent(code: str, codes: set[str]) -> str | None:
    rank = _rank(code)
    if rank == PROVINCE:
        return None
    prefecture, province = code[:4] + "0" * 8, code[:2] + "0" * 10
    return prefecture if rank == COUNTY and prefecture in codes else province


def read_gazetteer_csv(path: Path) -> list[Place]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(line for line in f if not line.startswith("#")) if r]
    body = [(code.strip(), name.strip()) for code, name, *_ in rows[1:] if code.strip().isdigit()]
    codes = {code for code, _ in body}
    return [Place(code, name, _rank(code), _parent(code, codes)) for code, name in body]


def _rules(data: dict[str, object]) -> Rules:
    g = data.get("gazetteer", {})
    assert isinstance(g, dict)
    return Rules(
        suffixes=tuple(sorted(g.get("suffixes", []), key=len, reverse=True)),
        ethnic=tuple(sorted(g.get("ethnic", []), key=len, reverse=True)),
        needs_parent=frozenset(g.get("needs_parent", [])),
        not_forms=frozenset(g.get("not_forms", [])),
        town_levels=dict(g.get("town_levels", {"街道": "街道", "镇": "镇", "乡": "乡"})),
    )


def added_places(data: dict[str, object], base: Gazetteer) -> list[Place]:
    """places.toml [added]: "name" = "parent" (a full name or a chain such as 广东省东莞市)."""
    added = data.get("added", {})
    assert isinstance(added, dict)
    out = []
    for name, parent_text in added.items():
        parents = [code for _, code in base.resolve(base.mentions(str(parent_text)))]
        parent = max(parents, key=lambda c: base.places[c].rank, default=None)
        rank = TOWN if any(str(name).endswith(s) for s in base.rules.town_levels) else COUNTY
        code = f"{parent or ''}/{name}"
        out.append(Place(code, str(name), rank, parent))
    return out


@lru_cache(maxsize=4)
def _load(csv_path: Path, csv_mtime: float, toml_path: Path, toml_mtime: float, cache: Path) -> Gazetteer:
    key = hashlib.sha256(b"%d\0%b\0%b" % (CACHE_FORMAT, csv_path.read_bytes(), toml_path.read_bytes()))
    saved = cache / f"gazetteer-{key.hexdigest()[:16]}.pickle"
    got = _read_cache(saved)
    if got is not None:
        return got
    data = read_toml(toml_path)
    base = Gazetteer.build(read_gazetteer_csv(csv_path), _rules(data))
    built = base.with_places(added_places(data, base))
    _write_cache(saved, built)
    return built


def _read_cache(path: Path) -> Gazetteer | None:
    """The gazetteer built from these data files by an earlier process; None when missing or unreadable."""
    # tens of thousands of small objects: without this, each collection of the cycle collector they trigger walks
    # every object chromadb and pydantic made first (50 ms in a `ragtool ask`, 8 ms alone)
    collecting = gc.isenabled()
    gc.disable()
    try:
        got = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - missing, damaged or from another version: built again
        return None
    finally:
        if collecting:
            gc.enable()
    return got if isinstance(got, Gazetteer) else None


def _write_cache(path: Path, gazetteer: Gazetteer) -> None:
    """Save a built gazetteer (atomically) and drop those of other data versions; an unwritable home only costs
    the next process a build."""
    from ragtool.fsutil import write_bytes_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL))
        for old in path.parent.glob("gazetteer-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


@lru_cache(maxsize=16)
def _extended(base: Gazetteer, extra: tuple[Place, ...]) -> Gazetteer:
    return base._plus(extra)


def load_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer of gazetteer.csv and places.toml: built once per version of these files and kept in
    RAGTOOL_HOME/cache (the build is most of a cold `ragtool ask`'s own work on places)."""
    csv_path, toml_path = settings.data_path(GAZETTEER_FILE), settings.data_path(PLACES_FILE)
    return _load(csv_path, csv_path.stat().st_mtime, toml_path, toml_path.stat().st_mtime, settings.home / "cache")


def town(name: str, parent: str | None) -> Place:
    """A town read from a document (凤岗镇 under 东莞市)."""
    return Place(f"{parent or ''}/{name}", name, TOWN, parent)
