"""Features every candidate gets, whatever its type, each in [0, 1] (0.5 where the question leaves it open).

| feature | meaning |
|---|---|
| words | share of the question's words in the sentence |
| near | share of the question's words in the clause window around the answer |
| doc | share of the question's words anywhere in the document (a veto below min_doc) |
| indicator | the asked indicator named at the answer: 1 canonical name, 0.5 a looser synonym |
| time | the statement's year or plan period fits the question's (0 contradicts: a veto) |
| role | target vs result fits the question's (0 contradicts: a veto) |
| unit | the value carries the asked unit (多少人 → 人) |
| indicator_unit | the value's unit is one the asked indicator is measured in (lexicon.toml) |
| measure | the value is a change when a change is asked (增长多少 → 增长14.1%), an amount when an amount is |
| change | not an amount alone where a change is asked (增长多少 → 31323.12亿元; 0: a veto) |
| share | the value's clause states the kind of share asked (占GDP的比重为61.0% for 占比; 0: a veto) |
| contrast | the value's clause names the asked side of a contrast (应到 vs 实到, 进口 vs 出口; 0: the other side, a veto) |
| kind | the document is of the kind the question names (党代会) |
| meeting | 0 (a veto) when the question asks when, where or who acted at a meeting it names (人代会) and the document is of another kind (a 座谈会's news) |
| place | the sentence names the place, when no document of the place's own exists (0: a veto) |
| section | share of the question's words in the section heading |
| rank | retrieval rank of the chunk the sentence came from |
| year_doc | the document is the asked year's (who/when at that year's meeting) |
| recency | the newest document among the candidates (who/when/which session without a year) |
| incumbent | the newest document, when the question asks who is in office now (现任) |
| brevity | short answers over long ones |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from ragtool.answer.candidates import Context, Span
from ragtool.answer.spans import clause_bounds
from ragtool.qtypes import NEWEST, TIMED
from ragtool.query import ParsedQuery
from ragtool.zh.places import place_stems
from ragtool.zh.quantity import Quantity
from ragtool.zh.timeframe import TimeFrame

Grade = Callable[[str, str], float]  # scoring.toml [grades.<feature>]: (feature, case) -> value
MIN_DOC = 0.34
EVENT_TYPES = ("date", "venue")
NEAR = 24  # characters on each side of an answer that count as its clause window


def coverage(q: ParsedQuery, text: str) -> float:
    """Share of the question's keyword bigrams found in text (a keyword or its spelled-out form)."""
    if not q.keywords:
        return 1.0
    return sum(max(gram_share(kw, text), gram_share(q.alternates.get(kw, kw), text)) for kw in q.keywords) / len(q.keywords)


def gram_share(keyword: str, text: str) -> float:
    grams = [keyword[i : i + 2] for i in range(len(keyword) - 1)] or [keyword]
    return sum(1 for g in grams if g in text) / len(grams)


def add_common(span: Span, ctx: Context, doc_words: float, dates: list[str]) -> None:
    """Fill the features every candidate shares (extractors set their own, such as fit, first)."""
    q, e, f = ctx.q, span.e, span.features
    f["words"] = coverage(q, e.simp)
    f["near"] = coverage(q, e.simp[max(0, span.start - NEAR) : span.end + NEAR])
    f["doc"] = 1.0 if doc_words >= MIN_DOC else 0.0
    f["indicator"] = indicator_strength(e.simp[max(0, span.start - 2) : span.end], ctx)
    pos = span.at if span.at >= 0 else span.end
    frame = e.frame_at(pos)
    stated = frame.anchored
    target = is_target(span, frame, stated, ctx)
    if target is None and span.end > pos:  # 201.20亿元，…，比上年增长6.5%: the change taken in says it is a result
        end = e.frame_at(span.end)
        target = is_target(span, end, end.anchored, ctx)
    plans = ctx.reader.cues.plans
    if _level_reached(span, frame, ctx):  # its year is inferred, not stated: a stated one fits better
        frame = replace(frame, kind="annual", year=frame.years[1] if frame.years else None, plan="", anchored=False)
        stated = False
    f["time"] = time_fit(q, frame, stated, target, e.meta.year, plans) if q.qtype in TIMED else 0.5
    f["role"] = role_fit(q, target, ctx.grade) if q.qtype in TIMED else 0.5
    f["unit"] = 0.5 if not q.units or q.qtype not in TIMED else float(unit_ok(span, ctx))
    f["measure"] = measure_fit(q, _value_at(span, ctx), ctx.grade) if q.qtype in TIMED else 0.5
    reached = ctx.grammar.words.to_words
    f["change"] = float(states_change(q, _value_at(span, ctx, joined=True), reached)) if q.qtype in TIMED else 1.0
    f["share"] = share_fit(span, ctx) if q.qtype in TIMED else 0.5
    a, b = clause_bounds(e.simp, pos)  # the value's clause, and the answer's words before it
    f["contrast"] = contrast_fit(e.simp[min(a, span.start) : b], ctx) if q.qtype in TIMED else 0.5
    f["indicator_unit"] = indicator_unit_fit(ctx, e.simp[max(span.start, span.at) : span.end]) if q.qtype in TIMED else 0.5
    f["kind"] = 0.5 if not q.kinds else float(e.meta.kind in q.kinds)
    f["meeting"] = 0.0 if f["kind"] == 0.0 and asks_event(ctx) else 1.0
    # another place's report: only the part of a sentence (up to ；) naming the place (德阳 in 成德眉资四市, not 眉山's
    # figure beside it), or its parent's office in its own words (市委书记)
    a, b = part_bounds(e.simp, span.start, span.end)
    part, before = e.simp[a:b], e.simp[a : max(a, span.at if span.at >= 0 else span.start)]
    own = place_stems(e.meta.place or "", ctx.officials.place_levels)
    f["place"] = 1.0 if q.place_scope == "own" else float(
        any(names_place(part, t, ctx) and not taken_back(before, t, own) for t in q.place_terms)
        or any(p in e.meta.place_chain for p in q.places))
    f["section"] = coverage(q, e.section) if e.section and q.keywords else 0.0
    f["rank"] = 1.0 / (1 + e.rank)
    f["year_doc"] = 0.5 if not q.years else float(e.meta.year in q.years)
    newest = recency(e.meta.date, dates) if (q.qtype in NEWEST or asks_session(ctx)) and not q.years else 0.0
    f["recency"] = newest
    f["incumbent"] = newest if any(c in q.text for c in ctx.vocab.incumbent_cues) else 0.0
    f["brevity"] = max(0.0, 1.0 - len(span.value) / 120)


def asks_session(ctx: Context) -> bool:
    """第几届, 第几次会议: the question asks which session (of the newest meeting, when no year is asked)."""
    return any(f"第几{u}" in ctx.q.text for u in ctx.grammar.words.session_units)


def asks_event(ctx: Context) -> bool:
    """The question asks the day, the venue or a doer of an act (主持, 作报告, 出席) of a meeting."""
    return ctx.q.qtype in EVENT_TYPES or bool(ctx.vocab.asked_act(ctx.q.text))


def contrast_sides(text: str, sides: list[tuple[str, ...]]) -> set[int]:
    """Which sides of one contrast text names, a word inside a longer one not counted (出席 in 应出席)."""
    found = [(m.start(), m.end(), i) for i, words in enumerate(sides) for w in words for m in re.finditer(re.escape(w), text)]
    return {i for a, b, i in found if not any(a2 <= a and b <= b2 and b2 - a2 > b - a for a2, b2, _ in found)}


@lru_cache(maxsize=8)
def _contrast_sets(lines: tuple[str, ...]) -> list[list[tuple[str, ...]]]:
    """contrasts lines ("应到 | 应出席 ~ 实到 | 出席") as sides of words, read once."""
    return [[tuple(w.strip() for w in side.split("|")) for side in line.split("~")] for line in lines]


def contrast_fit(clause: str, ctx: Context) -> float:
    """1 when the value's clause names the side of a contrast the question asks (应到代表 for 应到), 0 when it names
    only another side (实到代表378人 for 应到代表多少人), 0.5 otherwise (lexicon.toml [figures].contrasts)."""
    fit = 0.5
    for sides in _contrast_sets(ctx.figure_words("contrasts")):
        asked = contrast_sides(ctx.q.text, sides)
        if len(asked) != 1:
            continue
        named = contrast_sides(clause, sides)
        if named and not named & asked:
            return 0.0
        fit = 1.0 if named else fit
    return fit


def names_place(text: str, term: str, ctx: Context) -> bool:
    """Whether text names the place `term` on its own: 成都都市圈 names a group of cities, not 成都 (lexicon.toml
    [figures].place_groups), unless the question names that group too."""
    groups = ctx.figure_words("place_groups")
    for m in re.finditer(re.escape(term), text):
        group = next((g for g in groups if text.startswith(g, m.end())), "")
        if not group or term + group in ctx.q.text:
            return True
    return False


def taken_back(before: str, term: str, own: tuple[str, ...]) -> bool:
    """The report's own place, named after the asked one and before the value, says whose figure it is: 中欧班列（西安）
    开行6037列，带动陕西进出口415.4亿元 is 陕西's."""
    at = before.rfind(term)
    return at >= 0 and any(s in before[at + len(term) :] for s in own if term not in s)


def part_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the text between the semicolons (or sentence ends) around start..end starts and ends."""
    stops = "；;。！？!?"
    a = max(text.rfind(c, 0, start) for c in stops) + 1
    ends = [i for c in stops if (i := text.find(c, end)) >= 0]
    return a, min(ends, default=len(text))


def is_target(span: Span, frame: TimeFrame, stated: bool, ctx: Context) -> bool | None:
    """Target or result as the text frames it (a heading, the sentence); unframed, a target qualifier after the
    value says target (增长5%左右). A framed result may carry one too (2025年研发投入强度达到4.5%左右)."""
    if frame.role is not None and (stated or _past(frame, span.e.meta.year)):
        return frame.role == "target"  # a passage recounting past years states results, however loosely framed
    if frame.role == "actual" and _result_said(span, ctx):
        return False  # 预计全年地区生产总值增长5.5%: no year, but the value's own clause says it is a result
    tail = span.e.simp[span.end : span.end + 3]
    value = span.e.simp[span.start : span.end]
    if any(c in value[-3:] or tail.startswith(c) for c in ctx.target_after):
        return True
    return None


def _result_said(span: Span, ctx: Context) -> bool:
    """A result word (预计, 实现, 完成 … in lexicon.toml [timeframe].actual) in the value's own clause, before it."""
    at = span.at if span.at >= 0 else span.start
    clause = span.e.simp[clause_bounds(span.e.simp, at)[0] : at]
    return any(w in clause for w in ctx.reader.cues.actual)


def _past(frame: TimeFrame, doc_year: int | None) -> bool:
    """A frame whose years all precede the document's year (a review of 2021-2025 in a 2026 report)."""
    last = frame.years[1] if frame.years else frame.year
    return frame.role == "actual" and last is not None and doc_year is not None and last < doc_year


def _level_reached(span: Span, frame: TimeFrame, ctx: Context) -> bool:
    """An amount reached by the end of a plan period that has ended (“十四五”…地区生产总值突破2万亿元、达到23562亿元),
    or stated right after its indicator's name (五年来…生产总值6.66万亿元), is the level of its last year; a rate,
    an average, a bound (1300亿斤以上) or a total over the years (累计、新增) is not."""
    e, doc_year = span.e, span.e.meta.year
    ended = frame.years is not None and doc_year is not None and frame.years[1] < doc_year
    if frame.kind != "plan" or not ended or frame.average:
        return False
    stated = [q for q in ctx.grammar.read(e.simp) if q.lead < span.end and q.end > span.start - 3]
    if any(q.is_change or q.change == "flat" for q in stated):
        return False
    level = next((q for q in stated if span.at in (q.start, q.lead) and _a_level(q)), None)
    bound = level is not None and e.simp.startswith(tuple(ctx.target_after), level.value_end)
    attached = span.features.get("gap") == 1.0 and level is not None and not bound
    clause = e.simp[clause_bounds(e.simp, span.at)[0] : span.at]
    totals = any(w in clause for w in ctx.reader.cues.totals)
    return (any(q.reached and _a_level(q) for q in stated) or attached) and not totals


def _a_level(q: Quantity) -> bool:
    """An amount (6.66万亿元) or a rate that no change word makes a change (城镇化率达到85.5%)."""
    return not q.change and (q.is_amount or q.is_rate)


def time_fit(
    q: ParsedQuery, frame: TimeFrame, stated: bool, target: bool | None, doc_year: int | None,
    plans: dict[str, tuple[int, int]],
) -> float:
    """1 when the statement's year or plan is the asked one, 0 when it contradicts it, 0.5 when unsaid. Only a
    frame the sentence (as read, lines joined) or its heading states can contradict."""
    said_plan = (frame.kind == "plan" and stated) or frame.average  # 年均 is read in the value's own clause
    if q.plan:
        return _plan_fit(q, frame, stated, said_plan, doc_year, plans)
    if said_plan and (q.years or q.relative_year is not None or q.target):
        return 0.0  # a five-year average is not one year's target or result
    wanted = set(q.years) if q.years else ({doc_year + q.relative_year} if doc_year and q.relative_year is not None else set())
    if not wanted:
        return 0.5
    said = {frame.year} if frame.kind == "annual" and frame.year and stated else default_years(doc_year, bool(target))
    if not said:
        return 0.5
    return (1.0 if stated else 0.7) if said & wanted else 0.0


def _plan_fit(
    q: ParsedQuery, frame: TimeFrame, stated: bool, said_plan: bool, doc_year: int | None,
    plans: dict[str, tuple[int, int]],
) -> float:
    """How a statement fits a question about a plan period (十五五) or a multi-year average (年均)."""
    asked, indicator = q.plan, bool(q.indicators)
    lo, hi = plans.get(asked, (0, -1))
    if q.plan_end and frame.kind == "annual" and stated and frame.year == hi:
        return 1.0  # 十四五末: 2025年的75.8%
    if said_plan:
        if frame.years and asked in plans:  # 五年来…年均增长4.7% (2021-2025) is no 十五五 goal
            return 1.0 if frame.years[0] <= hi and lo <= frame.years[1] else 0.0
        if frame.plan and asked in plans:
            return 1.0 if frame.plan == asked else 0.0
        return 1.0 if asked == "年均" else 0.3
    if frame.kind == "annual" and stated and frame.year and lo <= frame.year <= hi and frame.year > (doc_year or 0):
        return 1.0  # 到2030年…3.2%左右: the plan's closing-year goal (十五五末)
    return 0.0 if indicator else 0.3  # a figure the text does not frame as the plan's is not the plan's


def default_years(doc_year: int | None, target: bool) -> set[int]:
    """Years an unframed statement may speak of: a target, the document's year; a result, also the year before."""
    if doc_year is None:
        return set()
    return {doc_year} if target else {doc_year - 1, doc_year}


def indicator_unit_fit(ctx: Context, value: str) -> float:
    """1 when the value's unit is one the asked indicator is measured in (粮食产量: 亿斤, 万吨), 0 when it is another
    (4510万亩 is an area), 0.5 when the value has no unit or the indicator lists none."""
    units = {u for canon in ctx.q.indicators for u in ctx.units_of(canon)}
    q = next((q for q in ctx.grammar.read(value) if q.unit), None)
    if not units or q is None:
        return 0.5
    return 1.0 if any(q.written_unit.startswith(u) for u in units) else 0.0


def _value_at(span: Span, ctx: Context, joined: bool = False) -> list[Quantity]:
    """The value a candidate's features are read at (地区生产总值增长5.6%、总量6.66万亿元 at 增长5.6%), with `joined`
    the values the answer took in after it too (94.96亿元，按可比价计算，同比增长5.1%), or, for a span read at no value
    (a yes/no clause), every value in it."""
    q = ctx.grammar.at(span.e.simp, span.at) if span.at >= 0 else None
    if q is None:
        return ctx.grammar.read(span.e.simp[span.start : span.end])
    after = ctx.grammar.read(span.e.simp[q.end : span.end]) if joined else []
    return [q, *after]


def measure_fit(q: ParsedQuery, values: list[Quantity], grade: Grade) -> float:
    """Match when the value is the kind asked (a change for 增长多少, an amount for 总量), mismatch when it is the
    other; a plain 是多少 leans to the amount (2025年地区生产总值是多少 → 6.66万亿元), unless a target is asked
    (targets are rates). Values in scoring.toml [grades.measure]."""
    change = any(v.is_change or v.is_rate or v.change == "flat" for v in values)
    amount = any(v.is_amount for v in values)
    if change == amount or (not q.measure and q.target):
        return grade("measure", "open")
    if not q.measure:
        return grade("measure", "amount_unasked" if amount else "change_unasked")
    return grade("measure", "match" if change == (q.measure == "change") else "mismatch")


def states_change(q: ParsedQuery, values: list[Quantity], to_words: tuple[str, ...] = ()) -> bool:
    """False when a change is asked (增长多少) and the value is an amount and nothing else (31323.12亿元): no answer.
    A from→to (从11.37万亿元提高到14.58万亿元) states how much it grew; a question with a to-word (从多少增长到多少)
    asks the amounts."""
    if q.measure != "change" or not values or any(w in q.text for w in to_words):
        return True
    return any(v.is_change or v.is_rate or v.change == "flat" or v.origin or not v.is_amount for v in values)


def _share_kinds(text: str, ctx: Context) -> set[str]:
    """The kinds of share a text names: a contribution to growth (贡献率) or a share of a whole (占…比重, 占比)."""
    if any(w in text for w in ctx.figure_words("contribution_words")):
        return {"contribution"}
    return {"share"} if any(w in text for w in ctx.figure_words("share_words")) else set()


def asked_share(ctx: Context) -> list[str]:
    """The words of the kind of share the question asks (贡献率; or 比重, 占比 …), [] when it asks none or an asked
    indicator's own name holds the word (研发经费投入占地区生产总值比重)."""
    text = ctx.q.text
    for a, b, _ in ctx.vocab.indicator_spans(text):
        text = text[:a] + " " * (b - a) + text[b:]
    kinds = _share_kinds(text, ctx)
    return list(ctx.figure_words("contribution_words" if "contribution" in kinds else "share_words")) if kinds else []


def share_fit(span: Span, ctx: Context) -> float:
    """1 when the question asks a share and the value's own clause states one of that kind, 0 (a veto) when it states
    another figure; 0.5 when no share is asked, or for a ratio asked without 占 (三次产业结构比例)."""
    simp = span.e.simp
    words = asked_share(ctx)
    if not words:
        return 0.5
    at = span.at if span.at >= 0 else span.start
    value = ctx.grammar.at(simp, at)
    if value is not None and value.parts:  # 三次产业结构比例 asks a ratio; 占GDP比重 asks one share, not three
        return 0.0 if "占" in ctx.q.text else 0.5
    asked = _share_kinds(" ".join(words), ctx)
    lead = simp[clause_bounds(simp, at)[0] : at]
    return 1.0 if asked & _share_kinds(lead, ctx) and _same_base(lead, ctx) else 0.0


def _same_base(lead: str, ctx: Context) -> bool:
    """占GDP比重: when the question names what the share is of (an indicator after 占), a value whose clause names
    what it is a share of names that (占GDP的比重为61.0%, not 占全社会研发投入比重达7%); 数字经济核心产业增加值比重达到
    9.5% names none."""
    text = ctx.q.text
    at = text.find("占")
    bases = {c for _, c in ctx.vocab.find_indicators(text[at + 1 :])} if at >= 0 else set()
    own = lead.rfind("占")
    return not bases or own < 0 or bool(bases & {c for _, c in ctx.vocab.find_indicators(lead[own + 1 :])})


def role_fit(q: ParsedQuery, target: bool | None, grade: Grade) -> float:
    """Target vs result: a contradiction vetoes an indicator's figure; for other counts it only weighs
    (scoring.toml [grades.role])."""
    if q.target is None or target is None:
        if q.target is None or not q.indicators:
            return grade("role", "open")
        return grade("role", "unframed_target" if q.target else "unframed_result")
    if not q.indicators:
        return grade("role", "count_match" if q.target == target else "count_mismatch")
    return grade("role", "match" if q.target == target else "mismatch")


def unit_ok(span: Span, ctx: Context) -> bool:
    """The value carries an asked unit (多少人 → 90多人, 第几 → 第131位)."""
    text = span.e.simp[span.start : span.end]
    if "第" in ctx.q.units and "第" in text:
        return True
    at = [v for v in _value_at(span, ctx) if v.unit] if span.at >= 0 else []
    q = next(iter(at), None) or next((q for q in ctx.grammar.read(text) if q.unit), None)
    return q is not None and q.carries(u for u in ctx.q.units if u != "第")


def indicator_strength(text: str, ctx: Context) -> float:
    """1 when text names the indicator by its canonical name, less for looser synonyms."""
    best = 0.0
    low = text.lower()
    for canon in ctx.q.indicators:
        for i, form in enumerate(ctx.vocab.indicators.get(canon, [])):
            if form.lower() in low:
                best = max(best, ctx.grade("indicator", "canonical" if i == 0 else "close" if i <= 2 else "loose"))
    return best


def recency(date: str | None, dates: list[str]) -> float:
    """1 for the newest document among the candidates, 0 for the oldest."""
    if len(dates) < 2:
        return 0.0
    return dates.index(date or "") / (len(dates) - 1)
