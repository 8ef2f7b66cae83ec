"""Rewrite a user's ordinary wording into the documents' wording, before the question is parsed.

Each quirk has one small method: Latin abbreviations (gdp → GDP), Chinese-numeral years (二〇二五年 → 2025年),
one wrong character in a place name (凤刚 → 凤岗), colloquial overview questions (经济咋样) and English questions.
Every word list comes from data/wording.toml; a user's copy in RAGTOOL_DATA_DIR overrides it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ragtool.config import Settings
from ragtool.datafiles import load_data
from ragtool.zh.dates import digit_years
from ragtool.zh.gazetteer import COUNTY, Gazetteer
from ragtool.zh.places import PlaceRules, load_place_rules
from ragtool.zh.script import simplified

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]")
_CODE = re.compile(r"[{}$<>=;|\\]|--")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_TOKEN = re.compile(r"[A-Za-z0-9&]+(?:\.[0-9]+)*")  # r&d, pm2.5, 2025
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_YEAR_AFTER = re.compile(r"\d{2,4}年")

Phrases = tuple[tuple[tuple[str, ...], str], ...]  # (words, value), longest first


@dataclass(frozen=True)
class Rewrite:
    text: str  # the question in the documents' wording (Chinese)
    notes: list[str]  # what was assumed, one short line each
    language: str  # "zh" or "en": the language the user asked in


@dataclass(frozen=True)
class Colloquial:
    """Overview questions (凤岗去年经济咋样) and the indicator questions they stand for."""

    cues: tuple[str, ...]
    filler: tuple[str, ...]
    tail: tuple[str, ...]
    target_times: tuple[str, ...]
    actual_times: tuple[str, ...]
    default_target: bool
    topics: tuple[tuple[str, str, str], ...]  # (topic, actual question, target question), longest topic first


@dataclass(frozen=True)
class English:
    """Phrase tables for English questions."""

    min_words: int
    number_cue: str
    title_cue: str
    event_cue: str  # a report or meeting question with no cue word
    joiner: str  # between two indicators
    ignore: frozenset[str]
    growth: frozenset[str]
    growth_zh: str
    target: frozenset[str]
    target_zh: str
    indicators: Phrases
    events: Phrases  # a report or a meeting: asked who gave it, when or where it was held
    actions: Phrases  # what was done at the event: 作 (a report), 主持, 开幕
    cues: Phrases
    times: Phrases
    titles: Phrases  # phrase → role
    roles: Mapping[str, Mapping[str, str]]  # role → level suffix (or default/none) → title template
    aliases: Mapping[str, str]  # letters only, lower case → Chinese short form
    levels: Mapping[str, str]  # county → 县: the word after a place's pinyin picks its level


@dataclass(frozen=True)
class EnglishReading:
    """What an English question names."""

    place: str | None  # indexed place name
    indicators: list[str]
    events: list[str]
    actions: list[str]
    titles: list[str]  # roles
    times: list[str]
    cues: list[str]
    growth: bool
    target: bool
    notes: list[str]


@dataclass(frozen=True)
class Wording:
    """Tables loaded from data/wording.toml, and the rewrite built on them."""

    version: str
    abbreviations: Mapping[str, str]  # lower case → canonical spelling
    year_range: tuple[int, int]
    places: PlaceRules  # place suffixes and short forms (places.toml)
    typo_before: tuple[str, ...]
    typo_times: tuple[str, ...]
    same_sound: bool
    real_places: frozenset[str]
    colloquial: Colloquial
    english: English

    @classmethod
    def load(cls, settings: Settings) -> Wording:
        data = load_data(settings, "wording.toml")
        years, typos = data.get("years", {}), data.get("typos", {})
        low, high = years.get("range", [1900, 2099])
        return cls(
            version=str(data.get("version", "")),
            abbreviations={str(k).lower(): str(v) for k, v in data.get("abbreviations", {}).items()},
            year_range=(int(low), int(high)),
            places=load_place_rules(settings),
            typo_before=_longest_first(typos.get("before", [])),
            typo_times=_longest_first(typos.get("times", [])),
            same_sound=bool(typos.get("same_sound", True)),
            real_places=frozenset(typos.get("real_places", [])),
            colloquial=_load_colloquial(data.get("colloquial", {})),
            english=_load_english(data.get("english", {})),
        )

    def rewrite(self, question: str, places: Iterable[str], known: Callable[[str], bool] | None = None) -> Rewrite:
        """The question in the documents' wording, with a note for every assumption made."""
        names = tuple(sorted(set(places)))
        if self._is_english(question):
            return self._english(question, names)
        text = self._years(self._abbreviations(question))
        text, typo_notes = self._typo_place(text, names, known)
        text, colloquial_notes = self._colloquial(text)
        return Rewrite(text, [*typo_notes, *colloquial_notes], "zh")

    def _places(self, names: tuple[str, ...]) -> PlaceIndex:
        return _place_index(names, self.places)

    # 1. Latin abbreviations

    def _abbreviations(self, text: str) -> str:
        pattern = _abbreviation_pattern(tuple(self.abbreviations))
        if pattern is None:
            return text
        return pattern.sub(lambda m: self.abbreviations[m.group().lower()], text)

    # 2. Chinese-numeral years

    def _years(self, text: str) -> str:
        return digit_years(text, *self.year_range)

    # 3. One wrong character in a place name

    def _typo_place(self, text: str, names: tuple[str, ...], known: Callable[[str], bool] | None) -> tuple[str, list[str]]:
        if not names:
            return text, []
        index = self._places(names)
        simple = simplified(text)
        covered = self._covered(simple, index)
        for start, end in self._typo_windows(simple):
            window = simple[start:end]
            if any(covered[start:end]) or window in index.forms or window in self.real_places:
                continue
            if known is not None and known(window):
                continue
            form = self._one_char_off(window, index)
            if form:
                return text[:start] + form + text[end:], [f"{window} → {form}（按已索引地名推断）"]
        return text, []

    def _covered(self, text: str, index: PlaceIndex) -> list[bool]:
        """Positions inside a known place, a real place name, a role word or a time word."""
        covered = [False] * len(text)
        for word in [*index.forms, *self.real_places, *self.typo_before, *self.typo_times]:
            i = text.find(word) if word else -1  # str.find, not a pattern per word: hundreds of words per question
            while i >= 0:
                covered[i : i + len(word)] = [True] * len(word)
                i = text.find(word, i + len(word))
        return covered

    def _typo_windows(self, text: str) -> list[tuple[int, int]]:
        """2–4 Han character spans at the start, or right before a place suffix, role word or year."""
        anchors = [i for i in range(1, len(text)) if self._is_anchor(text, i)]
        spans = [(0, n) for n in range(2, 5)] + [(i - n, i) for i in anchors for n in range(2, 5)]
        return [(s, e) for s, e in spans if s >= 0 and e <= len(text) and _HAN_RUN.fullmatch(text[s:e])]

    def _is_anchor(self, text: str, i: int) -> bool:
        words = (*_longest_first(self.places.level_names), *self.typo_before, *self.typo_times)
        return any(text.startswith(w, i) for w in words) or bool(_YEAR_AFTER.match(text, i))

    def _one_char_off(self, window: str, index: PlaceIndex) -> str | None:
        """The one place form (short form or full name) differing from window in one character, if unique."""
        hits = {form: places for form, places in index.forms.items() if self._one_off(window, form)}
        matched = {p for places in hits.values() for p in places}
        return max(hits, key=len) if len(matched) == 1 else None

    def _one_off(self, window: str, form: str) -> bool:
        if len(window) != len(form):
            return False
        diffs = [(a, b) for a, b in zip(window, form, strict=True) if a != b]
        return len(diffs) == 1 and (not self.same_sound or _sounds_alike(*diffs[0]))

    # 4. Colloquial overview questions

    def _colloquial(self, text: str) -> tuple[str, list[str]]:
        c = self.colloquial
        for cue in sorted(c.cues, key=len, reverse=True):
            at = text.rfind(cue)
            if at < 0 or _strip_words(text[at + len(cue) :], c.tail):
                continue
            for topic, actual, target in c.topics:
                start = text.rfind(topic, 0, at)
                if start < 0:
                    continue
                between = text[start + len(topic) : at]
                if _strip_words(between, (*c.filler, *c.target_times, *c.actual_times)):
                    continue
                moved = "".join(t for t in _in_order(between, (*c.target_times, *c.actual_times)))
                question = target if self._asks_target(text) else actual
                return text[:start] + moved + question, [f"{text[start:at + len(cue)]} → {question}"]
        return text, []

    def _asks_target(self, text: str) -> bool:
        c = self.colloquial
        times = _in_order(text, (*c.target_times, *c.actual_times))
        return times[0] in c.target_times if times else c.default_target

    # 5. English questions

    def _is_english(self, question: str) -> bool:
        """Mostly Latin letters, in enough words that are not abbreviations (gdp和cpi is Chinese); with no Han
        character at all, one such word is enough (Dongguan GDP)."""
        words = [w for w in _LATIN_WORD.findall(question) if w.lower() not in self.abbreviations]
        letters, han = sum(map(len, words)), len(_HAN.findall(question))
        enough = len(words) >= (self.english.min_words if han else 1)
        code = bool(_CODE.search(question))  # {"question": …} or SQL is not a question in English
        return enough and letters >= 2 * han and not code

    def _english(self, question: str, names: tuple[str, ...]) -> Rewrite:
        read = self._read_english(question, names)
        if not read.indicators and not read.titles and not read.events:
            return Rewrite(question, ["could not read this English question (no known indicator, title, report "
                                      "or meeting): kept as written"], "en")
        text = self._english_text(read, names)
        return Rewrite(text, [f"English question read as: {text}", *read.notes], "en")

    def _read_english(self, question: str, names: tuple[str, ...]) -> EnglishReading:
        """What an English question names, phrase by phrase, longest phrases first."""
        en = self.english
        raw = _POSSESSIVE.sub("", question).replace("-", " ")
        tokens = _TOKEN.findall(raw)
        words = [t.lower() for t in tokens]
        used = [False] * len(words)
        place, notes = self._english_place(raw, tokens, used, names)
        return EnglishReading(
            place=place,
            indicators=[v for _, v in _take(words, used, en.indicators)],
            events=[v for _, v in _take(words, used, en.events)],
            actions=[v for _, v in _take(words, used, en.actions)],
            titles=[v for _, v in _take(words, used, en.titles)],
            times=[v for _, v in _take(words, used, en.times)] + self._english_years(words, used),
            cues=[v for _, v in _take(words, used, en.cues)],
            growth=_mark(words, used, en.growth),
            target=_mark(words, used, en.target),
            notes=notes + self._unread(tokens, words, used),
        )

    def _english_text(self, read: EnglishReading, names: tuple[str, ...]) -> str:
        """The Chinese question: place + year + indicator + 增长 + 目标 + cue, or year + title + cue."""
        en = self.english
        when = read.times[0] if read.times else ""
        if read.titles:
            cue = next((c for c in read.cues if c != en.number_cue), en.title_cue)
            return when + self._title(read.titles[0], read.place, names) + cue
        if read.events and not read.indicators:
            return self._event_text(read, names, when)
        cue = next((c for c in read.cues if c != en.title_cue), en.number_cue)
        body = en.joiner.join(dict.fromkeys(read.indicators))
        if read.growth and en.growth_zh not in body:
            body += en.growth_zh
        short = self._short(read.place, names) if read.place else ""
        return short + when + body + (en.target_zh if read.target else "") + cue

    def _event_text(self, read: EnglishReading, names: tuple[str, ...], when: str) -> str:
        """A report or meeting question: 吉安县政府工作报告是谁作的, 沧州人代会在哪里开幕."""
        en = self.english
        short = self._short(read.place, names) if read.place else ""
        action = read.actions[0] if read.actions else ""
        cue = next((c for c in read.cues if c != en.number_cue), en.event_cue)
        tail = f"{cue}{action}的" if cue == en.title_cue and action else cue + action
        return short + when + read.events[0] + tail

    def _english_place(self, raw: str, tokens: list[str], used: list[bool], names: tuple[str, ...]) -> tuple[str | None, list[str]]:
        """The indexed place the question names, in Han characters or in pinyin (Fenggang, guang dong)."""
        if not names:
            return None, []
        index, words = self._places(names), [t.lower() for t in tokens]
        for run in _HAN_RUN.findall(raw):
            for form in sorted(index.forms, key=len, reverse=True):
                if form in run and len(index.forms[form]) == 1:
                    return next(iter(index.forms[form])), []
        keys = self._pinyin_keys(names)
        found = _pinyin_run(tokens, words, used, keys)
        if found is None:
            return self._gazetteer_place(tokens, words, used)
        spelled, key, after = found
        hits = self._of_level(sorted(keys[key]), after)
        if len(hits) > 1:
            return hits[0], [f"{spelled} could be {' or '.join(hits)}: assumed {hits[0]}"]
        return hits[0], [f"{spelled} → {hits[0]}"]

    def _gazetteer_place(self, tokens: list[str], words: list[str], used: list[bool]) -> tuple[str | None, list[str]]:
        """A place no document is about, by its pinyin in the gazetteer (Shenzhen → 深圳市); of two places one pinyin
        names (Taizhou: 台州市, 泰州市), the first is assumed, and said."""
        gz = self.places.gazetteer
        keys = _gazetteer_pinyin(gz)
        found = _pinyin_run(tokens, words, used, keys)
        if found is None:
            return None, []
        spelled, key, after = found
        codes = self._of_level(list(keys[key]), after, lambda c: gz.places[c].name)
        labels, name = [gz.label(c) for c in codes], gz.places[codes[0]].name
        if len(labels) > 1:
            return name, [f"{spelled} could be {' or '.join(labels)}: assumed {labels[0]}"]
        return name, [f"{spelled} → {labels[0]}"]

    def _of_level(self, hits: list[str], after: str, name: Callable[[str], str] = str) -> list[str]:
        """Of the places one pinyin names, those of the level the next word says (Ji'an County → 吉安县)."""
        suffix = self.english.levels.get(after, "")
        kept = [h for h in hits if suffix and name(h).endswith(suffix)]
        return kept or hits

    def _pinyin_keys(self, names: tuple[str, ...]) -> dict[str, frozenset[str]]:
        keys = dict(_pinyin_index(self._places(names)))
        short = self._places(names).short
        for alias, zh in self.english.aliases.items():
            hits = frozenset(p for p, s in short.items() if zh in (s, p))
            if hits:
                keys[alias] = hits
        return keys

    def _english_years(self, words: list[str], used: list[bool]) -> list[str]:
        low, high = self.year_range
        found = []
        for i, w in enumerate(words):
            if not used[i] and w.isdigit() and len(w) == 4 and low <= int(w) <= high:
                used[i] = True
                found.append(f"{w}年")
        return found

    def _title(self, role: str, place: str | None, names: tuple[str, ...]) -> str:
        """The role's Chinese title for the place's level: 凤岗镇 + mayor → 凤岗镇长."""
        templates = self.english.roles.get(role, {})
        if place is None:
            return templates.get("none", "")
        index = self._places(names)
        level = index.level.get(place, self.places.suffix(place))
        template = templates.get(level) or templates.get("default", "{short}")
        return template.format(short=self._short(place, names), name=place)

    def _short(self, place: str, names: tuple[str, ...]) -> str:
        """The place's short form (凤岗), or its full name when another place shares the short form (吉安县)."""
        index = self._places(names)
        short = index.short.get(place) or self.places.short_form(place)
        return place if len(index.forms.get(short, ())) > 1 else short

    def _unread(self, tokens: list[str], words: list[str], used: list[bool]) -> list[str]:
        """A note for capitalised words left over (likely a place the index does not know)."""
        left = [t for i, t in enumerate(tokens) if i > 0 and not used[i] and t[:1].isupper() and words[i] not in self.english.ignore]
        return [f"not an indexed place, ignored: {t}" for t in left]


@dataclass(frozen=True, eq=False)  # hashed by identity: cached per place set by _place_index
class PlaceIndex:
    """Indexed places, their short forms and level suffixes."""

    short: Mapping[str, str]  # place → short form (广西壮族自治区 → 广西)
    level: Mapping[str, str]  # place → its suffix (自治区), "" when it has none
    forms: Mapping[str, frozenset[str]]  # short form or full name → places


@lru_cache(maxsize=32)
def _place_index(names: tuple[str, ...], rules: PlaceRules) -> PlaceIndex:
    short: dict[str, str] = {}
    level: dict[str, str] = {}
    forms: dict[str, frozenset[str]] = {}
    for name in names:
        short[name], level[name] = rules.short_form(name), rules.suffix(name)
        for form in {name, short[name]}:
            forms[form] = forms.get(form, frozenset()) | {name}
    return PlaceIndex(short, level, forms)


@lru_cache(maxsize=32)
def _pinyin_index(index: PlaceIndex) -> dict[str, frozenset[str]]:
    """Toneless pinyin of each place's short form and full name (fenggang, fenggangzhen) → places."""
    from pypinyin import lazy_pinyin

    keys: dict[str, frozenset[str]] = {}
    for form, places in index.forms.items():
        key = "".join(lazy_pinyin(form)).lower()
        keys[key] = keys.get(key, frozenset()) | places
    return keys


@lru_cache(maxsize=2)
def _gazetteer_pinyin(gz: Gazetteer) -> dict[str, tuple[str, ...]]:
    """Toneless pinyin of every province's, prefecture's and county's full name and short form → the codes of the
    largest places it names (Taizhou: 台州市 and 泰州市, not a county called 泰州…)."""
    from pypinyin import lazy_pinyin

    keys: dict[str, list[str]] = {}
    for code, place in gz.places.items():
        if place.rank > COUNTY:
            continue
        for form in {place.name, gz.short(code)}:
            keys.setdefault("".join(lazy_pinyin(form)).lower(), []).append(code)
    out = {}
    for key, codes in keys.items():
        top = min(gz.places[c].rank for c in codes)
        out[key] = tuple(sorted(c for c in codes if gz.places[c].rank == top))
    return out


@lru_cache(maxsize=4096)
def _sounds_alike(a: str, b: str) -> bool:
    """Two characters share a toneless pinyin reading (刚 and 岗: gang)."""
    from pypinyin import Style, pinyin

    def readings(ch: str) -> set[str]:
        return set(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])

    return bool(readings(a) & readings(b))


@lru_cache(maxsize=8)
def _abbreviation_pattern(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keys:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(f"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


def _take(words: list[str], used: list[bool], phrases: Phrases) -> list[tuple[int, str]]:
    """(position, value) of every phrase found in unused words, longest phrases first; marks them used."""
    found = []
    for phrase, value in phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase and not any(used[i : i + n]):
                used[i : i + n] = [True] * n
                found.append((i, value))
    return sorted(found)


def _mark(words: list[str], used: list[bool], vocab: frozenset[str]) -> bool:
    """Mark unused words in vocab as used; whether there was one."""
    hit = False
    for i, w in enumerate(words):
        if not used[i] and w in vocab:
            used[i] = hit = True
    return hit


def _strip_words(text: str, words: Iterable[str]) -> str:
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, "")
    return text


def _in_order(text: str, words: Iterable[str]) -> list[str]:
    """The words found in text, in the order they occur."""
    hits = sorted((text.find(w), w) for w in words if w in text)
    return [w for _, w in hits]


def _longest_first(words: Iterable[Any]) -> tuple[str, ...]:
    return tuple(sorted((str(w) for w in words), key=len, reverse=True))


def _phrases(table: Mapping[str, Any]) -> Phrases:
    rows = [(tuple(_TOKEN.findall(str(k).lower().replace("-", " "))), str(v)) for k, v in table.items()]
    return tuple(sorted((r for r in rows if r[0]), key=lambda r: len(r[0]), reverse=True))


def _load_colloquial(d: Mapping[str, Any]) -> Colloquial:
    topics = d.get("topics", {})
    return Colloquial(
        cues=tuple(d.get("cues", [])),
        filler=tuple(d.get("filler", [])),
        tail=tuple(d.get("tail", [])),
        target_times=tuple(d.get("target_times", [])),
        actual_times=tuple(d.get("actual_times", [])),
        default_target=d.get("default", "actual") == "target",
        topics=tuple((t, str(q["actual"]), str(q["target"])) for t, q in sorted(topics.items(), key=lambda kv: -len(kv[0]))),
    )


def _load_english(d: Mapping[str, Any]) -> English:
    growth, target = d.get("growth", {}), d.get("target", {})
    return English(
        min_words=int(d.get("min_words", 2)),
        number_cue=str(d.get("number_cue", "")),
        title_cue=str(d.get("title_cue", "")),
        event_cue=str(d.get("event_cue", "")),
        joiner=str(d.get("joiner", "")),
        ignore=frozenset(str(w).lower() for w in d.get("ignore", [])),
        growth=frozenset(str(w).lower() for w in growth.get("words", [])),
        growth_zh=str(growth.get("chinese", "")),
        target=frozenset(str(w).lower() for w in target.get("words", [])),
        target_zh=str(target.get("chinese", "")),
        indicators=_phrases(d.get("indicators", {})),
        events=_phrases(d.get("events", {})),
        actions=_phrases(d.get("actions", {})),
        cues=_phrases(d.get("cues", {})),
        times=_phrases(d.get("times", {})),
        titles=_phrases(d.get("titles", {})),
        roles={str(r): {str(k): str(v) for k, v in t.items()} for r, t in d.get("roles", {}).items()},
        aliases={re.sub(r"[^a-z]", "", str(k).lower()): str(v) for k, v in d.get("place_aliases", {}).items()},
        levels={str(k).lower(): str(v) for k, v in d.get("levels", {}).items()},
    )


def _pinyin_run(tokens: list[str], words: list[str], used: list[bool], keys: Mapping[str, object]) -> tuple[str, str, str] | None:
    """The longest run of unused words (up to 4) that spells a key, marked used: (as written, key, the word after)."""
    for n in range(4, 0, -1):
        for i in range(len(words) - n + 1):
            key = "".join(words[i : i + n])
            if not any(used[i : i + n]) and key in keys:
                used[i : i + n] = [True] * n
                return " ".join(tokens[i : i + n]), key, words[i + n] if i + n < len(words) else ""
    return None
