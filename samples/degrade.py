"""Scanner-like degradation: red seal and signature, skew, quarter turn, noise.

:func:`degrade` works on an RGB page.  The seal and the signature are drawn only
where the rendered page asks for them (``image.info[SEAL_KEY]``, set on the
signer's page by the layout); the ground truth never includes their text.  Pen
and stamp marks asked for by variations (``image.info[MARKS_KEY]``) are drawn
with them, before the page is skewed.  Skew and noise use OpenCV so that a
300-dpi A4 page degrades in a fraction of a second.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.layout import FONTS, SEAL_KEY
from samples.marks import MARKS_KEY, apply_marks
from samples.marks import blotchy as _blotchy
from samples.marks import ink as _ink
from samples.marks import spline as _spline

SEAL_RGB = (205, 32, 48)
SIGNATURE_RGB = (28, 52, 160)
QUARTER_TURNS = (0, 90, 180, 270)
_CV_TURNS = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


def degrade(
    image: Image.Image,
    *,
    skew_deg: float = 0.0,
    rotation_deg: int = 0,
    noise: float = 0.0,
    seed: int = 0,
    seal: bool = True,
) -> Image.Image:
    """Make a clean page look scanned.

    Order: seal and signature (if ``seal`` and the page has a signer block), pen
    and stamp marks (if ``seal`` and the page asks for them) →
    skew by ``skew_deg`` counter-clockwise, page size kept, white fill →
    quarter turn by ``rotation_deg`` counter-clockwise (0/90/180/270) →
    noise scaled by ``noise`` in [0, 1] (paper tint, blur, grain, speckles).
    """
    if rotation_deg not in QUARTER_TURNS:
        raise ValueError(f"rotation_deg must be one of {QUARTER_TURNS}, not {rotation_deg!r}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], not {noise!r}")
    dpi = round(float(image.info.get("dpi", (300, 300))[0]))
    rng = np.random.default_rng(seed % 2**64)
    pixels = np.array(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8)
    request = image.info.get(SEAL_KEY)
    if seal and request:
        _sign(pixels, request, rng, dpi)
        _stamp(pixels, request, rng, dpi)
    marks = image.info.get(MARKS_KEY)
    if seal and marks:
        apply_marks(pixels, marks, np.random.default_rng([seed % 2**32, 0x6D61726B]), dpi)
    if skew_deg:
        pixels = skew(pixels, skew_deg)
    if rotation_deg:
        pixels = cv2.rotate(pixels, _CV_TURNS[rotation_deg])
    if noise > 0:
        pixels = add_noise(pixels, noise, rng, dpi)
    out = Image.fromarray(pixels, "RGB")
    out.info["dpi"] = (dpi, dpi)
    return out


def skew(pixels: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate about the centre, counter-clockwise, keeping the size (like PIL ``rotate``)."""
    height, width = pixels.shape[:2]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), angle_deg, 1.0)
    return cv2.warpAffine(
        pixels,
        matrix,
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )


# ----------------------------------------------------------------------------- ink


@lru_cache(maxsize=16)
def _seal_font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS["liberation"]["bold"]), px)


def _ring_text(mask: Image.Image, text: str, centre: float, radius: float, font_px: int) -> None:
    """Write ``text`` clockwise around a circle, letter tops facing outwards."""
    font = _seal_font(font_px)
    natural = math.degrees(font_px * 0.78 / radius)
    step = min(360 / (len(text) + 1), natural)
    for index, char in enumerate(text):
        if char == " ":
            continue
        theta = (index - (len(text) - 1) / 2) * step
        glyph = Image.new("L", (font_px * 2, font_px * 2), 0)
        ImageDraw.Draw(glyph).text((font_px, font_px), char, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-theta, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(math.radians(theta)) - font_px
        y = centre - radius * math.cos(math.radians(theta)) - font_px
        mask.paste(255, (round(x), round(y)), glyph)


def _star(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        angle = math.radians(-90 + i * 36)
        points.append((centre + r * math.cos(angle), centre + r * math.sin(angle)))
    draw.polygon(points, fill=255)


def _stamp(pixels: np.ndarray, request: dict[str, Any], rng: np.random.Generator, dpi: int) -> None:
    """The round red seal of the issuing agency."""
    radius = int(request["radius"])
    size = 2 * radius + 8
    centre = size / 2
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    outer = max(2, round(radius * 0.055))
    draw.ellipse([centre - radius, centre - radius, centre + radius, centre + radius], outline=255, width=outer)
    inner = radius * 0.66
    draw.ellipse(
        [centre - inner, centre - inner, centre + inner, centre + inner],
        outline=255,
        width=max(1, round(radius * 0.025)),
    )
    font_px = max(8, round(radius * 0.19))
    text = " ".join(request["text"].split())
    _ring_text(mask, text + " ", centre, (radius - outer + inner) / 2 + font_px * 0.05, font_px)
    _star(draw, centre, radius * 0.22)
    mask = mask.rotate(float(rng.uniform(-40, 40)), resample=Image.Resampling.BICUBIC)
    ink = _blotchy(np.asarray(mask), rng, strength=0.45)
    cx, cy = request["center"]
    _ink(pixels, ink, (round(cx - centre), round(cy - centre)), SEAL_RGB, float(rng.uniform(0.7, 0.85)))


def _sign(pixels: np.ndarray, request: dict[str, Any], rng: np.random.Generator, dpi: int) -> None:
    """A blue handwritten-looking scribble in the signature gap."""
    x0, y0, x1, y1 = (int(v) for v in request["signature_box"])
    if x1 <= x0 + 10 or y1 <= y0 + 10:
        return
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(mask)
    width, height = mask.size
    pen = max(2, round(dpi / 25.4 * 0.5))
    count = int(rng.integers(5, 9))
    xs = np.linspace(0.12, 0.8, count) + rng.uniform(-0.06, 0.06, count)
    ys = np.where(np.arange(count) % 2 == 0, rng.uniform(0.15, 0.4, count), rng.uniform(0.55, 0.85, count))
    strokes = np.column_stack([xs * width, ys * height])
    draw.line(_spline(strokes), fill=255, width=pen, joint="curve")
    tail = np.array(
        [
            [xs[-1], ys[-1]],
            [rng.uniform(0.3, 0.5), rng.uniform(0.75, 0.95)],
            [rng.uniform(0.85, 0.97), rng.uniform(0.6, 0.8)],
        ]
    ) * [width, height]
    draw.line(_spline(tail, 20), fill=255, width=max(1, pen - 1), joint="curve")
    _ink(pixels, np.asarray(mask), (x0, y0), SIGNATURE_RGB, float(rng.uniform(0.8, 0.95)))


# ----------------------------------------------------------------------------- noise


@lru_cache(maxsize=32)
def _grain_tables(sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Byte -> gaussian deviate (inverse CDF), split into positive and negative parts."""
    normal = NormalDist(0, sigma)
    values = np.array([normal.inv_cdf((i + 0.5) / 256) for i in range(256)])
    up = np.clip(np.round(values), 0, 255).astype(np.uint8)
    down = np.clip(np.round(-values), 0, 255).astype(np.uint8)
    return up, down


def add_noise(pixels: np.ndarray, amount: float, rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Paper tint, optical blur, sensor grain and dust, all scaled by ``amount`` in [0, 1]."""
    height, width = pixels.shape[:2]
    tint = amount * rng.uniform(8, 22)
    paper = 255 - tint * np.array([0.5, 0.75, 1.2])
    lut = np.clip(np.arange(256)[:, None] * paper[None, :] / 255, 0, 255).astype(np.uint8)
    pixels = cv2.LUT(pixels, lut.reshape(1, 256, 3))
    blur = amount * 0.8 * dpi / 300
    if blur > 0.2:
        pixels = cv2.GaussianBlur(pixels, (0, 0), blur)
    sigma = round(12 * amount, 2)
    if sigma >= 0.5:
        up, down = _grain_tables(sigma)
        index = np.frombuffer(rng.bytes(height * width), dtype=np.uint8).reshape(height, width)
        grain_up = cv2.cvtColor(cv2.LUT(index, up), cv2.COLOR_GRAY2RGB)
        grain_down = cv2.cvtColor(cv2.LUT(index, down), cv2.COLOR_GRAY2RGB)
        pixels = cv2.subtract(cv2.add(pixels, grain_up), grain_down)
    _speckle(pixels, amount, rng, dpi)
    return pixels


def _speckle(pixels: np.ndarray, amount: float, rng: np.random.Generator, dpi: int) -> None:
    """Sparse dark dust and white drop-outs, 1-3 px at 300 dpi."""
    height, width = pixels.shape[:2]
    count = int(amount * height * width * 2e-5)
    if count == 0:
        return
    size = max(1, round(2 * dpi / 300))
    ys = rng.integers(0, height - size, count)
    xs = rng.integers(0, width - size, count)
    values = np.where(rng.random(count) < 0.7, rng.integers(20, 90, count), 250).astype(np.uint8)
    for dy in range(size):
        for dx in range(size):
            pixels[ys + dy, xs + dx] = values[:, None]
