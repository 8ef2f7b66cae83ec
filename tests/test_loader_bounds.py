"""Every loader is bounded (issue 22 items 4 and 10): a .docx's media are never inflated and every other part is
bounded whatever its name; deeply nested HTML is skipped with its reason before it is parsed; long runs of letters
cost linear time. Checked by behaviour (loads, or the one-line reason it is skipped) and by a generous peak-memory
bound measured in a fresh process; timings belong in benchmarks/reliability.py."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from faultkit import REPO, tally
from test_fuzz_loaders import base_docx, loads_or_refuses

from ragtool.config import mask_url_passwords
from ragtool.ingest.load import LoadedFile

MiB = 2**20


def _with_part(name: str, mib: int, main: bool = False) -> bytes:
    """base_docx() plus a zero-filled part of `mib` MiB (deflated to a few MB) that python-docx would read: the
    main document part (`main`), or one the document's relationships name (an image under word/media/)."""
    src = zipfile.ZipFile(io.BytesIO(base_docx()))
    ext = name.rsplit(".", 1)[1]
    rel_type = "image" if name.startswith("word/media/") else "package"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info in src.infolist():
            data = src.read(info)
            if main and info.filename == "_rels/.rels":
                data = data.replace(b"word/document.xml", name.encode())
            elif not main and info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdBig" Target="{name.removeprefix("word/")}" Type="http://schemas.'
                    f'openxmlformats.org/officeDocument/2006/relationships/{rel_type}"/></Relationships>').encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Default Extension="{ext}" ContentType="image/png"/></Types>'.encode())
            zf.writestr(info.filename, data)
        with zf.open(name, "w", force_zip64=True) as f:
            block = bytes(MiB)
            for _ in range(mib):
                f.write(block)
    return out.getvalue()


def _load_in_fresh_process(path: Path) -> tuple[str, int]:
    """(the text's first line, or the reason it is skipped; peak RSS in MiB) of load_file in a new process
    (VmHWM: ru_maxrss would keep the forked pytest process's peak across exec)."""
    code = (
        "import json, sys\n"
        "from ragtool.errors import LoadError\n"
        "from ragtool.ingest.load import load_file\n"
        "try:\n    got = load_file(sys.argv[1]).text.splitlines()[0]\n"
        "except LoadError as e:\n    got = 'skipped: ' + str(e)\n"
        "hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "print(json.dumps([got, int(hwm.split()[1]) // 1024]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                       env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, cwd=REPO)
    assert r.returncode == 0, r.stderr[-2000:]
    got, rss = json.loads(r.stdout)
    return got, rss


@pytest.mark.slow
def test_a_gigabyte_image_in_a_docx_is_never_inflated(tmp_path: Path) -> None:
    path = tmp_path / "image-bomb.docx"
    path.write_bytes(_with_part("word/media/image1.png", 1024))
    assert path.stat().st_size < 10 * MiB
    got, rss = _load_in_fresh_process(path)
    tally(hostile=1)
    assert got == "2025年凤岗镇政府工作报告"  # the text is read, the image ignored
    assert rss < 500, f"peak {rss} MiB: the image was inflated"  # 2.2 GB before


@pytest.mark.parametrize(
    ("name", "main"),
    [("word/hidden.dat", False), ("word/main.dat", True), ("word/main.bin", True)],
)
def test_a_hidden_or_renamed_main_part_is_bounded(tmp_path: Path, name: str, main: bool) -> None:
    path = tmp_path / "hidden.docx"
    path.write_bytes(_with_part(name, 300, main=main))
    got, rss = _load_in_fresh_process(path)
    tally(hostile=1)
    assert got.startswith("skipped: "), got  # any part not known as media counts as XML
    assert rss < 500, f"peak {rss} MiB"  # 713 MB before


def test_media_of_an_ordinary_docx_do_not_change_its_text(tmp_path: Path) -> None:
    plain, with_image = tmp_path / "plain.docx", tmp_path / "image.docx"
    plain.write_bytes(base_docx())
    with_image.write_bytes(_with_part("word/media/image2.jpeg", 1))
    a, b = loads_or_refuses(plain), loads_or_refuses(with_image)
    assert isinstance(a, LoadedFile) and isinstance(b, LoadedFile) and a.text == b.text


def test_deeply_nested_html_is_skipped_with_its_reason(tmp_path: Path) -> None:
    nested = tmp_path / "nested.html"
    nested.write_text("<html><body>" + "<div>" * 200_000 + "凤岗镇地区生产总值增长5%" + "</div>" * 200_000, "utf-8")
    started = time.monotonic()
    reason = loads_or_refuses(nested)
    tally(hostile=1)
    assert isinstance(reason, str) and "HTML nested too deeply" in reason
    assert time.monotonic() - started < 30  # 68 s for 1 MB before, minutes for this one

    sloppy = tmp_path / "sloppy.html"  # unclosed <p>, <li> and <font> are common and cheap: loaded
    body = "".join(f"<p><font>第{i}段：地区生产总值增长5%<li>要点{i}" for i in range(20_000))
    sloppy.write_text(f"<html><body><div>{body}</div></body></html>", "utf-8")
    loaded = loads_or_refuses(sloppy)
    assert isinstance(loaded, LoadedFile) and "第19999段" in loaded.text


def test_masking_a_long_run_of_letters_is_linear() -> None:
    started = time.monotonic()
    word = "a" * 1_900_000
    assert mask_url_passwords(word) == word
    assert mask_url_passwords("x:" * 500_000 + "http://u:pw@h") .endswith("http://u:***@h")
    assert time.monotonic() - started < 20  # 9 min 42 s before
    tally(hostile=2)
