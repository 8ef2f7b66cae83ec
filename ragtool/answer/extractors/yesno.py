"""Yes/no questions: 是/不是 (or the question's own words, 有/没有) plus the fact, from the clause that holds the
question's claim.

广东GDP总量是不是连续37年全国第一 → 是：总量连续37年居全国首位 (every number of the claim is stated);
贵州去年GDP增速有没有达到5% → 没有：地区生产总值增长4.9% (the asked figure, read by the quantity grammar, against the
claim's: 突破6万亿 against 67665亿元, 超过400人 against 实到代表378人, 是不是5% against 增长4.5%);
刘厚见是隆回县长吗 → 不是：县委书记刘厚见 (the titles the named person holds); 报告是代理区长作的吗 → 不是：区长龚骏作… (who did
the act, with the title written before the name: an acting title is asked only of an acting official); 是2月5日开幕的吗 →
不是：2月4日上午…开幕 (the meeting's day as the date reader reads it); 是在永州大剧院开幕的吗 → 不是：…在永州会堂开幕.
"""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors import date
from ragtool.answer.extractors.number import is_ratio_base, term_spans
from ragtool.answer.features import coverage, gram_share
from ragtool.answer.spans import CLAUSE_END
from ragtool.qtypes import MAX_SHORT_ANSWER
from ragtool.zh.dates import claimed_days, dates, strip_years
from ragtool.zh.officials import Act, Mention, normalize_name
from ragtool.zh.quantity import Quantity

_NUM = re.compile(r"\d+(?:\.\d+)?")
_BARE_MAGNITUDE = re.compile(r"(?<![\d一二两三四五六七八九十千百万亿])(?=[千百](?:万亿|亿|万)|万亿)")  # 千亿 is 一千亿
MIN_CLAIM = 0.5  # share of the claim's words the clause must hold
NEAR = 14  # characters between the asked figure's words and its value
EVENT_FIT = 0.75  # the date reader's fit of a day followed by its meeting's verb (1月6日，…会议召开)


def extract(e: Evidence, ctx: Context) -> list[Span]:
    people = _about_people(e, ctx)
    if people is not None:
        return people
    day = _about_a_day(e, ctx)
    if day is not None:
        return day
    venue = _about_a_venue(e, ctx)
    if venue is not None:
        return venue
    q, simp = ctx.q, e.simp
    claim = _claim(q.text, ctx)
    claim_numbers = _NUM.findall(claim)
    asked = _claim_quantity(claim, ctx)
    terms = list(q.indicator_terms)
    windows: list[tuple[float, int, int]] = []
    for start, end in _clauses(simp):
        window = simp[start:end]
        if terms and not any(not is_ratio_base(window, a, b, ctx) for a, b in term_spans(window, terms)):
            continue  # the claim is about the asked indicator, not a share of it
        share = coverage(q, window) + (0.5 if claim_numbers and _numbers_stated(claim_numbers, window) else 0.0)
        if share < MIN_CLAIM:
            continue
        if e.meta.also_about and q.places:  # 成德眉资四市: the clause about the asked city
            named = _names_place(window, q.asked_terms or q.place_terms, ctx.vocab.place_groups)
            share = share + 0.5 if named else share / 2
        windows.append((share, start, end))
    # the window that holds most of the claim and settles it; the shortest among equals
    for share, start, end in sorted(windows, key=lambda w: (-w[0], w[2] - w[1])):
        settled = _verdict(claim_numbers, asked, simp, start, end, ctx)
        if settled is None:
            continue
        yes, (a, b), at = settled
        verdict = ctx.vocab.verdict_words(q.text)[0 if yes else 1]
        span = Span(e, a, b, f"{verdict}：{e.text[a:b].strip()}", at=at)
        span.features["fit"] = min(1.0, share)
        return [span]
    return []


def _names_place(window: str, terms: list[str], groups: list[str]) -> bool:
    """Whether the clause names the asked place itself, not a region around it (成都都市圈 is no 成都)."""
    return any(m for t in terms if t for m in re.finditer(re.escape(t), window)
               if not window.startswith(tuple(groups), m.end()))


# ---- claims about people: who holds a title, who did an act at a meeting ----------------------------------------


def _about_people(e: Evidence, ctx: Context) -> list[Span] | None:
    """The verdict on a claim about a person or an act (X是市长吗, 报告是代市长作的吗, 是X主持的吗); None when the question
    makes no such claim, [] when this sentence does not settle it."""
    q, simp, finder = ctx.q, e.simp, ctx.officials
    claimed = finder.acts(q.text)  # 是否由刘厚见作政府工作报告: the claim is written as a document would say it
    act = ctx.vocab.asked_act(q.text) or (claimed[0].act if claimed else "")
    role = finder.asked_role(q.text)
    if (not act and not role) or _NUM.search(_claim(q.text, ctx)):
        return None  # 实到代表有没有超过400人 is about a figure
    asked_text = " ".join(_people_named(e, ctx))
    if not role and not asked_text and _claims_day_or_venue(ctx):
        return None  # 报告是2月3日作的吗: a claim about when or where the act was, not who did it
    mentions = finder.find(simp)
    if act:
        return _act_claim(e, ctx, act, role, asked_text, mentions)
    named = [m for m in mentions if m.norm_name and m.norm_name in asked_text]
    if not named or role is None:
        return []  # the person claimed is not in this sentence
    m = named[0]
    roles = finder.chained_roles(simp, m)
    yes = any(_strict_match(ctx, role, simp[slice(*r)], m.place) for r in roles) or \
        finder.shares_organisation(simp, m, role)
    start = min([m.span[0], *(r[0] for r in roles)])
    found = _span(e, ctx, yes, start, m.span[1], 1.0)
    holder = None if yes else next((o for o in mentions if o.norm_name != m.norm_name and any(
        _strict_match(ctx, role, simp[slice(*r)], o.place) for r in finder.chained_roles(simp, o))), None)
    if holder is not None:  # 隆回县委书记是杨韶辉吗 → 不是：县委副书记、县长杨韶辉；县委书记刘厚见 (who holds it)
        found.value = f"{found.value}；{e.text[slice(*holder.span)].strip()}"
    return [found]


def _claims_day_or_venue(ctx: Context) -> bool:
    return bool(_claimed_days(ctx)) or ctx.meeting.venue_in(ctx.q.text) is not None


def _people_named(e: Evidence, ctx: Context) -> list[str]:
    """The people the question names that its document names too (沈东 in 是沈东主持的吗, written 、沈东、 in the
    document's list of chairs): a plausible name of the question, not inside a place asked, that the document writes
    as a name (after a title, punctuation or 、, before a name boundary)."""
    finder, text = ctx.officials, normalize_name(ctx.q.text)
    doc = ctx.reader.view(e.doc).simp
    places = [t for t in (*ctx.q.place_terms, *ctx.q.places) if t]
    organisations = tuple(f"{level}{org}" for level in finder.place_levels
                          for org in finder.table.get("organisations_after_level", []))  # 区政府 is no 区 family
    out: list[str] = []
    for i in range(len(text)):
        for size in (3, 2):
            name = text[i : i + size]
            if len(name) < size or not finder.plausible(name) or any(name in p or p in name for p in places) or \
                    name.startswith(organisations):
                continue
            pos = doc.find(name)
            while pos >= 0 and not (finder.ends_name(doc, pos + size) and finder.name_ending(doc, pos + size) == pos):
                pos = doc.find(name, pos + 1)
            if pos >= 0:
                out.append(name)
                break
    return out


def _act_claim(e: Evidence, ctx: Context, act: str, role: str | None, asked_text: str,
               mentions: list[Mention]) -> list[Span]:
    """The verdict on who did an act: the person the question names did it (是沈东主持的吗), or the doer holds the title
    it names (报告是代市长作的吗); [] when this sentence names no doer of the act."""
    simp, finder = e.simp, ctx.officials
    acts = [a for a in finder.acts(simp) if a.act == act]
    if not acts and act == "report":  # a report's byline (四川省人民政府省长 施小琳) names who delivered it
        acts = [Act(act, m.name, m.span) for m in mentions if re.match(r"[ \t\u3000]*(?:\n|$)", simp[m.name[1] :])]
    named = set(asked_text.split())
    if not named and role is None:
        return []  # the person claimed is not in this sentence
    out = []
    for a in acts:
        titled = next((m for m in mentions if m.name[1] == a.name[1]), None)
        start = titled.span[0] if titled is not None and titled.span[0] < a.name[0] else a.name[0]
        names = {normalize_name(n) for n in simp[slice(*a.name)].split("、")}
        if named:
            yes, fit = bool(names & named), 1.0
        elif role is not None and titled is not None:
            yes, fit = _strict_match(ctx, role, simp[slice(*titled.role)], titled.place), 1.0
        else:
            continue
        out.append(_span(e, ctx, yes, start, a.span[1], fit))
    return sorted(out, key=lambda s: -s.features["fit"])[:1]


def _strict_match(ctx: Context, asked: str, found: str, place: str) -> bool:
    """A found title answers the asked one (OfficialFinder.matches), and an acting title (代市长) is only an acting
    one's: 区长龚骏 is no 代理区长."""
    finder = ctx.officials
    acting = tuple(finder.table.get("acting_prefixes", []))
    if acting and asked.startswith(acting) and not found.startswith(acting):
        return False
    return finder.matches(asked, found, place)


def _span(e: Evidence, ctx: Context, yes: bool, start: int, end: int, fit: float) -> Span:
    verdict = ctx.vocab.verdict_words(ctx.q.text)[0 if yes else 1]
    span = Span(e, start, end, f"{verdict}：{e.text[start:end].strip()}", at=max(start, end - 1))
    span.features.update(fit=fit, act=1.0)
    return span


# ---- claims about a day: 大会是2月4日开幕的吗 --------------------------------------------------------------------


def _claimed_days(ctx: Context) -> list[tuple[int | None, int | None]]:
    """The days the question claims of a meeting; a month alone only with a meeting's verb (是1月开幕的吗, not
    1-11月…增长了吗, which claims a figure)."""
    claimed = claimed_days(ctx.q.text)
    if all(day is None for _, day in claimed) and not ctx.meeting.event_after(ctx.q.text, 0):
        return []
    return claimed


def _about_a_day(e: Evidence, ctx: Context) -> list[Span] | None:
    """The verdict on a claimed day of a meeting, against the day the evidence says it opened, was held or closed
    (the date reader's answer, ragtool.answer.extractors.date); None when the question claims no day."""
    claimed = _claimed_days(ctx)
    if not claimed:
        return None
    out = []
    for span in date.extract(e, ctx):
        if span.features.get("fit", 0.0) < EVENT_FIT and not date.held_at(e.simp, span.end):
            continue  # not the day of a meeting (nor the byline's day a report was delivered at one)
        said = [(d.month, d.day) for d in dates(span.value) if d.month and d.day]
        if not said:
            continue
        stop = min((i for i in (e.simp.find(c, span.end) for c in "。；;\n") if i >= 0), default=len(e.simp))
        said_event = ctx.meeting.event_after(e.simp, span.start)  # 开幕的吗: a day it opened says most
        fit = 1.0 if said_event and said_event == ctx.meeting.event_after(ctx.q.text, 0) else EVENT_FIT
        # 19日: the day alone; 1月: the month alone
        yes = any(day in (None, said[0][1]) and month in (None, said[0][0]) for month, day in claimed)
        found = _span(e, ctx, yes, span.start, stop, fit)
        verdict, fact = found.value.split("：", 1)
        if span.value != e.text[span.start : span.end]:  # 121日上午 is 2026年1月21日: the day read, then the fact
            fact = f"{span.value}，{fact}"
        room = MAX_SHORT_ANSWER - len(verdict) - 1
        if len(fact) > room:  # to the last clause that fits
            cuts = [i for i, c in enumerate(fact[:room]) if c in "，,；;"]
            fact = fact[: cuts[-1]] if cuts else fact
        found.value = f"{verdict}：{fact}"
        out.append(found)
    return sorted(out, key=lambda s: -s.features["fit"])[:1]


def _about_a_venue(e: Evidence, ctx: Context) -> list[Span] | None:
    """The verdict on a claimed venue (人代会是在永州大剧院开幕的吗) against where the evidence says the meeting opened;
    None when the question claims no venue."""
    claimed = ctx.meeting.venue_in(ctx.q.text)
    if claimed is None:
        return None
    found = ctx.meeting.venue_in(e.simp)
    if found is None:
        return []
    said, asked = (re.sub(r"\s+", "", t) for t in (e.simp[slice(*found)], ctx.q.text[slice(*claimed)]))
    yes = said in asked or asked in said
    stop = min((i for i in (e.simp.find(c, found[1]) for c in "。；;，,\n") if i >= 0), default=len(e.simp))
    start = max((e.simp.rfind(c, 0, found[0]) for c in "。；;，,\n"), default=-1) + 1
    return [_span(e, ctx, yes, start, stop, 1.0)]


# ---- claims about figures ---------------------------------------------------------------------------------------


def _claim(question: str, ctx: Context) -> str:
    """The question without its yes/no cue and the years (2025年 is no part of the claim's numbers)."""
    text = strip_years(question, "")
    for cue in ctx.vocab.cues_of("yesno"):
        text = text.replace(cue, " ")
    return text


def _claim_quantity(claim: str, ctx: Context) -> Quantity | None:
    """The value the question claims, read by the quantity grammar; a magnitude without its unit (突破3500亿, 千亿)
    counts the unit question.toml names for it (元)."""
    text = _BARE_MAGNITUDE.sub("一", claim)
    found = _values(text, ctx)
    unit = ctx.vocab.bare_magnitude_unit
    if not found and unit:
        found = _values(re.sub(r"(?<=[\d一二两三四五六七八九十千百])(万亿|亿|万)", rf"\1{unit}", text, count=1), ctx)
    return found[0] if found else None


def _values(text: str, ctx: Context) -> list[Quantity]:
    return [v for v in ctx.grammar.read(text) if not v.time and not v.ordinal and v.base() is not None]


def _clauses(simp: str) -> list[tuple[int, int]]:
    """Each run of up to three neighbouring clauses (地区生产总值67665亿元，增长5.5%，总量和增速均居全国第5位)."""
    cuts = [0] + [i + 1 for i, c in enumerate(simp) if c in CLAUSE_END] + [len(simp)]
    bounds = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if simp[a:b].strip()]
    runs = [(bounds[i][0], bounds[j][1]) for i in range(len(bounds)) for j in range(i, min(i + 3, len(bounds)))]
    return [(a, b - 1 if simp[b - 1 : b] in CLAUSE_END else b) for a, b in runs]


def _numbers_stated(numbers: list[str], text: str) -> bool:
    return all(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d.])", text) for n in numbers)


def _verdict(numbers: list[str], asked: Quantity | None, simp: str, start: int, end: int,
             ctx: Context) -> tuple[bool, tuple[int, int], int] | None:
    """(yes, the span of the fact, where its time frame is read) when the clause settles the claim, None when it does
    not speak to it."""
    window = simp[start:end]
    negated = any(w in window for w in ctx.vocab.negations)
    if asked is None:  # no figure claimed (连续37年全国第一: the numbers are stated or not)
        event = ctx.meeting.event_after(ctx.q.text, 0)
        if event and ctx.meeting.event_after(window, 0) != event:
            return None  # 闭幕了吗: a sentence on its opening does not say
        return (not negated, (start, end), max(start, end - 1)) if not numbers or _numbers_stated(numbers, window) else None
    found = _asked_figure(asked, simp, start, end, ctx)
    if found is None:
        return None
    value, claimed = found.base(), asked.base()
    if value is None or claimed is None:
        return None
    question = ctx.q.text
    if any(c in question for c in ctx.vocab.below_cues):
        yes = value < claimed
    elif any(c in question for c in ctx.vocab.threshold_cues):
        yes = value >= claimed
    else:
        yes = abs(value - claimed) <= 1e-9 * max(abs(value), abs(claimed), 1.0)
    return yes, _clause_of(simp, found, start, end, [*ctx.q.keywords, *ctx.q.indicator_terms]), found.start


def _asked_figure(asked: Quantity, simp: str, start: int, end: int, ctx: Context) -> Quantity | None:
    """The value in the window measured like the claim (its unit: 人 and 名 are one, % a rate) that the question's words
    name: the longest piece of one of them written right before it, unless the word it belongs to differs from the
    question's (实到代表378人, not 应到代表389名, for 实到代表有没有超过400人), or one written right after it
    (24763.6亿元的地区生产总值)."""
    same = {ctx.vocab.unit_group(asked.unit)}
    values = [v for v in ctx.grammar.figures(simp, start, end) if not v.ordinal and v.number is not None
              and ctx.vocab.unit_group(v.unit) in same]
    words = [w for w in (*ctx.q.keywords, *ctx.q.indicator_terms) if len(w) >= 2]
    best: tuple[int, Quantity] | None = None
    for v in values:
        lead = min(v.lead, v.start) if v.lead else v.start
        before = _without(simp, max(start, lead - 2 * NEAR), lead, ctx.grammar.figures(simp, start, end)).rstrip()[-NEAR:]
        after = simp[v.end : min(end, v.end + NEAR)].lstrip("的 ")
        size = max((_named_before(before, w, ctx.gap_stops) for w in words), default=0)
        if any(after.startswith(w) for w in words):
            size = max(size, min(len(w) for w in words if after.startswith(w)))
        if size >= 2 and (best is None or size > best[0]):
            best = (size, v)
    return best[1] if best else None


def _without(simp: str, a: int, b: int, values: list[Quantity]) -> str:
    """simp[a:b] without the other values in it (收入5853.9亿元，增长 → 收入，增长): a rate after an amount is the
    indicator's too."""
    out, pos = [], a
    for v in values:
        if a <= v.start and v.end <= b:
            out.append(simp[pos : v.start])
            pos = v.end
    return "".join(out) + simp[pos:b]


def _named_before(before: str, word: str, stops: tuple[str, ...] = ()) -> int:
    """How much of `word` is written right before a value: the longest piece of it ending `before` (after a change
    word or a verb between, but no word that makes the value another figure's: 地区生产总值的比率降至13.6%), 0 when
    the character before that piece differs from the word's (应到代表 is no 实到代表)."""
    for skip in range(0, min(len(before), NEAR) + 1):
        text = before[: len(before) - skip]
        if any(stop in before[len(text) :] for stop in stops):
            return 0
        for size in range(min(len(word), len(text)), 1, -1):
            piece = text[len(text) - size :]
            at = word.find(piece)
            if at < 0:
                continue
            prev = text[len(text) - size - 1 : len(text) - size]
            if size < 4 and at > 0 and prev and re.match(r"[\u4e00-\u9fff]", prev) and prev != word[at - 1]:
                return 0  # a shorter piece of another word: 应到代表 is no 实到代表
            return size
    return 0


def _clause_of(simp: str, v: Quantity, start: int, end: int, words: list[str]) -> tuple[int, int]:
    """The clause of the window that holds the value, from the clause before it that names what is measured
    (地方一般公共预算收入5853.9亿元，增长3.9%): the fact said, not the whole run."""
    cuts = [start - 1] + [i for i in range(start, v.start) if simp[i] in CLAUSE_END]
    k = len(cuts) - 1
    while k > 0 and not any(gram_share(w, simp[cuts[k] + 1 : v.start]) > 0 for w in words if len(w) >= 2):
        k -= 1
    ends = [i for i in (simp.find(c, v.end, end) for c in CLAUSE_END) if i >= 0]
    return cuts[k] + 1, min(ends, default=end)
