"""Document metadata: title, date, place, kind, doc id."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ragtool.config import Settings, load_settings
from ragtool.datafiles import read_toml
from ragtool.models import DocKind, DocMeta
from ragtool.places import PlaceRules, load_place_rules
from ragtool.textnorm import cn_number, halfwidth, t2s

META_FILE = "meta.toml"
TITLE_MAX_CHARS = 80

_HAN = re.compile(r"[\u4e00-\u9fff]")
_FULL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_ANNIVERSARY = re.compile(r"((?:19|20)\d{2})年[^。]{0,40}?([一二三四五六七八九十百零〇两\d]+)周年")
_TERMINAL = "。!?;,:、"


def doc_id_for(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---- rules from data files ---------------------------------------------------------------------


@dataclass(frozen=True)
class MetaRules:
    """Kind cues and year cues (meta.toml)."""

    title_suffix: re.Pattern[str]
    kind_order: tuple[str, ...]
    kinds: dict[str, tuple[re.Pattern[str], ...]]
    current_year: tuple[re.Pattern[str], ...]
    previous_year: tuple[re.Pattern[str], ...]
    long_range: tuple[re.Pattern[str], ...]
    date_window: int
    kind_window: int
    forms: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    min_news: int = 2


def _toml(path: Path) -> dict[str, Any]:
    return read_toml(path)


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=8)
def load_meta_rules(path: Path, mtime: float = 0.0) -> MetaRules:
    data = _toml(path)
    kinds = data.get("kinds", {})
    years = data.get("years", {})
    order = tuple(kinds.get("order", []))
    return MetaRules(
        title_suffix=re.compile(data.get("title_suffix", r"(?!)")),
        kind_order=order,
        kinds={k: _compile(kinds.get(k, [])) for k in order},
        current_year=_compile(years.get("current", [])),
        previous_year=_compile(years.get("previous", [])),
        long_range=_compile(years.get("long_range", [])),
        date_window=int(data.get("date_window", 600)),
        kind_window=int(data.get("kind_window", 400)),
        forms={k: _compile(v) for k, v in data.get("forms", {}).items() if isinstance(v, list)},
        min_news=int(data.get("forms", {}).get("min_news", 2)),
    )


def _rules(settings: Settings) -> tuple[MetaRules, PlaceRules]:
    meta_path = settings.data_path(META_FILE)
    return load_meta_rules(meta_path, meta_path.stat().st_mtime), load_place_rules(settings)


# ---- entry point -------------------------------------------------------------------------------


def extract_meta(
    text: str, header: dict[str, str], source: str = "", file_hash: str = "", settings: Settings | None = None
) -> DocMeta:
    """Metadata of a cleaned document; header values (Title/Date/URL) win over what the text says."""
    mrules, prules = _rules(settings or load_settings())
    title = clean_title(header.get("title", ""), mrules)
    has_title = bool(title)
    if not title:
        title, has_title = guess_title(text)
    if not has_title and header.get("file_title"):  # a .docx or .pdf's own metadata, when the text has no title
        title, has_title = clean_title(header["file_title"], mrules), True
    simple_title, simple_text = t2s(halfwidth(title)), t2s(text)
    # a title made from the first sentence says little about the year ("…审议了2024年决算")
    year_title = simple_title if has_title else ""
    date = (parse_date(header.get("date", "")) or find_date(year_title, simple_text, mrules)
            or parse_date(header.get("file_date", "")))
    year = int(date[:4]) if date else infer_year(year_title, simple_text, mrules)
    places = find_places(simple_title, simple_text, prules)
    url = (header.get("url") or "").strip() or None
    return DocMeta(
        doc_id=doc_id_for(text),
        title=title,
        date=date,
        year=year,
        place=(place := main_place(places, simple_title, simple_text, prules)),
        level=prules.level(place),
        places=places,
        kind=find_kind(simple_title, simple_text, mrules),
        form=find_form(simple_title, simple_text, mrules),
        url=url,
        source=source,
        file_hash=file_hash,
    )


# ---- title -------------------------------------------------------------------------------------


def clean_title(title: str, rules: MetaRules) -> str:
    title = " ".join(halfwidth(title).split())
    return rules.title_suffix.sub("", title).strip()


def guess_title(text: str) -> tuple[str, bool]:
    """The first heading-like line near the top (True), else the first sentence (False)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for line in lines[:10]:
        if _is_title_like(line):
            return line, True
    first = lines[0] if lines else ""
    return re.split(r"[。!?;]", first, maxsplit=1)[0][:TITLE_MAX_CHARS], False


def _is_title_like(line: str) -> bool:
    return (
        6 <= len(line) <= TITLE_MAX_CHARS
        and len(_HAN.findall(line)) >= 4
        and line[-1] not in _TERMINAL
        and not _FULL_DATE.search(line)
        and " | " not in line  # a table row
        and not re.match(r"(发布|来源|作者|编辑|时间|日期)", line)
        and not line.endswith(("网站", "网", "栏目", "频道"))
    )


# ---- dates -------------------------------------------------------------------------------------


def parse_date(value: str) -> str | None:
    """ISO date from '2025-03-11', '2025/3/11 15:14', '2025年3月3日', '2024年 1月30日'; None when invalid."""
    m = _FULL_DATE.search(value or "")
    return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(title: str, text: str, rules: MetaRules) -> str | None:
    """The first full date near the top, else the first month/day there with an inferred year."""
    top = text[: rules.date_window]
    for m in _FULL_DATE.finditer(top):
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            return iso
    md = _MONTH_DAY.search(top[: rules.date_window // 2])
    year = infer_year(title, text, rules) if md else None
    return _iso(year, int(md.group(1)), int(md.group(2))) if md and year else None


def infer_year(title: str, text: str, rules: MetaRules) -> int | None:
    """The document's year: from the title, from cue phrases, from an anniversary, else the latest year named."""
    latest_ok = dt.date.today().year + 1
    title_years = [y for y in _years(title, rules) if y <= latest_ok]
    if title_years:
        return max(title_years)
    cued = [int(m.group(1)) for p in rules.current_year for m in p.finditer(text)]
    cued += [int(m.group(1)) + 1 for p in rules.previous_year for m in p.finditer(text)]
    cued = [y for y in cued if y <= latest_ok]
    if cued:
        return max(cued)
    anniversaries = [y for y in _anniversaries(text) if y <= latest_ok]
    if anniversaries:
        return max(anniversaries)
    named = [y for y in _years(text, rules) if y <= latest_ok]
    return max(named) if named else None


def _years(text: str, rules: MetaRules) -> list[int]:
    """Years named in the text, except long-range goals such as 到2035年."""
    out = []
    for m in _YEAR.finditer(text):
        before = text[max(0, m.start() - 4) : m.start()]
        if not any(p.search(before) for p in rules.long_range):
            out.append(int(m.group(1)))
    return out


def _anniversaries(text: str) -> list[int]:
    """'1994年…三十周年' -> 2024."""
    out = []
    for m in _ANNIVERSARY.finditer(text):
        n = cn_number(m.group(2))
        if n:
            out.append(int(m.group(1)) + n)
    return out


# ---- kind --------------------------------------------------------------------------------------


def find_form(title: str, text: str, rules: MetaRules) -> Literal["report", "news", ""]:
    """"report" when the opening reads as the report itself (各位代表), "news" when it reports on a meeting (开幕, 主持,
    记者 …: at least min_news cues in the title and opening), else ""."""
    top = halfwidth(text[: rules.kind_window])
    if any(p.search(top) for p in rules.forms.get("report", ())):
        return "report"
    news = sum(1 for p in rules.forms.get("news", ()) if p.search(title) or p.search(top))
    return "news" if news >= rules.min_news else ""


def find_kind(title: str, text: str, rules: MetaRules) -> DocKind:
    """Kind from the title's cues (in priority order), else the earliest cue near the top of the text."""
    for kind in rules.kind_order:
        if any(p.search(title) for p in rules.kinds[kind]):
            return kind  # type: ignore[return-value]
    top = halfwidth(text[: rules.kind_window])
    hits = [
        (m.start(), i)
        for i, kind in enumerate(rules.kind_order)
        for p in rules.kinds[kind]
        if (m := p.search(top))
    ]
    return rules.kind_order[min(hits)[1]] if hits else "other"  # type: ignore[return-value]


# ---- places ------------------------------------------------------------------------------------


def find_places(title: str, text: str, rules: PlaceRules) -> list[str]:
    """Every distinct place named in title and text (simplified), in order of first mention."""
    full = title + "\n" + text
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    weak: set[str] = set()
    standalone: Counter[str] = Counter()  # uses other than as a modifier (市委, 镇党委)
    nested: set[str] = set()  # named right after a larger place (东莞市凤岗镇)
    for m in rules.pattern.finditer(full):
        name, is_weak = _candidate(full, m.start(), m.group(), rules)
        if not name:
            continue
        counts[name] += 1
        first.setdefault(name, m.start())
        if is_weak:
            weak.add(name)
        after = full[m.end() : m.end() + 1]
        if not after or after not in rules.modifier_next:
            standalone[name] += 1
        start = m.start() - (len(name) - len(m.group()))
        if start > 0 and full[start - 1] in "省市区县":
            nested.add(name)

    keep = [
        n
        for n in counts
        if (n in title or (standalone[n] and (counts[n] >= rules.min_mentions or n in nested)))
        and (n not in weak or (n in title and counts[n] >= 2))
    ]
    for name, short in rules.provincial.items():  # named in full, or by its short form in the title
        at = full.find(name)
        if at < 0 and short in title:
            at = full.find(short)
        if at >= 0 and (short in title or full.count(short) >= rules.min_mentions) and name not in keep:
            keep.append(name)
            first[name] = at
    return sorted(keep, key=first.__getitem__)


def _candidate(text: str, pos: int, suffix: str, rules: PlaceRules) -> tuple[str, bool]:
    """The place name ending in the suffix at pos ('' if none), and whether it looks like a generic word."""
    core = text[max(0, pos - 2) : pos]
    after = text[pos + len(suffix) : pos + len(suffix) + 1]
    if (
        len(core) < 2
        or not all("\u4e00" <= c <= "\u9fff" for c in core)
        or core[0] in rules.bad_start
        or any(c in rules.bad_chars for c in core)
        or core[-1] in rules.bad_end
        or any(core.endswith(s) for s in rules.levels)
        or (after and after in rules.bad_next.get(suffix, ""))
        or core in rules.generic_cores
    ):
        return "", False
    name = core + suffix
    weak = name in rules.generic or name[-2:] in rules.generic or name[-3:] in rules.generic
    return name, weak


def main_place(places: list[str], title: str, text: str, rules: PlaceRules) -> str | None:
    """The most specific place named (fully or by its stem) in the title; else the most mentioned place."""
    if not places:
        return None

    level, stem = rules.specificity, rules.short_form
    mentions = {p: text.count(stem(p)) for p in places}
    in_title = [p for p in places if stem(p) in title]
    pool = in_title or places
    key = (lambda p: (level(p), mentions[p])) if in_title else (lambda p: (mentions[p], level(p)))
    return max(pool, key=key)
