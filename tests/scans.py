"""Scanned pages for OCR tests: text rendered with a CJK font, skewed and noised like a scan, and saved as an image
or an image-only PDF (no text layer)."""

from __future__ import annotations

import io
import random
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

# A provincial report's target paragraph, to print
BEIJING = ("2026年北京市政府工作报告\n今年经济社会发展主要预期目标是：地区生产总值增长5%左右，一般公共预算收入增长4%左右，"
           "城镇调查失业率控制在5%以内，居民消费价格涨幅2%左右。")  # evals/provincial/qa.jsonl v001 (dev)
FONTS = ("wqy-", "notosanscjk", "notoserifcjk")  # where fontconfig is missing: files of the CJK font packages


def cjk_font() -> Path:
    """A font with Chinese glyphs (fonts-wqy-microhei or fonts-noto-cjk; .ci/run installs one)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    files += [str(p) for p in sorted(Path("/usr/share/fonts").glob("**/*")) if p.name.lower().startswith(FONTS)]
    if not files:
        pytest.fail("no CJK font: apt-get install -y fonts-wqy-microhei")
    return Path(files[0])


def scanned_page(lines: list[str], *, width: int = 1000, size: int = 26, skew: float = 1.2, noise: float = 0.02,
                 seed: int = 0) -> Image.Image:
    """A grey page with the lines printed on it, rotated by `skew` degrees, with salt-and-pepper noise."""
    font = ImageFont.truetype(str(cjk_font()), size)
    pitch = int(size * 1.7)
    page = Image.new("L", (width, 2 * size + pitch * len(lines)), 245)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((size * 2, size + i * pitch), line, font=font, fill=20)
    page = page.rotate(skew, expand=True, fillcolor=245, resample=Image.Resampling.BILINEAR)
    rng = random.Random(seed)
    pixels = page.load()
    assert pixels is not None
    for _ in range(int(page.width * page.height * noise)):
        pixels[rng.randrange(page.width), rng.randrange(page.height)] = rng.choice((0, 90, 255))
    return page


def wrap(text: str, per_line: int) -> list[str]:
    """Text cut into printed lines of `per_line` characters, each paragraph starting a new line."""
    out: list[str] = []
    for para in text.split("\n"):
        out.extend(para[i : i + per_line] for i in range(0, len(para), per_line))
    return out


def image_pdf(pages: list[Image.Image]) -> bytes:
    """An image-only PDF: each page one scanned image, no text layer."""
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return buf.getvalue()
