"""One question over many places: the same engine asked once per document, one row per place.

`ragtool compare "2026年GDP增长目标"` and ask's comparison questions (哪个镇…最高, 比较凤岗和金湾…, 各镇…分别是多少)
both land here. The comparison words and the places are taken out of the question, and each place's document is
asked the ordinary question that is left ("凤岗镇2025年GDP目标") through `Session.ask_with_context(doc=...)`: the
same retrieval, time-frame rules, extractors and quote verification as any other question, scoped to that one
document. Nothing here reads the documents' text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ragtool.datafiles import load_data
from ragtool.errors import UsageError
from ragtool.models import Answer, ComparisonRow, DocMeta, Usage
from ragtool.query import ParsedQuery, check_question, parse_query
from ragtool.zh.quantity import Quantity, QuantityGrammar
from ragtool.zh.textnorm import halfwidth, t2s

if TYPE_CHECKING:
    from ragtool.api import EngineName, Session
    from ragtool.config import Settings
    from ragtool.zh.places import PlaceRules

SortKey = Literal["place", "value"]
GroupBy = Literal["place", "year"]
Direction = Literal["max", "min"]
FORMATS = ("table", "csv", "json", "md")
NOT_FOUND_TEXT = "未在文档中找到答案"
MAX_ROWS = 500  # one compare asks at most this many documents

# ---- the cue words (question.toml [compare]) ---------------------------------------------------------------


@dataclass(frozen=True)
class CompareCues:
    which: tuple[str, ...]
    each: tuple[str, ...]
    place_nouns: dict[str, str]  # noun after 哪个/各 -> level ("" = any)
    highest: tuple[str, ...]
    lowest: tuple[str, ...]
    higher: tuple[str, ...]
    lower: tuple[str, ...]
    compare_words: tuple[str, ...]
    table_words: tuple[str, ...]
    joiners: tuple[str, ...]
    head_titles: tuple[str, ...]
    head_of_government: dict[str, str]  # place-name ending -> its head of government's title

    @classmethod
    def load(cls, settings: Settings) -> CompareCues:
        c = dict(load_data(settings, "question.toml").get("compare", {}))

        def words(key: str) -> tuple[str, ...]:
            return tuple(sorted((t2s(halfwidth(str(w))) for w in c.get(key, [])), key=len, reverse=True))

        nouns = {t2s(str(k)): str(v) for k, v in dict(c.get("place_nouns", {})).items()}
        heads = {t2s(str(k)): t2s(str(v)) for k, v in dict(c.get("head_of_government", {})).items()}
        return cls(
            which=words("which"), each=words("each"),
            place_nouns=dict(sorted(nouns.items(), key=lambda kv: len(kv[0]), reverse=True)),
            highest=words("highest"), lowest=words("lowest"), higher=words("higher"), lower=words("lower"),
            compare_words=words("compare_words"), table_words=words("table_words"), joiners=words("joiners"),
            head_titles=words("head_titles"),
            head_of_government=dict(sorted(heads.items(), key=lambda kv: len(kv[0]), reverse=True)),
        )


# ---- reading a comparison question ---------------------------------------------------------------------


@dataclass
class Intent:
    """What a comparison question asks: a table, or the place with the highest (lowest) value."""

    kind: Literal["table", "superlative"]
    question: str  # the ordinary question left for each place (places and comparison words taken out)
    direction: Direction | None = None
    level: str | None = None  # 哪个镇, 各省: only places of this level
    places: list[str] = field(default_factory=list)  # places the question names (比较凤岗和金湾)


def read_intent(pq: ParsedQuery, cues: CompareCues, *, force: bool = False) -> Intent | None:
    """The comparison a question asks for, or None for an ordinary question (one detection function for ask).

    A comparison is: a superlative with 哪个/哪些 + a place noun (哪个镇…最高, …最高的省份) or with two or more places
    named (凤岗和金湾哪个高); or a table: 比较/对比 with two places or a place noun (比较各省…), 各 + a place noun
    (各镇…), or two places named with 分别. A question naming exactly one place is never a comparison.
    `force` (ragtool compare) reads any question as a table over every place."""
    text = pq.text
    cue_words = (*cues.compare_words, *cues.which, *cues.each, *cues.table_words)
    terms = [t for t in pq.place_terms  # a "qualifier" read off a cue word (比较 in 比较广东和四川) is no place
             if any(t in p for p in pq.places) or not any(w in t or t in w for w in cue_words)]
    masked = _mask_places(text, terms)
    named = list(dict.fromkeys(pq.places))
    many = len(named) >= 2
    which_noun = _cue_noun(masked, cues.which, cues.place_nouns)
    each_noun = _cue_noun(masked, cues.each, cues.place_nouns)
    high = _first(masked, cues.highest)
    low = _first(masked, cues.lowest)
    sup_noun = _superlative_noun(masked, (*cues.highest, *cues.lowest), cues.place_nouns)
    has_which = any(w in masked for w in cues.which)
    direction: Direction | None = None
    if high or low:
        direction = "max" if high and (not low or masked.find(high) <= masked.find(low)) else "min"
    elif many and has_which:
        direction = _comparative(masked, cues)
    noun = which_noun or sup_noun or each_noun
    level = cues.place_nouns.get(noun) if noun else None
    kind: Literal["table", "superlative"] | None = None
    if len(named) == 1 and not force:
        return None
    if direction and (which_noun is not None or sup_noun is not None or many):
        kind = "superlative"
    elif each_noun is not None or (many or noun is not None) and bool(_first(masked, cues.compare_words)) or (
            many and bool(_first(masked, cues.table_words))):
        kind = "table"
    elif force:
        kind = "superlative" if direction else "table"
    if kind is None:
        return None
    core = strip_question(text, terms, cues, noun)
    if not core:
        if not force:
            return None
        raise UsageError(f"nothing left to ask each place once the places and comparison words are taken out of {text!r}")
    return Intent(kind=kind, question=core, direction=direction if kind == "superlative" else None,
                  level=level or None, places=named)


def strip_question(text: str, place_terms: Iterable[str], cues: CompareCues, noun: str | None = None) -> str:
    """The question without its places and comparison words: 比较凤岗和金湾的GDP增长目标 -> GDP增长目标."""
    gap = "\x00"
    s = text
    for term in sorted(set(place_terms), key=len, reverse=True):
        s = s.replace(term, gap)
    nouns = [noun] if noun else list(cues.place_nouns)
    for lead in (*cues.which, *cues.each):  # 哪个镇, 各省
        for n in nouns:
            s = s.replace(lead + n, gap)
    for word in (*cues.highest, *cues.lowest):
        for n in nouns:  # 最高的省份是哪个
            s = re.sub(re.escape(word) + "的" + re.escape(n) + r"(?:是)?(?:哪一个|哪个|哪些|哪里|哪)?", gap, s)
        s = s.replace(word, gap)
    m = _COMPARATIVE(cues).search(s)
    if m:  # 凤岗和金湾GDP目标哪个高, 哪个更高一些
        s = s[: m.start()] + gap + m.group("gap") + gap + s[m.end():]
    if cues.which:
        s = re.sub("|".join(map(re.escape, cues.which)), gap, s)
    for word in (*cues.compare_words, *cues.table_words):
        s = s.replace(word, gap)
    joiner = "|".join(map(re.escape, cues.joiners)) or "和"
    for _ in range(3):  # joiners and 的 left between or after taken-out words: 凤岗和金湾的 -> (gap)
        s = re.sub(rf"{gap}\s*(?:{joiner})\s*{gap}", gap, s)
        s = re.sub(rf"(^|{gap})\s*(?:{joiner}|的|之间)+", r"\1", s)
    s = s.replace(gap, "")
    s = re.sub(r"^[\s的,，、:：]+|[\s,，、的]+$", "", s)
    s = re.sub(r"(?:的是|是)([?？]*)$", r"\1", s)  # …最低的是哪个地方: the dangling 是
    return s.strip() if any(ch.isalnum() for ch in s) else ""


def _mask_places(text: str, place_terms: Iterable[str]) -> str:
    """The question with its place names blanked out, so 下各镇 holds no 各镇."""
    s = text
    for term in sorted(set(place_terms), key=len, reverse=True):
        s = s.replace(term, "\x00" * len(term))
    return s


def _COMPARATIVE(cues: CompareCues) -> re.Pattern[str]:  # noqa: N802 - a pattern built from the cues
    which = "|".join(map(re.escape, cues.which)) or "哪个"
    more = "|".join(map(re.escape, (*cues.higher, *cues.lower))) or "高|低"
    return re.compile(rf"(?:{which})(?P<gap>.{{0,12}}?)(?:更|比较)?(?P<word>{more})(?:一些|一点|些)?(?=[?？。!！呢吗]*$)")


def _comparative(masked: str, cues: CompareCues) -> Direction | None:
    """哪个…高 at the end of the question (凤岗和金湾哪个GDP目标高): which is higher, or lower."""
    m = _COMPARATIVE(cues).search(masked)
    if m is None:
        return None
    return "max" if m.group("word") in cues.higher else "min"


def _first(text: str, words: Iterable[str]) -> str:
    return next((w for w in words if w in text), "")


def _cue_noun(text: str, leads: Iterable[str], nouns: dict[str, str]) -> str | None:
    """The place noun right after a lead word (哪个镇 -> 镇, 各省 -> 省), or None."""
    for lead in leads:
        for m in re.finditer(re.escape(lead), text):
            rest = text[m.end():]
            noun = next((n for n in nouns if rest.startswith(n)), None)
            if noun is not None:
                return noun
    return None


def _superlative_noun(text: str, words: Iterable[str], nouns: dict[str, str]) -> str | None:
    """The place noun in 最高的省份 / 最高的是哪个镇."""
    for w in words:
        i = text.find(w)
        if i < 0:
            continue
        rest = text[i + len(w):].lstrip("的是")
        noun = next((n for n in nouns if rest.startswith(n)), None)
        if noun is not None:
            return noun
    return None


def head_question(core: str, place: str | None, cues: CompareCues) -> str:
    """Ask for a place's own head of government (省长是谁 asked of 北京市 is 市长是谁, of 宁夏回族自治区 主席是谁)."""
    if not place:
        return core
    title = next((t for t in cues.head_titles if t in core), "")
    if not title:
        return core
    i = core.find(title)
    if i > 0 and core[i - 1] == "副":  # 副省长, 常务副市长: not the head (代省长 is)
        return core
    own = next((head for ending, head in cues.head_of_government.items() if place.endswith(ending)), "")
    return core.replace(title, own, 1) if own else core


# ---- figures --------------------------------------------------------------------------------------------


def answer_quantity(answer: Answer, grammar: QuantityGrammar, prefer: str = "") -> Quantity | None:
    """The typed value a row takes from its answer: the one the engine read (no re-parsing); for an answer without
    one (a conflict, the LLM engine) its text read by the same grammar."""
    if answer.status == "conflicting" and answer.candidates:
        first = answer.candidates[0]
        return first.quantity or stated_quantity(first.value, grammar, prefer)
    if answer.quantity is not None and answer.quantity.text:
        return answer.quantity
    return stated_quantity(answer.answer, grammar, prefer)


def stated_quantity(value: str, grammar: QuantityGrammar, prefer: str = "") -> Quantity | None:
    """The figure a text states: the first one, or the first of the kind asked ("change": a rate or change,
    "amount": not). Years, sessions and ages are no figures; a value followed by one of the same unit after a
    to-word is a starting point, not the figure (突破2万亿元、达到23562亿元)."""
    text = t2s(halfwidth(value))
    figures = grammar.figures(text)
    if not figures:
        return None
    if prefer == "change":
        q = next((q for q in figures if q.is_rate or q.is_change), figures[0])
    elif prefer == "amount":
        q = next((q for q in figures if not q.is_rate and not q.is_change), figures[0])
    else:
        q = figures[0]
    if len(text) == len(value):  # as the answer writes it (5.5%～6%): the reading kept every offset
        q = q.model_copy(update={"text": value[q.start : q.end]})
    return q


def shown_figure(q: Quantity) -> str:
    """A figure as a row shows it: without a rise word (5.5%左右), a fall keeps its word or sign (下降2.1%, -3.6%)."""
    return q.text if q.change == "fall" else q.figure


# ---- running a comparison -------------------------------------------------------------------------------


@dataclass
class Comparer:
    """Asks one question of each selected document through the session's engine and builds the rows."""

    session: Session
    engine: EngineName = "auto"
    top_k: int | None = None
    use_cache: bool = True
    usage: Usage = field(default_factory=Usage)

    @property
    def cues(self) -> CompareCues:
        return self.session.compare_cues

    def plan(self, question: str, *, force: bool = True) -> tuple[Intent | None, ParsedQuery]:
        """Read a question (the same reading as ask: wording, places) into a comparison intent."""
        q = check_question(question)
        s = self.session
        places = s.retriever.places()
        reading = s.wording.rewrite(q, places.names, s.corpus.lexical().knows)
        pq = parse_query(reading.text, s.vocab, places)
        return read_intent(pq, self.cues, force=force), pq

    def select(
        self, metas: Iterable[DocMeta], *, places: list[str], year: int | None, level: str | None,
        all_docs: bool, by: GroupBy,
    ) -> list[list[DocMeta]]:
        """The documents to ask, grouped into rows: each group's documents newest first, the first that answers
        gives the row. By place: a place's newest document, then the others of its newest year; all_docs: one row
        per document; by year: one row per place and year."""
        rules = self.session.retriever.places().rules
        every = list(metas)
        docs = list(every)
        if level is not None:
            known = sorted({m.level for m in docs if m.level} | set(rules.levels), key=lambda lv: _level_rank(lv, rules.levels))
            if level not in known:
                raise UsageError(f"unknown --level {level!r}; levels: {'、'.join(known)}")
            docs = [m for m in docs if m.level == level]
        if places:
            wanted: list[DocMeta] = []
            for p in places:
                found = [m for m in docs if _same_place(m.place, p, rules)]
                if not found and not any(_same_place(m.place, p, rules) for m in every):
                    names = "、".join(sorted({m.place for m in every if m.place})) or "none"
                    raise UsageError(f"unknown place {p!r}; indexed places: {names}")
                wanted += [m for m in found if m not in wanted]
            docs = wanted
        if year is not None:
            docs = [m for m in docs if m.year == year]
        groups: dict[tuple[str, ...], list[DocMeta]] = {}
        for m in docs:
            place = t2s(m.place) if m.place else f"\x00{m.doc_id}"
            key: tuple[str, ...] = (place, m.doc_id) if all_docs and by != "year" else (
                (place, str(m.year)) if by == "year" else (place,))
            groups.setdefault(key, []).append(m)
        rows = []
        for members in groups.values():
            members.sort(key=_newest, reverse=True)
            if by == "place" and not all_docs:
                members = [m for m in members if m.year == members[0].year]
            rows.append(members)
        if len(rows) > MAX_ROWS:
            raise UsageError(f"{len(rows)} rows to compare (at most {MAX_ROWS}): narrow with --place, --level or --year")
        return rows

    def rows(self, intent: Intent, groups: list[list[DocMeta]], pq: ParsedQuery) -> list[ComparisonRow]:
        prefer = pq.measure
        out = []
        for members in groups:
            first: ComparisonRow | None = None
            for meta in members:
                row = self.ask_one(intent.question, meta, prefer)
                first = first or row  # the newest document stands for a place none of whose documents answers
                if row.status != "not_found":
                    break
            else:
                row = first  # type: ignore[assignment]
            out.append(row)
        return out

    def ask_one(self, core: str, meta: DocMeta, prefer: str = "") -> ComparisonRow:
        question = head_question(core, meta.place, self.cues)
        asked = f"{meta.place}{question}" if meta.place else question
        answer, _ = self.session.ask_with_context(
            asked, engine=self.engine, top_k=self.top_k, doc=meta.doc_id, use_cache=self.use_cache
        )
        self.usage.add(answer.usage)
        citations = [c for c in answer.citations if c.doc_id == meta.doc_id]  # a row never quotes another document
        if answer.status == "not_found" or not citations:
            return self._not_found(meta, asked, answer.engine)
        fig = answer_quantity(answer, self.session.lexicon.quantities, prefer)
        return ComparisonRow(
            place=meta.place, level=meta.level, doc_id=meta.doc_id, title=meta.title, date=meta.date,
            year=meta.year, question=asked, value=answer.answer, figure=shown_figure(fig) if fig else "",
            low=fig.low if fig else None, high=fig.high if fig else None, unit=fig.written_unit if fig else "",
            quantity=fig,
            status=answer.status, quote=citations[0].quote, citations=citations, candidates=answer.candidates,
            confidence=answer.confidence, engine=answer.engine,
        )

    @staticmethod
    def _not_found(meta: DocMeta, asked: str, engine: str = "") -> ComparisonRow:
        question = asked if not meta.place or asked.startswith(meta.place) else f"{meta.place}{asked}"
        return ComparisonRow(place=meta.place, level=meta.level, doc_id=meta.doc_id, title=meta.title,
                             date=meta.date, year=meta.year, question=question, engine=engine)


def _same_place(place: str | None, wanted: str, rules: PlaceRules) -> bool:
    if not place:
        return False
    a, b = t2s(place), t2s(wanted.strip())
    return a == b or rules.short_form(a) == rules.short_form(b)


def _newest(meta: DocMeta) -> tuple[str, str]:
    return (meta.date or f"{meta.year or 0:04d}", meta.doc_id)


def _level_rank(level: str | None, levels: Sequence[str]) -> int:
    return levels.index(level) if level in levels else len(levels)


def compare(
    session: Session, question: str, *, places: list[str] | None = None, year: int | None = None,
    level: str | None = None, all_docs: bool = False, by: GroupBy = "place", sort: SortKey | None = None,
    engine: EngineName = "auto", top_k: int | None = None, use_cache: bool = True, force: bool = True,
) -> tuple[Intent | None, list[ComparisonRow], Usage]:
    """Read the question, pick the documents, ask each one: (the intent, the rows in order, the usage summed).
    Places and a level the question names (比较凤岗和金湾, 各省) are added to the filters."""
    from ragtool.index.lock import index_lock

    comparer = Comparer(session, engine, top_k, use_cache)
    with index_lock(session.settings):
        session.corpus.check_embedder()
        session.retriever.refresh()
        intent, pq = comparer.plan(question, force=force)
        if intent is None:
            return None, [], Usage()
        wanted = list(dict.fromkeys([*(places or []), *intent.places]))
        groups = comparer.select(session.retriever.docs().values(), places=wanted, year=year,
                                 level=level or intent.level, all_docs=all_docs or by == "year", by=by)
        session.retriever.read_whole([m.doc_id for members in groups for m in members])  # one batch, not a call each
    rows = comparer.rows(intent, groups, pq)
    return intent, sort_rows(rows, sort, session.retriever.places().rules.levels), comparer.usage


def answer_question(
    session: Session, question: str, *, year: int | None = None, engine: EngineName = "auto",
    top_k: int | None = None, use_cache: bool = True, force: bool = False,
) -> Answer | None:
    """A comparison question answered as one Answer (ask's routing, the eval's compare cases), or None when the
    question is no comparison (and not `force`)."""
    intent, rows, usage = compare(session, question, year=year, engine=engine, top_k=top_k, use_cache=use_cache,
                                  force=force)
    if intent is None:
        return None
    answer = comparison_answer(question, intent, rows)
    answer.usage = usage
    answer.engine = next((r.engine for r in rows if r.engine), "")
    return answer


# ---- ordering and answers -------------------------------------------------------------------------------


def sort_rows(rows: list[ComparisonRow], key: SortKey | None, levels: Sequence[str]) -> list[ComparisonRow]:
    """By place (level, outermost first as places.toml [level_names] lists them, then name, then date), or by
    value: the highest parsed value first (in one base unit, so 万亿元 and 亿元 compare), rows without a number
    after, not-found rows last."""
    def place_key(r: ComparisonRow) -> tuple[object, ...]:
        return (_level_rank(r.level, levels), r.place or "\uffff", r.year or 0, r.date or "", r.doc_id)

    ordered = sorted(rows, key=place_key)
    if key != "value":
        return ordered

    def value_key(r: ComparisonRow) -> tuple[int, float]:
        if r.status == "not_found":
            return (2, 0.0)
        hi = r.quantity.base("high") if r.quantity else None
        return (0, -hi) if hi is not None else (1, 0.0)

    return sorted(ordered, key=value_key)


def ranked(rows: list[ComparisonRow], direction: Direction) -> tuple[list[ComparisonRow], list[ComparisonRow]]:
    """(rows ranked best first, the other rows in their order): ranked are the answered rows whose figures share
    the most common base unit; the highest (lowest) value first, by its high (low) end."""
    numeric = [r for r in rows if r.status != "not_found" and r.quantity is not None and r.quantity.high is not None]
    if not numeric:
        return [], rows
    unit = Counter(r.quantity.unit for r in numeric if r.quantity).most_common(1)[0][0]
    same = [r for r in numeric if r.quantity and r.quantity.unit == unit]

    def key(r: ComparisonRow) -> float:
        v = _end(r, direction)
        return -(v or 0.0) if direction == "max" else (v or 0.0)

    best = sorted(same, key=key)
    taken = {id(r) for r in best}
    return best, [r for r in rows if id(r) not in taken]


def _end(r: ComparisonRow, direction: Direction) -> float | None:
    """A row's value in its base unit, at the end that ranks it: the high end for 最高, the low end for 最低."""
    return r.quantity.base("high" if direction == "max" else "low") if r.quantity else None


def comparison_answer(question: str, intent: Intent, rows: list[ComparisonRow]) -> Answer:
    """The Answer for a comparison question (rows in place order, as compare returns them): the winner(s) marked
    最高/最低 with the runners-up, or every row (a table); not-found rows are listed as 未找到. Citations: every
    answered row's, in the order shown."""
    engine_rows = [r for r in rows if r.status != "not_found"]
    out = Answer(question=question, comparison=rows)
    if not engine_rows:
        out.answer = NOT_FOUND_TEXT
        out.notes = [_note(intent, rows)]
        return out
    mark = {"max": "最高", "min": "最低"}.get(intent.direction or "", "")
    shown: list[ComparisonRow]
    parts: list[str] = []
    if intent.kind == "superlative" and mark:
        best, rest = ranked(rows, intent.direction or "max")
        if best:
            top = _end(best[0], intent.direction or "max")
            for r in best:
                v = _end(r, intent.direction or "max")
                parts.append(f"{_label(r)}：{r.figure or r.value}" + (f"（{mark}）" if v == top else ""))
            shown = [*best, *rest]
            parts += [f"{_label(r)}：{_shown_value(r)}" for r in rest]
        else:
            shown = rows
            parts = [f"{_label(r)}：{_shown_value(r)}" for r in shown]
            out.notes.append("没有可比较的数值：按地方列出")
        out.comparison = shown
    else:
        shown = rows
        parts = [f"{_label(r)}：{_shown_value(r)}" for r in shown]
    out.answer = "；".join(parts)
    out.status = "answered"
    out.citations = [c for r in shown if r.status != "not_found" for c in r.citations[:1]]
    out.confidence = round(sum(r.confidence for r in engine_rows) / len(engine_rows), 2)
    out.notes = [_note(intent, rows), *out.notes]
    return out


def _label(r: ComparisonRow) -> str:
    return r.place or r.title or r.doc_id


def _shown_value(r: ComparisonRow) -> str:
    if r.status == "not_found":
        return "未找到"
    return r.figure or r.value


def _note(intent: Intent, rows: list[ComparisonRow]) -> str:
    return f"按地方比较：{len(rows)}个地方各问「{intent.question}」（每个地方最新的文件）"


# ---- output formats -------------------------------------------------------------------------------------

COLUMNS = ("place", "level", "year", "date", "value", "figure", "low", "high", "unit", "status", "quote", "title",
           "doc_id", "question")


def row_cells(r: ComparisonRow) -> dict[str, str]:
    data = r.model_dump(mode="json")
    return {c: "" if data.get(c) is None else (f"{data[c]:g}" if isinstance(data[c], float) else str(data[c]))
            for c in COLUMNS}


def to_csv(rows: list[ComparisonRow]) -> str:
    from ragtool.csvsafe import safe_cell

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: safe_cell(v) for k, v in row_cells(r).items()})
    return buf.getvalue()


def to_json(rows: list[ComparisonRow]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2) + "\n"


MD_COLUMNS = ("place", "level", "year", "value", "low", "high", "unit", "status", "quote", "title")


def to_markdown(rows: list[ComparisonRow]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(MD_COLUMNS) + " |", "|" + "---|" * len(MD_COLUMNS)]
    for r in rows:
        cells = row_cells(r)
        lines.append("| " + " | ".join(cell(cells[c]) for c in MD_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def render(rows: list[ComparisonRow], fmt: str) -> str:
    """Rows as csv, json or md text (the table format is drawn by the CLI)."""
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "json":
        return to_json(rows)
    if fmt == "md":
        return to_markdown(rows)
    raise UsageError(f"unknown --format {fmt!r}; formats: {', '.join(FORMATS)}")
