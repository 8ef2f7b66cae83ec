"""Offline OCR of scanned PDF pages and image files.

RapidOCR runs the PP-OCRv6 Chinese detection and recognition models its wheel ships (nothing is downloaded), in a
worker process, so that a page can be given a time limit and a crash in the model costs one page, not the ingest.
The boxes OCR finds on each page are cached by the file's hash, so a stopped ingest resumes without reading a page
twice, and put in reading order by ragtool.ingest.layout.ocr_lines.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ragtool.errors import LoadError
from ragtool.fsutil import read_json_or_none, write_json_atomic
from ragtool.ingest.layout import ocr_lines

if TYPE_CHECKING:
    from PIL.Image import Image

    from ragtool.config import Settings

PageProgress = Callable[[int, int], None]  # (pages read, pages to read)
Boxes = tuple[list[list[list[float]]], list[str]]  # what OCR found on a page: each box's 4 corners, and its text
STARTUP_SECONDS = 120.0  # for the worker to load the models (seconds on an idle machine)
CACHE_DIR = "ocr-cache"


@dataclass(frozen=True)
class OcrLimits:
    """The [ocr] table of limits.toml."""

    min_text_chars: int = 10
    min_readable_share: float = 0.5
    max_pages: int = 300
    dpi: int = 150
    max_pixels: int = 4_000_000
    max_image_pixels: int = 150_000_000
    page_seconds: float = 120.0
    det_side: int = 960

    @classmethod
    def load(cls, path: Path) -> OcrLimits:
        from ragtool.datafiles import read_toml

        table = read_toml(path).get("ocr", {})
        return cls(**{k: type(getattr(cls, k))(v) for k, v in table.items() if k in cls.__dataclass_fields__})


def unreadable(text: str, limits: OcrLimits) -> bool:
    """Whether a page's text layer is missing or garbage: too few characters, or too few of them readable (Han,
    Chinese punctuation, ASCII letters and digits). A CJK font without a ToUnicode map extracts as U+FFFD,
    private-use characters, Latin-1 mojibake (ÕÕÕ) or runs of ASCII punctuation: none of them count."""
    chars = [c for c in text if not c.isspace()]
    if len(chars) < limits.min_text_chars:
        return True
    return sum(map(_readable, chars)) / len(chars) < limits.min_readable_share


def _readable(c: str) -> bool:
    if c.isascii():
        return c.isalnum()
    return "\u3400" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e"


@dataclass
class PagesRead:
    texts: dict[int, str] = field(default_factory=dict)  # page index -> its lines in reading order
    notes: list[str] = field(default_factory=list)  # pages left out, and why


class OcrReader:
    """Reads page images by OCR, a page at a time, within the limits; use as a context manager."""

    def __init__(self, limits: OcrLimits, cache_dir: Path | None = None, progress: PageProgress | None = None) -> None:
        self.limits = limits
        self.cache_dir = cache_dir
        self.progress = progress
        self._worker: _Worker | None = None
        self._unusable = ""  # why OCR cannot start here (rapidocr missing...): no page is tried again

    @classmethod
    def from_settings(cls, settings: Settings, progress: PageProgress | None = None) -> OcrReader | None:
        """The reader ingest uses, or None when OCR is turned off (--no-ocr, RAGTOOL_OCR=false, `ocr = false`)."""
        if not settings.ocr:
            return None
        return cls(OcrLimits.load(settings.data_path("limits.toml")), settings.home / CACHE_DIR, progress)

    def __enter__(self) -> OcrReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    # ---- what to read ----

    def read_pdf(self, raw: bytes, pages: list[int], file_hash: str) -> PagesRead:
        """The given pages of a PDF, rendered and read."""
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(raw)
        except pdfium.PdfiumError as e:
            return PagesRead(notes=[f"cannot render the PDF's pages for OCR ({e})"])
        try:
            return self._read(pages, file_hash, lambda i: self._render(pdf[i]))
        finally:
            pdf.close()

    def read_image(self, raw: bytes, file_hash: str) -> tuple[list[str], list[str]]:
        """Every frame of an image file (a TIFF may hold many pages): their texts and the notes."""
        from PIL import Image as PILImage

        most = self.limits.max_image_pixels
        try:
            image = PILImage.open(io.BytesIO(raw))
        except PILImage.DecompressionBombError:
            raise LoadError(f"image too large (limit {most:,} pixels)") from None
        frames = getattr(image, "n_frames", 1)
        pixels = image.width * image.height * frames
        if pixels > most:
            raise LoadError(f"image too large ({pixels:,} pixels; limit {most:,})")

        def frame(i: int) -> Image:
            image.seek(i)
            return self._scaled(image)

        read = self._read(list(range(frames)), file_hash, frame)
        return [read.texts.get(i, "") for i in range(frames)], read.notes

    def _render(self, page: Any) -> Image:
        width, height = page.get_size()  # points
        scale = min(self.limits.dpi / 72, math.sqrt(self.limits.max_pixels / max(1.0, width * height)))
        return page.render(scale=scale, grayscale=True).to_pil().convert("L")

    def _scaled(self, image: Image) -> Image:
        gray = image.convert("L")
        pixels = gray.width * gray.height
        if pixels <= self.limits.max_pixels:
            return gray
        k = math.sqrt(self.limits.max_pixels / pixels)
        return gray.resize((max(1, int(gray.width * k)), max(1, int(gray.height * k))))

    # ---- reading ----

    def _read(self, pages: list[int], file_hash: str, image: Callable[[int], Image]) -> PagesRead:
        out = PagesRead()
        most = self.limits.max_pages
        if len(pages) > most:
            left = pages[most:]
            which = f"pages {left[0] + 1}-{left[-1] + 1}" if len(left) > 1 else f"p. {left[0] + 1}"
            out.notes.append(f"{which} not read by OCR (limit {most} pages per document: limits.toml [ocr] max_pages)")
            pages = pages[:most]
        for n, i in enumerate(pages):
            if self.progress:
                self.progress(n, len(pages))
            boxes = self._cached(file_hash, i)
            if boxes is None:
                try:
                    boxes = self._ocr(self._page_image(image, i))
                except _PageFailed as e:
                    out.notes.append(f"p. {i + 1} not read by OCR: {e}")
                    continue
                self._store(file_hash, i, boxes)
            out.texts[i] = "\n".join(ocr_lines(*boxes))
        if self.progress:
            self.progress(len(pages), len(pages))
        return out

    @staticmethod
    def _page_image(image: Callable[[int], Image], i: int) -> Image:
        try:
            return image(i)
        except MemoryError:
            raise _PageFailed("the page needs too much memory to render") from None
        except Exception as e:  # noqa: BLE001 - one page that cannot be rendered or decoded is that page's problem
            raise _PageFailed(f"cannot render it ({type(e).__name__}: {str(e)[:120]})") from None

    def _ocr(self, image: Image) -> Boxes:
        if self._unusable:
            raise _PageFailed(self._unusable)
        if self._worker is None:
            self._worker = _Worker(self.limits.det_side)
        try:
            return self._worker.run(image, self.limits.page_seconds)
        except _WorkerUnusable as e:
            self._unusable = str(e)
            self.close()
            raise
        except _PageFailed:
            self.close()  # a worker stuck in a page, or dead, is replaced for the next one
            raise

    # ---- the cache of each page's boxes (a stopped ingest resumes without reading a page twice) ----

    @cached_property
    def _engine_key(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            rapidocr = version("rapidocr")
        except PackageNotFoundError:
            rapidocr = "?"
        return f"rapidocr-{rapidocr}/dpi{self.limits.dpi}/px{self.limits.max_pixels}/det{self.limits.det_side}"

    def _cache_path(self, file_hash: str, page: int) -> Path | None:
        if self.cache_dir is None or not file_hash:
            return None
        return self.cache_dir / file_hash[:2] / f"{file_hash}-{page}.json"

    def _cached(self, file_hash: str, page: int) -> Boxes | None:
        path = self._cache_path(file_hash, page)
        got = read_json_or_none(path) if path else None
        if not isinstance(got, dict) or got.get("engine") != self._engine_key:
            return None
        quads, texts = got.get("quads"), got.get("texts")
        if not isinstance(quads, list) or not isinstance(texts, list) or len(quads) != len(texts):
            return None
        return quads, texts

    def _store(self, file_hash: str, page: int, boxes: Boxes) -> None:
        path = self._cache_path(file_hash, page)
        if path is not None:
            with suppress(OSError):
                write_json_atomic(path, {"engine": self._engine_key, "quads": boxes[0], "texts": boxes[1]})


class _PageFailed(Exception):
    """One page could not be read (timeout, or the worker died)."""


class _WorkerUnusable(_PageFailed):
    """OCR cannot start at all (the package or its models are missing)."""


class _Worker:
    """RapidOCR in its own process: the models are loaded once, then one page image in, its boxes out."""

    def __init__(self, det_side: int) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, det_side), daemon=True, name="ragtool-ocr")
        self.proc.start()
        child.close()
        self.ready = False

    def run(self, image: Image, seconds: float) -> Boxes:
        if not self.ready:
            try:
                reply = self._reply(STARTUP_SECONDS, f"OCR models did not load in {STARTUP_SECONDS:g} s")
            except _PageFailed as e:
                raise _WorkerUnusable(str(e)) from None
            if reply != "ready":
                raise _WorkerUnusable(str(reply))
            self.ready = True
        try:
            self.conn.send((image.width, image.height, image.tobytes()))
        except OSError as e:
            raise _PageFailed(f"OCR worker is gone ({e})") from None
        reply = self._reply(seconds, f"OCR took longer than {seconds:g} s (limits.toml [ocr] page_seconds)")
        if isinstance(reply, str):
            raise _PageFailed(reply)
        return reply

    def _reply(self, seconds: float, late: str) -> Any:
        try:
            if not self.conn.poll(seconds):
                raise _PageFailed(late)
            return self.conn.recv()
        except (EOFError, OSError):
            raise _PageFailed("the OCR worker stopped (out of memory?)") from None

    def stop(self) -> None:
        with suppress(OSError):
            self.conn.close()
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=10)


def _serve(conn: Any, det_side: int) -> None:
    """The worker's loop (in the child process)."""
    try:
        engine = _engine(det_side)
    except Exception as e:  # noqa: BLE001 - said to the parent, which leaves the pages out
        conn.send(f"cannot start OCR ({type(e).__name__}: {e}); is rapidocr installed?")
        return
    conn.send("ready")
    for width, height, data in _requests(conn):
        try:
            conn.send(_boxes(engine, width, height, data))
        except Exception as e:  # noqa: BLE001
            conn.send(f"OCR failed ({type(e).__name__}: {str(e)[:120]})")


def _requests(conn: Any) -> Iterator[tuple[int, int, bytes]]:
    while True:
        try:
            yield conn.recv()
        except (EOFError, OSError):
            return


def _engine(det_side: int) -> Any:
    from rapidocr import RapidOCR

    # text found on the page scaled to det_side on its longer side (limits.toml), each line then read in full
    return RapidOCR(params={"Global.log_level": "error", "Det.limit_type": "max", "Det.limit_side_len": det_side})


def _boxes(engine: Any, width: int, height: int, data: bytes) -> Boxes:
    import numpy as np

    result = engine(np.frombuffer(data, dtype=np.uint8).reshape(height, width))
    if result.boxes is None or result.txts is None:
        return [], []
    return [[[float(x), float(y)] for x, y in quad] for quad in result.boxes], [str(t) for t in result.txts]
