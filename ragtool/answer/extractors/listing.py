"""Lists: the enumeration the question's words point at, inside it or right next to it
(“投资扩能、产业提质、城市更新”三大行动; 包括A、B、C; 报告分三个部分:一是…;二是…;三是…)."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.extractors.number import keyword_spans
from ragtool.answer.features import gram_share
from ragtool.answer.frames import first_ordinal, item_count, numbered_term, ordinal_items, ordinal_run
from ragtool.answer.spans import clause_bounds, list_spans
from ragtool.zh import numerals
from ragtool.zh.directives import LEAD_INS, directive_items, directive_pattern
from ragtool.zh.officials import OfficialFinder

NUMBERED_REACH = 16  # characters between a numbered term and the list after it (“五外联动”组合拳，推进…)
NUMBERED_AFTER = 3  # ... and between a list and the term right after it (西安、榆林两大增长极)
_LAST_JOIN = re.compile(r"[\u4e00-\u9fff）)]{2,}(?:和|及|以及)[\u4e00-\u9fff]{2,}")
_RARE = re.compile(r"[\U00020000-\U0003134F]")  # CJK extensions B–G: rare name characters after t2s
_COUNT_WORD = re.compile(r"([一二两三四五六七八九十]|\d+)(?:个|大|项|条|类|种)")


def extract(e: Evidence, ctx: Context) -> list[Span]:
    q, simp = ctx.q, e.simp
    candidates = list_spans(simp, ctx.words)
    ordinal = ordinal_run(simp)
    if ordinal:
        candidates.append((*ordinal, "ordinal"))
    candidates += [(a, b, "clauses") for a, b in _colon_clauses(simp)]
    candidates += [(a, b, "opening") for a, b in first_ordinal(simp)]  # 一是…。二是…: read on by the engine
    candidates += [(a, b, "opening") for a, b in _first_directive(simp, ctx)]  # 要强化…。要抢抓…: likewise
    if any(c in q.text for c in ctx.vocab.person_cues):
        candidates += [(a, b, "names") for a, b in _name_runs(simp, ctx.officials)]
    between = _between_anchors(simp, keyword_spans(simp, q.keywords))
    if between:
        candidates.append((*between, "anchors"))
    wanted = asked_count(q.text)
    best: tuple[float, int, int] | None = None
    for start, end, how in candidates:
        start, end = _trim(simp, start, end, wanted)
        if wanted and how != "opening" and items(simp[start:end]) < wanted:
            continue  # 哪七个 needs seven items, not a sentence that only names the seven
        near = _binding(simp, start, end, q.keywords, inside={"anchors": 1.0, "run": 0.8}.get(how, 0.0))
        if how in ("cue", "clauses", "ordinal") and simp[max(0, start - 4) : start].strip("：: ") in q.text:
            near += 1.0  # the question itself says 包括/分别是
        named = _names_its_items(simp, start, end, q.keywords)
        if how == "opening":
            run = _opened_run(e, ctx, start)
            if not run:
                continue  # an item with no others after it is no list
            named = named or len(run) == wanted  # 哪三点 and a run of three
        if how == "opening" and any(w in q.text for w in LEAD_INS if w in simp[max(0, start - 6) : start]):
            near += 1.0  # 会议强调,要强化…: the question asks what the meeting 强调
        if how == "names":
            near += 1.0  # the people asked about, each a name (执行主席张才、刘靖…; 主委谭黄河,…主委刘宏敏)
        if named:
            near += 1.0  # “五外联动”组合拳,推进外贸…、外资…、外包…、外经…、外智…
        if q.keywords and near < 0.5:
            continue
        parallel = _parallel(simp[start:end], q.keywords)
        found_as = {"names": "cue", "opening": "ordinal"}.get(how, how) if how in ("cue", "clauses", "ordinal", "quoted", "run", "names", "opening") else "parallel" if parallel else "other"
        bonus = ctx.grade("list", found_as)
        score = near + bonus - (end - start) / 600 + (3.0 if named else 0.0)  # the list the question's term names
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return []
    score, start, end = best
    start = _after_lead_verb(simp, start, end, ctx.vocab.lead_verbs)
    span = Span(e, start, end, e.text[start:end].strip("，,；;：: \n"))
    span.features.update(fit=max(0.0, min(1.0, score / 3)))
    return [span]


def _opened_run(e: Evidence, ctx: Context, start: int) -> list[tuple[int, int]]:
    """The items of the enumeration (by ordinals, or of directives) an opening at e.simp[start] begins."""
    doc = ctx.reader.simplified(e.doc)
    return ordinal_items(doc, e.start + start) or directive_items(doc, ctx.directive_verbs, e.start + start)


def _first_directive(simp: str, ctx: Context) -> list[tuple[int, int]]:
    """A directive opening in this sentence (会议强调,要强化政治引领。), to the sentence's end."""
    m = directive_pattern(ctx.directive_verbs).search(simp)
    if m is None:
        return []
    stop = re.search(r"[。！？!?\n]", simp[m.end() :])
    return [(m.end() - 1, m.end() + (stop.start() if stop else len(simp) - m.end()))]


def _name_runs(simp: str, finder: OfficialFinder) -> list[tuple[int, int]]:
    """Runs of at least two names, one per item between 、 or ，: 执行主席张才、刘靖、宋有洪; 县工商联主席谭黄河,民盟开阳支部
    主委刘宏敏,…吴长明先后发言. From the first name (its title kept when every item has one) to the last."""
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int, int]] = []  # (item start, name start, name end)
    pos = 0
    for m in [*re.finditer(r"[、，,；;。：:\n]", simp), None]:
        end = m.start() if m else len(simp)
        found = _name_in(simp, pos, end, finder)
        if found:
            run.append((pos, *found))
        if not found or (m and m.group() not in "、，,"):
            if len(run) >= 2:
                titled = all(name > item for item, name, _ in run[1:])
                out.append((run[0][0] if titled else run[0][1], run[-1][2]))
            run = [(pos, *found)] if found and m and m.group() in "、，," else []
        pos = m.end() if m else len(simp)
    return out


def _name_in(simp: str, start: int, end: int, finder: OfficialFinder) -> tuple[int, int] | None:
    """The name an item ends with (执行主席张才, 主委刘宏敏), or that the item's last words follow (方中友担任执行主席,
    吴长明先后发言). A rare character outside the basic block (曾暾𬱖) counts as a name's character."""
    if end - start < 2:
        return None
    at = finder.name_ending(simp, end, after=start)
    if at is not None:
        return at, end
    for length in (3, 2):
        at = end - length
        if at >= start and finder.plausible(_RARE.sub("明", simp[at:end])):
            return at, end
    for at in range(end - 2, start - 1, -1):  # the last name of the item: 非公经济代表人士吴长明先后发言
        name = finder.name_at(simp, at)
        if name and at + len(name) < end and simp.startswith(finder.ends, at + len(name)):
            return at, at + len(name)
    return None


def _colon_clauses(simp: str) -> list[tuple[int, int]]:
    """Clauses joined by ； after a colon, to the sentence's end (主要预期目标是：全市生产总值增长5%以上；一般公共预算收入
    增长2%；…): each clause is an item."""
    out = []
    for m in re.finditer(r"[：:]", simp):
        stop = re.search(r"[。\n]", simp[m.end() :])
        end = m.end() + (stop.start() if stop else len(simp) - m.end())
        if simp.count("；", m.end(), end) + simp.count(";", m.end(), end) >= 1 and end - m.end() <= 400:
            out.append((m.end(), end))
    return out


def _after_lead_verb(simp: str, start: int, end: int, verbs: list[str]) -> int:
    """Past a verb that governs the whole list (推进|海上风电、沿海核电、辽西风光、储能), unless every item has its own."""
    parts = re.split(r"[、，,；;]", simp[start:end])
    for verb in sorted(verbs, key=len, reverse=True):
        if parts[0].startswith(verb) and len(parts[0]) - len(verb) >= 2 and not all(p.startswith(verb) for p in parts):
            return start + len(verb)
    return start


def items(text: str) -> int:
    """Items of a list, the last one joined by 和/及 counted too (干线铁路、城际铁路、市域铁路和城市轨道交通 → 4)."""
    n = item_count(text)
    last = re.split(r"[、，,；;]", text)[-1]
    return n + 1 if _LAST_JOIN.search(last) else n


def _trim(simp: str, start: int, end: int, wanted: int) -> tuple[int, int]:
    """Cut a list to what the question counts: to the group of as many items as asked (“三大高地”“五大战略”：A、B、C，
    D、E、F、G、H → A、B、C), then before the count that names it (安阳、商丘、信阳、三门峡 | 四个端点城市), and past a
    closing 等."""
    text = simp[start:end]
    if wanted:
        offset = 0
        for group in re.split(r"([，,；;])", text):
            if group not in "，,；;" and len(re.split("、", group)) == wanted:
                start, end, text = start + offset, start + offset + len(group), group
                break
            offset += len(group)
    for m in _COUNT_WORD.finditer(text):
        n = numerals.number(m.group(1)) or 0
        if n >= 2 and items(text[: m.start()]) == n:
            end = start + m.start()
            break
    while end > start and simp[end - 1] == "等":
        end -= 1
    return start, end


def asked_count(question: str) -> int:
    """7 for 哪七个, 2 for 哪两个, 5 for 五大攻坚是什么; 0 when the question gives no count."""
    m = re.search(r"哪([一二两三四五六七八九十]|\d+)", question)
    if not m:
        numbered = numbered_term(question)
        return numbered[0] if numbered and numbered[0] >= 3 else 0  # 两大…: a pair is often A和B, one item by 、
    return numerals.number(m.group(1)) or 0


def _binding(simp: str, start: int, end: int, keywords: list[str], inside: float) -> float:
    """How tightly the question's keywords bind to a list: right before it (算好政治账、经济账) or right
    after it (“投资扩能、产业提质、城市更新”三大行动); inside it, weighted, for spans that absorb their
    neighbours (典型引领、全域统筹、民生提质三大战略)."""
    before, after = simp[max(0, start - 6) : start], simp[end : end + 6]
    total = 0.0
    for kw in keywords:
        share = max(gram_share(kw, before), 0.9 * gram_share(kw, after))
        total += max(share, inside * gram_share(kw, simp[start:end]))
    return total


def _parallel(span: str, keywords: list[str]) -> bool:
    """A parallel structure: a keyword's bigram repeated (要在…上实干争先；要在…上实干争先, 组建…重新组建)
    or three different keywords present."""
    grams = {kw[i : i + 2] for kw in keywords for i in range(len(kw) - 1)}
    present = sum(1 for kw in keywords if len(kw) >= 2 and kw in span)
    return any(span.count(g) >= 2 for g in grams) or present >= 3


def _between_anchors(simp: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """From the clause of the first keyword to the end of the clause of the last one, if they differ."""
    if len(spans) < 2:
        return None
    first = clause_bounds(simp, spans[0][0])
    last = clause_bounds(simp, spans[-1][0])
    if first == last:
        return None
    return first[0], last[1]


def _names_its_items(simp: str, start: int, end: int, keywords: list[str]) -> bool:
    """A numbered term of the question (五外联动, 三大行动) just before or after a list of as many items, also when
    the text counts it its own way (六大科技专项 ↔ 人工智能、…、先进材料等6个重大科技专项)."""
    items = item_count(simp[start:end])
    counted = _COUNT_WORD.match(simp, end + (1 if simp[end : end + 1] == "等" else 0))
    for kw in keywords:
        m = re.match(r"([一二两三四五六七八九十])", kw)
        if not m or numerals.number(m.group(1)) != items:
            continue
        near = kw in simp[max(0, start - NUMBERED_REACH) : start] or kw in simp[end : end + NUMBERED_AFTER + len(kw)]
        noun = re.sub(r"^[一二两三四五六七八九十]+[大个项条类种]?", "", kw)
        recount = counted is not None and numerals.number(counted.group(1)) == items and gram_share(
            noun, simp[counted.end() : counted.end() + len(noun) + 4]
        ) >= 0.5
        if near or recount:
            return True
    return False
