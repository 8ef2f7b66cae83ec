"""One quantity grammar: a value, its magnitude and unit, a range, a bound, a signed change, a ratio, a from→to.

Duckling style: the text is read into typed tokens (numbers, magnitudes, units, change words, qualifiers, range and
ratio marks, from- and to-words: every word from lexicon.toml [quantity]), then small rules, one per dimension,
combine a run of tokens into a typed `Quantity`:

    amount    NUM [多|余] [MAG] [多|余] UNIT          667.5亿公斤, 90多人, 10余万人, 三千家
    range     NUM [UNIT] DASH NUM [MAG] UNIT          4.5%—5%, 4.5-5%, 5%-5.5%, 2023-2025年
    ratio     NUM : NUM (: NUM)                        22.8:21.2:56.0
    ordinal   第 NUM [UNIT]                            第131位, 第4
    word      a value written without a number         持平, 正增长
    change    RISE|FALL before a value, or a sign      增长5.5%, 下降2.1%, -3.6%, 提高1.2个百分点
    bound     a qualifier before or after              力争6%, 超过6万亿元, 5%左右, 1300亿斤以上
    from→to   FROM value … TO value                    从11.37万亿元提高到14.58万亿元

Text is read as given: pass simplified, half-width text (ragtool.zh.textnorm) so offsets stay the caller's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, cast

from pydantic import BaseModel

from ragtool.zh.numerals import number as numeral_value

Change = Literal["", "rise", "fall", "flat"]
Bound = Literal["", "about", "min", "max", "aim", "expected"]
BOUNDS = ("about", "min", "max", "aim", "expected")

_ARABIC = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CN_DIGITS = "零〇一二两三四五六七八九十"
_CN_RUN = re.compile(rf"[{_CN_DIGITS}百千万亿]+")
_STARTS = frozenset({"BEFORE", "RISE", "FALL", "FLAT", "NUM", "DASH", "ORD"})  # tokens a quantity may start with
_MAX_JOIN_GAP = 8  # characters between a from-value and its to-word (从2020年的53.2%提高到…: "提高到")


class Quantity(BaseModel):
    """A value as a document writes it, typed. Numbers are signed (下降2.1% → -2.1) and in the written unit
    (`low`/`high` 4.5/5 for 4.5%—5%); `base(…)` rescales by the magnitude (4.6万亿元 → 4.6e12 元)."""

    text: str  # as written, from the change word (or number) to the last qualifier: 增长5.5%左右
    start: int = 0  # offsets of `text` in the text read
    end: int = 0
    lead: int = 0  # where the qualifiers before it start (力争 in 力争增长6%), or its from-value (从11.37万亿元…)
    low: float | None = None
    high: float | None = None
    magnitude: str = ""  # 万, 亿, 万亿 …
    unit: str = ""  # the unit without its magnitude: 元, 公斤, %, 个百分点, 人
    scale: float = 1.0  # the magnitude's factor
    change: Change = ""
    bound: Bound = ""
    before: list[str] = []  # qualifiers before it: 力争, 同比
    after: list[str] = []  # qualifiers after it: 左右, 以上
    value_end: int = 0  # where the value ends before its qualifiers after (5.5% in 5.5%左右)
    parts: list[float] = []  # a ratio's terms: 22.8, 21.2, 56.0
    ordinal: bool = False  # 第131位
    word: str = ""  # a value without a number: 持平
    time: bool = False  # a year, a session, an age (2025年, 十四届): not an amount of anything
    rate: bool = False  # a share or a rate (%, ‰, 个百分点)
    origin: str = ""  # from→to: the starting value as written (11.37万亿元)
    origin_value: float | None = None
    reached: bool = False  # a reach word or a to-word before it (达到, 突破, 提高到)

    @property
    def qualifiers(self) -> list[str]:
        return [*self.before, *self.after]

    @property
    def number(self) -> float | None:
        """The single value, or None for a range, a ratio or a word value."""
        return self.low if self.low is not None and self.low == self.high else None

    @property
    def written_unit(self) -> str:
        return self.magnitude + self.unit

    @property
    def figure(self) -> str:
        """The value without its change word: 增长5.5%左右 → 5.5%左右 (-3.6% keeps its sign)."""
        return self.text[self.value_offset :]

    value_offset: int = 0  # where in `text` the number starts (after the change word)

    @property
    def is_rate(self) -> bool:
        return self.rate

    @property
    def is_change(self) -> bool:
        return self.change in ("rise", "fall")

    @property
    def is_amount(self) -> bool:
        """A level of something counted or measured (411亿元, 80万人): no change, no rate, no time."""
        return not (self.is_change or self.is_rate or self.time or self.ordinal) and bool(self.unit)

    def base(self, end: Literal["low", "high"] = "high") -> float | None:
        """The value in the base unit: 4.6万亿元 → 4.6e12."""
        v = self.low if end == "low" else self.high
        return None if v is None else v * self.scale

    def carries(self, units: Iterable[str]) -> bool:
        """Whether the value is in one of these units, as a question asks for them (多少人 → 90多人, 亿斤 → 1300亿斤;
        第 → an ordinal)."""
        written = self.written_unit
        return any(self.ordinal if u == "第" else bool(written) and (written.startswith(u) or u in written)
                   for u in units)

    def signed(self) -> str:
        """The change with its sign, +3.6% / -2.1%, or "" when the value is no change."""
        if not self.change or self.number is None:
            return ""
        return f"{self.number:+g}{self.written_unit}"


# ---- the words ------------------------------------------------------------------------------------------------


def _words(value: Any) -> tuple[str, ...]:
    return tuple(sorted({str(w) for w in value or [] if str(w)}, key=len, reverse=True))


@dataclass(frozen=True)
class QuantityWords:
    """lexicon.toml [quantity]: every word the grammar knows."""

    magnitudes: dict[str, float]
    units: tuple[str, ...]
    time_units: tuple[str, ...]
    approx: tuple[str, ...]  # 多, 余: between a number and its unit
    before: dict[str, str]  # qualifier before a value -> its bound (力争 -> aim)
    after: dict[str, str]  # qualifier after a value -> its bound (左右 -> about)
    rise: tuple[str, ...]
    fall: tuple[str, ...]
    flat: tuple[str, ...]  # values written without a number (持平)
    range_marks: tuple[str, ...]
    ratio_marks: tuple[str, ...]
    ordinal_marks: tuple[str, ...]
    from_words: tuple[str, ...]
    to_words: tuple[str, ...]
    reach_words: tuple[str, ...]
    names: tuple[str, ...] = ()  # words with a numeral in them that are no quantity: 三次产业, 十四五
    list_joins: tuple[str, ...] = ()  # 和, 、: two values that belong together (4.1%和6.5%)
    noun_units: tuple[str, ...] = ()  # 大, 方面: a noun right after belongs to the value (十大工程)
    rate_units: tuple[str, ...] = ()  # %, ‰, 个百分点
    change_units: tuple[str, ...] = ()  # 个百分点: a value in these is a change even without a change word
    session_units: tuple[str, ...] = ()  # 届, 次: 第十四届…第四次会议 numbers a meeting
    session_nouns: tuple[str, ...] = ()  # 会议: the noun after a session's number

    @classmethod
    def from_table(cls, t: dict[str, Any]) -> QuantityWords:
        def bounds(key: str) -> dict[str, str]:
            return {str(w): str(kind) for kind, ws in dict(t.get(key, {})).items() for w in ws}

        return cls(
            magnitudes={str(k): float(v) for k, v in dict(t.get("magnitudes", {})).items()},
            units=_words(t.get("units")), time_units=_words(t.get("time_units")), approx=_words(t.get("approx")),
            before=bounds("before"), after=bounds("after"), rise=_words(t.get("rise_words")),
            fall=_words(t.get("fall_words")), flat=_words(t.get("flat_words")),
            range_marks=_words(t.get("range_marks")), ratio_marks=_words(t.get("ratio_marks")),
            ordinal_marks=_words(t.get("ordinal_marks")), from_words=_words(t.get("from_words")),
            to_words=_words(t.get("to_words")), reach_words=_words(t.get("reach_words")), names=_words(t.get("names")),
            list_joins=_words(t.get("list_joins")), noun_units=_words(t.get("noun_units")),
            rate_units=_words(t.get("rate_units")), change_units=_words(t.get("change_units")),
            session_units=_words(t.get("session_units")), session_nouns=_words(t.get("session_nouns")),
        )

    def kinds(self) -> dict[str, str]:
        """Every word -> its token kind. A word of two kinds keeps the first listed here."""
        table: dict[str, str] = {}
        groups: list[tuple[str, Iterable[str]]] = [
            ("TO", self.to_words), ("FROM", self.from_words), ("RISE", self.rise), ("FALL", self.fall),
            ("FLAT", self.flat), ("BEFORE", self.before), ("REACH", self.reach_words), ("UNIT", self.units),
            ("UNIT", self.time_units), ("AFTER", self.after), ("AFTER", self.approx), ("MAG", self.magnitudes),
            ("DASH", self.range_marks), ("RATIO", self.ratio_marks), ("ORD", self.ordinal_marks),
        ]
        for kind, words in groups:
            for w in words:
                table.setdefault(w, kind)
        return table


# ---- tokens ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # NUM, MAG, UNIT, RISE, FALL, FLAT, BEFORE, AFTER, REACH, DASH, RATIO, ORD, FROM, TO, NAME, GAP
    start: int
    end: int
    text: str
    value: float = 0.0


@lru_cache(maxsize=4096)
def _numeral_cached(text: str) -> int | None:
    return numeral_value(text)


def _chinese_numeral(text: str, pos: int) -> tuple[int, float] | None:
    """(end, value) of a Chinese numeral at pos: 三千, 一千二百, 两万 (a run with a digit word in it; 万 alone is
    a magnitude). A trailing magnitude stays a magnitude (三万亿元: 3 万亿), as does one cn2an cannot fold."""
    m = _CN_RUN.match(text, pos)
    if m is None or not any(c in _CN_DIGITS for c in m.group()):
        return None
    run = m.group()
    for end in range(len(run), 0, -1):
        piece = run[:end]
        if piece[-1] not in _CN_DIGITS and piece[-1] not in "十百千":
            continue  # 三万亿: leave 万亿 to the magnitude
        value = _numeral_cached(piece)
        if value is not None:
            return pos + end, float(value)
    return None


@dataclass(frozen=True)
class QuantityGrammar:
    words: QuantityWords
    _kinds: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)
    _word_re: re.Pattern[str] = field(default=re.compile("(?!)"), compare=False, hash=False, repr=False)
    _token_re: re.Pattern[str] = field(default=re.compile("(?!)"), compare=False, hash=False, repr=False)
    _maybe: re.Pattern[str] = field(default=re.compile("(?!)"), compare=False, hash=False, repr=False)
    _cache: dict[str, list[Quantity]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> QuantityGrammar:
        words = QuantityWords.from_table(table)
        kinds = words.kinds()
        alternation = "|".join(re.escape(w) for w in sorted(kinds, key=len, reverse=True)) or "(?!)"
        names = "|".join(re.escape(w) for w in words.names) or "(?!)"
        token = rf"(?P<NAME>{names})|(?P<NUM>{_ARABIC.pattern})|(?P<CN>[{_CN_DIGITS}])|(?P<WORD>{alternation})"
        flat = "|".join(re.escape(w) for w in words.flat)
        maybe = re.compile(rf"[\d{_CN_DIGITS}]" + (f"|{flat}" if flat else ""))
        return cls(words, kinds, re.compile(alternation), re.compile(token), maybe)

    # -- tokens

    def tokens(self, text: str) -> list[Token]:
        """The typed tokens of text; a run of other characters is one GAP token (it separates what it lies between)."""
        out: list[Token] = []
        pos, n = 0, len(text)
        while pos < n:
            m = self._token_re.search(text, pos)
            if m is None:
                break
            if text[pos : m.start()].strip():
                out.append(Token("GAP", pos, m.start(), text[pos : m.start()]))
            kind = m.lastgroup or ""
            if kind == "NUM":
                out.append(Token("NUM", m.start(), m.end(), m.group(), float(m.group().replace(",", ""))))
                pos = m.end()
                continue
            if kind == "CN":
                cn = _chinese_numeral(text, m.start())
                if cn is not None:
                    out.append(Token("NUM", m.start(), cn[0], text[m.start() : cn[0]], cn[1]))
                    pos = cn[0]
                    continue
                w = self._word_re.match(text, m.start())
                if w is None:
                    out.append(Token("GAP", m.start(), m.start() + 1, text[m.start()]))
                    pos = m.start() + 1
                    continue
                m = w
            word = m.group()
            out.append(Token(self._kinds.get(word, "GAP"), m.start(), m.end(), word))
            pos = m.end()
        if pos < n and text[pos:].strip():
            out.append(Token("GAP", pos, n, text[pos:]))
        return out

    # -- reading

    def read(self, text: str) -> list[Quantity]:
        """Every quantity in text, in order (shared between readers of the same text: change one with model_copy)."""
        got = self._cache.get(text)
        if got is None:
            if len(self._cache) > 8192:
                self._cache.clear()
            got = self._cache[text] = self._read(text)
        return list(got)

    def figures(self, text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
        """The figures text[start:end] states: numbers and ratios, not years or sessions, and not a value followed
        by one of the same unit after a to-word or reach word, which is where a change started (突破2万亿元、达到23562亿元
        states 23562亿元)."""
        stop = len(text) if end is None else end
        found = [q for q in self.read(text) if start <= max(q.lead, q.start) and q.end <= stop and not q.time
                 and (q.low is not None or q.parts)]
        tos = self.words.to_words + self.words.reach_words
        return [q for i, q in enumerate(found) if not any(
            later.unit == q.unit and later.reached and text[q.end : later.lead].rstrip().endswith(tos)
            for later in found[i + 1 :])]

    def first(self, text: str) -> Quantity | None:
        found = self.read(text)
        return found[0] if found else None

    def at(self, text: str, pos: int) -> Quantity | None:
        """The quantity starting at pos (its qualifier, change word or number), or None."""
        return next((q for q in self.read(text) if pos in (q.lead, q.start, q.start + q.value_offset)), None)

    def _read(self, text: str) -> list[Quantity]:
        if not self._maybe.search(text):
            return []  # no number and no word value: nothing to read
        toks = self.tokens(text)
        out: list[Quantity] = []
        i = 0
        while i < len(toks):
            got = self._quantity(text, toks, i) if toks[i].kind in _STARTS else None
            if got is None:
                i += 1
                continue
            q, j = got
            out.append(q)
            i = j
        return _join_from_to(text, toks, out, self.words)

    def _quantity(self, text: str, toks: list[Token], i: int) -> tuple[Quantity, int] | None:
        """The quantity whose first token (qualifier, change word, sign or number) is toks[i]."""
        lead = i
        before: list[str] = []
        while i + 1 < len(toks) and toks[i].kind == "BEFORE" and toks[i].end == toks[i + 1].start:
            before.append(toks[i].text)
            i += 1
        if before:  # 突破, 超过: a bound that is also reached
            reached = any(w in self.words.reach_words for w in before)
        else:
            reached = i > 0 and toks[i - 1].kind in ("REACH", "TO")
        start = i
        change: Change = ""
        if i < len(toks) and toks[i].kind in ("RISE", "FALL"):
            change = "rise" if toks[i].kind == "RISE" else "fall"
            i += 1
        core = self._core(text, toks, i)
        if core is None:
            if start < len(toks) and toks[start].kind == "FLAT":
                t = toks[start]
                q = Quantity(text=t.text, start=t.start, end=t.end, value_end=t.end, lead=toks[lead].start,
                             change="flat", word=t.text, before=before, bound=_bound(before, [], self.words))
                return q, start + 1
            return None
        q, j = core
        q.value_end = toks[j - 1].end
        after: list[str] = []
        while j < len(toks) and toks[j].kind == "AFTER" and _adjacent(toks, j):
            after.append(toks[j].text)
            j += 1
        if change and not q.time and q.low is not None:
            if change == "fall":
                q.low, q.high = -(q.high or 0.0), -(q.low or 0.0)
            q.change = change
        q.rate = q.unit in self.words.rate_units
        if not change and q.low is not None and q.low < 0 and q.rate:
            q.change = "fall"  # -3.6%
        elif not q.change and q.unit in self.words.change_units and q.low is not None:
            q.change = "rise" if q.low >= 0 else "fall"
        s = toks[start].start
        e = toks[j - 1].end
        q.text, q.start, q.end, q.lead = text[s:e], s, e, toks[lead].start
        q.value_offset = toks[i].start - s if change else 0
        q.before, q.after = before, after
        q.bound = _bound(before, after, self.words)
        q.reached = reached
        return q, j

    def _core(self, text: str, toks: list[Token], i: int) -> tuple[Quantity, int] | None:
        return (self._ordinal(toks, i) or self._ratio(toks, i) or self._range(toks, i) or self._amount(toks, i))

    def _number(self, toks: list[Token], i: int) -> tuple[float, int] | None:
        """A number, with its sign (-3.6: a dash right before, no number before the dash)."""
        if i < len(toks) and toks[i].kind == "NUM":
            return toks[i].value, i + 1
        if (i + 1 < len(toks) and toks[i].kind == "DASH" and toks[i].text in ("-", "−") and toks[i + 1].kind == "NUM"
                and toks[i].end == toks[i + 1].start and (i == 0 or toks[i - 1].kind not in ("NUM", "UNIT", "MAG"))):
            return -toks[i + 1].value, i + 2
        return None

    def _unit(self, toks: list[Token], i: int) -> tuple[str, float, str, int] | None:
        """(magnitude, factor, unit, next) from toks[i]: [多|余] [MAG] [多|余] UNIT."""
        mag, factor = "", 1.0
        approx = self.words.approx
        while i < len(toks) and toks[i].text in approx:
            i += 1
        if i < len(toks) and toks[i].kind == "MAG":
            mag, factor = toks[i].text, self.words.magnitudes[toks[i].text]
            i += 1
            while i < len(toks) and toks[i].text in approx:
                i += 1
        if i < len(toks) and toks[i].kind == "UNIT" and (i == 0 or toks[i - 1].end == toks[i].start
                                                         or toks[i - 1].kind == "NUM"):
            return mag, factor, toks[i].text, i + 1
        return None

    def _amount(self, toks: list[Token], i: int) -> tuple[Quantity, int] | None:
        num = self._number(toks, i)
        if num is None:
            return None
        value, j = num
        unit = self._unit(toks, j)
        if unit is None:
            return None
        mag, factor, u, k = unit
        return Quantity(text="", low=value, high=value, magnitude=mag, unit=u, scale=factor,
                        time=u in self.words.time_units), k

    def _range(self, toks: list[Token], i: int) -> tuple[Quantity, int] | None:
        first = self._number(toks, i)
        if first is None:
            return None
        lo, j = first
        lo_unit = ""
        if j < len(toks) and toks[j].kind == "UNIT" and toks[j].text in self.words.rate_units:
            lo_unit, j = toks[j].text, j + 1
        if j >= len(toks) or toks[j].kind != "DASH":
            return None
        second = self._number(toks, j + 1) if toks[j + 1 : j + 2] and toks[j + 1].kind == "NUM" else None
        if second is None:
            return None
        hi, k = second
        unit = self._unit(toks, k)
        if unit is None or (lo_unit and unit[2] != lo_unit):
            return None
        mag, factor, u, end = unit
        return Quantity(text="", low=min(lo, hi), high=max(lo, hi), magnitude=mag, unit=u, scale=factor,
                        time=u in self.words.time_units), end

    def _ratio(self, toks: list[Token], i: int) -> tuple[Quantity, int] | None:
        """22.8:21.2:56.0 (three terms, or two with a decimal: 10:30 is a time of day)."""
        if i >= len(toks) or toks[i].kind != "NUM":
            return None
        parts, j = [toks[i].value], i + 1
        while j + 1 < len(toks) and toks[j].kind == "RATIO" and toks[j + 1].kind == "NUM":
            parts.append(toks[j + 1].value)
            j += 2
        if len(parts) < 2 or (len(parts) == 2 and not any("." in toks[k].text for k in range(i, j, 2))):
            return None
        return Quantity(text="", parts=parts), j

    def _ordinal(self, toks: list[Token], i: int) -> tuple[Quantity, int] | None:
        if i + 1 >= len(toks) or toks[i].kind != "ORD" or toks[i + 1].kind != "NUM":
            return None
        value, j = toks[i + 1].value, i + 2
        unit = ""
        if j < len(toks) and toks[j].kind == "UNIT" and toks[j].start == toks[j - 1].end:
            unit, j = toks[j].text, j + 1
        return Quantity(text="", low=value, high=value, unit=unit, ordinal=True,
                        time=unit in self.words.time_units), j


def _adjacent(toks: list[Token], i: int) -> bool:
    return i == 0 or toks[i - 1].end == toks[i].start


def _bound(before: list[str], after: list[str], words: QuantityWords) -> Bound:
    """The bound the qualifiers set (左右: about, 以上: min, 力争: aim); the words after the value first."""
    kinds = [words.after.get(w, "") for w in after] + [words.before.get(w, "") for w in before]
    found = next((k for k in kinds if k in BOUNDS), "")
    return cast(Bound, found)


def _join_from_to(text: str, toks: list[Token], found: list[Quantity], words: QuantityWords) -> list[Quantity]:
    """从11.37万亿元提高到14.58万亿元 (或 从2020年的53.2%提升到57.7%): one quantity, the value reached, its start
    kept as `origin`. A value after a to-word with no from-word before is a level reached (reached=True)."""
    out: list[Quantity] = []
    i = 0
    while i < len(found):
        q = found[i]
        later = [k for k in range(i + 1, len(found)) if not found[k].time]
        nxt = found[later[0]] if later else None
        before = text[max(0, q.lead - 12) : q.lead]
        from_word = any(re.search(re.escape(w) + r"(?:\d{4}年(?:底|末)?的?)?$", before) for w in words.from_words)
        if from_word and nxt is not None and q.unit == nxt.unit and not q.time:
            gap = text[q.end : nxt.lead]
            to = next((w for w in words.to_words if w in gap), "") or next(
                (w for w in words.range_marks if gap.strip().startswith(w)), "")
            if to and len(gap) <= _MAX_JOIN_GAP + len(to):
                joined = nxt.model_copy(update={"origin": q.text, "origin_value": q.number, "reached": True,
                                                "lead": q.lead})
                out.extend(found[i + 1 : later[0]])
                out.append(joined)
                i = later[0] + 1
                continue
        out.append(q)
        i += 1
    return out
