"""Load files into text: encodings, Title/Date/URL headers, HTML, PDF, DOCX, and scans and images by OCR."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ragtool.errors import LoadError

if TYPE_CHECKING:
    from ragtool.ingest.ocr import OcrReader

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # read by OCR
SUPPORTED = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", *IMAGE_SUFFIXES}
TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}

MAX_FILE_BYTES = 50 * 1024 * 1024  # larger files are refused before they are read
MAX_CONTROL_SHARE = 0.05  # decoded text with more control characters than this is binary
# Encodings charset-normalizer may pick when strict UTF-8, GB18030 and Big5 all fail: Chinese and Unicode ones only,
# so that random bytes are refused instead of read as Cyrillic or Latin mojibake.
DETECTED_OK = {
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "utf_32",
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "big5hkscs",
    "cp950",
    "hz",
}
# Japanese encodings: their bytes also decode as GB18030 (kana included), into mojibake. charset-normalizer's
# best guess decides, before GB18030 and Big5 are tried.
JAPANESE = {"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
            "iso2022_jp", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext"}

# UTF-32 first: its little-endian BOM starts with UTF-16's.
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

HEADER_KEYS = {"title", "date", "url"}
HTML_DROP = "script, style, nav, noscript, template, svg, iframe, head"
HTML_BLOCKS = (
    "p, div, br, li, tr, h1, h2, h3, h4, h5, h6, section, article, table, ul, ol, dt, dd, blockquote, pre"
)
HTML_DATE_META = (
    "publishdate",
    "pubdate",
    "publish_date",
    "date",
    "dc.date",
    "article:published_time",
    "firstpublishedtime",
)

_HEADER_LINE = re.compile(r"^\s*(title|date|url)\s*[:：]\s*(.*?)\s*$", re.IGNORECASE)


@dataclass
class LoadedFile:
    path: Path
    text: str  # decoded text with any Title/Date/URL header removed
    header: dict[str, str] = field(default_factory=dict)  # keys: title, date, url (as written)
    encoding: str = "utf-8"
    file_hash: str = ""  # sha256 hex of the raw bytes
    pages: list[int] = field(default_factory=list)  # where each page starts in `text` (PDF pages, image frames)
    ocr_pages: list[int] = field(default_factory=list)  # the pages (0-based) read by OCR
    notes: list[str] = field(default_factory=list)  # pages OCR left out, and why


def load_file(path: Path, ocr: OcrReader | None = None) -> LoadedFile:
    """Read one file. Raises LoadError with a one-line reason when it cannot be used.

    Any failure of a parser (ValueError from python-docx, RecursionError or AssertionError from pypdf on
    hostile PDFs...) becomes a LoadError, so one bad file never stops an ingest. With `ocr`, images and the PDF
    pages without a usable text layer are read by OCR."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}")
    raw = _read_bytes(path)
    try:
        return _parse(path, suffix, raw, ocr)
    except LoadError:
        raise
    except MemoryError:
        raise LoadError("file needs too much memory to parse") from None
    except Exception as e:  # noqa: BLE001 - a parser's failure on one file is that file's problem
        raise LoadError(f"cannot parse {suffix[1:]} file ({_failure(e)})") from None


def _failure(e: BaseException) -> str:
    detail = " ".join(str(e).split())[:120]
    return f"{type(e).__name__}: {detail}" if detail else type(e).__name__


# Files are loaded by what their first bytes say they are when that differs from their name (a PDF named .txt).
MAGIC = ((b"%PDF-", ".pdf"), (b"PK\x03\x04", ".docx"))
NOT_TEXT = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
            (b"\x1f\x8b", "gzip data"), (b"7z\xbc\xaf", "a 7z archive"), (b"Rar!", "a RAR archive"),
            (b"\xd0\xcf\x11\xe0", "an old Office (OLE) file, e.g. .doc: save it as .docx"),
            (b"\x7fELF", "a program"))


def sniff(raw: bytes, suffix: str) -> str:
    """The suffix the file's content calls for (its own when nothing says otherwise); LoadError for binaries."""
    for magic, real in MAGIC:
        if raw.startswith(magic):
            return real
    if suffix not in (".pdf", ".docx", *IMAGE_SUFFIXES):
        for magic, what in NOT_TEXT:
            if raw.startswith(magic):
                raise LoadError(f"not a text file: its content is {what}")
    return suffix


def _parse(path: Path, suffix: str, raw: bytes, ocr: OcrReader | None = None) -> LoadedFile:
    file_hash = hashlib.sha256(raw).hexdigest()
    header: dict[str, str] = {}
    suffix = sniff(raw, suffix)
    if suffix == ".pdf":
        return _pdf_file(path, raw, file_hash, ocr)
    if suffix in IMAGE_SUFFIXES:
        return _image_file(path, raw, file_hash, ocr)
    if suffix == ".docx":
        (text, header), encoding = _docx_text(raw), "docx"
    else:
        text, encoding = decode_bytes(raw)
        if suffix in HTML_SUFFIXES:
            text, header = html_text(text)
        else:
            header, text = parse_header(text)
            if suffix == ".md":
                text, header = _markdown_text(text, header)
    if not text.strip():
        raise LoadError("no text in file (only whitespace)")
    return LoadedFile(path, text, header, encoding, file_hash)


def _read_bytes(path: Path) -> bytes:
    import stat

    st = path.stat()
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device named *.txt would block or never end
        raise LoadError("not a regular file (device, FIFO or socket)")
    size = st.st_size
    if size > MAX_FILE_BYTES:
        raise LoadError(f"file too large ({size / 2**20:.1f} MiB; limit {MAX_FILE_BYTES / 2**20:.0f} MiB)")
    if size == 0:
        raise LoadError("empty file (0 bytes)")
    raw = path.read_bytes()
    if not raw.strip():
        raise LoadError("empty file (only whitespace)")
    return raw


# ---- text decoding -----------------------------------------------------------------------------


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode text bytes: BOMs, then strict UTF-8, then GB18030 vs Big5, then charset-normalizer."""
    for bom, codec in BOMS:
        if raw.startswith(bom):
            return _checked(_decode(raw, codec), codec), codec
    if b"\x00" in raw:
        raise LoadError("binary file (contains NUL bytes)")
    try:
        return _checked(raw.decode("utf-8"), "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text, codec = _decode_japanese(raw) or _decode_cjk(raw) or _decode_detected(raw)
    return _checked(text, codec), codec


def _decode(raw: bytes, codec: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as e:
        raise LoadError(f"cannot decode text as {codec} (byte {e.start})") from None


def _decode_japanese(raw: bytes) -> tuple[str, str] | None:
    """The text, when charset-normalizer's best guess is a Japanese encoding that decodes it cleanly."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:MAX_SNIFF_BYTES]).best()
    if best is None or best.encoding not in JAPANESE or best.chaos > 0.1:
        return None
    try:
        text = raw.decode(best.encoding)
    except UnicodeDecodeError:
        return None
    # Japanese is written with hiragana; Big5 or GBK bytes read as Shift-JIS give half-width katakana and kanji
    sample = text[:200_000]
    hiragana = sum(1 for c in sample if "\u3041" <= c <= "\u309f")
    letters = sum(1 for c in sample if c.isalpha() and not c.isascii())
    return (text, best.encoding) if letters and hiragana / letters >= MIN_HIRAGANA else None


MIN_HIRAGANA = 0.1  # share of a Japanese text's non-Latin letters (usually 30-50%)


MAX_SNIFF_BYTES = 1_000_000  # what charset-normalizer reads to guess an encoding


def _decode_cjk(raw: bytes) -> tuple[str, str] | None:
    """GB18030 or Big5, whichever decodes strictly and reads like common Chinese."""
    decoded: list[tuple[float, str, str]] = []
    for codec, score in (("gb18030", _gb_score), ("big5", _big5_score)):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        decoded.append((score(text), text, codec))
    if not decoded:
        return None
    best = max(decoded, key=lambda d: d[0])
    return (best[1], best[2]) if best[0] >= 0.5 else None


def _han(text: str) -> list[str]:
    return [c for c in text[:200_000] if "\u4e00" <= c <= "\u9fff"]


def _gb_score(text: str) -> float:
    """Share of Han characters in GB2312 (common simplified); mojibake scores low."""
    han = _han(text)
    return sum(1 for c in han if _encodable(c, "gb2312")) / len(han) if han else 0.0


def _big5_score(text: str) -> float:
    """Share of Han characters in Big5's frequent-character block (A440-C67E)."""
    han = _han(text)
    if not han:
        return 0.0
    common = 0
    for c in han:
        try:
            code = int.from_bytes(c.encode("big5"), "big")
        except UnicodeEncodeError:
            continue
        common += 0xA440 <= code <= 0xC67E
    return common / len(han)


def _encodable(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _decode_detected(raw: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=sorted(DETECTED_OK)).best()
    if best is None or best.encoding not in DETECTED_OK or best.chaos > 0.3:
        raise LoadError("cannot decode text (not UTF-8, GB18030 or Big5, and no other encoding fits)")
    return str(best), best.encoding


def _checked(text: str, codec: str) -> str:
    """Reject decoded text that is really binary (many control characters)."""
    sample = text[:1_000_000]
    if not sample:
        return text
    controls = sum(1 for c in sample if c not in "\t\n\r\f\v" and unicodedata.category(c) == "Cc")
    if "\x00" in sample or controls / len(sample) > MAX_CONTROL_SHARE:
        raise LoadError(f"binary file (decoded as {codec}, mostly control characters)")
    if sample.count("\ufffd") / len(sample) > MAX_CONTROL_SHARE:
        raise LoadError("cannot decode text (too many invalid characters)")
    return text


# ---- headers -----------------------------------------------------------------------------------


def parse_header(text: str) -> tuple[dict[str, str], str]:
    """Split a leading 'Title:/Date:/URL:' header (ended by a blank line or the body) from the body."""
    header: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines) and i < 6:
        m = _HEADER_LINE.match(lines[i])
        if not m or m.group(1).lower() in header:
            break
        header[m.group(1).lower()] = m.group(2)
        i += 1
    if not header:
        return {}, text
    if i < len(lines) and not lines[i].strip():
        i += 1
    return header, "\n".join(lines[i:])


# ---- HTML --------------------------------------------------------------------------------------


def html_text(html: str) -> tuple[str, dict[str, str]]:
    """Visible text of a page, one block per line, plus its <title> and publication date."""
    from selectolax.lexbor import LexborHTMLParser

    _check_nesting(html)
    tree = LexborHTMLParser(html)
    header: dict[str, str] = {}
    title = tree.css_first("title")
    if title is not None and title.text(strip=True):
        header["title"] = title.text(strip=True)
    date = _html_date(tree)
    if date:
        header["date"] = date
    for node in tree.css(HTML_DROP):
        node.decompose()
    for table in tree.css("table"):  # innermost tables only: one row per line, cells labelled as in a .docx
        if len(table.css("table")) == 1:  # a node matches its own selector
            rows = [[" ".join(c.text(deep=True, separator=" ").split()) for c in tr.css("td, th")] for tr in table.css("tr")]
            table.replace_with("\n" + "\n".join(labelled_rows([r for r in rows if any(r)])) + "\n")
    for node in tree.css(HTML_BLOCKS):
        node.insert_after("\n")
    root = tree.body or tree.root
    text = root.text(deep=True, separator="") if root is not None else ""
    return text, header


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")


def _check_nesting(html: str) -> None:
    """Refuse a page nested so deeply that parsing it would take minutes. An HTML parser looks down its stack of
    open elements at each block-level tag (to close an open <p>), so time grows with the number of block tags
    times the nesting depth: 1 MB of nested <div>s took 68 s. This linear scan keeps a model of that stack
    (end tags, and tags such as <p> and <li> that close an open one of their kind) and adds up that work."""
    limits = _html_limits()
    ignored, blocks, self_closing = limits["unnested"], limits["block"], limits["implicit"]
    budget = int(limits["max_nesting_work"])
    stack: list[str] = []
    open_count: dict[str, int] = {}
    deepest = work = 0

    def close(name: str) -> None:  # pop up to and including the innermost open `name`
        while stack:
            top = stack.pop()
            open_count[top] -= 1
            if top == name:
                return

    for m in _TAG.finditer(html):
        name = m.group(2).lower()
        if m.group(1):
            if open_count.get(name):
                close(name)
            continue
        if name in blocks:
            work += len(stack)
            if work > budget:
                raise LoadError(f"HTML nested too deeply ({deepest:,} levels; parsing it would take minutes)")
            if open_count.get("p"):
                close("p")
        if name in ignored or m.group(3):
            continue
        if name in self_closing and open_count.get(name):
            close(name)
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        deepest = max(deepest, len(stack))


@lru_cache(maxsize=1)
def _html_limits() -> dict[str, Any]:
    from ragtool.config import PACKAGE_DIR
    from ragtool.datafiles import read_toml

    raw = read_toml(PACKAGE_DIR / "data" / "limits.toml")["html"]
    return {"max_nesting_work": raw["max_nesting_work"], "unnested": frozenset(raw["unnested_tags"]),
            "block": frozenset(raw["block_tags"]), "implicit": frozenset(raw["closes_its_kind"])}


def _html_date(tree: object) -> str:
    for node in tree.css("meta"):  # type: ignore[attr-defined]
        attrs = node.attributes
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        if name in HTML_DATE_META and attrs.get("content"):
            return str(attrs["content"]).strip()
    return ""


# ---- Markdown ----------------------------------------------------------------------------------


def _markdown_text(text: str, header: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Markdown parsed (markdown-it-py): its text without markup; the first # heading is the title if none is given."""
    from ragtool.ingest.layout import markdown_text

    body, h1 = markdown_text(text)
    if h1 and not header.get("title"):
        header = {**header, "title": h1}
    return body, header


# ---- PDF and DOCX ------------------------------------------------------------------------------
# Their header holds the file's own metadata as `file_title` and `file_date` (ISO), used when the text has none.

DOCX_TEMPLATE_DATE = "2013-12-23T23:15"  # python-docx's blank template: says nothing about the document
_PDF_DATE = re.compile(r"(?:D:)?((?:19|20)\d{2})(\d{2})(\d{2})")


def _pdf_text(raw: bytes) -> tuple[list[str], dict[str, str]]:
    """Each page's text layer, and the file's metadata."""
    logging.getLogger("pypdf").addHandler(_QUIET)  # its warnings on readable files reach logging, not stderr
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        _decrypt(reader)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = _pdf_info(reader)
    except LoadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as e:
        raise LoadError(f"not a readable PDF ({type(e).__name__})") from None
    return pages, info


_QUIET = logging.NullHandler()  # added once: a logger keeps one copy of a handler


def _decrypt(reader: object) -> None:
    """Open a PDF encrypted with an empty user password (AES needs `cryptography`); refuse any other."""
    from pypdf.errors import DependencyError

    if not reader.is_encrypted:  # type: ignore[attr-defined]
        return
    try:
        opened = reader.decrypt("")  # type: ignore[attr-defined]
    except DependencyError:
        raise LoadError("PDF is AES-encrypted and the `cryptography` package is missing: pip install cryptography") from None
    except NotImplementedError as e:
        raise LoadError(f"PDF uses an unsupported encryption ({e})") from None
    if not opened:
        raise LoadError("PDF is encrypted with a password: remove the password (e.g. qpdf --decrypt) and ingest again")


def _pdf_info(reader: object) -> dict[str, str]:
    try:
        meta = reader.metadata  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a broken info dictionary is no reason to refuse the text
        return {}
    if not meta:
        return {}
    out: dict[str, str] = {}
    title = str(meta.get("/Title") or "").strip()
    if title:
        out["file_title"] = title
    m = _PDF_DATE.match(str(meta.get("/CreationDate") or meta.get("/ModDate") or "").strip())
    if m:
        out["file_date"] = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return out


def _docx_text(raw: bytes) -> tuple[str, dict[str, str]]:
    from docx import Document as DocxDocument

    slim = _slim_docx(raw)
    try:
        doc = DocxDocument(io.BytesIO(slim))
        lines = _docx_body(doc)
    except Exception as e:  # python-docx raises many kinds of errors on broken packages
        raise LoadError(f"not a readable .docx ({type(e).__name__})") from None
    return "\n".join(lines), _docx_info(doc)


def _docx_body(doc: object) -> list[str]:
    """Paragraphs and tables in document order; each table row one line, its cells labelled by the header row,
    so a 2025 target column is never read as the 2024 actual."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in doc.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend(_table_rows(block))
    return lines


def _table_rows(table: object) -> list[str]:
    rows: list[list[str]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        rows.append(cells)
    return labelled_rows(rows)


def labelled_rows(rows: list[list[str]]) -> list[str]:
    """A table's rows, one line each, every cell after the first labelled by its column header
    (地区生产总值 | 2024年实际: 411亿元 | 2025年目标: 增长5.5%) when the header row names every column."""
    if not rows:
        return []
    head = rows[0]
    labelled = len(rows) > 1 and all(head) and len(head) > 1
    out = [" | ".join(head)]
    for cells in rows[1:]:
        if labelled and len(cells) == len(head):
            cells = [cells[0]] + [f"{h}: {c}" if c else "" for h, c in zip(head[1:], cells[1:], strict=True)]
        out.append(" | ".join(c for c in cells))
    return out


# A line of a PDF table as the text layer gives it: short cells apart by spaces (地区生产总值 411亿元 增长5.5%), none
# of them prose (no sentence or clause marks), the first one Chinese.
_TABLE_CELLS = (2, 8)
_TABLE_CELL_CHARS = 16
_PROSE_MARKS = re.compile(r"[。，；！？,;!?|]")


def pdf_table_rows(page: str) -> str:
    """A PDF page's text with each table read as rows with their column headers, as .docx and HTML tables are
    (地区生产总值 | 2024年实际: 411亿元 | 2025年目标: 增长5.5%): a header line and the lines after it with as many
    cells, each of those holding a figure."""
    lines = page.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        head = _table_cells(lines[i])
        j = i + 1
        while head and j < len(lines) and len(_table_cells(lines[j]) or []) == len(head):
            j += 1
        body = [_table_cells(line) or [] for line in lines[i + 1 : j]]
        if head and body and all(any(ch.isdigit() for ch in "".join(row[1:])) for row in body):
            out.extend(labelled_rows([head, *body]))
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _table_cells(line: str) -> list[str] | None:
    cells = line.split()
    if not _TABLE_CELLS[0] <= len(cells) <= _TABLE_CELLS[1] or _PROSE_MARKS.search(line):
        return None
    if any(len(c) > _TABLE_CELL_CHARS for c in cells) or not re.search(r"[\u4e00-\u9fff]", cells[0]):
        return None
    return cells


def _docx_info(doc: object) -> dict[str, str]:
    props = doc.core_properties  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    if (props.title or "").strip():
        out["file_title"] = props.title.strip()
    when = props.created or props.modified
    if when is not None and when.isoformat()[:16] != DOCX_TEMPLATE_DATE:
        out["file_date"] = when.date().isoformat()
    return out


# ---- PDF pages and images, with OCR -------------------------------------------------------------


def _pdf_file(path: Path, raw: bytes, file_hash: str, ocr: OcrReader | None) -> LoadedFile:
    """A PDF's text layer, page by page; with `ocr`, a page whose layer is missing or garbage is read by OCR."""
    pages, info = _pdf_text(raw)
    read: list[int] = []
    notes: list[str] = []
    if ocr is not None:
        from ragtool.ingest.ocr import unreadable

        got = ocr.read_pdf(raw, [i for i, page in enumerate(pages) if unreadable(page, ocr.limits)], file_hash)
        pages = [got.texts.get(i, page) for i, page in enumerate(pages)]
        read, notes = sorted(got.texts), got.notes
    pages = [pdf_table_rows(page) for page in pages]
    if not "".join(pages).strip():
        raise LoadError("PDF has no text layer (scanned?)" + (f"; {notes[0]}" if notes else "" if ocr else
                                                             "; OCR is off (--no-ocr, RAGTOOL_OCR=false)"))
    return _paged(path, pages, info, "pdf", file_hash, read, notes)


def _image_file(path: Path, raw: bytes, file_hash: str, ocr: OcrReader | None) -> LoadedFile:
    """An image file (each frame of a TIFF a page), read by OCR."""
    if ocr is None:
        raise LoadError("image files are read by OCR, which is off (--no-ocr, RAGTOOL_OCR=false)")
    pages, notes = ocr.read_image(raw, file_hash)
    if not "".join(pages).strip():
        raise LoadError("no text found in the image by OCR" + (f" ({notes[0]})" if notes else ""))
    return _paged(path, pages, {}, "ocr", file_hash, list(range(len(pages))), notes)


def _paged(path: Path, pages: list[str], header: dict[str, str], encoding: str, file_hash: str, read: list[int],
           notes: list[str]) -> LoadedFile:
    from ragtool.ingest.layout import join_pages
    from ragtool.zh.headings import heading_rules

    text, starts = join_pages(pages, heading_rules().patterns)
    return LoadedFile(path, text, header, encoding, file_hash, starts, [i for i in read if pages[i].strip()], notes)


@lru_cache(maxsize=1)
def _limits() -> dict[str, Any]:
    from ragtool.config import PACKAGE_DIR
    from ragtool.datafiles import read_toml

    return read_toml(PACKAGE_DIR / "data" / "limits.toml")["docx"]


def _docx_limits() -> tuple[int, float]:
    limits = _limits()
    return int(limits["max_xml_bytes"]), float(limits["max_xml_ratio"])


_GRID_SPAN = re.compile(rb"<w:gridSpan\b[^>]*\bw:val=\"\s*(\d{1,12})")


def _check_spans(document_xml: bytes) -> None:
    """A table cell spanning millions of columns makes python-docx build the whole grid (minutes, gigabytes)."""
    most = int(_limits()["max_grid_span"])
    wide = max((int(m) for m in _GRID_SPAN.findall(document_xml)), default=0)
    if wide > most:
        raise LoadError(f"refusing .docx: a table cell spans {wide:,} columns (limit {most})")


def _slim_docx(raw: bytes) -> bytes:
    """The .docx rebuilt with only what python-docx parses, every part bounded. Media (images, fonts, embedded
    files: by folder or suffix, limits.toml) become empty parts and are never inflated, whatever their size. Every
    other part, whatever its name, counts as XML: the sizes the zip declares and the bytes really inflated
    (streamed, stopping at the limit) are bounded before anything is parsed (zip bombs, a hidden main part)."""
    buf = io.BytesIO(raw)
    if not zipfile.is_zipfile(buf):
        raise LoadError("not a valid .docx (not a zip archive)")
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            if len(infos) > int(_limits()["max_parts"]):
                raise LoadError(f"refusing .docx: {len(infos):,} parts (limit {_limits()['max_parts']})")
            if "word/document.xml" not in {i.filename for i in infos}:
                raise LoadError("not a valid .docx (no word/document.xml)")
            parsed = [i for i in infos if not i.is_dir() and not _is_media(i.filename)]
            _check_declared(parsed)
            blobs = _inflate(zf, parsed)
    except zipfile.BadZipFile:
        raise LoadError("not a valid .docx (corrupt zip archive)") from None
    for blob in blobs.values():
        _check_spans(blob)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as slim:
        for info in infos:
            if not info.is_dir() and info.filename not in blobs:
                slim.writestr(info.filename, b"")
        for name, blob in blobs.items():
            slim.writestr(name, blob)
    return out.getvalue()


def _is_media(name: str) -> bool:
    lower = name.lower()
    limits = _limits()
    if lower.endswith(".rels"):  # relationships are always parsed
        return False
    return lower.startswith(tuple(limits["media_folders"])) or lower.endswith(tuple(limits["media_suffixes"]))


def _check_declared(parts: list[zipfile.ZipInfo]) -> None:
    max_bytes, max_ratio = _docx_limits()
    total = sum(i.file_size for i in parts)
    packed = max(1, sum(i.compress_size for i in parts))
    if total > max_bytes or total / packed > max_ratio:
        raise LoadError(
            f"refusing .docx: its XML declares {total / 1e6:.0f} MB from {packed / 1e6:.1f} MB "
            f"(limit {max_bytes / 1e6:.0f} MB, ratio {max_ratio:g}; zip bomb?)"
        )


def _inflate(zf: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Each part's bytes, stopping as soon as all of them together pass the limit (declared sizes may lie)."""
    max_bytes, _ = _docx_limits()
    total = 0
    out: dict[str, bytes] = {}
    for info in parts:
        blocks = []
        with zf.open(info) as f:
            while block := f.read(1 << 20):
                total += len(block)
                if total > max_bytes:
                    raise LoadError(f"refusing .docx: its XML inflates to more than {max_bytes / 1e6:.0f} MB (zip bomb?)")
                blocks.append(block)
        out[info.filename] = b"".join(blocks)
    return out
