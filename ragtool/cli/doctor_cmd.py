"""`ragtool doctor --repair`: move a damaged store aside and rebuild it from the source files."""

from __future__ import annotations

import typer

from ragtool.cli.output import err, out, print_json, safe_line
from ragtool.config import Settings
from ragtool.errors import ExitCode


def repair_command(settings: Settings, json_out: bool) -> None:
    from ragtool.repair import repair

    report = repair(settings)
    if json_out:
        print_json(report)
    elif not report.damaged and not report.incomplete:
        out.print(f"nothing to repair: the index at {safe_line(str(settings.home))} is intact", markup=False)
    elif not report.damaged:
        out.print(f"re-ingested {report.reingested} document(s) with missing chunks "
                  f"(of {report.incomplete} found)", markup=False)
        for path in report.missing:
            err.print(f"missing {safe_line(path)}: its chunks are lost and the file is no longer on disk",
                      markup=False)
        for s in report.skipped:
            err.print(f"skipped {safe_line(s['path'])}: {safe_line(s['reason'])}", markup=False)
    else:
        for d in report.damaged:
            out.print(f"damaged {safe_line(d['path'])}: {safe_line(d['why'])}", markup=False)
        out.print(f"moved aside to {safe_line(report.moved_to or '')}", markup=False)
        if report.rebuilt:
            out.print(f"rebuilt from {report.sources} source path(s): {report.added} document(s)", markup=False)
            if not report.sources:
                err.print("no source files known: ingest them again (or set RAGTOOL_CORPUS) to fill the index",
                          markup=False)
        else:
            out.print("rebuilt the derived files from the intact store", markup=False)
        for path in report.missing:
            err.print(f"missing {safe_line(path)}: named by the damaged index, no longer on disk", markup=False)
        for s in report.skipped:
            err.print(f"skipped {safe_line(s['path'])}: {safe_line(s['reason'])}", markup=False)
        if report.reingested:
            out.print(f"re-ingested {report.reingested} document(s) with missing chunks", markup=False)
    if report.missing or report.skipped:
        raise typer.Exit(ExitCode.PARTIAL)
