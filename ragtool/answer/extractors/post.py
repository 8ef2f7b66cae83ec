"""Posts: the title a named person held (2025年作报告时刘靖是什么职务 → 代市长), every title of a chain written before
the name with its organisation (县委书记、开阳经开区党工委书记孙昕, 市发改委党组书记、主任唐祖红)."""

from __future__ import annotations

from ragtool.answer.candidates import Context, Span
from ragtool.answer.evidence import Evidence
from ragtool.zh.officials import normalize_name


def extract(e: Evidence, ctx: Context) -> list[Span]:
    simp, finder = e.simp, ctx.officials
    asked = normalize_name(ctx.q.text)
    out = []
    for m in finder.find(simp):
        if not m.norm_name or m.norm_name not in asked:
            continue
        start, end = finder.title_phrase(simp, m)
        span = Span(e, start, end, e.text[start:end].strip())
        # a post is held at a time: in the year asked (2025年…时), the report of that year says which
        span.features["fit"] = 1.0 if not ctx.q.years or e.meta.year in ctx.q.years else 0.25
        out.append(span)
    return out
