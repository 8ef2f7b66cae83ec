"""Meeting name and abstract of a document."""

from __future__ import annotations

import re

from ragtool.models import Document
from ragtool.summarize.rules import Rules
from ragtool.summarize.view import make_view
from ragtool.zh.script import strip_pinyin
from ragtool.zh.sentences import sentences
from ragtool.zh.words import shorten

NUM = "[一二三四五六七八九十百零〇\\d]{1,4}"
MEETING = re.compile(
    rf"(?:(?:第\s*)?{NUM}\s*[届次]|(?:区委|市委|县委|镇委|党委|党工委|人大)?常委会)\s*"
    rf"(?:人民代表大会|人大|党员代表大会|代表大会|委员会|区委|市委|县委|镇委)?\s*"
    rf"(?:第\s*)?{NUM}\s*次\s*(?:全体|扩大|\(扩大\))?\s*(?:会议|全会)"
)
MAIN = re.compile(r"人民代表大会|人大|代表大会|全会|全体会议|常委会")
ORG_CUT = re.compile(r".*(?:[在了日的是为和与及,:;。、《“\s]|落实|召开|举行|出席|参加|通过|审议|贯彻|学习)")
MAX_ORG = 14


def find_meeting(doc: Document) -> str:
    """The first meeting named in the title or text, e.g. 凤岗镇第十八届人民代表大会第八次会议."""
    for source in (doc.meta.title, doc.text):
        view = make_view(source)
        found = list(MEETING.finditer(view.text))
        m = next((f for f in found if MAIN.search(f.group(0))), found[0] if found else None)
        if m:
            start = _org_start(view.text, m.start())
            return re.sub(r"\s+", "", view.clean_cut(start, m.end()))
    return ""


def _org_start(text: str, core: int) -> int:
    """Where the organisation before "第X届…" starts: after the last function word or punctuation."""
    lo = max(0, core - MAX_ORG)
    head = text[lo:core]
    party = max(head.rfind("中国共产党"), head.rfind("中共"))
    if party >= 0:
        return lo + party
    cut = ORG_CUT.match(head)
    return lo + (cut.end() if cut else 0)


def make_abstract(doc: Document, rules: Rules) -> str:
    """The leading sentences of the body, at most `abstract.max_chars` characters."""
    table = rules.abstract
    limit = int(table.get("max_chars", 200))
    skip = tuple(table.get("skip_prefixes", []))
    out = ""
    for line in doc.text.split("\n"):
        line = strip_pinyin(line).strip()
        plain = make_view(line).text
        if len(plain) < 30 or "|" in plain or plain.startswith(skip) or not re.search(r"[。,]", plain):
            continue
        for sentence in (line[a:b] for a, b in sentences(line)):
            if len(out) + len(sentence) > limit:
                return out or shorten(sentence, limit, rules.words)  # never cut inside a word
            out += sentence
        if out:
            return out
    return out
