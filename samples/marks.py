"""Pen and stamp marks added to a printed page: handwritten numbers, margin notes, "ĐẾN" stamps.

The layout variations ``handwritten_number``, ``margin_note`` and
``received_stamp`` do not print anything: :func:`plan_marks` decides what is
written where (with the document's seeded rng) and stores the requests in
``page.info[MARKS_KEY]``; :func:`samples.degrade.degrade` draws them with
:func:`apply_marks`, in ink, before skew and noise.

Digits are drawn as pen strokes (splines through jittered control points, a
slant and an uneven baseline), not with a font.  Notes use an italic sans font
with every letter moved, turned and scaled a little and the line waved, in
ballpoint blue.  Stamps are rubber-stamp text in a frame, in red or violet.
None of this text is in the ground-truth lines.  The ink helpers (multiply
blending, uneven inking, pen curves) serve the seal and signature too.
"""

from __future__ import annotations

import random
from datetime import timedelta
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.content import Content

MARKS_KEY = "sohoa.marks"  # Image.info key: list of mark requests (dicts) for degrade()
PEN_RGB = (30, 55, 165)
STAMP_RGB = ((196, 36, 52), (74, 52, 158))  # red, violet
NOTE_FONT = "/usr/share/fonts/truetype/noto/NotoSans-Italic.ttf"
STAMP_FONTS = {
    "bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "regular": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
}
Stroke = tuple[tuple[float, float], ...]
# single-stroke glyphs in a box 1 high (y down), about 0.6 wide
GLYPHS: dict[str, tuple[Stroke, ...]] = {
    "0": (
        (
            (0.3, 0),
            (0.08, 0.2),
            (0.02, 0.5),
            (0.1, 0.85),
            (0.3, 1),
            (0.5, 0.85),
            (0.58, 0.5),
            (0.5, 0.12),
            (0.3, 0),
            (0.2, 0.06),
        ),
    ),
    "1": (((0.1, 0.24), (0.36, 0.0), (0.34, 1.0)),),
    "2": (((0.04, 0.24), (0.2, 0.03), (0.4, 0.0), (0.55, 0.16), (0.5, 0.42), (0.28, 0.66), (0.02, 1.0), (0.62, 0.96)),),
    "3": (
        (
            (0.05, 0.12),
            (0.28, 0.0),
            (0.5, 0.1),
            (0.47, 0.32),
            (0.24, 0.46),
            (0.52, 0.6),
            (0.56, 0.82),
            (0.34, 1.0),
            (0.04, 0.9),
        ),
    ),
    "4": (((0.44, 1.0), (0.45, 0.0), (0.02, 0.66), (0.62, 0.66)),),
    "5": (
        ((0.55, 0.0), (0.12, 0.02), (0.08, 0.46), (0.35, 0.38), (0.56, 0.56), (0.55, 0.82), (0.32, 1.0), (0.04, 0.9)),
    ),
    "6": (
        ((0.5, 0.02), (0.22, 0.22), (0.05, 0.62), (0.15, 0.95), (0.4, 0.98), (0.55, 0.76), (0.42, 0.52), (0.14, 0.6)),
    ),
    "7": (((0.02, 0.04), (0.58, 0.02), (0.24, 1.0)),),
    "8": (
        (
            (0.46, 0.12),
            (0.3, 0.0),
            (0.1, 0.12),
            (0.15, 0.35),
            (0.45, 0.6),
            (0.52, 0.85),
            (0.3, 1.0),
            (0.06, 0.85),
            (0.12, 0.62),
            (0.42, 0.38),
            (0.48, 0.14),
        ),
    ),
    "9": (((0.52, 0.3), (0.32, 0.46), (0.08, 0.34), (0.12, 0.08), (0.38, 0.0), (0.54, 0.2), (0.5, 0.6), (0.4, 1.0)),),
    "/": (((0.42, 0.0), (0.04, 1.0)),),
    "-": (((0.04, 0.56), (0.4, 0.53)),),
    ".": (((0.1, 0.94), (0.14, 0.97)),),
}
NOTES = (
    "Chuyển P.TCKH",
    "Chuyển P.TNMT xử lý",
    "Kính chuyển đ/c PCT chỉ đạo",
    "Giao VP theo dõi, đôn đốc",
    "Đ/c {name} nghiên cứu, tham mưu",
    "Lưu hồ sơ",
    "Sao gửi các xã, thị trấn",
    "Đã xử lý {day}",
)
SUPERSAMPLE = 3


# ----------------------------------------------------------------------------- ink


def ink(
    pixels: np.ndarray, mask: np.ndarray, origin: tuple[int, int], rgb: tuple[int, int, int], opacity: float
) -> None:
    """Multiply-blend coloured ink through ``mask`` (0..255) placed at ``origin`` (x, y)."""
    x, y = origin
    height, width = pixels.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + mask.shape[1]), min(height, y + mask.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    alpha = mask[y0 - y : y1 - y, x0 - x : x1 - x, None].astype(np.float32) * (opacity / 255)
    filt = 1 - alpha * (1 - np.asarray(rgb, dtype=np.float32) / 255)
    region = pixels[y0:y1, x0:x1].astype(np.float32) * filt
    pixels[y0:y1, x0:x1] = np.clip(region, 0, 255).astype(np.uint8)


def blotchy(mask: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Uneven ink: scale the mask by a smooth random field."""
    field = rng.random((6, 6), dtype=np.float32)
    field = cv2.resize(field, (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_CUBIC)
    scale = np.clip(1 - strength + strength * field, 0, 1)
    return (mask.astype(np.float32) * scale).astype(np.uint8)


def spline(points: np.ndarray, steps: int = 12) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through ``points`` (n x 2)."""
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    curve = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        curve.append(
            0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
        )
    curve.append(points[-1:])
    return [(float(x), float(y)) for x, y in np.vstack(curve)]


# ----------------------------------------------------------------------------- pen and stamp


def pen_text(text: str, height: float, rng: np.random.Generator, width_px: float) -> np.ndarray:
    """A mask of ``text`` (digits, "/", "-", ".") written with a pen, ``height`` px tall."""
    s = SUPERSAMPLE
    h = height * s
    slant = float(rng.uniform(0.1, 0.3))
    canvas = Image.new("L", (round(h * (0.75 * len(text) + 1)), round(h * 1.6)), 0)
    draw = ImageDraw.Draw(canvas)
    x = h * 0.3
    for char in text:
        strokes = GLYPHS.get(char)
        if strokes is None:
            x += h * 0.35
            continue
        scale = float(rng.uniform(0.88, 1.1))
        dy = float(rng.normal(0, 0.05)) * h
        widest = 0.0
        for stroke in strokes:
            points = np.array(stroke, dtype=np.float64) * scale
            points += rng.normal(0, 0.03, points.shape)
            widest = max(widest, float(points[:, 0].max()))
            points[:, 0] += (1 - points[:, 1]) * slant
            xy = points * h + [x, h * 0.3 + dy]
            curve = spline(xy, 10) if len(xy) > 2 else [tuple(p) for p in xy]
            draw.line(curve, fill=255, width=max(1, round(width_px * s)), joint="curve")
        x += (widest + float(rng.uniform(0.12, 0.28))) * h
    mask = np.asarray(canvas.crop((0, 0, min(canvas.width, round(x + h * 0.4)), canvas.height)))
    size = (max(1, mask.shape[1] // s), max(1, mask.shape[0] // s))
    return cv2.resize(mask, size, interpolation=cv2.INTER_AREA)


@lru_cache(maxsize=16)
def _font(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


def note_text(text: str, height: float, rng: np.random.Generator) -> np.ndarray:
    """A mask of a handwriting-style note: italic letters jittered one by one, the line waved."""
    font = _font(NOTE_FONT, max(6, round(height * 1.15)))
    pad, box = round(height), round(height * 3)
    canvas = Image.new("L", (round(font.getlength(text) * 1.15) + 2 * pad, box), 0)
    x = float(pad)
    stroke = max(0, round(height / 60))
    for char in text:
        advance = font.getlength(char) * float(rng.uniform(0.95, 1.12))
        if not char.isspace():
            glyph = Image.new("L", (box, box), 0)
            ImageDraw.Draw(glyph).text(
                (pad, 2 * height), char, font=font, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255
            )
            glyph = glyph.rotate(float(rng.uniform(-7, 7)), center=(pad, 2 * height), resample=Image.Resampling.BICUBIC)
            top = round(float(rng.normal(0, 0.05)) * height)
            canvas.paste(255, (round(x) - pad, top), glyph)
        x += advance
    mask = np.asarray(canvas.crop((0, 0, min(canvas.width, round(x) + pad), canvas.height)))
    rows, cols = np.indices(mask.shape, dtype=np.float32)
    wave = float(rng.uniform(0.04, 0.09)) * height
    map_y = rows + wave * np.sin(cols / (height * float(rng.uniform(2.5, 5))) + float(rng.uniform(0, 6.3)))
    return cv2.remap(mask, cols, map_y.astype(np.float32), cv2.INTER_LINEAR, borderValue=0)


def _stamp_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, style: str, px: int) -> float:
    font = _font(STAMP_FONTS[style], px)
    draw.text(xy, text, font=font, fill=255, anchor="ls")
    return font.getlength(text)


def stamp_masks(request: dict[str, Any], dpi: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The "ĐẾN" stamp (frame, agency, fields) and the clerk's pen writing on it, same size."""
    mm = dpi / 25.4
    width, height = round(request["size"][0] * mm), round(request["size"][1] * mm)
    stamp = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(stamp)
    border = max(2, round(0.55 * mm))
    draw.rectangle([border, border, width - border, height - border], outline=255, width=border)
    small, big = round(2.9 * mm), round(6.2 * mm)
    owner_w = _font(STAMP_FONTS["bold"], small).getlength(request["owner"])
    _stamp_text(draw, ((width - owner_w) / 2, 5.2 * mm), request["owner"], "bold", small)
    _stamp_text(draw, (2.6 * mm, 14.5 * mm), "ĐẾN", "bold", big)
    fields_x = 2.6 * mm + _font(STAMP_FONTS["bold"], big).getlength("ĐẾN") + 2 * mm
    rows = (("Số:", 11.0 * mm), ("Ngày:", 16.5 * mm), ("Chuyển:", 22.0 * mm))
    writing = Image.new("L", (width, height), 0)
    for index, (label, y) in enumerate(rows):
        x = fields_x if index < 2 else 2.6 * mm
        x += _stamp_text(draw, (x, y), label, "regular", small) + 0.8 * mm
        dots = "." * max(0, int((width - x - 2.5 * mm) / (0.75 * mm)))
        _stamp_text(draw, (x, y), dots, "regular", small)
        value = (request["number"], request["date"], "")[index]
        if value:
            written = pen_text(value, 3.6 * mm, rng, 0.35 * mm)
            top = round(y - 3.6 * mm * 1.05 - 0.3 * 3.6 * mm)
            patch = Image.fromarray(written)
            writing.paste(255, (round(x + 1.5 * mm), top), patch)
    angle = float(request["angle"])
    stamp = stamp.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    writing = writing.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    return blotchy(np.asarray(stamp), rng, strength=0.5), np.asarray(writing)


def apply_marks(pixels: np.ndarray, requests: list[dict[str, Any]], rng: np.random.Generator, dpi: int) -> None:
    """Draw the requested marks on an RGB page (in place)."""
    mm = dpi / 25.4
    for request in requests:
        x, y = request["at"]
        if request["type"] == "digits":
            mask = pen_text(request["text"], request["height"], rng, max(1.5, 0.38 * mm))
            ink(pixels, mask, (round(x), round(y - mask.shape[0] * 0.3 / 1.6 - request["height"])), PEN_RGB, 0.92)
        elif request["type"] == "note":
            mask = note_text(request["text"], request["height"], rng)
            image = Image.fromarray(mask).rotate(request["angle"], resample=Image.Resampling.BICUBIC, expand=True)
            ink(pixels, np.asarray(image), (round(x), round(y)), PEN_RGB, float(rng.uniform(0.8, 0.95)))
        elif request["type"] == "stamp":
            stamp, writing = stamp_masks(request, dpi, rng)
            colour = tuple(request["colour"])
            ink(pixels, stamp, (round(x), round(y)), colour, float(rng.uniform(0.72, 0.88)))  # type: ignore[arg-type]
            ink(pixels, writing, (round(x), round(y)), PEN_RGB, 0.9)


# ----------------------------------------------------------------------------- planning


def _note(content: Content, geometry: dict[str, Any], rng: random.Random, dpi: int) -> dict[str, Any]:
    mm = dpi / 25.4
    left, top, right, bottom = geometry["frame"]
    text = rng.choice(NOTES).format(
        name=rng.choice(["Hùng", "Lan", "Tuấn", "Hương", "Dũng"]),
        day=f"{content.issued.day}/{content.issued.month}",
    )
    height = rng.uniform(3.4, 4.4) * mm
    length = len(text) * height * 0.55
    where = rng.choice(["top", "top", "left", "bottom"])
    footer_end = geometry["footer"][1]
    if where == "bottom" and footer_end + 14 * mm > 297 * mm:
        where = "top"
    if where == "left":
        return {
            "type": "note",
            "text": text,
            "height": height,
            "angle": rng.uniform(84, 96),
            "at": (rng.uniform(3, 9) * mm, rng.uniform(top + length, max(top + length, bottom - length))),
        }
    y = rng.uniform(0.12, 0.4) * top if where == "top" else footer_end + rng.uniform(3, 8) * mm
    x = rng.uniform(left, max(left, right - length))
    return {"type": "note", "text": text, "height": height, "angle": rng.uniform(-9, 6), "at": (x, y)}


def _stamp(content: Content, geometry: dict[str, Any], rng: random.Random, dpi: int) -> dict[str, Any]:
    mm = dpi / 25.4
    loc = content.organ.locale
    owner = rng.choice(
        [
            f"UBND HUYỆN {loc.district.upper()}",
            f"UBND XÃ {loc.commune.upper()}",
            f"VĂN PHÒNG UBND TỈNH {loc.province.upper()}",
            f"SỞ TÀI CHÍNH TỈNH {loc.province.upper()}",
        ]
    )
    received = content.issued + timedelta(days=rng.randint(1, 12))
    left = geometry["frame"][0]
    return {
        "type": "stamp",
        "owner": owner,
        "number": str(rng.randint(1, 3999)),
        "date": f"{received.day}/{received.month}/{received.year}",
        "size": (rng.uniform(52, 60), rng.uniform(25.5, 28)),
        "angle": rng.uniform(-5, 5),
        "colour": rng.choice(STAMP_RGB),
        "at": (min(left, rng.uniform(5, 18) * mm), geometry["header_bottom"] + rng.uniform(1, 7) * mm),
    }


def plan_marks(
    names: tuple[str, ...], geometry: dict[str, Any], content: Content, rng: random.Random, dpi: int
) -> list[dict[str, Any]]:
    """The marks of page 1 asked for by the variations ``names``."""
    marks: list[dict[str, Any]] = []
    if "handwritten_number" in names:
        for x0, y0, x1, y1 in geometry["number_gaps"]:
            height = (y1 - y0) * rng.uniform(0.85, 1.05)
            at = (x0 + rng.uniform(0.0, 0.15) * (x1 - x0), y1)
            marks.append({"type": "digits", "text": content.number, "height": height, "at": at})
    if "received_stamp" in names:
        marks.append(_stamp(content, geometry, rng, dpi))
    if "margin_note" in names:
        marks.append(_note(content, geometry, rng, dpi))
    return marks
