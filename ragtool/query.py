"""Query understanding: script, places, years, indicator synonyms and question type.

Every word list comes from data files (lexicon.toml, question.toml) so users can tune it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from ragtool import qtypes
from ragtool.config import Settings
from ragtool.datafiles import load_data
from ragtool.errors import UsageError
from ragtool.models import DocMeta
from ragtool.qtypes import QuestionType as QType
from ragtool.qtypes import bind, classify
from ragtool.zh import dates
from ragtool.zh.gazetteer import Gazetteer, Place, town
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.places import PlaceRules
from ragtool.zh.textnorm import halfwidth, t2s

MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    """The question stripped, or a usage error: empty, too long, or no words at all."""
    q = question.strip()
    if not q:
        raise UsageError("empty question")
    if len(q) > MAX_QUESTION_CHARS:
        raise UsageError(f"question too long ({len(q)} characters; at most {MAX_QUESTION_CHARS})")
    if not any(ch.isalnum() for ch in q):
        raise UsageError('the question has no words, only punctuation or symbols: try  ragtool ask "凤岗2025年GDP目标?"')
    return q


QuestionType = Literal["number", "name", "list", "date", "venue", "post", "what", "yesno", "other"]

_ASKED_COUNT = re.compile(r"哪[一二两三四五六七八九十几\d]+(?:个|项|条|大|类|种|位|家)?")


class ParsedQuery(BaseModel):
    raw: str
    text: str  # half-width, simplified
    places: list[str] = Field(default_factory=list)  # indexed place names matched, e.g. 凤岗镇
    place_terms: list[str] = Field(default_factory=list)  # as found in the question, e.g. 凤岗, 深圳
    unknown_places: list[str] = Field(default_factory=list)  # place names the index does not know
    place_codes: list[str] = Field(default_factory=list)  # gazetteer codes of the places asked about
    place_notes: list[str] = Field(default_factory=list)  # which place was assumed for an ambiguous name
    sub_places: bool = False  # asks about the named place's own sub-places (哪个县, 各镇)
    asks_title: bool = False  # names an office of the place (中山市委书记, 东莞市长)
    asked_terms: list[str] = Field(default_factory=list)  # the question's words for the asked places, not their parents
    scope: list[str] | None = None  # doc ids retrieval was limited to (set by the retriever), None for all
    place_scope: Literal["own", "mentioned"] = "own"  # "mentioned": no document of the place's own; evidence must name it
    years: list[int] = Field(default_factory=list)  # explicit years
    relative_year: int | None = None  # 今年=0, 明年=+1, 去年=-1, relative to each document's year
    indicators: list[str] = Field(default_factory=list)  # canonical indicator names, e.g. 地区生产总值
    indicator_terms: list[str] = Field(default_factory=list)  # every surface form of those indicators
    target: bool | None = None  # True: asks for a target or plan; False: an actual result
    measure: Literal["change", "amount", ""] = ""  # what a number question measures; "" for either
    plan: str = ""  # asks about a five-year plan (十五五) or a multi-year average (年均); "" for one year
    plan_end: bool = False  # asks the plan's closing year (十四五末)
    qtype: QuestionType = "other"
    kinds: list[str] = Field(default_factory=list)  # document kinds the question names (党代会 → 党代会)
    units: list[str] = Field(default_factory=list)  # units a number question asks for (多少人 → 人, 名 …)
    keywords: list[str] = Field(default_factory=list)  # content words left once places, years, cues go
    alternates: dict[str, str] = Field(default_factory=dict)  # keyword → its spelled-out form (人代会 → 人民代表大会)
    unknown_terms: list[str] = Field(default_factory=list)  # keywords no indexed document contains
    expanded: str = ""  # text plus synonyms and full place names, for lexical search


SPANS_REMEMBERED = 100_000


@dataclass
class Vocabulary:
    """Word lists from the data files."""

    indicators: dict[str, list[str]]
    abbreviations: dict[str, str]
    qtypes: tuple[QType, ...]  # the registry with question.toml's cue words
    target_cues: list[str]
    actual_cues: list[str]
    relative_years: dict[str, int]
    stopwords: list[str]
    not_places: list[str]
    title_after_place: list[str]
    title_cues: list[str]
    definition_cues: list[str]
    slot_nouns: list[str]
    frame_verbs: list[str]
    lead_verbs: list[str]
    person_cues: list[str]
    parts_cues: list[str]
    separators: list[str]
    publication_cues: list[str]
    publish_question_cues: list[str]
    kind_cues: dict[str, str]
    asked_units: dict[str, list[str]]
    negations: list[str] = field(default_factory=list)
    act_cues: dict[str, list[str]] = field(default_factory=dict)  # acts at a meeting a name question asks about
    verdicts: dict[str, tuple[str, str]] = field(default_factory=dict)  # yes/no cue → (yes, no) in its words
    threshold_cues: list[str] = field(default_factory=list)
    plan_cues: list[str] = field(default_factory=list)
    plan_end_cues: list[str] = field(default_factory=list)
    amount_after_indicator: list[str] = field(default_factory=list)
    before_stops: list[str] = field(default_factory=list)  # lexicon [figures]: 海洋生产总值 is no GDP
    incumbent_cues: list[str] = field(default_factory=list)
    change_cues: list[str] = field(default_factory=list)
    leading_fillers: list[str] = field(default_factory=list)
    amount_cues: list[str] = field(default_factory=list)
    below_cues: list[str] = field(default_factory=list)  # 是否低于5%: yes when the figure is below the claim
    bare_magnitude_unit: str = ""  # 突破3500亿: the unit a magnitude without one counts
    unit_groups: dict[str, str] = field(default_factory=dict)  # 名 → 人: units that count the same thing
    place_groups: list[str] = field(default_factory=list)  # 都市圈: after a place, a region around it
    version: str = ""
    _surface: list[tuple[str, str]] = field(default_factory=list)
    # every text's indicator spans, read once (a comparison or a server scans the same sentences again and again)
    _spans: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, settings: Settings) -> Vocabulary:
        lexicon = Lexicon.load(settings)
        q = _read_toml(settings, "question.toml")
        vocab = cls(
            indicators={k: [t2s(halfwidth(s)) for s in v] for k, v in lexicon.question_forms().items()},
            abbreviations=dict(lexicon.abbreviations),
            qtypes=bind(dict(q.get("qtype", {})), dict(q.get("qtype_final", {}))),
            target_cues=list(q.get("target_cues", [])),
            actual_cues=list(q.get("actual_cues", [])),
            relative_years={k: int(v) for k, v in lexicon.relative_years().items()},
            stopwords=sorted(q.get("stopwords", []), key=len, reverse=True),
            not_places=list(q.get("not_places", [])),
            asked_units=dict(q.get("asked_units", {})),
            title_after_place=list(q.get("title_after_place", [])),
            title_cues=list(q.get("title_cues", [])),
            definition_cues=list(q.get("definition_cues", [])),
            slot_nouns=list(q.get("frames", {}).get("slot_nouns", [])),
            frame_verbs=list(q.get("frames", {}).get("verbs", [])),
            lead_verbs=list(q.get("frames", {}).get("lead_verbs", [])),
            person_cues=list(q.get("frames", {}).get("person_cues", [])),
            parts_cues=list(q.get("frames", {}).get("parts_cues", [])),
            separators=list(q.get("separators", [])),
            publication_cues=list(q.get("publication_cues", [])),
            publish_question_cues=list(q.get("publish_question_cues", [])),
            kind_cues=dict(q.get("kind_cues", {})),
            negations=list(q.get("negations", [])),
            act_cues={k: list(v) for k, v in dict(q.get("acts", {})).items()},
            verdicts={k: (str(v[0]), str(v[1])) for k, v in dict(q.get("verdicts", {})).items()},
            threshold_cues=list(q.get("threshold_cues", [])),
            plan_cues=list(q.get("plan_cues", [])),
            plan_end_cues=list(q.get("plan_end_cues", [])),
            amount_after_indicator=list(q.get("amount_after_indicator", [])),
            incumbent_cues=list(q.get("incumbent_cues", [])),
            change_cues=list(q.get("change_cues", [])),
            leading_fillers=sorted(q.get("leading_fillers", []), key=len, reverse=True),
            amount_cues=list(q.get("amount_cues", [])),
            below_cues=list(q.get("yesno", {}).get("below_cues", [])),
            bare_magnitude_unit=str(q.get("yesno", {}).get("bare_magnitude_unit", "")),
            unit_groups={str(u): str(g[0]) for g in q.get("yesno", {}).get("same_units", []) for u in g},
            place_groups=[str(w) for w in q.get("yesno", {}).get("place_groups", [])],
            before_stops=lexicon.figure_words("before_stops"),
            version=f"{lexicon.version}+{q.get('version', '')}",
        )
        vocab._surface = sorted(
            ((s, canon) for canon, forms in vocab.indicators.items() for s in forms),
            key=lambda p: len(p[0]),
            reverse=True,
        )
        return vocab

    def cues_of(self, qtype: str) -> tuple[str, ...]:
        """The cue words of one question type (是不是, 是否 … for yesno)."""
        return next((t.cues for t in self.qtypes if t.name == qtype), ())

    def unit_group(self, unit: str) -> str:
        """One name for units that count the same thing (人 and 名)."""
        return self.unit_groups.get(unit, unit)

    def verdict_words(self, question: str) -> tuple[str, str]:
        """How a yes/no question is answered: (是, 不是), or in its own words (有没有 → 有, 没有)."""
        return next((v for cue, v in self.verdicts.items() if cue in question), ("是", "不是"))

    def asked_act(self, question: str) -> str:
        """The act at a meeting a question asks about (谁作的报告 → report, 谁主持 → preside), "" for none."""
        text = question
        for word in self.act_cues.get("not_acts", []):
            text = text.replace(word, " ")
        return next((a for a, cues in self.act_cues.items() if a != "not_acts" and any(c in text for c in cues)), "")

    def find_indicators(self, text: str) -> list[tuple[str, str]]:
        """(surface form, canonical name) found in text, longest forms first, no overlaps."""
        return [(text[a:b], canon) for a, b, canon in self.indicator_spans(text)]

    def indicator_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical name) of each indicator named in text, longest forms first, no overlaps: 人均地区生产总值
        is per-capita output, not 地区生产总值."""
        got = self._spans.get(text)
        if got is None:
            if len(self._spans) >= SPANS_REMEMBERED:
                self._spans.clear()
            got = self._spans[text] = self._indicator_spans(text)
        return list(got)

    def _indicator_spans(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        taken = [False] * len(text)
        low = text.lower()
        for surface, canon in self._surface:
            start = low.find(surface.lower())
            while start >= 0:
                end = start + len(surface)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    found.append((start, end, canon))
                start = low.find(surface.lower(), end)
        return found


def _read_toml(settings: Settings, name: str) -> dict[str, Any]:
    return load_data(settings, name)


@dataclass
class PlaceIndex:
    """The gazetteer plus the corpus's own places: which documents are about each place (by code), and the indexed
    place names a question may use (凤岗 for 凤岗镇, 广西 for 广西壮族自治区)."""

    names: dict[str, set[str]]  # place name -> doc ids naming it
    rules: PlaceRules
    mains: set[str] = field(default_factory=set)  # places that are some document's main place
    own: dict[str, set[str]] = field(default_factory=dict)  # place code -> doc ids about it
    gazetteer: Gazetteer | None = None  # with the corpus's towns

    @classmethod
    def from_docs(cls, docs: list[DocMeta], rules: PlaceRules) -> PlaceIndex:
        names: dict[str, set[str]] = {}
        own: dict[str, set[str]] = {}
        towns = []
        for d in docs:
            for p in {*(d.places or []), *([d.place] if d.place else [])}:
                names.setdefault(t2s(p), set()).add(d.doc_id)
            code = d.place_code or (rules.code_of(t2s(d.place)) if d.place else None)
            if code:
                for c in [code, *d.also_about]:
                    own.setdefault(c, set()).add(d.doc_id)
                if "/" in code and d.place:
                    towns.append(town(t2s(d.place), code.split("/")[0] or None))
        gz = rules.gazetteer.with_places(_merge_towns(own, towns, rules.gazetteer))
        return cls(names, rules, {t2s(d.place) for d in docs if d.place}, own, gz)

    @property
    def gz(self) -> Gazetteer:
        return self.gazetteer or self.rules.gazetteer

    def nearest(self, code: str, limit: int = 3) -> list[str]:
        """The places with documents closest to code (sharing the most parents), as 凤岗镇 (东莞市)."""
        gz = self.gz
        asked = [p.code for p in gz.chain(code)]
        def shared(other: str) -> int:
            return sum(1 for a, b in zip(asked, [p.code for p in gz.chain(other)], strict=False) if a == b)
        scored = sorted(((shared(c), gz.label(c)) for c in self.own if c in gz.places), key=lambda x: (-x[0], x[1]))
        best = scored[0][0] if scored else 0
        return [label for n, label in scored if n == best and n > 0][:limit]


def _merge_towns(own: dict[str, set[str]], towns: list[Place], gz: Gazetteer) -> list[Place]:
    """A town read under its province only (a report that never names its city) is the same town read under a city
    of that province elsewhere (凤岗镇 under 广东省 and under 东莞市): its documents join that one. The towns kept."""
    kept = []
    for t in dict.fromkeys(towns):
        within = [o for o in dict.fromkeys(towns) if o.name == t.name and o.parent and o.parent != t.parent
                  and (not t.parent or t.parent in gz.ancestors(o.parent))]
        if len(within) == 1:
            own[within[0].code] = own.get(within[0].code, set()) | own.pop(t.code, set())
        else:
            kept.append(t)
    return kept


def parse_query(question: str, vocab: Vocabulary, places: PlaceIndex) -> ParsedQuery:
    text = t2s(halfwidth(question)).strip()
    for filler in vocab.leading_fillers:
        if text.startswith(filler) and len(text) > len(filler):
            text = text[len(filler) :].lstrip("，, ")
            break
    pq = ParsedQuery(raw=question, text=text)
    rest = text
    _match_places(pq, places, vocab)
    for term in sorted(pq.place_terms, key=len, reverse=True):  # the place and its parents (湖南岳阳华容县)
        rest = rest.replace(term, " ")
    pq.years = sorted(set(dates.years(text)))
    rest = dates.strip_years(rest)
    for word, delta in vocab.relative_years.items():
        if word in text:
            pq.relative_year = int(delta)
            rest = rest.replace(word, " ")
    found_indicators = _own_indicators(text, vocab)
    for surface, canon in found_indicators:
        if canon not in pq.indicators:
            pq.indicators.append(canon)
        rest = rest.replace(surface, " ")
    pq.indicator_terms = sorted({s for c in pq.indicators for s in vocab.indicators[c]}, key=len, reverse=True)
    pq.qtype = _qtype(text, vocab)
    if pq.qtype == "other" and pq.indicators:
        pq.qtype = "number"  # 十四五末常住人口城镇化率: an indicator named is a figure asked
    # Read without the indicator's name (社会消费品零售总额 asks no amount, 地区生产总值 no growth), but a loose form of
    # it may ask for one: 经济总量 is GDP's amount, 经济增长 its growth.
    loose = " ".join(surface for surface, canon in found_indicators if surface != canon)
    change = any(c in rest or c in loose for c in vocab.change_cues)
    amount = any(c in rest or c in loose for c in vocab.amount_cues) or _amount_after(text, found_indicators, vocab)
    pq.measure = "change" if change and not amount else "amount" if amount and not change else ""
    pq.plan = next((c if c.startswith("十") else "年均" for c in vocab.plan_cues if c in text), "")
    if pq.plan.startswith("十"):
        after = text[text.find(pq.plan) + len(pq.plan) :].lstrip("”\"'」’")
        pq.plan_end = after.startswith(tuple(vocab.plan_end_cues))
    pq.kinds = sorted({kind for cue, kind in vocab.kind_cues.items() if cue in text})
    pq.units = sorted({u for cue, units in vocab.asked_units.items() if cue in text for u in units})
    if any(c in text for c in vocab.target_cues):
        pq.target = True
    elif pq.qtype == "number" and any(c in text for c in vocab.actual_cues):
        pq.target = False
    targets = [] if qtypes.get(pq.qtype).topical else vocab.target_cues  # 主要预期目标有哪些: the targets are asked
    for word in [*vocab.asked_units, *vocab.stopwords, *targets, *vocab.separators]:
        rest = rest.replace(word, " ")
    rest = _ASKED_COUNT.sub(" ", rest)  # 哪三个, 哪几项: the count is read from the text, it is no word to find
    if pq.qtype == "yesno":  # 有没有达到6%: the threshold is checked against the fact, it is no word to find
        for word in [*vocab.threshold_cues, *vocab.below_cues]:
            rest = rest.replace(word, " ")
        rest = re.sub(r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]?(?=[千百][万亿]))\s*(?:%|[万亿千百]*[元人名家个项户位次倍]?)", " ", rest)
        finals = next((t.finals for t in vocab.qtypes if t.name == "yesno"), ())
        for word in sorted(finals, key=len, reverse=True):  # 超过10%没有: the cue, no word to find
            rest = re.sub(rf"{re.escape(word)}(?=[\s?？!！。]*$)", " ", rest.rstrip())
    pq.keywords = [w for w in re.split(r"[\s\W_]+", rest) if len(w) >= 2 or re.fullmatch(r"[\u4e00-\u9fff]", w or "x")]
    pq.keywords = [w for w in pq.keywords if w]
    if pq.indicators:  # GDP总量和增速: what is asked of the indicator is the measure, not a word the text must hold
        pq.keywords = [w for w in pq.keywords if w not in vocab.amount_cues and w not in vocab.change_cues]
    if pq.qtype == "other" and pq.indicators and not pq.keywords:
        pq.qtype = "number"  # 四川2025年地区生产总值: an indicator alone asks for its value
    for kw in pq.keywords:
        full = kw
        for short, long in vocab.abbreviations.items():
            full = full.replace(short, long)
        if full != kw:
            pq.alternates[kw] = full
    expansions = [vocab.abbreviations[a] for a in vocab.abbreviations if a in text]
    # 任蔚现任什么职务: a post is asked of the person named; the asking words (现任, 职务) would find other pages
    asked = " ".join(pq.keywords) if pq.qtype == "post" and pq.keywords else text
    pq.expanded = " ".join([asked, *pq.places, *pq.indicator_terms, *expansions])
    return pq


def _own_indicators(text: str, vocab: Vocabulary) -> list[tuple[str, str]]:
    """The indicators a question names, but not one after a word that makes it a part (海洋生产总值, 县域经济增长);
    a separator (GDP和…) only joins two."""
    stops = tuple(w for w in vocab.before_stops if w not in vocab.separators)
    return [(text[a:b], c) for a, b, c in vocab.indicator_spans(text) if not stops or not text[:a].endswith(stops)]


def _amount_after(text: str, found: list[tuple[str, str]], vocab: Vocabulary) -> bool:
    """地区生产总值多少: the indicator's name right before 多少 asks its amount (经济增长多少 asks a change)."""
    cues = tuple(vocab.amount_after_indicator)
    return any(text.startswith(cues, text.find(surface) + len(surface)) for surface, _ in found
               if cues and not any(c in surface for c in vocab.change_cues))


def _qtype(text: str, vocab: Vocabulary) -> QuestionType:
    return classify(text, vocab.qtypes)  # type: ignore[return-value]


def _match_places(pq: ParsedQuery, places: PlaceIndex, vocab: Vocabulary) -> None:
    """The places a question names, through the gazetteer: a name several places share is decided by the parents the
    question names, then by the places the corpus has documents about (and the assumption is noted)."""
    text, gz = pq.text, places.gz
    mentions = gz.mentions(text)
    resolved = dict((m.start, code) for m, code in gz.resolve(mentions, known=places.own))
    taken = [False] * len(text)
    found: list[str] = []
    notes: dict[str, str] = {}
    term_codes: list[tuple[str, list[str]]] = []
    for m in mentions:
        code = resolved.get(m.start)
        codes = [code] if code else [c for c in m.codes if c in places.own]  # 龙华区: both 深圳's and 海口's
        if not codes or text.startswith(places.rules.name_after, m.end):  # 珠海经济特区 is a name, not a scope
            continue
        if len(m.codes) > 1 and code:
            others = "、".join(gz.label(c) for c in m.codes if c != code)
            notes[code] = f"{m.form}: assumed {gz.label(code)}, not {others}"
        form, end = m.form, m.end
        if any(text.startswith(w, m.end) for w in vocab.title_after_place):
            pq.asks_title = True
            short = gz.short(codes[0])
            if form != short and form.startswith(short):  # 中山市委书记: the place is 中山, 市委书记 the title
                form, end = short, m.start + len(short)
        taken[m.start : end] = [True] * (end - m.start)
        pq.place_terms.append(form)
        term_codes.append((form, codes))
        found += [c for c in codes if c not in found]
    asked = [c for c in found if not any(c in gz.ancestors(other) for other in found)]  # 广东深圳: 深圳 is asked
    pq.place_codes = asked
    pq.place_notes = [notes[c] for c in asked if c in notes]
    pq.asked_terms = [t for t, c in term_codes if set(c) & set(asked)]
    pq.places = list(dict.fromkeys(gz.places[c].name for c in asked))
    pq.sub_places = any(cue in text for cue in places.rules.sub_place_cues)
    masked = "".join(" " if t else c for c, t in zip(text, taken, strict=True))
    for cue in vocab.plan_cues:  # 十五五地区生产总值: no place 十五五地区
        masked = masked.replace(cue, " " * len(cue))
    suffixes = "|".join(places.rules.town_suffixes)  # a town no document is about (the gazetteer has the rest)
    for m2 in re.finditer(f"[\u4e00-\u9fff]{{2,4}}?(?:{suffixes})", masked):
        word = m2.group()
        if any(word.endswith(w) for w in vocab.not_places):
            continue
        if any(text.startswith(w, m2.end()) for w in vocab.title_after_place):
            continue  # 中山市委书记: 中山 is left as a keyword, 市委书记 is the title
        if places.rules.plausible(word) and not pq.places:
            pq.unknown_places.append(word)
            pq.place_notes.append(f"no document about {word}")
