"""Text as a reader sees it: PDF lines broken by layout joined back into sentences, Markdown without markup."""

from __future__ import annotations

import re
from typing import Any

from ragtool.textnorm import halfwidth

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
    lines = [ln.strip() for page in pages for ln in page.split("\n")]
    lines = [ln for ln in lines if ln and not _PAGE_NUMBER.match(ln)]
    if not lines:
        return ""
    full = _full_length(lines)
    out: list[str] = [lines[0]]
    last = lines[0]  # the last physical line of out[-1]
    for line in lines[1:]:
        if _continues(last, line, full, headings):
            sep = " " if _LATIN_END.search(last) and _LATIN_START.match(line) else ""
            out[-1] += sep + line
        else:
            out.append(line)
        last = line
    return "\n".join(out)


def _full_length(lines: list[str]) -> int:
    """The length of a full line: the 80th percentile of line lengths."""
    lengths = sorted(len(ln) for ln in lines)
    return lengths[int(0.8 * (len(lengths) - 1))]


def _continues(last: str, line: str, full: int, headings: tuple[re.Pattern[str], ...]) -> bool:
    """Whether `line` continues the sentence of the physical line `last`."""
    if not last or last[-1] in TERMINAL or full < 10:
        return False
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
