"""PDFs for loader tests: one page of Helvetica text, with optional metadata and encryption."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def text_pdf(
    content: bytes, *, width: float = 300, height: float = 200, metadata: dict[str, str] | None = None,
    encrypt: dict[str, str] | None = None,
) -> bytes:
    """A one-page PDF whose content stream is `content` (BT /F1 12 Tf … ET), font /F1 being Helvetica."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=width, height=height)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    if metadata:
        writer.add_metadata(metadata)
    if encrypt:
        writer.encrypt(**encrypt)  # type: ignore[arg-type]
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def chinese_pdf(lines: list[list[tuple[float, str]]], *, top: float = 800, leading: float = 20) -> bytes:
    """A one-page PDF of Chinese text: each line a list of (x, text) cells, drawn in the Adobe-GB1 font STSong-Light
    (not embedded: the text layer, read through the UniGB-UCS2-H encoding, is what the loader sees)."""
    from pypdf.generic import ArrayObject, NumberObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    system = DictionaryObject({NameObject("/Registry"): TextStringObject("Adobe"),
                               NameObject("/Ordering"): TextStringObject("GB1"), NameObject("/Supplement"): NumberObject(2)})
    cid = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType0"),
                            NameObject("/BaseFont"): NameObject("/STSong-Light"), NameObject("/CIDSystemInfo"): system})
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
                             NameObject("/BaseFont"): NameObject("/STSong-Light"),
                             NameObject("/Encoding"): NameObject("/UniGB-UCS2-H"),
                             NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid)])})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    ops = [f"BT /F1 12 Tf {x} {top - n * leading} Td <{text.encode('utf-16-be').hex()}> Tj ET"
           for n, cells in enumerate(lines) for x, text in cells]
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
