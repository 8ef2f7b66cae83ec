"""Names: the official with the asked title; among several, the one the question's words surround
(大迳社区党委书记李伟文, 韩俊峰就经济工作作具体部署). An official of another place is no answer. A question about an act
at a meeting (谁作的报告, 谁主持) is answered by a name doing that act, before any other."""

from __future__ import annotations

import re

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import coverage
from ragtool.zh.officials import Mention


def extract(e: Evidence, ctx: Context) -> list[Span]:
    q, simp, finder = ctx.q, e.simp, ctx.officials
    asked = finder.asked_role(q.text)
    act = ctx.vocab.asked_act(q.text)
    mentions = finder.find(simp)
    acting = _acting(e, ctx, act, asked, mentions) if act else []
    if acting:
        return acting
    listed = _roster(e, ctx, asked) if asked and not act else None
    if listed is not None:
        return [listed]
    out: list[Span] = []
    if act and act != "report" and asked is None:
        return out  # who presided or attended is a name doing it; only a report has a byline that answers
    if act == "report" and asked is None:  # no one delivers it here: only a report's own byline names who did
        mentions = [m for m in mentions if e.meta.form != "news" and _ends_line(simp, m)]
    for m in mentions:
        roles = finder.chained_roles(simp, m)
        held = [r for r in roles if asked is None or finder.matches(asked, simp[slice(*r)])]
        if not held and asked is not None and finder.shares_organisation(simp, m, asked):
            held = [m.role]  # 市人大常委会党组书记、主任蒋强先
        if not held:
            continue  # 县委书记、开阳经开区党工委书记孙昕 is the 县委书记 too
        after = coverage(q, simp[m.span[1] : m.span[1] + 16])
        modifier = 1.0 if _modifier_before(simp, m.span[0], q.keywords) else 0.0
        start = min(m.span[0], held[-1][0])  # from the title asked, when it is one of a chain
        span = Span(e, start, m.span[1], e.text[start : m.span[1]])
        span.features.update(fit=min(1.0, (after + modifier) / 2), place_of_role=_place_fit(m, ctx, [e.meta.place or "", *e.meta.places]))
        if act:
            span.features["act"] = 0.0  # the act asked is not said of this name here (a byline may still be the answer)
        out.append(span)
    if not out and asked and not act and finder.heads_government(asked):
        # 区长是谁 and no title written: who delivered the government work report, when no other title is written for them
        titled = {simp[slice(*m.name)] for m in mentions}
        out = [s for s in _acting(e, ctx, "report", None, mentions)
               if not s.value.endswith(tuple(titled)) and finder.government_report in simp[s.start : s.end + 24]]
        for span in out:
            span.features.update(fit=0.5, act=0.0)
    return out


def _roster(e: Evidence, ctx: Context, asked: str) -> Span | None:
    """执行主席是谁 where the text lists them (执行主席是：李志坚、李达成…): every name listed, under the title as the
    question writes it (the asked title with the words before it: 执行 + 主席)."""
    text = ctx.officials.question_text(ctx.q.text)
    at = text.find(asked)
    for k in range(min(4, at), -1, -1):
        found = ctx.officials.roster(e.simp, text[at - k : at + len(asked)]) if at >= 0 else None
        if found is not None:
            span = Span(e, found[0], found[1], e.text[found[0] : found[1]])
            span.features.update(fit=1.0, place_of_role=1.0)
            return span
    return None


def _acting(e: Evidence, ctx: Context, act: str, asked: str | None, mentions: list[Mention]) -> list[Span]:
    """Who delivered the report, presided or attended (代市长李忠军…作政府工作报告, 大会由宋有洪主持): the names doing
    the asked act, each with its title when one is written before it."""
    simp, finder = e.simp, ctx.officials
    out = []
    for a in finder.acts(simp):
        if a.act != act:
            continue
        titled = next((m for m in mentions if m.name[1] == a.name[1]), None)
        if asked is not None and (titled is None or not (finder.matches(asked, simp[slice(*titled.role)], titled.place)
                                                         or finder.shares_organisation(simp, titled, asked))):
            continue
        start = titled.span[0] if titled is not None and titled.span[0] < a.name[0] else a.name[0]
        span = Span(e, start, a.name[1], e.text[start : a.name[1]])
        span.features.update(fit=1.0, act=1.0, place_of_role=_place_fit(titled, ctx) if titled is not None else 1.0)
        out.append(span)
    return out


def _place_fit(m: Mention, ctx: Context, doc_places: list[str] | None = None) -> float:
    """0 when the title names another place than the question's (金湾区委书记 for 珠海市委书记), or, naming none, is
    said in a document that names no such place (温州's 市委书记 for 宜昌市委书记); else 1."""
    place = getattr(m, "place", "") or "|".join(p for p in doc_places or [] if p)
    if not place or not ctx.q.places:
        return 1.0
    return 1.0 if any(t in place for t in ctx.q.asked_terms or ctx.q.place_terms) else 0.0  # not a parent's (广东省长)


def _ends_line(simp: str, m: Mention) -> bool:
    """A title and name alone at the end of their line (四川省人民政府省长 施小琳): a report's byline."""
    return re.match(r"[ \t\u3000]*(?:\n|$)", simp[m.name[1] :]) is not None


def _modifier_before(simp: str, pos: int, keywords: list[str]) -> bool:
    window = simp[max(0, pos - 8) : pos]
    return any(len(kw) >= 2 and (kw in window or kw[:2] in window) for kw in keywords)
