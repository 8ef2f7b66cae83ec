"""Text as a reader sees it: PDF lines broken by layout joined back into sentences, Markdown without markup."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ragtool.zh.textnorm import halfwidth

# A line ending in one of these ends a sentence (or a list item): the next line starts anew.
TERMINAL = "。！？；：!?;:…”」』）)"
FULL_LINE_SHARE = 0.75  # a line this long (of the document's usual full line) was wrapped by the layout
_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*(\d{1,4}|第\s*\d{1,4}\s*页(\s*共\s*\d{1,4}\s*页)?)\s*[-—–]?\s*$")
_LATIN_END = re.compile(r"[A-Za-z0-9,]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(]")


def join_layout_lines(pages: list[str], headings: tuple[re.Pattern[str], ...] = ()) -> str:
    """Join lines a PDF broke for layout: Chinese has no spaces, so a full-width line without a sentence end
    continues on the next line. Short lines (headings, list items, the last line of a paragraph) and lines before
    a numbered heading stay where they are; page numbers between pages are dropped."""
    return join_pages(pages, headings)[0]


def join_pages(pages: list[str], headings: tuple[re.Pattern[str], ...] = ()) -> tuple[str, list[int]]:
    """join_layout_lines, and where each page's first line starts in the joined text (within a line when it
    continues a sentence from the page before); an empty page starts where the next one does."""
    tagged = [(n, ln.strip()) for n, page in enumerate(pages) for ln in page.split("\n")]
    tagged = [(n, ln) for n, ln in tagged if ln and not _PAGE_NUMBER.match(ln)]
    if not tagged:
        return "", [0] * len(pages)
    full = _full_length([ln for _, ln in tagged])
    out: list[str] = [tagged[0][1]]
    begins: dict[int, int] = {tagged[0][0]: 0}  # page -> offset of its first line in the joined text
    size = len(out[0])  # of "\n".join(out)
    last = tagged[0][1]  # the last physical line of out[-1]
    for page, line in tagged[1:]:
        if _continues(last, line, full, headings):
            sep = " " if _LATIN_END.search(last) and _LATIN_START.match(line) else ""
            out[-1] += sep + line
            begins.setdefault(page, size + len(sep))
            size += len(sep) + len(line)
        else:
            out.append(line)
            begins.setdefault(page, size + 1)
            size += 1 + len(line)
        last = line
    starts: list[int] = []
    for page in reversed(range(len(pages))):
        starts.append(begins.get(page, starts[-1] if starts else size))
    return "\n".join(out), starts[::-1]


def _full_length(lines: list[str]) -> int:
    """The length of a full line: the 80th percentile of line lengths."""
    lengths = sorted(len(ln) for ln in lines)
    return lengths[int(0.8 * (len(lengths) - 1))]


def _continues(last: str, line: str, full: int, headings: tuple[re.Pattern[str], ...]) -> bool:
    """Whether `line` continues the sentence of the physical line `last`."""
    if not last or last[-1] in TERMINAL or full < 10 or " | " in last or " | " in line:
        return False  # a table row (地区生产总值 | 2024年实际: 411亿元) is a line of its own
    if len(last) < FULL_LINE_SHARE * full:
        return False  # a heading, a list item, or a short last line
    start = halfwidth(line[:12])
    return not any(p.match(start) for p in headings)


# ---- Markdown ----------------------------------------------------------------------------------

# Emphasis CommonMark leaves unparsed next to Chinese (**5%**左右: a closing run after punctuation must be followed
# by a space or punctuation); markup either way, never content.
_LEFTOVER_EMPHASIS = re.compile(r"\*{1,3}|_{2,3}|~~")


def markdown_text(source: str) -> tuple[str, str]:
    """The text of a Markdown document, one block per line, no markup; and its first level-1 heading."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    tokens = md.parse(source)
    lines: list[str] = []
    current: list[str] = []
    row: list[str] = []
    first_h1 = ""
    in_h1 = False
    prefix = ""
    counters: list[int] = []
    for tok in tokens:
        t = tok.type
        if t == "ordered_list_open":
            counters.append(int(tok.attrGet("start") or 1) - 1)
        elif t == "bullet_list_open":
            counters.append(-1)
        elif t in ("ordered_list_close", "bullet_list_close"):
            counters.pop()
        elif t == "list_item_open" and counters and counters[-1] >= 0:
            counters[-1] += 1
            prefix = f"{counters[-1]}. "
        elif t == "heading_open":
            in_h1 = tok.tag == "h1"
        elif t == "inline":
            current.append(_inline_text(tok))
        elif t in ("fence", "code_block"):
            lines.extend(ln for ln in tok.content.split("\n") if ln.strip())
        elif t in ("th_close", "td_close"):
            row.append("".join(current).strip())
            current = []
        elif t == "tr_close":
            lines.append(" | ".join(row))
            row = []
        elif t in ("paragraph_close", "heading_close"):
            text = "".join(current).strip()
            current = []
            if text:
                lines.append(prefix + text)
                prefix = ""
            if t == "heading_close" and in_h1 and not first_h1:
                first_h1 = text
            in_h1 = False
    return "\n".join(lines), first_h1


def _inline_text(tok: Any) -> str:
    parts: list[str] = []
    for child in tok.children or []:
        t = child.type
        if t == "text":
            parts.append(_LEFTOVER_EMPHASIS.sub("", child.content))
        elif t == "code_inline":
            parts.append(child.content)
        elif t == "softbreak":
            parts.append(" " if parts and _LATIN_END.search(parts[-1]) else "")
        elif t == "hardbreak":
            parts.append("\n")
        elif t == "image":
            parts.append(child.content or "")
    return "".join(parts)


# ---- OCR boxes ---------------------------------------------------------------------------------
# A page read by OCR is a set of text boxes; these put them in reading order: lines top to bottom, a line's boxes
# left to right, and the columns of a multi-column region one after the other.

MIN_COLUMN_ROWS = 3  # a gutter must run through this many lines in a row to make columns
MIN_COLUMN_FILL = 0.6  # text columns are filled by their lines; table cells (read row by row) are not
MAX_GUTTER_SHARE = 0.5  # nor is a gutter wider than this share of the narrower column (tables' gaps are)


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def ocr_lines(quads: list[list[list[float]]], texts: list[str]) -> list[str]:
    """The text lines of a page from OCR's boxes (four corners each, clockwise from top left), in reading order."""
    boxes = _deskewed(quads, texts)
    if not boxes:
        return []
    gap = 1.5 * sorted(b.height for b in boxes)[len(boxes) // 2]
    return [_line_text(band) for band in _ordered(_bands(boxes), gap)]


def _deskewed(quads: list[list[list[float]]], texts: list[str]) -> list[Box]:
    """Boxes as upright rectangles, rotated back by the page's skew (the median slope of their top edges)."""
    slopes = sorted((q[1][1] - q[0][1]) / (q[1][0] - q[0][0]) for q in quads if q[1][0] - q[0][0] > 1)
    angle = -math.atan(slopes[len(slopes) // 2]) if slopes else 0.0
    cos, sin = math.cos(angle), math.sin(angle)
    boxes: list[Box] = []
    for quad, text in zip(quads, texts, strict=True):
        if not text.strip():
            continue
        xs = [x * cos - y * sin for x, y in quad]
        ys = [x * sin + y * cos for x, y in quad]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), text.strip()))
    return boxes


def _bands(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines (vertical overlap of more than half the smaller box), top to bottom."""
    bands: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        band = bands[-1] if bands else None
        if band is not None:
            top, bottom = min(b.y0 for b in band), max(b.y1 for b in band)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap > 0.5 * min(box.height, bottom - top):
                band.append(box)
                continue
        bands.append([box])
    return [sorted(band, key=lambda b: b.x0) for band in bands]


def _ordered(bands: list[list[Box]], gap: float) -> list[list[Box]]:
    """Lines in reading order: a run of lines sharing a gutter is read column by column."""
    out: list[list[Box]] = []
    i = 0
    while i < len(bands):
        j, gutter = _column_run(bands, i, gap)
        if gutter is None:
            out.append(bands[i])
            i += 1
            continue
        region = [b for band in bands[i:j] for b in band]
        middle = (gutter[0] + gutter[1]) / 2
        for side in ([b for b in region if b.x1 <= middle], [b for b in region if b.x0 >= middle]):
            out.extend(_ordered(_bands(side), gap))
        i = j
    return out


def _column_run(bands: list[list[Box]], i: int, gap: float) -> tuple[int, tuple[float, float] | None]:
    """The end of the run of lines from `i` that share a gutter at least `gap` wide, and that gutter."""
    gutters = _gaps(bands[i], gap)
    j = i + 1
    while j < len(bands) and gutters:
        shared = [g for g in (_overlap(a, b) for a in gutters for b in _gaps(bands[j], gap)) if g and g[1] - g[0] >= gap]
        if not shared:
            break
        gutters, j = shared, j + 1
    if j - i < MIN_COLUMN_ROWS or not gutters:
        return i, None
    gutter = max(gutters, key=lambda g: g[1] - g[0])
    region = [b for band in bands[i:j] for b in band]
    left, right = min(b.x0 for b in region), max(b.x1 for b in region)
    widths = (gutter[0] - left, right - gutter[1])
    filled = sum(b.x1 - b.x0 for b in region) / ((j - i) * sum(widths))
    text_columns = filled >= MIN_COLUMN_FILL and gutter[1] - gutter[0] <= MAX_GUTTER_SHARE * min(widths)
    return (j, gutter) if text_columns else (i, None)


def _gaps(band: list[Box], gap: float) -> list[tuple[float, float]]:
    """The empty stretches at least `gap` wide between a line's boxes."""
    out: list[tuple[float, float]] = []
    reach = band[0].x1
    for box in band[1:]:
        if box.x0 - reach >= gap:
            out.append((reach, box.x0))
        reach = max(reach, box.x1)
    return out


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if hi > lo else None


def _line_text(band: list[Box]) -> str:
    text = band[0].text
    for box in band[1:]:
        sep = " " if _LATIN_END.search(text) and _LATIN_START.match(box.text) else ""
        text += sep + box.text
    return text
