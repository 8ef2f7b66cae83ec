"""Render an eval run: rich tables for the terminal, a self-contained HTML page, Markdown."""

from __future__ import annotations

import html
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ragtool.eval.gate import GateResult
from ragtool.eval.results import CaseResult, EvalRun, Metrics
from ragtool.fsutil import write_text_atomic

# (label, attribute, kind of value) for the metric tables.
COLUMNS: list[tuple[str, str, str]] = [
    ("cases", "cases", "int"),
    ("pass", "pass_rate", "rate"),
    ("answer acc", "answer_accuracy", "rate"),
    ("abstention", "abstention_accuracy", "rate"),
    ("conflict", "conflict_detection", "rate"),
    ("hit@1", "hit_at_1", "rate"),
    ("hit@5", "hit_at_5", "rate"),
    ("MRR", "mrr", "num"),
    ("citations ok", "citation_validity", "rate"),
    ("grounded", "grounding", "rate"),
    ("right source", "source_accuracy", "rate"),
    ("rows right", "row_accuracy", "rate"),
    ("rows not found", "rows_not_found", "int"),
    ("p50 s", "latency_p50", "secs"),
    ("p95 s", "latency_p95", "secs"),
    ("tokens", "tokens_total", "int"),
    ("errors", "errors", "int"),
]


def fmt(value: object, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "rate":
        return f"{float(value):.1%}"  # type: ignore[arg-type]
    if kind == "num":
        return f"{float(value):.3f}"  # type: ignore[arg-type]
    if kind == "secs":
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    return str(value)


def metric_rows(run: EvalRun) -> list[tuple[str, Metrics]]:
    return [("all", run.metrics), *((f"kind: {k}", m) for k, m in run.per_kind.items())]


def expected_text(c: CaseResult) -> str:
    if c.kind == "compare":
        return f"{c.rows} rows" + (f", answer with {'、'.join(c.must_include)}" if c.must_include else "")
    return "not_found" if c.kind == "unanswerable" else "、".join(c.must_include)


def got_text(c: CaseResult) -> str:
    if c.kind == "compare":
        text = f"{c.rows_right}/{c.rows} rows right"
        if c.rows_not_found:
            text += " · not found: " + "、".join(c.rows_not_found)
        return text
    text = c.got or "(empty)"
    if c.candidates:
        text += " | candidates: " + "; ".join(c.candidates)
    return f"[{c.status}] {text}" if c.status else text


# ---- terminal -----------------------------------------------------------------------------------


def print_run(console: Console, run: EvalRun, gate: GateResult | None = None) -> None:
    """Metrics table, failing cases with expected vs got and sources, then errors and the gate."""
    title = f"eval {run.suite} · engine {run.engine} · embedder {run.embedder} · top-k {run.top_k}"
    groups = [("all", run.metrics), *run.per_kind.items()]
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for name, _ in groups:
        table.add_column(name, justify="right")
    for label, attr, kind in COLUMNS:
        table.add_row(label, *(fmt(getattr(m, attr), kind) for _, m in groups))
    console.print(table)
    if run.summary.ran:
        found = sum(f.found for f in run.summary.facts)
        console.print(f"summary facts: {found}/{len(run.summary.facts)} ({fmt(run.summary.recall, 'rate')})")
    elif run.summary.message:
        console.print(f"[yellow]{run.summary.message}[/yellow]", markup=True, highlight=False)
    _print_failures(console, run)
    _print_gate(console, gate)


def _print_failures(console: Console, run: EvalRun) -> None:
    if run.failures:
        console.print(f"\n[bold red]{len(run.failures)} failing case(s)[/bold red]")
    for c in run.failures:
        console.print(f"[bold]{c.id}[/bold] ({c.kind}) {c.question}", markup=True, highlight=False)
        console.print(f"  expected: {expected_text(c)}", markup=False, highlight=False)
        console.print(f"  got:      {got_text(c)}", markup=False, highlight=False)
        if c.reason:
            console.print(f"  why:      {c.reason}", markup=False, highlight=False)
        sources = ", ".join(c.retrieved[:5]) or "(nothing retrieved)"
        console.print(f"  sources:  {sources}   labelled: {', '.join(c.sources)}", markup=False, highlight=False)
    missing = [f for f in run.summary.facts if not f.found]
    if missing:
        console.print(f"\n[bold red]{len(missing)} summary fact(s) missing[/bold red]")
        for f in missing:
            console.print(f"  {f.doc}: {f.what} {f.expected}", markup=False, highlight=False)
    if run.summary.error:
        console.print("\n[bold yellow]summaries: provider error (not scored)[/bold yellow]")
        console.print(f"  {run.summary.error}", markup=False, highlight=False)
    errors = run.provider_errors
    if errors:
        console.print(f"\n[bold yellow]{len(errors)} provider error(s) (not scored)[/bold yellow]")
        for c in errors:
            console.print(f"  {c.id}: {c.error}", markup=False, highlight=False)


def _print_gate(console: Console, gate: GateResult | None) -> None:
    if gate is None:
        return
    if gate.regressed:
        console.print("\n[bold red]REGRESSION[/bold red] below baseline − tolerance:")
        for d in gate.drops:
            console.print(f"  {d.metric}: {d.baseline:.4f} → {d.current:.4f}", markup=False, highlight=False)
    else:
        console.print("\n[green]no regression against the baseline[/green]")
    if gate.newly_failing:
        console.print("newly failing: " + ", ".join(gate.newly_failing), markup=False, highlight=False)
    if gate.newly_passing:
        console.print("newly passing: " + ", ".join(gate.newly_passing), markup=False, highlight=False)


# ---- HTML ---------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child,td.text{text-align:left}td.text{max-width:40em}
.fail{color:#b00020}.ok{color:#1b7f3b}h1{font-size:1.4em}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def bar_chart_svg(per_kind: dict[str, Metrics]) -> str:
    """Inline SVG: one horizontal bar per kind, its pass rate."""
    rows = [(k, m.pass_rate or 0.0) for k, m in per_kind.items()]
    height, width = 24 * len(rows) + 10, 420
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (kind, rate) in enumerate(rows):
        y = 5 + 24 * i
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{_e(kind)}</text>')
        parts.append(f'<rect x="110" y="{y}" width="{int(250 * rate)}" height="18" fill="#4a7fd6"/>')
        parts.append(f'<text x="{115 + int(250 * rate)}" y="{y + 14}" font-size="12">{rate:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_metrics(rows: list[tuple[str, Metrics]]) -> str:
    head = "<tr><th>group</th>" + "".join(f"<th>{_e(label)}</th>" for label, _, _ in COLUMNS) + "</tr>"
    body = "".join(
        f"<tr><td>{_e(name)}</td>" + "".join(f"<td>{_e(fmt(getattr(m, a), k))}</td>" for _, a, k in COLUMNS) + "</tr>"
        for name, m in rows
    )
    return f"<table>{head}{body}</table>"


def _html_failures(run: EvalRun) -> str:
    if not run.failures:
        return '<p class="ok">No failing cases.</p>'
    head = "<tr><th>id</th><th>kind</th><th>question</th><th>expected</th><th>got</th><th>why</th><th>sources</th></tr>"
    body = "".join(
        f"<tr><td>{_e(c.id)}</td><td>{_e(c.kind)}</td><td class='text'>{_e(c.question)}</td>"
        f"<td class='text'>{_e(expected_text(c))}</td><td class='text'>{_e(got_text(c))}</td>"
        f"<td class='text'>{_e(c.reason)}</td><td class='text'>{_e(', '.join(c.retrieved[:5]))}</td></tr>"
        for c in run.failures
    )
    return f"<table>{head}{body}</table>"


def render_html(run: EvalRun, gate: GateResult | None = None) -> str:
    """One self-contained page: inline CSS and SVG, every text escaped."""
    title = f"ragtool eval — {run.suite} ({run.engine})"
    gate_html = ""
    if gate is not None:
        status = '<p class="fail">REGRESSION</p>' if gate.regressed else '<p class="ok">No regression.</p>'
        drops = "".join(f"<li>{_e(d.metric)}: {d.baseline:.4f} → {d.current:.4f}</li>" for d in gate.drops)
        newly = _e(", ".join(gate.newly_failing)) or "none"
        gate_html = f"<h2>Baseline</h2>{status}<ul>{drops}</ul><p>Newly failing: {newly}</p>"
    errors = "".join(f"<li>{_e(c.id)}: {_e(c.error)}</li>" for c in run.provider_errors)
    summary = "".join(
        f"<li>{_e(f.doc)}: {_e(f.what)} {_e(f.expected)}</li>" for f in run.summary.facts if not f.found
    )
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>"
        f"<p>embedder {_e(run.embedder)} · top-k {run.top_k} · corpus {_e(run.corpus)} · {_e(run.started)}"
        f" · {run.seconds:.1f} s</p>"
        f"<h2>Metrics</h2>{_html_metrics(metric_rows(run))}"
        f"<h2>Pass rate per kind</h2>{bar_chart_svg(run.per_kind)}"
        f"<h2>Per tag</h2>{_html_metrics(list(run.per_tag.items()))}"
        f"<h2>Summary facts</h2><p>recall {_e(fmt(run.summary.recall, 'rate'))} {_e(run.summary.message)}"
        f" {_e(run.summary.error)}</p>"
        f"<ul>{summary}</ul>"
        f"<h2>Failing cases</h2>{_html_failures(run)}"
        + (f"<h2>Provider errors (not scored)</h2><ul>{errors}</ul>" if errors else "")
        + f"{gate_html}</body></html>\n"
    )


# ---- Markdown -----------------------------------------------------------------------------------


def _md(value: object) -> str:
    """A Markdown table cell: pipes, newlines and HTML neutralised."""
    text = str(value).replace("\n", " ").replace("|", "\\|")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(run: EvalRun, gate: GateResult | None = None) -> str:
    header = ["group"] + [label for label, _, _ in COLUMNS]
    rows = [[name] + [fmt(getattr(m, a), k) for _, a, k in COLUMNS] for name, m in metric_rows(run)]
    tag_rows = [[name] + [fmt(getattr(m, a), k) for _, a, k in COLUMNS] for name, m in run.per_tag.items()]
    out = [f"# ragtool eval — {_md(run.suite)} ({_md(run.engine)})", "",
           f"embedder {_md(run.embedder)} · top-k {run.top_k} · {_md(run.started)} · {run.seconds:.1f} s", "",
           "## Metrics", "", *_md_table(header, rows), "", "## Per tag", "", *_md_table(header, tag_rows), ""]
    out += ["## Summary facts", "", f"recall {fmt(run.summary.recall, 'rate')} {_md(run.summary.message)} {_md(run.summary.error)}", ""]
    out += [f"- {_md(f.doc)}: {_md(f.what)} {_md(f.expected)}" for f in run.summary.facts if not f.found]
    out += ["", "## Failing cases", ""]
    out += _md_table(
        ["id", "kind", "question", "expected", "got", "why", "sources"],
        [[c.id, c.kind, c.question, expected_text(c), got_text(c), c.reason, ", ".join(c.retrieved[:5])]
         for c in run.failures],
    ) if run.failures else ["No failing cases."]
    if run.provider_errors:
        out += ["", "## Provider errors (not scored)", ""]
        out += [f"- {_md(c.id)}: {_md(c.error)}" for c in run.provider_errors]
    if gate is not None:
        out += ["", "## Baseline", "", "**REGRESSION**" if gate.regressed else "No regression."]
        out += [f"- {_md(d.metric)}: {d.baseline:.4f} → {d.current:.4f}" for d in gate.drops]
        out += [f"Newly failing: {_md(', '.join(gate.newly_failing) or 'none')}"]
    return "\n".join(out) + "\n"


def write_report(path: Path, run: EvalRun, gate: GateResult | None = None) -> None:
    """Write an .html or .md report, chosen by the file suffix."""
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm"}:
        write_text_atomic(path, render_html(run, gate))
    elif suffix in {".md", ".markdown"}:
        write_text_atomic(path, render_markdown(run, gate))
    else:
        from ragtool.errors import UsageError

        raise UsageError(f"--report must end in .html or .md, not {path.name!r}")
