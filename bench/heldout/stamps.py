"""Rubber stamps as ink masks: the round red seal of the agency and the rectangular "ĐẾN" received stamp."""

from __future__ import annotations

import math
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.heldout.hand import hand_text

SEAL_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"
STAMP_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SEAL_RED = (205, 35, 45)
STAMP_INKS = [(200, 40, 50), (40, 60, 160)]


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def ink_texture(shape: tuple[int, int], rng: np.random.Generator, scale: float) -> np.ndarray:
    """Uneven rubber-stamp inking: blotchy, stronger on one side."""
    noise = rng.random(shape).astype(np.float32)
    blotch = cv2.GaussianBlur(noise, (0, 0), max(1.0, scale))
    blotch = (blotch - blotch.mean()) / (blotch.std() + 1e-6)
    fine = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 1.0)
    h, w = shape
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xx / w - 0.5) * math.cos(angle) + (yy / h - 0.5) * math.sin(angle)) * rng.uniform(0.3, 0.8)
    return np.clip(0.78 + 0.22 * blotch + 0.35 * (fine - 0.5) + ramp, 0.12, 1.0)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, angle: float = 0.0) -> None:
    pts = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        a = angle - math.pi / 2 + i * math.pi / 5
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(pts, fill=255)


def _arc_text(
    canvas: Image.Image, text: str, cx: float, cy: float, radius: float, size: int, top: bool, min_span: float = 0.0
) -> None:
    """Write text along a circle: clockwise over the top, or left to right under the bottom."""
    font = _font(SEAL_FONT, size)
    advances = [font.getlength(c) * 1.08 for c in text]
    if sum(advances) / radius < min_span:
        advances = [a * min_span * radius / sum(advances) for a in advances]
    span = sum(advances) / radius
    pos = -span / 2
    for char, adv in zip(text, advances, strict=True):
        theta = pos + adv / 2 / radius
        pos += adv / radius
        if char == " ":
            continue
        box = font.getbbox(char)
        glyph = Image.new("L", (box[2] + 4, size + size // 2), 0)
        ImageDraw.Draw(glyph).text((2, 0), char, fill=255, font=font)
        if top:
            x, y = cx + radius * math.sin(theta), cy - radius * math.cos(theta)
            rotated = glyph.rotate(-math.degrees(theta), resample=Image.BICUBIC, expand=True)
        else:
            x, y = cx + radius * math.sin(theta), cy + radius * math.cos(theta)
            rotated = glyph.rotate(math.degrees(theta), resample=Image.BICUBIC, expand=True)
        canvas.paste(255, (int(x - rotated.width / 2), int(y - rotated.height / 2)), rotated)


def seal(diameter: int, top_text: str, bottom_text: str, rng: np.random.Generator) -> np.ndarray:
    """Alpha mask of a round seal: thick outer ring, thin inner ring, text between them, a star in the centre."""
    s = diameter * 2
    canvas = Image.new("L", (s + 8, s + 8), 0)
    draw = ImageDraw.Draw(canvas)
    c, r = (s + 8) / 2, s / 2
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(2, int(s * 0.03)))
    ri = r * 0.64
    draw.ellipse((c - ri, c - ri, c + ri, c + ri), outline=255, width=max(1, int(s * 0.011)))
    band = (r * 0.95 + ri) / 2
    size = int((r * 0.95 - ri) * 0.62)
    font = _font(SEAL_FONT, size)
    max_top = (2 * math.pi * 0.62 if bottom_text else 2 * math.pi * 0.85) * band
    while font.getlength(top_text) * 1.08 > max_top and size > 6:
        size -= 1
        font = _font(SEAL_FONT, size)
    span = min(len(top_text) * 0.3, 3.6 if bottom_text else 4.6)
    _arc_text(canvas, top_text, c, c, band - size * 0.15, size, top=True, min_span=span)
    if bottom_text:
        _arc_text(canvas, bottom_text, c, c, band + size * 0.3, size, top=False)
        for side in (-1, 1):
            a = side * math.pi * 0.66
            _star(draw, c + band * math.sin(a), c - band * math.cos(a), size * 0.35)
    _star(draw, c, c, ri * 0.42, rng.uniform(-0.1, 0.1))
    rotated = canvas.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)
    alpha = np.asarray(rotated.resize((diameter + 4, diameter + 4), Image.LANCZOS), np.float32) / 255.0
    return np.clip(alpha * ink_texture(alpha.shape, rng, diameter / 25), 0, 1)


def received_stamp(
    px_per_mm: float, receiver: str, number: str, date: str, forward: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(printed stamp alpha, handwritten entries alpha, texts) for a 'ĐẾN' stamp about 52 x 24 mm."""
    w, h = int(52 * px_per_mm), int(24 * px_per_mm)
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    lw = max(1, int(0.45 * px_per_mm))
    draw.rectangle((lw, lw, w - lw - 1, h - lw - 1), outline=255, width=lw)
    small = _font(STAMP_FONT, max(6, int(2.6 * px_per_mm)))
    big = _font(STAMP_FONT, max(8, int(5.0 * px_per_mm)))
    head = small
    while head.getlength(receiver) > w - 4 * px_per_mm and head.size > 5:
        head = _font(STAMP_FONT, head.size - 1)
    draw.text((w / 2, 2.2 * px_per_mm), receiver, fill=255, font=head, anchor="mt")
    draw.text((3 * px_per_mm, 9.5 * px_per_mm), "ĐẾN", fill=255, font=big, anchor="lm")
    rows = [("Số:", 19, 8.5), ("Ngày:", 19, 13.5), ("Chuyển:", 3, 19.5)]
    hand = np.zeros((h, w), np.float32)
    for (label, x_mm, y_mm), value in zip(rows, [number, date, forward], strict=True):
        draw.text((x_mm * px_per_mm, y_mm * px_per_mm), label, fill=255, font=small, anchor="lm")
        lx = x_mm * px_per_mm + small.getlength(label) + 1.0 * px_per_mm
        for dot_x in np.arange(lx, w - 3 * px_per_mm, 1.1 * px_per_mm):
            draw.point((dot_x, y_mm * px_per_mm + 1.1 * px_per_mm), fill=200)
        ink = hand_text(value, 2.2 * px_per_mm, rng)
        ih, iw = ink.shape
        top = int(y_mm * px_per_mm - ih * 0.62)
        iw = min(iw, w - int(lx))
        if top >= 0 and top + ih <= h and iw > 0:
            hand[top : top + ih, int(lx) : int(lx) + iw] = np.maximum(
                hand[top : top + ih, int(lx) : int(lx) + iw], ink[:, :iw]
            )
    printed = np.asarray(img, np.float32) / 255.0
    printed = np.clip(printed * ink_texture(printed.shape, rng, px_per_mm * 2), 0, 1)
    texts = [receiver, "ĐẾN", f"Số: {number}", f"Ngày: {date}", f"Chuyển: {forward}"]
    return printed, hand, texts
