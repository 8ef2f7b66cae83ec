"""Parallel directives of a meeting (会议强调,要强化政治引领。…要抢抓发展机遇。…要凝聚奋进合力。): sentences that open
with 要 and one of lexicon.toml [priorities] directive_verbs, after a sentence end or a 强调/指出/要求/提出 lead-in.
Read one way by summaries (a party meeting's priorities) and by ask (会议强调要做到哪三点)."""

from __future__ import annotations

import re
from functools import lru_cache

from ragtool.zh.sentences import first_clauses

MAX_REACH = 800  # characters between two directives of one run
LEAD_INS = ("强调", "指出", "要求", "提出")  # 会议强调,要…: a lead-in opens a run of its own


@lru_cache(maxsize=8)
def directive_pattern(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """Where a directive opens: its 要 (the verb follows)."""
    alternation = "|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True) if v) or "(?!)"
    lead = "|".join(LEAD_INS)
    return re.compile(rf"(?:^|(?<=[。;；!?！？\n])|(?<=(?:{lead})[,:，：]))[ \t]*要(?=(?:{alternation}))", re.M)


def directive_items(text: str, verbs: tuple[str, ...], pos: int) -> list[tuple[int, int]]:
    """The first clause (after 要) of each directive in the run of at least two that has one opening at pos (a
    run starts at each lead-in: 会议指出,要… and 会议强调,要… are two); empty when none does."""
    runs: list[list[re.Match[str]]] = []
    for m in directive_pattern(verbs).finditer(text):
        led = text[max(0, m.start() - 3) : m.start() - 1] in LEAD_INS
        if runs and not led and m.start() - runs[-1][-1].end() <= MAX_REACH:
            runs[-1].append(m)
        else:
            runs.append([m])
    return first_clauses(text, runs, pos)
