"""Where a meeting opened, as its news report says: the venue after 在 (its day is read by zh.dates.day_of_month).
Word lists in meetings.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_data


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

    def asks_closing(self, question: str) -> bool:
        """闭幕是哪天, 会议什么时候结束: the day a meeting closed is asked, not the day it opened."""
        return any(c in question for c in self._words("closing_question_cues"))

    def event_after(self, text: str, pos: int) -> str:
        """What the date ending at `pos` is the day of, as its sentence says before the next date: "open" (…在永州会堂开幕,
        1月6日，市委经济工作会议召开), "close" (…胜利闭幕) or "" when no such verb follows."""
        window = text[pos : pos + int(self.table.get("max_date_to_verb", 60))]
        cut = min((i for i in (window.find("。"), window.find("\n")) if i >= 0), default=len(window))
        window = window[:cut]
        closing = [window.find(w) for w in self._words("closing_verbs") if w in window]
        opening = [window.find(w) for w in self._words("opening_verbs") if w in window]
        if closing and (not opening or min(closing) <= min(opening)):
            return "close"
        return "open" if opening else ""

    def asks_clock(self, question: str) -> bool:
        """几点开幕: the time of day is asked, not the day."""
        return any(c in question for c in self._words("clock_question_cues"))

    def day_words(self) -> dict[str, int]:
        """今天 → 0, 昨天 → -1: days a news report names relative to its own date."""
        return {str(k): int(v) for k, v in dict(self.table.get("relative_days", {})).items()}

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
