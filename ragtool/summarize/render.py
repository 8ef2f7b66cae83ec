"""Summaries as Markdown, CSV (one row per key figure) and JSON Lines."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable
from typing import Any

from ragtool.models import DocumentSummary

CSV_COLUMNS = ["doc_id", "place", "date", "kind", "indicator", "value", "unit", "year", "type", "qualifier", "quote",
               "number", "change"]


def _md(text: object) -> str:
    """Document text made inert in Markdown: HTML escaped, table pipes and line breaks neutralised."""
    return html.escape(str(text or "")).replace("|", "\\|").replace("\n", " ")


def to_markdown(s: DocumentSummary) -> str:
    lines = [f"# {_md(s.title or s.doc_id)}", ""]
    facts = [("doc_id", s.doc_id), ("place", s.place), ("kind", s.kind), ("date", s.date), ("meeting", s.meeting),
             ("engine", f"{s.engine} ({s.prompt_version})")]
    lines += [f"- **{k}**: {_md(v)}" for k, v in facts if v]
    if s.abstract:
        lines += ["", "## 摘要", "", _md(s.abstract)]
    if s.officials:
        lines += ["", "## 领导", "", "| 职务 | 姓名 | 原文 |", "|---|---|---|"]
        lines += [f"| {_md(o.role)} | {_md(o.name)} | {_md(o.quote)} |" for o in s.officials]
    if s.key_figures:
        lines += ["", "## 主要指标", "", "| 指标 | 数值 | 年份 | 类型 | 限定 | 原文 |", "|---|---|---|---|---|---|"]
        lines += [f"| {_md(f.indicator)} | {_md(f.value)} | {_md(f.year)} | {_md(f.type)} | {_md(f.qualifier)} | "
                  f"{_md(f.quote)} |" for f in s.key_figures]
    if s.priorities:
        lines += ["", "## 重点工作", ""]
        lines += [f"- {_md(p.text)} — “{_md(p.quote)}”" for p in s.priorities]
    return "\n".join(lines) + "\n"


def to_csv(summaries: Iterable[DocumentSummary]) -> bytes:
    """One row per key figure across documents, UTF-8 with BOM so spreadsheet programs read Chinese right."""
    from ragtool.csvsafe import safe_row

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in figure_rows(summaries):
        writer.writerow(safe_row([row[c] for c in CSV_COLUMNS]))
    return buf.getvalue().encode("utf-8-sig")


def figure_rows(summaries: Iterable[DocumentSummary]) -> list[dict[str, Any]]:
    """One row per key figure across documents: the CSV's columns, plus the document's title."""
    return [
        {"doc_id": s.doc_id, "place": s.place or "", "date": s.date or "", "kind": s.kind, "indicator": f.indicator,
         "value": f.value, "unit": f.unit, "year": "" if f.year is None else f.year, "type": f.type,
         "qualifier": f.qualifier, "quote": f.quote, "number": "" if f.number is None else f"{f.number:g}",
         "change": f.change, "title": s.title}
        for s in summaries for f in s.key_figures
    ]


def to_jsonl(summaries: Iterable[DocumentSummary]) -> str:
    return "".join(s.model_dump_json() + "\n" for s in summaries)
