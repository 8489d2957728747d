"""Handwriting and signatures as ink masks: jittered pen strokes, splines, ballpoint pressure, then ink blending."""

from __future__ import annotations

import math

import cv2
import numpy as np

from bench.heldout.glyphs import compose

SS = 3  # supersampling factor for anti-aliased strokes
BLUE_INKS = [(28, 48, 150), (20, 35, 120), (40, 60, 170), (30, 40, 110)]


def catmull_rom(points: np.ndarray, samples: int = 8) -> np.ndarray:
    """A smooth path through the points (the pen's trajectory)."""
    if len(points) < 3:
        return points
    padded = np.vstack([points[0], points, points[-1]])
    out = []
    ts = np.linspace(0, 1, samples, endpoint=False)[:, None]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * ts
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * ts**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * ts**3
            )
        )
    out.append(points[-1][None, :])
    return np.vstack(out)


def _draw(
    paths: list[np.ndarray], width: float, rng: np.random.Generator, thickness: float
) -> tuple[np.ndarray, float, float]:
    """Rasterise pen paths (in supersampled pixels): (alpha mask at final resolution, origin x, origin y)."""
    allpts = np.vstack(paths)
    pad = thickness * SS * 2 + 4
    x0, y0 = allpts.min(axis=0) - pad
    x1, y1 = allpts.max(axis=0) + pad
    canvas = np.zeros((int(y1 - y0) + 1, int(max(x1, width * SS) - x0) + 1), np.uint8)
    for path in paths:
        pts = np.round((path - [x0, y0]) * 4).astype(np.int32)
        t = max(1, round(thickness * SS * rng.uniform(0.85, 1.15)))
        cv2.polylines(canvas, [pts], False, 255, thickness=t, lineType=cv2.LINE_AA, shift=2)
    h, w = canvas.shape
    small = cv2.resize(canvas, (max(1, w // SS), max(1, h // SS)), interpolation=cv2.INTER_AREA)
    alpha = small.astype(np.float32) / 255.0
    pressure = cv2.GaussianBlur(rng.uniform(0.65, 1.0, alpha.shape).astype(np.float32), (0, 0), 6)
    alpha = np.clip(alpha * (pressure / max(pressure.max(), 1e-3)) * 1.15, 0, 1)
    return alpha, float(x0) / SS, float(y0) / SS


def hand_text(text: str, xheight: float, rng: np.random.Generator) -> np.ndarray:
    """An alpha mask of `text` handwritten with an x-height of `xheight` pixels."""
    return hand_line(text, xheight, rng)[0]


def hand_line(
    text: str, xheight: float, rng: np.random.Generator, slant: float | None = None
) -> tuple[np.ndarray, float, float]:
    """(alpha, x of the pen start, y of the baseline) inside the mask, for placing handwriting on a printed line."""
    u = xheight * SS
    slant = rng.uniform(0.12, 0.32) if slant is None else slant
    x, drift = 0.0, 0.0
    baseline = 2.2 * u
    paths: list[np.ndarray] = []
    for char in text:
        advance, strokes = compose(char)
        scale = 1 + rng.normal(0, 0.05)
        drift = 0.7 * drift + rng.normal(0, 0.04)
        for stroke in strokes:
            pts = np.array(stroke, dtype=np.float64) + rng.normal(0, 0.035, (len(stroke), 2))
            if len(pts) == 2 and np.hypot(*(pts[1] - pts[0])) > 0.2:  # slight bow on straight strokes
                mid = pts.mean(axis=0) + rng.normal(0, 0.03, 2)
                pts = np.vstack([pts[0], mid, pts[1]])
            px = x + (pts[:, 0] + slant * pts[:, 1]) * u * scale
            py = baseline - pts[:, 1] * u * scale + drift * u
            paths.append(catmull_rom(np.column_stack([px, py])))
        x += (advance * scale + 0.12 + rng.normal(0, 0.03)) * u
    alpha, ox, oy = _draw(paths, x / SS, rng, thickness=max(1.0, xheight * rng.uniform(0.12, 0.17)))
    return alpha, -ox, baseline / SS - oy


def signature(width: float, height: float, rng: np.random.Generator) -> np.ndarray:
    """A handwritten signature: a capital flourish, a chain of loops, and an underline stroke."""
    w, h = width * SS, height * SS
    paths: list[np.ndarray] = []
    # capital: a tall loop at the start
    cap = np.array(
        [
            [0.02 * w, 0.75 * h],
            [0.12 * w, 0.05 * h],
            [0.2 * w, 0.1 * h],
            [0.12 * w, 0.95 * h],
            [0.06 * w, 0.55 * h],
            [0.22 * w, 0.5 * h],
        ]
    )
    paths.append(catmull_rom(cap + rng.normal(0, 0.03 * h, cap.shape), 12))
    loops = int(rng.integers(2, 6))
    t = np.linspace(0, 2 * math.pi * loops, 60 * loops)
    r = (0.6 * w) / (2 * math.pi * loops)
    d = r * rng.uniform(1.2, 2.6) * (1 + 0.3 * np.sin(t * rng.uniform(0.2, 0.6)))
    envelope = np.interp(t, np.linspace(0, t[-1], loops + 2), rng.uniform(0.12, 0.34, loops + 2))
    xs = 0.24 * w + r * t - d * np.sin(t)
    ys = 0.55 * h - envelope * h * np.cos(t) + np.cumsum(rng.normal(0, 0.004 * h, t.shape))
    paths.append(np.column_stack([xs, ys]))
    end = paths[-1][-1]
    tail = np.array([end, [0.95 * w, 0.45 * h], [0.6 * w, 0.9 * h], [0.15 * w, 0.85 * h], [0.05 * w, 0.8 * h]])
    if rng.random() < 0.7:
        paths.append(catmull_rom(tail + rng.normal(0, 0.03 * h, tail.shape), 14))
    angle = math.radians(rng.uniform(-14, 6))
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    centre = np.array([w / 2, h / 2])
    paths = [(p - centre) @ rot.T + centre for p in paths]
    return _draw(paths, width, rng, thickness=max(1.0, height * rng.uniform(0.014, 0.024)))[0]


def rotate_mask(alpha: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate a mask counter-clockwise, growing the canvas so nothing is cut."""
    h, w = alpha.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos) + 2, int(h * cos + w * sin) + 2
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(alpha, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=0)


def apply_ink(
    img: np.ndarray, alpha: np.ndarray, x: float, y: float, color: tuple[int, int, int], opacity: float
) -> None:
    """Multiply-blend ink of `color` through `alpha` onto `img` (RGB uint8) with the mask's top-left at (x, y)."""
    h, w = alpha.shape
    x0, y0 = round(x), round(y)
    ax0, ay0 = max(0, -x0), max(0, -y0)
    bx0, by0 = max(0, x0), max(0, y0)
    bx1, by1 = min(img.shape[1], x0 + w), min(img.shape[0], y0 + h)
    if bx1 <= bx0 or by1 <= by0:
        return
    a = alpha[ay0 : ay0 + by1 - by0, ax0 : ax0 + bx1 - bx0, None] * opacity
    ink = np.array(color, np.float32) / 255.0
    region = img[by0:by1, bx0:bx1].astype(np.float32)
    img[by0:by1, bx0:bx1] = np.clip(region * (1 - a * (1 - ink)), 0, 255).astype(np.uint8)
