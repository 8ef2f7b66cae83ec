"""When and where a meeting opened, as its news report says: a day resolved against the document's date, and the
venue after 在. Word lists in meetings.toml.

`day_of_month` reads a day written without its month (27日上午 in a report dated 2026-01-28) and a month whose 月
was lost in print (121日上午 in one dated 2026-01-22: 1月21日). Both need the document's date to be read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_data

_BARE_DAY = re.compile(r"(?<![\d月年./-])(\d{1,4})\s*日(?=上午|下午|晚|早|[,，在])")


def day_of_month(text: str, doc_date: str | None) -> tuple[re.Match[str], str] | None:
    """The first day in `text` written without its month, with the date it names (2026年1月21日); None when there is
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


@dataclass(frozen=True)
class MeetingReader:
    table: dict[str, Any]

    @classmethod
    def load(cls, settings: Settings) -> MeetingReader:
        return cls(load_data(settings, "meetings.toml"))

    def _words(self, key: str) -> list[str]:
        return [str(w) for w in self.table.get(key, [])]

    @cached_property
    def _opening(self) -> re.Pattern[str]:
        verbs = "|".join(re.escape(w) for w in sorted(self._words("opening_verbs"), key=len, reverse=True))
        venue = int(self.table.get("max_venue", 24))
        return re.compile(rf"在(?P<venue>[^，,。；;、在]{{2,{venue}}}?)(?:隆重|胜利|正式)?(?:{verbs})")

    def asks_venue(self, question: str) -> bool:
        return any(c in question.lower() for c in self._words("venue_question_cues"))

    def opened_after(self, text: str, pos: int) -> tuple[int, int] | None:
        """The venue (start, end) of the opening (在…开幕) that follows a date at `pos` in its sentence, or None."""
        window = text[pos : pos + int(self.table.get("max_date_to_verb", 60))]
        cut = min((i for i in (window.find("。"), window.find("\n")) if i >= 0), default=len(window))
        m = self._opening.search(window[:cut])
        if m is None or any(w in m.group("venue") for w in self._words("not_venues")):
            return None
        return pos + m.start("venue"), pos + m.end("venue")

    def venue_in(self, text: str) -> tuple[int, int] | None:
        """The venue (start, end) of the first opening said in `text` (…在沧州国际会议中心大礼堂开幕), or None."""
        for m in self._opening.finditer(text):
            if not any(w in m.group("venue") for w in self._words("not_venues")):
                return m.start("venue"), m.end("venue")
        return None
