"""Numbers: a value with its unit and qualifier after a mention of the indicator (or of the question's words).

地区生产总值增长4.5%—5% → 地区生产总值增长4.5%—5%; 签约亿元以上项目27个 over 新谋划重点项目630个.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ragtool.answer import respectively
from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import asked_share, asks_session, contrast_fit, coverage, gram_share, names_place
from ragtool.answer.spans import clause_bounds
from ragtool.answer.table import Cell, row_cells
from ragtool.zh.places import place_stems
from ragtool.zh.quantity import Quantity
from ragtool.zh.words import is_boundary

INSTRUMENT = ("以",)  # 以24763.6亿元的地区生产总值领跑: a value before its indicator
MAX_GAP = 20  # characters allowed between an indicator and its value, within one clause
ELIDED_GAP, ELIDED_CLAUSES = 40, 2  # … and across clauses, for a change with no subject of its own
PER_SENTENCE = 6
_YEAR_OF = r"(?:\d{4}年(?:底|末)?的?)?"  # 提升到2025年的57.7%
_COUNT_NOUN = re.compile(r"[\u4e00-\u9fff]{1,4}")


def _any(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w) or "(?!)"


@lru_cache(maxsize=8)
def _joins(list_joins: tuple[str, ...], to_words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The gaps after which a value belongs to the one before: a list join (4.1%和6.5%, 27个、投资规模112亿元) and a
    to-word (…53.2%，提高到2025年的57.7%)."""
    to = _any(tuple(w for w in to_words if len(w) > 1))
    return (re.compile(rf"(?:{_any(list_joins)})\s*[\u4e00-\u9fff]{{0,6}}?"),
            re.compile(rf"[^，,；;。]{{0,4}}?(?:{to}){_YEAR_OF}[\u4e00-\u9fff]{{0,3}}?"))


@lru_cache(maxsize=8)
def _elided(leads: tuple[str, ...], heads: tuple[str, ...], reach: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The start of a clause with no subject of its own, before its value: a time, then a change (年均增速5.7%) or
    a level reached (2025年达到1420万吨, 总量突破5.6万亿元)."""
    time = rf"(?:\d{{4}}年|{_any(leads)})?"
    return re.compile(time), re.compile(rf"{time}(?:{_any(heads)})?(?:{_any(reach)})")


def extract(e: Evidence, ctx: Context) -> list[Span]:
    every = _every_member(e, ctx) if respectively.asks_every(ctx.q.text) else []
    return every + _values(e, ctx)


def _every_member(e: Evidence, ctx: Context) -> list[Span]:
    """…分别是多少: each stretch that gives every member's value (see respectively.every_member)."""
    out = []
    for start, value_start, end in respectively.every_member(e.simp, ctx.q.text, ctx.grammar):
        span = Span(e, start, end, e.text[start:end].strip("，,；;：: \n"), at=value_start)
        span.features.update(fit=coverage(ctx.q, e.simp[start:end]), gap=1.0, anchor=1.0, members=1.0)
        out.append(span)
    return out


def _values(e: Evidence, ctx: Context) -> list[Span]:
    q, simp = ctx.q, e.simp
    own = place_stems(e.meta.place or "", ctx.officials.place_levels)
    each = _respective(simp, ctx, own)
    if q.indicators:
        asked = set(q.indicators)
        anchors = [(a, b) for a, b, c in ctx.vocab.indicator_spans(simp)
                   if c in asked and not is_ratio_base(simp, a, b, ctx)
                   and (ctx.own_figure(simp, a, simp[a:b], own) or asked_part(simp, a, q.text))]
    else:  # the question's words, not a piece of another indicator's name (增加值 of 规上工业增加值 for 第一产业增加值)
        named = [(a, b) for a, b, _ in ctx.vocab.indicator_spans(simp)]
        keywords = [*q.keywords, *q.alternates.values()]
        anchors = [(s, t) for s, t in keyword_spans(simp, keywords)
                   if not any(a <= s and t <= b and b - a > t - s for a, b in named) and not _inside_word(simp, s, t, keywords, ctx)]
    share = asked_share(ctx)
    if share and (q.indicators or q.keywords):  # 民营经济占比多少: …，占GDP的比重为61.0% is read at its share word
        anchors = sorted({*anchors, *[s for s in term_spans(simp, share) if _share_of_subject(simp, s[0], share, ctx)]})
    if (q.indicators or q.keywords) and not anchors and not each:
        return []
    cells = [c for a, _ in anchors for c in row_cells(simp, a)]
    if cells:  # a table row: each cell is a value of its label, under its header
        read = [(c, ctx.grammar.figures(simp, *c.value)) for c in cells]
        return [_cell_span(e, c, figures[0].start) for c, figures in read if figures]
    found = _pairs(simp, anchors, ctx, within_clause=True) if anchors or not q.keywords else []
    if not found and q.units and anchors:
        found = _pairs(simp, anchors, ctx, within_clause=False)
    parts = _place_parts(simp, ctx)
    found += each + parts
    whole = parts + [p for p in each if p[0] == p[1]]  # values read as one place's or one member's: never extended
    out = []
    for start, value_start, end, gap, anchor_len in sorted(found, key=lambda p: p[3] - 2 * p[4])[:PER_SENTENCE]:
        if (start, value_start, end, gap, anchor_len) not in whole:  # 3400亿元和1150.8亿元 are two places' figures
            end = _extend_value(simp, end, ctx)
        if not q.indicators:
            start = _wrapped_session(simp, clause_bounds(simp, start)[0], ctx)
            start, end, ours = _session_phrase(e, start, end, ctx)
            if asks_session(ctx) and not ours:
                continue  # 第几届第几次会议 is answered by the place's own session, not by 召开的一次 or the province's
        fit = coverage(q, simp[slice(*clause_bounds(simp, value_start))]) if not q.indicators else 1.0  # the value's own clause
        if not re.search(r"\d", simp[value_start:end]):
            fit *= 0.5  # 同步, 持平: a relation to another figure, weaker than a stated number
        span = Span(e, start, end, re.sub(r"\s*\n\s*", "", e.text[start:end]).strip("，,；;：: "), at=value_start)
        span.features.update(fit=fit, gap=max(0.0, 1.0 - gap / (MAX_GAP + 1)), anchor=min(1.0, anchor_len / 6))
        out.append(span)
    return out


def _wrapped_session(simp: str, start: int, ctx: Context) -> int:
    """——2026年1月26日在广东省第十四届\n人民代表大会第五次会议上: a session's number ending a line (第十四届 needs the
    noun it numbers) belongs to the clause the next line goes on with."""
    if start == 0 or simp[start - 1] != "\n":
        return start
    line = simp.rfind("\n", 0, start - 1) + 1
    prev = simp[line : start - 1].rstrip()
    units = ctx.grammar.words.session_units
    ends = [v for v in ctx.grammar.read(prev) if v.ordinal and v.unit in units and v.end == len(prev)]
    return line + ends[-1].lead if ends else start


def _session_of(text: str, ctx: Context) -> Quantity | None:
    """The first session number in text: an ordinal in a session unit (第十四届), or one of a pair (十七届人大五次);
    not a count (召开的一次)."""
    units = ctx.grammar.words.session_units
    found = [v for v in ctx.grammar.read(text) if v.unit in units]
    paired = {id(a) for a, b in zip(found, found[1:], strict=False) if 0 <= b.lead - a.end <= 8 and a.unit != b.unit}
    return next((v for v in found if v.ordinal or id(v) in paired), None)


def _session_phrase(e: Evidence, start: int, end: int, ctx: Context) -> tuple[int, int, bool]:
    """A meeting's session named whole, from its place to its noun: 备受瞩目的华容区第九届人民代表大会第四次 ->
    华容区第九届人民代表大会第四次会议, 出席市十七届人大五次 -> 市十七届人大五次会议; and whether it is the
    document's own place's session: its place, with the parents written before it (江门市蓬江区), or its level word
    alone (市十七届), not another level's (温州's news of 省十四届人大四次会议)."""
    simp, words = e.simp, ctx.grammar.words
    first = _session_of(simp[start:end], ctx)
    if first is None:
        return start, end, False
    at = start + first.lead
    own = e.meta.place or ""
    levels = ctx.officials.place_levels
    if own and simp[:at].endswith(own):
        at -= len(own)
        parents = [p for p in e.meta.place_chain if p]
        while (p := next((p for p in parents if simp[:at].endswith(p)), "")):
            at -= len(p)
        ours = True
    else:
        level = next((w for w in levels if simp[:at].endswith(w)), "")
        at -= len(level)
        ours = bool(level) and level == (e.meta.level or "")
    if simp.startswith(words.session_nouns, end):
        end += len(next(n for n in words.session_nouns if simp.startswith(n, end)))
    return at, end, ours


def _cell_span(e: Evidence, cell: Cell, value_start: int) -> Span:
    """A table cell (2025年目标: 增长5.5%) as a candidate, its time read from its header."""
    span = Span(e, cell.start, cell.value[1], e.text[cell.start : cell.value[1]].strip(), at=value_start)
    span.features.update(fit=1.0, gap=1.0, anchor=1.0)
    return span


def asked_part(simp: str, start: int, question: str) -> bool:
    """A part the question names too (跨境电商进出口 in 跨境电商进出口规模目标): the words before the mention are its."""
    before = simp[max(0, start - 2) : start]
    return len(before) == 2 and before in question


def _respective(simp: str, ctx: Context, own: tuple[str, ...]) -> list[tuple[int, int, int, int, int]]:
    """城镇和农村居民人均可支配收入分别增长4.3%、5.3%: the value of the member the question asks about."""
    if respectively.WORD not in simp:
        return []
    q, out = ctx.q, []
    for r in respectively.find(simp, ctx.combined, ctx.grammar):
        for name, value_start in zip(r.names, r.values, strict=True):
            named = [(form, c) for form, c in ctx.vocab.find_indicators(name) if c in q.indicators
                     and name.endswith(form) and ctx.scoped(name, len(name) - len(form), own)]
            if named:  # the member is the indicator itself (全区城镇居民…), not a part of it (东盟进出口)
                out.append((r.start, value_start, r.end, 0, max(len(form) for form, _ in named)))
            elif not q.indicators and q.keywords and coverage(q, name) == 1:
                out.append((r.start, value_start, r.end, 0, len(name)))
            elif _share_member(name, ctx) and (v := ctx.grammar.at(simp, value_start)) is not None:
                out.append((value_start, value_start, v.end, 0, len(name)))  # its own value alone, never extended
    return out


def _share_member(name: str, ctx: Context) -> bool:
    """A member that is a share or contribution (第二产业对经济增长的贡献率) asked by the part it is of (第二产业…贡献率):
    its name ends with a ratio word and its head, before 对/占, is the question's."""
    if not name.endswith(tuple(ctx.figure_words("ratio_after"))):
        return False
    head = re.split(r"对|占", name, maxsplit=1)[0]
    return len(head) >= 2 and head in ctx.q.text


def _pairs(
    simp: str, anchors: list[tuple[int, int]], ctx: Context, within_clause: bool
) -> list[tuple[int, int, int, int, int]]:
    """(start, value start, end, gap, anchor length) for each value after an anchor (or a count before its noun)."""
    q = ctx.q
    out: list[tuple[int, int, int, int, int]] = []
    for v in ctx.grammar.read(simp):
        if (q.units and not _carries(v, q.units)) or (v.ordinal and not q.units and q.measure):
            continue  # a rank (居全省第一) is neither a change nor an amount: 出口增长多少 asks one of them
        begin = v.lead if v.origin else v.start  # 从11.37万亿元提高到14.58万亿元: the change starts at 从
        best: tuple[int, int, int, int, int] | None = None
        for a_start, a_end in anchors or [(v.start, v.start)]:
            if q.indicators and simp[v.end : a_start] == "的" and simp[: v.lead].endswith(INSTRUMENT):
                best = (v.start, v.start, a_end, 0, a_end - a_start)  # 以24763.6亿元的地区生产总值领跑
                break
            gap = 0 if a_start <= begin < a_end else begin - a_end  # 经济增长 + 增长5%左右 overlap
            if gap < 0 and q.units and not q.indicators and a_start >= v.end and a_start - v.end <= MAX_GAP:
                gap, a_start = a_start - v.end, v.start  # the count before its noun: 5次进入…红榜
            between = simp[min(a_end, begin) : max(a_end, begin)]
            breaks = len(re.findall(r"[，,；;。：:\n]", between))
            apart = gap < 0 or gap > MAX_GAP or breaks > (0 if within_clause else 1) or re.search(r"[。；;\n]", between)
            if (apart and not _subject_elided(v, between, gap, ctx)) or (q.indicators and _stopped(between, ctx)):
                continue
            if respectively.WORD in between and _a_member(simp, a_start):
                continue  # 对中亚五国、东盟进出口分别增长37.2%、19%: the values are the members' (see _respective)
            pair = (min(a_start, v.start), v.start, v.end, gap, a_end - a_start)
            if best is None or pair[3] - 2 * pair[4] < best[3] - 2 * best[4]:
                best = pair
        if best:
            out.append(best)
    return out


def _share_of_subject(simp: str, at: int, share: list[str], ctx: Context) -> bool:
    """A share word states the asked share only when its sentence part names, before it, what the question asks the
    share of (民营经济 in 民营经济占GDP比重; 研发经费 in 研发经费占GDP比重), not another subject's share."""
    q = ctx.q
    cut = q.text.find("占")
    if cut < 0:
        first = min((i for w in share if (i := q.text.find(w)) >= 0), default=len(q.text))
        cut = q.text.rfind("对", 0, first) if "对" in q.text[:first] else first
    part = simp[max(simp.rfind(c, 0, at) for c in "；;。") + 1 : at]
    named = {c for _, c in ctx.vocab.find_indicators(q.text[:cut])}
    if named:
        return bool(named & {c for _, c in ctx.vocab.find_indicators(part)})
    subject = "".join(q.keywords).split("占")[0]
    for word in share:
        subject = subject.split(word)[0]
    return not subject or gram_share(subject, part) >= 0.5


def _place_parts(simp: str, ctx: Context) -> list[tuple[int, int, int, int, int]]:
    """成都以…领跑；眉山全年地区生产总值达2008.72亿元；德阳与资阳稳步前行，预计实现3400亿元和1150.8亿元: in a sentence
    of parts (；) about several places, a part naming the asked place but no indicator states, in the indicator's unit,
    the indicator the sentence names elsewhere; places listed together (德阳与资阳) take their values in turn."""
    q = ctx.q
    if q.place_scope != "mentioned" or not q.indicators or not any(
            c in q.indicators for _, c in ctx.vocab.find_indicators(simp)):
        return []
    units = {u for c in q.indicators for u in ctx.units_of(c)}
    out = []
    for m in re.finditer(r"[^；;。]+", simp):
        part, a = m.group(), m.start()
        terms = [t for t in q.place_terms if names_place(part, t, ctx)]
        if not terms or ctx.vocab.find_indicators(part):
            continue
        values = [v for v in ctx.grammar.read(part)
                  if v.is_amount and (not units or any(v.written_unit.startswith(u) for u in units))]
        pos = part.find(terms[0])
        clause = part[clause_bounds(part, pos)[0] : clause_bounds(part, pos)[1]]
        members = [p for p in respectively.MEMBER_SEPARATORS.split(clause) if p]
        which = next((i for i, p in enumerate(members) if terms[0] in p), 0)
        if len(values) == len(members) or len(values) == 1:
            v = values[which if len(values) > 1 else 0]
            start = a + (pos if len(values) == 1 else v.start)  # 资阳's value alone, not 德阳's before it
            out.append((start, a + v.start, a + v.end, MAX_GAP // 2, len(terms[0])))
    return out


def _a_member(simp: str, start: int) -> bool:
    """Whether the mention at start is one member of a list in its clause (…、东盟进出口)."""
    clause = simp[clause_bounds(simp, start)[0] : start]
    return bool(respectively.MEMBER_SEPARATORS.search(clause))


def _stopped(between: str, ctx: Context) -> bool:
    """占全省比重达61.3%, 增速居全省第4位: a word between the indicator and the value makes it another figure (the
    same gap_stops as summaries), unless the question asks for that (第几) or the indicator is named by it (企业 in
    专精特新中小企业)."""
    return any(w in between for w in ctx.gap_stops if w not in ctx.q.units and not any(c.endswith(w) for c in ctx.q.indicators))


def _carries(v: Quantity, units: list[str]) -> bool:
    """A value in an asked unit (多少人 → 90多人; 第几 → 第131位)."""
    return ("第" in units and v.ordinal) or v.carries(u for u in units if u != "第")


def _subject_elided(v: Quantity, between: str, gap: int, ctx: Context) -> bool:
    """经济总量超过6万亿元，实现历史性晋位，年均增速5.7%; 粮食总产量连续5年稳定在1400万吨以上，2025年达到1420万吨: a
    change or a level reached whose clause has no subject of its own belongs to the indicator an earlier clause of
    the sentence names."""
    if not ctx.q.indicators or gap < 0 or gap > ELIDED_GAP or re.search(r"[。；;：:\n]", between):
        return False
    clauses = re.split(r"[，,]", between)
    words = ctx.grammar.words
    lead, reached = _elided(ctx.figure_words("elided_leads"), ctx.figure_words("generic_heads"),
                            words.reach_words + words.to_words)
    change = bool(lead.fullmatch(clauses[-1])) and v.change in ("rise", "fall")
    if len(clauses) > ELIDED_CLAUSES + 1 or not (change or reached.fullmatch(clauses[-1])):
        return False
    return all(c in ctx.q.indicators for _, c in ctx.vocab.find_indicators(between))


def term_spans(simp: str, terms: list[str]) -> list[tuple[int, int]]:
    low = simp.lower()
    return [(m.start(), m.end()) for t in terms for m in re.finditer(re.escape(t.lower()), low)]


def keyword_spans(simp: str, keywords: list[str]) -> list[tuple[int, int]]:
    """Where the question's keywords (or their bigrams) occur, in order; overlapping bigrams are merged into one
    run, so 老旧小区改造 in the text is one anchor of six characters even when the keyword was 完成老旧小区改造."""
    spans: set[tuple[int, int]] = set()
    for kw in keywords:
        pieces = [kw] if len(kw) <= 2 else [kw] + [kw[i : i + 2] for i in range(len(kw) - 1)]
        for piece in pieces:
            spans.update((m.start(), m.end()) for m in re.finditer(re.escape(piece), simp))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _inside_word(simp: str, start: int, end: int, keywords: list[str], ctx: Context) -> bool:
    """A keyword's tail found as the tail of another word: 业增加值 in 农林牧渔业增加值 for 第一产业增加值. The run
    misses the keyword's first characters, starts inside a word of the text, and the text's words before it share
    nothing with the keyword's missing part (会议应到代表 for 人代会应到代表 does)."""
    run, before = simp[start:end], simp[max(0, start - 2) : start]
    holding = [kw for kw in keywords if run in kw]
    if not holding or is_boundary(simp, start, ctx.words):
        return False
    return all(len(kw) >= 4 and kw.index(run) >= 2 and not set(kw[: kw.index(run)]) & set(before) for kw in holding)


def is_ratio_base(simp: str, start: int, end: int, ctx: Context) -> bool:
    """占地区生产总值比重, 对经济增长贡献率: the indicator is the base of a ratio, not the thing measured."""
    before = simp[max(0, start - 3) : start]
    return any(w in before for w in ctx.figure_words("ratio_before")) or simp.startswith(
        ctx.figure_words("ratio_after"), end)


def _same_subject(gap: str, v: Quantity, last: Quantity | None, ctx: Context) -> bool:
    """A value after a list join is the answer's own when nothing names another subject between (4.1%和6.5%,
    1.24万亿元、增长12.5%), the words between are the question's (27个、投资规模112亿元 for 多少个?投资规模?), it
    ranks the value (99.4%，排名全市第1), it counts in the same unit (预期性指标19项、约束性指标9项), or the words only
    say when or that a level was reached (、年均增长5.2%, ，规模达到1.8万亿元); not 改造老旧小区870个、惠及10万余户
    (households are another count), nor the other side of a contrast the question names (…415人，实到代表378人)."""
    if contrast_fit(gap, ctx) == 0.0:
        return False
    if v.ordinal or (last is not None and v.written_unit and v.written_unit == last.written_unit):
        return True
    words = ctx.grammar.words
    join = next((j for j in sorted(words.list_joins, key=len, reverse=True) if gap.startswith(j)), "")
    rest = gap[len(join) :].strip()
    lead, reached = _elided(ctx.figure_words("elided_leads"), ctx.figure_words("generic_heads"),
                            words.reach_words + words.to_words)
    return bool(lead.fullmatch(rest) or reached.fullmatch(rest)) or gram_share(rest, ctx.q.text) >= 0.5


_NOTE = re.compile(r"^\s*[(（][^()（）0-9%，,。；;]{1,8}[)）]")  # right after the value: (折粮), （初步核算）


def _without_basis(gap: str, ctx: Context) -> str:
    """The gap with a clause saying how the next value was computed taken out (，按可比价计算，同比增长 → ，同比增长),
    and a bracketed note on how the value was counted (6.77万吨(折粮)，较上年增长 → ，较上年增长)."""
    gap = _NOTE.sub("", gap, count=1)
    for word in ctx.figure_words("basis"):
        gap = re.sub(rf"[，,]\s*{re.escape(word)}\s*(?=[，,])", "", gap)
    return gap


def _extend_value(simp: str, end: int, ctx: Context) -> int:
    """Take in what belongs to the value: a second value (4.1%和6.5%, 同比增长3.6%), the value reached (…提高到57.7%),
    a rank (增速排名全市第2), a meeting's session (第十四届代表大会第四次会议), the noun after 十大/八方面; never the
    next indicator's value (增长5%—5.5%，城镇新增就业80万人) nor another subject's (_same_subject)."""
    asked = set(ctx.q.indicators)
    words = ctx.grammar.words
    list_join, to_join = _joins(words.list_joins, words.to_words)
    last: Quantity | None = None  # the value the answer ends with so far
    for v in ctx.grammar.read(simp):
        if v.lead < end or (v.time and not v.ordinal):
            last = v if v.end == end else last
            continue  # a year between (提升到2025年的57.7%) is part of the gap
        gap = _without_basis(simp[end : v.lead], ctx)
        joined = (list_join.fullmatch(gap) and _same_subject(gap, v, last, ctx)) or to_join.fullmatch(gap) or (
            v.ordinal and v.unit in words.session_units and re.fullmatch(r"[\u4e00-\u9fff]{0,8}?", gap))
        if not joined or any(canon not in asked for _, canon in ctx.vocab.find_indicators(simp[end : v.end])):
            break
        end, last = v.end, v
        if v.ordinal and simp.startswith(words.session_nouns, end):
            end += len(next(n for n in words.session_nouns if simp.startswith(n, end)))
    if simp[:end].endswith(words.noun_units):
        m = _COUNT_NOUN.match(simp, end)
        if m:
            end = m.end()
    return end
