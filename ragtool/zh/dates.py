"""Years and dates, read one way everywhere: 2025年, 二〇二五年, 2025年3月3日, 2025-03-11, 2025/3/11, 1月21日.

    years("2025年和二〇二六年")          -> [2025, 2026]
    strip_years("2025年GDP增长多少")     -> " GDP增长多少"
    dates("1月21日召开", year=2025)      -> [DateMention(…, year=2025, month=1, day=21)]
    relative_year("去年", 2026, table)   -> 2025   (the words and offsets come from a data file)

二〇二六年一月二十日 is a date too. A day written without its year (1月21日) takes the year it is resolved against: the document's year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ragtool.zh.numerals import YEAR_DIGITS, number, year_value

# A year as a number: 1900-2099 in digits or four Chinese digits (二〇二五). For use inside larger patterns.
YEAR_NUMBER = rf"(?:(?:19|20)\d{{2}}|[{YEAR_DIGITS}]{{4}})"
YEAR = re.compile(rf"(?<![\d{YEAR_DIGITS}])({YEAR_NUMBER})\s*年")
BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
FULL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)\s*日?|([-/.])(\d{1,2})\4(\d{1,2})(?!\d))"
)
CN_DATE = re.compile(rf"([{YEAR_DIGITS}]{{4}})\s*年([一二三四五六七八九十]{{1,2}})月([一二三四五六七八九十]{{1,3}})日")
NUMERIC_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}([-/.])\d{1,2}\1\d{1,2}(?=\D)")  # how a page stamps its posting
MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass(frozen=True)
class DateMention:
    """A year or a date in a text: [start, end) and its parts (month and day None for a year alone)."""

    start: int
    end: int
    year: int | None
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str | None:
        """2025-03-03, or None when a part is missing or the day does not exist."""
        if self.year is None or self.month is None or self.day is None:
            return None
        return iso(self.year, self.month, self.day)


def iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def year_mentions(text: str, bare: bool = False) -> list[DateMention]:
    """Every year of `text` written with 年 (2025年, 二〇二五年); with `bare`, digit years without 年 too."""
    pattern = BARE_YEAR if bare else YEAR
    out = []
    for m in pattern.finditer(text):
        year = year_value(m.group(1))
        if year is not None:
            out.append(DateMention(m.start(), m.end(), year))
    return out


def years(text: str) -> list[int]:
    """The years named in `text` (2025年, 二〇二五年), in order."""
    return [m.year for m in year_mentions(text) if m.year is not None]


def strip_years(text: str, repl: str = " ") -> str:
    """`text` with every year (2025年) replaced by `repl`."""
    return YEAR.sub(repl, text)


def digit_years(text: str, low: int = 1900, high: int = 2099) -> str:
    """`text` with years in Chinese digits written in Arabic ones (二〇二五年 -> 2025年), within [low, high]."""

    def digits(m: re.Match[str]) -> str:
        year = year_value(m.group(1))
        return m.group(0).replace(m.group(1), str(year)) if year and low <= year <= high else m.group(0)

    return YEAR.sub(digits, text)


def full_dates(text: str) -> list[DateMention]:
    """Dates with a year, a month and a day that exists: 2025年3月3日, 2025-03-11, 2025/3/11, 2025.3.11 and
    二〇二六年一月二十日."""
    out = []
    for m in FULL_DATE.finditer(text):
        month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(5), m.group(6))
        out.append(DateMention(m.start(), m.end(), int(m.group(1)), int(month), int(day)))
    for m in CN_DATE.finditer(text):
        out.append(DateMention(m.start(), m.end(), year_value(m.group(1)), number(m.group(2)), number(m.group(3))))
    return sorted((d for d in out if d.iso), key=lambda d: d.start)


def dates(text: str, year: int | None = None) -> list[DateMention]:
    """Full dates and days without a year (1月21日, resolved against `year`, the document's), in text order."""
    full = full_dates(text)
    taken = [(d.start, d.end) for d in full]
    days = [
        DateMention(m.start(), m.end(), year, int(m.group(1)), int(m.group(2)))
        for m in MONTH_DAY.finditer(text)
        if not any(a <= m.start() < b for a, b in taken)
    ]
    return sorted(full + days, key=lambda d: d.start)


def parse_date(value: str) -> str | None:
    """The ISO form of the first full date in `value` ('2025/3/11 15:14' -> '2025-03-11'); None when none."""
    found = full_dates(value or "")
    return found[0].iso if found else None


def canonical_dates(text: str) -> str:
    """Every full date of `text` written as 2025年3月3日 (2025-03-03, 2025/3/3 and 2025年03月03日 alike)."""
    out, pos = [], 0
    for d in full_dates(text):
        out.append(text[pos : d.start] + f"{d.year}年{d.month}月{d.day}日")
        pos = d.end
    return "".join(out) + text[pos:]


def relative_year(word: str, doc_year: int | None, table: Mapping[str, int]) -> int | None:
    """The year a relative word names (今年, 去年, 明年: offsets from a data file) in a document of `doc_year`."""
    if doc_year is None or word not in table:
        return None
    return doc_year + int(table[word])


_BARE_DAY = re.compile(r"(?<![\d月年./\-至到—~])(\d{1,4})\s*日(?=上午|下午|晚|早|[,，在])")


def relative_day(text: str, doc_date: str | None, words: Mapping[str, int]) -> tuple[re.Match[str], str] | None:
    """A meeting's day named relative to its news report's date: 今天上午 in a report dated 2026-01-15 is 2026年1月15日,
    昨天 in one dated 2026-01-24 is 2026年1月23日 (the words and offsets come from a data file). None when there is no
    such word before a time of day or a comma, or no document date."""
    if not words or not doc_date or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc_date):
        return None
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    m = re.search(rf"(?<![\u4e00-\u9fff])(?:{alternation})(?=上午|下午|晚|早|中午|[,，在])", text)
    if m is None:
        return None
    day = dt.date.fromisoformat(doc_date) + dt.timedelta(days=int(words[m.group()]))
    return m, f"{day.year}年{day.month}月{day.day}日"


def day_of_month(text: str, doc_date: str | None) -> tuple[re.Match[str], str] | None:
    """A meeting's day in its news: 27日上午 in a report dated 2026-01-28, or 121日上午 (its 月 lost in print) in one
    dated 2026-01-22. The first day in `text` written without its month, with the date it names (2026年1月21日); None when there is
    none or the document has no date to resolve it against. A day after the document's is of the month before (news
    follows its meeting). 121日 is read as month 1, day 21 only when 1 is the document's month or the one before."""
    if not doc_date or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc_date):
        return None
    year, month, today = (int(p) for p in doc_date.split("-"))
    for m in _BARE_DAY.finditer(text):
        digits = m.group(1)
        if len(digits) <= 2 and 1 <= int(digits) <= 31:  # news follows the meeting: a later day is last month's
            y, mo = (year, month) if int(digits) <= today else (year - (month == 1), month - 1 or 12)
            return m, f"{y}年{mo}月{int(digits)}日"
        for cut in (1, 2):
            mo, day = int(digits[:cut]), int(digits[cut:] or 0)
            if len(digits) - cut == 2 and mo in (month, month - 1) and 1 <= day <= 31:
                return m, f"{year}年{mo}月{day}日"
    return None


_ASKED_DAY = re.compile(r"(?<![\d月年./\-至到—~])(\d{1,2})\s*[日号](?!\d)")
_ASKED_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\s*月份?(?![\d\s]*[日号])")  # 1月 with no day after it


def stamp_before(text: str, pos: int) -> bool:
    """A date in digits (2026-01-06, 2026/1/6) right before `pos`, spaces between: the page stamp a time (07:00)
    belongs to."""
    window = text[max(0, pos - 16) : pos].rstrip()
    return any(m.end() == len(window) for m in NUMERIC_DATE.finditer(window + " "))


def starts_with_stamp(line: str) -> bool:
    """A line opening with a date in digits (2026-01-22 南京工会 56次): a page's stamp line."""
    return NUMERIC_DATE.match(line.lstrip() + " ") is not None


def claimed_days(text: str) -> list[tuple[int | None, int | None]]:
    """The days a question claims, (month, day): 2月4日 → (2, 4); a day without its month (是19日开幕的吗) → (None, 19),
    to be held against the day of month a document says; a month alone (是1月开幕的吗) → (1, None)."""
    out: list[tuple[int | None, int | None]] = [(d.month, d.day) for d in dates(text) if d.month and d.day]
    out += [(None, int(m.group(1))) for m in _ASKED_DAY.finditer(text) if 1 <= int(m.group(1)) <= 31]
    out += [(int(m.group(1)), None) for m in _ASKED_MONTH.finditer(text) if 1 <= int(m.group(1)) <= 12]
    return out


_CLOCK_TIME = re.compile(r"(?:(上午|下午|中午|晚上|早上)\s*)?(\d{1,2})\s*(?:时|点|:)\s*(?:(\d{1,2})\s*分?|(半)|(许))?(?!\d)")


def clock_times(text: str) -> list[tuple[re.Match[str], str]]:
    """Times of day: 上午9时, 8时30分, 8点33分, 8时许, 9:30, each with its reading (上午9时, 8时30分); hours past 24 or
    minutes past 59 are no time."""
    out = []
    for m in _CLOCK_TIME.finditer(text):
        part, hour, minute, half, about = m.groups()
        if int(hour) > 24 or (minute and int(minute) > 59):
            continue
        if stamp_before(text, m.start()):
            continue  # 2026-01-06 07:00 来源: a page's publication time, not an event's
        rest = f"{int(minute)}分" if minute else "30分" if half else "许" if about else ""
        out.append((m, f"{part or ''}{int(hour)}时{rest}"))
    return out
