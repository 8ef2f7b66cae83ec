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
