"""OCR benchmark: seconds per scanned page, and how much of the page's text is read right.

A provincial report is printed onto A4 pages at 150 dpi (1240 x 1754 pixels, about 1,000 characters a page, the
density of a printed 政府工作报告), skewed and noised like a scan, saved as an image-only PDF, and read by ragtool's
OCR (RapidOCR, PP-OCRv6 small, in its worker process) page by page, without the cache. Reported: the worker's start
(loading the models, once per ingest), per page the render and OCR seconds (median, p90), the worker's CPU seconds
(what the page costs whatever else the machine runs: on two idle cores the wall time is about half of it),
characters per second, and character accuracy (difflib ratio of the text read against the text printed, whitespace and punctuation width
ignored).

    python benchmarks/ocr.py                     # 6 pages of the Beijing report
    python benchmarks/ocr.py --pages 3 --markdown

Writes benchmarks/out/ocr.json.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
from pathlib import Path

from common import REPO, machine, median, percentile, print_table, write_json

sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from scans import image_pdf, scanned_page, wrap  # noqa: E402

from ragtool.ingest.ocr import OcrLimits, OcrReader  # noqa: E402
from ragtool.zh.textnorm import halfwidth  # noqa: E402

REPORT = REPO / "evals" / "provincial" / "docs" / "002_beijing.txt"
PER_LINE, LINES, FONT = 34, 29, 30  # A4 at 150 dpi: 1240 px wide


def _pages(n: int) -> list[str]:
    body = REPORT.read_text(encoding="utf-8").split("\n\n", 1)[1]
    lines = wrap("\n".join(p.strip() for p in body.split("\n") if len(p.strip()) > 20), PER_LINE)
    return ["\n".join(lines[i * LINES : (i + 1) * LINES]) for i in range(n)]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc), all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fold(text: str) -> str:
    return "".join(halfwidth(text).split())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    texts = _pages(args.pages)
    images = [scanned_page(t.split("\n"), width=1240, size=FONT, skew=0.8, noise=0.01, seed=i)
              for i, t in enumerate(texts)]
    pdf = image_pdf(images)
    limits = OcrLimits()
    stamps: list[tuple[float, float]] = []  # (wall clock, the worker's CPU seconds) as each page starts
    with OcrReader(limits) as ocr:
        t0 = time.perf_counter()
        ocr._ocr(images[0].crop((0, 0, 200, 100)))  # start the worker: models loaded once per ingest
        startup = time.perf_counter() - t0
        assert ocr._worker is not None
        pid = ocr._worker.proc.pid
        assert pid is not None
        ocr.progress = lambda done, total: stamps.append((time.perf_counter(), _cpu_seconds(pid)))
        read = ocr.read_pdf(pdf, list(range(len(texts))), file_hash="")
    seconds = [b[0] - a[0] for a, b in zip(stamps, stamps[1:], strict=False)]
    cpu = [b[1] - a[1] for a, b in zip(stamps, stamps[1:], strict=False)]
    rows = []
    for i, text in enumerate(texts):
        got = read.texts.get(i, "")
        accuracy = difflib.SequenceMatcher(None, _fold(text), _fold(got), autojunk=False).ratio()
        rows.append((f"p. {i + 1}", len(_fold(text)), round(seconds[i], 2), round(cpu[i], 2),
                     round(len(_fold(got)) / seconds[i], 1), round(accuracy, 4)))
    accuracies = [r[5] for r in rows]
    summary = {"pages": len(rows), "startup_seconds": round(startup, 2), "median_seconds": round(median(seconds), 2),
               "p90_seconds": round(percentile(seconds, 90), 2), "median_cpu_seconds": round(median(cpu), 2),
               "median_accuracy": round(median(accuracies), 4),
               "image": f"{images[0].width}x{images[0].height}", "notes": read.notes}
    rows.append(("median", round(median([r[1] for r in rows]), 1), summary["median_seconds"],
                 summary["median_cpu_seconds"], round(median([r[4] for r in rows]), 1), summary["median_accuracy"]))
    title = (f"OCR per page ({summary['image']} px, {machine()['cpus']} cores, load {machine()['load_1min']}; "
             f"worker start {summary['startup_seconds']} s)")
    print_table(title, ["page", "chars printed", "seconds (render + OCR)", "worker CPU s", "chars/s", "char accuracy"],
                rows)
    print(f"written {write_json('ocr', {'summary': summary, 'rows': rows})}")


if __name__ == "__main__":
    main()
