"""Names: the official with the asked title; among several, the one the question's words surround
(大迳社区党委书记李伟文, 韩俊峰就经济工作作具体部署). An official of another place is no answer."""

from __future__ import annotations

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.answer.features import coverage
from ragtool.officials import Mention


def extract(e: Evidence, ctx: Context) -> list[Span]:
    q, simp, finder = ctx.q, e.simp, ctx.officials
    asked = finder.asked_role(q.text)
    out = []
    for m in finder.find(simp):
        if asked is not None and not finder.matches(asked, simp[slice(*m.role)]):
            continue
        after = coverage(q, simp[m.span[1] : m.span[1] + 16])
        modifier = 1.0 if _modifier_before(simp, m.span[0], q.keywords) else 0.0
        span = Span(e, m.span[0], m.span[1], e.text[slice(*m.span)])
        span.features.update(fit=min(1.0, (after + modifier) / 2), place_of_role=_place_fit(m, ctx))
        out.append(span)
    return out


def _place_fit(m: Mention, ctx: Context) -> float:
    """0 when the title names another place than the question's (金湾区委书记 for 珠海市委书记), else 1."""
    place = getattr(m, "place", "")
    if not place or not ctx.q.places:
        return 1.0
    return 1.0 if any(t in place for t in ctx.q.asked_terms or ctx.q.place_terms) else 0.0  # not a parent's (广东省长)


def _modifier_before(simp: str, pos: int, keywords: list[str]) -> bool:
    window = simp[max(0, pos - 8) : pos]
    return any(len(kw) >= 2 and (kw in window or kw[:2] in window) for kw in keywords)
