"""Load files into text: encodings, Title/Date/URL headers, HTML, PDF, DOCX."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ragtool.errors import LoadError

SUPPORTED = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
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


def load_file(path: Path) -> LoadedFile:
    """Read one file. Raises LoadError with a one-line reason when it cannot be used.

    Any failure of a parser (ValueError from python-docx, RecursionError or AssertionError from pypdf on
    hostile PDFs...) becomes a LoadError, so one bad file never stops an ingest."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}")
    raw = _read_bytes(path)
    try:
        return _parse(path, suffix, raw)
    except LoadError:
        raise
    except MemoryError:
        raise LoadError("file needs too much memory to parse") from None
    except Exception as e:  # noqa: BLE001 - a parser's failure on one file is that file's problem
        raise LoadError(f"cannot parse {suffix[1:]} file ({_failure(e)})") from None


def _failure(e: BaseException) -> str:
    detail = " ".join(str(e).split())[:120]
    return f"{type(e).__name__}: {detail}" if detail else type(e).__name__


def _parse(path: Path, suffix: str, raw: bytes) -> LoadedFile:
    file_hash = hashlib.sha256(raw).hexdigest()
    header: dict[str, str] = {}
    if suffix == ".pdf":
        (text, header), encoding = _pdf_text(raw), "pdf"
    elif suffix == ".docx":
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
    text, codec = _decode_cjk(raw) or _decode_detected(raw)
    return _checked(text, codec), codec


def _decode(raw: bytes, codec: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as e:
        raise LoadError(f"cannot decode text as {codec} (byte {e.start})") from None


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
    for node in tree.css(HTML_BLOCKS):
        node.insert_after("\n")
    root = tree.body or tree.root
    text = root.text(deep=True, separator="") if root is not None else ""
    return text, header


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


def _pdf_text(raw: bytes) -> tuple[str, dict[str, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from ragtool.ingest.layout import join_layout_lines
    from ragtool.zh.headings import heading_rules

    try:
        reader = PdfReader(io.BytesIO(raw))
        _decrypt(reader)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = _pdf_info(reader)
    except LoadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as e:
        raise LoadError(f"not a readable PDF ({type(e).__name__})") from None
    if not "".join(pages).strip():
        raise LoadError("PDF has no text layer (scanned?)")
    return join_layout_lines(pages, heading_rules().patterns), info


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

    _check_zip(raw)
    try:
        doc = DocxDocument(io.BytesIO(raw))
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


def _docx_info(doc: object) -> dict[str, str]:
    props = doc.core_properties  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    if (props.title or "").strip():
        out["file_title"] = props.title.strip()
    when = props.created or props.modified
    if when is not None and when.isoformat()[:16] != DOCX_TEMPLATE_DATE:
        out["file_date"] = when.date().isoformat()
    return out


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


def _check_zip(raw: bytes) -> None:
    """Refuse non-zips and archives whose XML would expand too much (zip bombs) before parsing: by the sizes
    the zip declares, then by really inflating the XML parts (streamed, stopping at the limit)."""
    buf = io.BytesIO(raw)
    if not zipfile.is_zipfile(buf):
        raise LoadError("not a valid .docx (not a zip archive)")
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            if "word/document.xml" not in {i.filename for i in infos}:
                raise LoadError("not a valid .docx (no word/document.xml)")
            xml = [i for i in infos if i.filename.lower().endswith((".xml", ".rels"))]
            _check_declared(xml)
            _check_inflated(zf, xml)
            _check_spans(zf.read("word/document.xml"))
    except zipfile.BadZipFile:
        raise LoadError("not a valid .docx (corrupt zip archive)") from None


def _check_declared(xml: list[zipfile.ZipInfo]) -> None:
    max_bytes, max_ratio = _docx_limits()
    total = sum(i.file_size for i in xml)
    packed = max(1, sum(i.compress_size for i in xml))
    if total > max_bytes or total / packed > max_ratio:
        raise LoadError(
            f"refusing .docx: its XML declares {total / 1e6:.0f} MB from {packed / 1e6:.1f} MB "
            f"(limit {max_bytes / 1e6:.0f} MB, ratio {max_ratio:g}; zip bomb?)"
        )


def _check_inflated(zf: zipfile.ZipFile, xml: list[zipfile.ZipInfo]) -> None:
    max_bytes, _ = _docx_limits()
    total = 0
    for info in xml:
        with zf.open(info) as f:
            while block := f.read(1 << 20):
                total += len(block)
                if total > max_bytes:
                    raise LoadError(f"refusing .docx: its XML inflates to more than {max_bytes / 1e6:.0f} MB (zip bomb?)")
