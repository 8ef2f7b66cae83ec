"""Document metadata: title, date, place, kind, doc id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ragtool.config import Settings, load_settings
from ragtool.datafiles import read_toml
from ragtool.models import DocKind, DocMeta
from ragtool.zh import numerals
from ragtool.zh.dates import YEAR_NUMBER, dates, full_dates, parse_date, year_mentions
from ragtool.zh.marks import TERMINAL
from ragtool.zh.numerals import NUMERAL_CHARS, year_value
from ragtool.zh.places import PlaceRules, load_place_rules, read_doc_places
from ragtool.zh.sentences import sentences
from ragtool.zh.textnorm import halfwidth, t2s

META_FILE = "meta.toml"
TITLE_MAX_CHARS = 80

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ANNIVERSARY = re.compile(rf"({YEAR_NUMBER})\s*年[^。]{{0,40}}?([{NUMERAL_CHARS}\d]+)周年")
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
    places = read_doc_places(simple_title, simple_text, prules)
    url = (header.get("url") or "").strip() or None
    return DocMeta(
        doc_id=doc_id_for(text),
        title=title,
        date=date,
        year=year,
        place=places.place,
        level=places.level,
        places=places.places,
        place_code=places.code,
        place_chain=places.chain,
        also_about=places.also,
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
    spans = sentences(first)
    head = first[spans[0][0] : spans[0][1]].rstrip(TERMINAL) if spans else ""
    return head[:TITLE_MAX_CHARS], False


def _is_title_like(line: str) -> bool:
    return (
        6 <= len(line) <= TITLE_MAX_CHARS
        and len(_HAN.findall(line)) >= 4
        and line[-1] not in _TERMINAL
        and not full_dates(line)
        and " | " not in line  # a table row
        and not re.match(r"(发布|来源|作者|编辑|时间|日期)", line)
        and not line.endswith(("网站", "网", "栏目", "频道"))
    )


# ---- dates -------------------------------------------------------------------------------------


def find_date(title: str, text: str, rules: MetaRules) -> str | None:
    """The first full date near the top, else the first month/day there with an inferred year."""
    top = text[: rules.date_window]
    found = full_dates(top)
    if found:
        return found[0].iso
    days = dates(top[: rules.date_window // 2])
    if not days:
        return None
    return dataclasses.replace(days[0], year=infer_year(title, text, rules)).iso


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
    for m in year_mentions(text, bare=True):
        before = text[max(0, m.start - 4) : m.start]
        if m.year is not None and not any(p.search(before) for p in rules.long_range):
            out.append(m.year)
    return out


def _anniversaries(text: str) -> list[int]:
    """'1994年…三十周年' -> 2024."""
    out = []
    for m in _ANNIVERSARY.finditer(text):
        year, n = year_value(m.group(1)), numerals.number(m.group(2))
        if year and n:
            out.append(year + n)
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
