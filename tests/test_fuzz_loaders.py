"""Hostile and fuzzed files never stop a run: every loader failure, of any exception type, is a LoadError
(one-line reason, "skipped: ..." in ingest, exit 4), and the good files beside it are still ingested.

The fuzzed files are mutations of real PDF and DOCX files built here (flipped, inserted and deleted bytes,
truncations, spliced XML), so a crash of any type in pypdf or python-docx is a failing test."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pdfs
from faultkit import SEEDS, cli, cli_env, tally
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragtool.errors import LoadError
from ragtool.ingest.load import LoadedFile, load_file

TEXT = b"BT /F1 12 Tf 20 100 Td (GDP grew 5.5 percent in 2024.) Tj ET"


def text_pdf(content: bytes = TEXT, encrypt: dict[str, str] | None = None) -> bytes:
    return pdfs.text_pdf(content, encrypt=encrypt)


def base_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("2025年凤岗镇政府工作报告")
    document.add_paragraph("地区生产总值增长5.5%左右。")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "指标"
    table.rows[1].cells[1].text = "411亿元"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def patched_docx(edit: object, raw: bytes | None = None) -> bytes:
    """The .docx with word/document.xml passed through `edit` (str -> str)."""
    src = zipfile.ZipFile(io.BytesIO(raw or base_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")  # type: ignore[operator]
            zf.writestr(info.filename, data)
    return out.getvalue()


def loads_or_refuses(path: Path) -> LoadedFile | str:
    """What ingest does with a file: its text, or the one-line reason it is skipped. Anything else fails."""
    try:
        return load_file(path)
    except LoadError as e:
        reason = str(e)
        assert reason and "\n" not in reason
        return reason


HOSTILE = {
    "vmerge-first-row.docx": lambda: patched_docx(
        lambda x: x.replace("<w:tcPr>", '<w:tcPr><w:vMerge w:val="continue"/>', 1)),
    "gridspan-abc.docx": lambda: patched_docx(lambda x: x.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="abc"/>', 1)),
    "gridspan-huge.docx": lambda: patched_docx(
        lambda x: x.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="99999999"/>', 1)),
    "nested-arrays.pdf": lambda: text_pdf(TEXT + b" " + b"[" * 50_000 + b"]" * 50_000 + b" Tj"),
    "password.pdf": lambda: text_pdf(encrypt={"user_password": "secret", "owner_password": "o", "algorithm": "AES-256"}),
    "truncated.pdf": lambda: text_pdf()[:300],
    "xref-garbage.pdf": lambda: text_pdf().replace(b"xref", b"xr\x00f"),
}


def test_each_hostile_file_is_skipped_with_its_reason_and_the_rest_ingested(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, build in HOSTILE.items():
        (corpus / name).write_bytes(build())
    seeds = sorted(SEEDS.glob("*.txt"))[:2]
    for seed in seeds:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "aes-empty-password.pdf").write_bytes(
        text_pdf(encrypt={"user_password": "", "owner_password": "o", "algorithm": "AES-256"}))
    tally(hostile=len(HOSTILE) + 1)

    r = cli("ingest", str(corpus), env=cli_env(tmp_path / "home"))
    assert r.code == 4, r.stderr
    assert "Traceback" not in r.stderr
    assert "added 3 " in r.stdout  # the two seeds and the AES PDF with an empty user password
    skipped = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in r.lines() if line.startswith("skipped ")}
    assert set(skipped) == set(HOSTILE)
    assert "password" in skipped["password.pdf"] and "encrypted" in skipped["password.pdf"]
    assert "RecursionError" in skipped["nested-arrays.pdf"]
    assert "spans 99,999,999 columns" in skipped["gridspan-huge.docx"]


def test_pdf_with_an_empty_user_password_is_opened(tmp_path: Path) -> None:
    for algorithm in ("AES-128", "AES-256", "RC4-128"):
        path = tmp_path / f"{algorithm}.pdf"
        path.write_bytes(text_pdf(encrypt={"user_password": "", "owner_password": "o", "algorithm": algorithm}))
        loaded = load_file(path)
        assert "GDP grew 5.5 percent in 2024." in loaded.text
    tally(hostile=3)


def _mutate(raw: bytes, edits: list[tuple[int, int, int]], cut: int | None) -> bytes:
    data = bytearray(raw)
    for kind, pos, value in edits:
        i = pos % max(1, len(data))
        if kind == 0:
            data[i] = value
        elif kind == 1:
            data.insert(i, value)
        else:
            del data[i : i + 1 + value % 64]
    return bytes(data[:cut] if cut is not None else data)


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8)
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PDF = text_pdf()
DOCX = base_docx()


@FUZZ
@given(edits=EDITS, cut=st.none() | st.integers(0, len(PDF)))
def test_fuzzed_pdfs_load_or_are_refused(tmp_path: Path, edits: list[tuple[int, int, int]], cut: int | None) -> None:
    path = tmp_path / "fuzz.pdf"
    path.write_bytes(_mutate(PDF, edits, cut))
    tally(hostile=1)
    loads_or_refuses(path)


@FUZZ
@given(edits=EDITS, cut=st.none() | st.integers(0, len(DOCX)))
def test_fuzzed_docx_bytes_load_or_are_refused(
    tmp_path: Path, edits: list[tuple[int, int, int]], cut: int | None
) -> None:
    path = tmp_path / "fuzz.docx"
    path.write_bytes(_mutate(DOCX, edits, cut))
    tally(hostile=1)
    loads_or_refuses(path)


XML_BITS = st.sampled_from([
    '<w:vMerge w:val="continue"/>', '<w:vMerge/>', '<w:gridSpan w:val="abc"/>', '<w:gridSpan w:val="0"/>',
    '<w:gridSpan w:val="-3"/>', '<w:gridSpan w:val="40"/>', "<w:tc/>", "<w:tr/>", "<w:tbl/>", "</w:tc><w:tc>",
    '<w:numPr><w:numId w:val="x"/></w:numPr>', "<w:p>", "&amp;", "&bogus;", "\x01",
])


@FUZZ
@given(bits=st.lists(st.tuples(XML_BITS, st.integers(0, 1 << 16)), min_size=1, max_size=4))
def test_spliced_docx_xml_loads_or_is_refused(tmp_path: Path, bits: list[tuple[str, int]]) -> None:
    def edit(xml: str) -> str:
        for bit, pos in bits:
            tags = [i for i in range(len(xml)) if xml.startswith(("<w:tcPr>", "<w:tr", "<w:tc>", "<w:p>"), i)]
            at = tags[pos % len(tags)] if tags else 0
            xml = xml[:at] + bit + xml[at:]
        return xml

    path = tmp_path / "spliced.docx"
    path.write_bytes(patched_docx(edit, DOCX))
    tally(hostile=1)
    loads_or_refuses(path)


def test_docx_refused_by_declared_and_by_inflated_size(tmp_path: Path) -> None:
    big = tmp_path / "declared.docx"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + "<w:p/>" * 12_000_000 + "</w:document>")
    assert "zip bomb" in loads_or_refuses(big)  # type: ignore[operator]

    lying = tmp_path / "lying.docx"  # a directory that declares tiny sizes for a part that inflates to 80 MB
    raw = big.read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.getinfo("word/document.xml")
    import struct

    data = bytearray(raw)
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers' uncompressed size
        at = data.find(sig + b"", 0)
        while at >= 0:
            name_len = struct.unpack_from("<H", data, at + (26 if sig == b"PK\x03\x04" else 28))[0]
            start = at + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[start : start + name_len]) == b"word/document.xml":
                struct.pack_into("<I", data, at + off, 1000)
            at = data.find(sig, at + 4)
    lying.write_bytes(bytes(data))
    assert info.file_size > 60_000_000
    reason = loads_or_refuses(lying)
    assert isinstance(reason, str)
    tally(hostile=2)


def test_utf32_with_bom_is_read(tmp_path: Path) -> None:
    for codec in ("utf-32-le", "utf-32-be"):
        path = tmp_path / f"{codec}.txt"
        bom = b"\xff\xfe\x00\x00" if codec.endswith("le") else b"\x00\x00\xfe\xff"
        path.write_bytes(bom + "凤岗镇地区生产总值增长5.5%。".encode(codec))
        assert load_file(path).text == "凤岗镇地区生产总值增长5.5%。"


def test_a_bad_file_in_the_corpus_does_not_stop_ask(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "broken.docx").write_bytes(HOSTILE["vmerge-first-row.docx"]())
    (corpus / "nested.pdf").write_bytes(HOSTILE["nested-arrays.pdf"]())
    tally(hostile=2)
    r = cli("ask", "凤岗2025年GDP目标?", env=cli_env(tmp_path / "home", RAGTOOL_CORPUS=str(corpus)))
    assert r.code == 0, r.stderr
    assert "sync: skipped 2 file(s)" in r.stderr and "Traceback" not in r.stderr
