"""Capture profiles: how a degraded page reaches the file (resolution, colour depth, camera, codec).

Applied by :func:`samples.generate.make_document` after :func:`samples.degrade.degrade`:

- ``lowres_untagged``: resampled to 75-150 dpi; the file states no resolution.
- ``jpeg_low``: unchanged pixels, saved as JPEG at quality 50-70.
- ``phone_photo``: uneven light, colour cast, a slight perspective with the desk
  showing at the edges, blur, sensor noise; about 140-230 dpi; no resolution.
- ``ccitt200``: rendered at 200 dpi, thresholded to 1 bit, saved as a CCITT
  group 4 TIFF with its 200 dpi tag.

:class:`Capture` carries the pages, the resolution actually used, whether the
file states it, and the options :func:`samples.generate.save_document` uses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image

PROFILE_FORMATS: dict[str, tuple[str, ...]] = {
    "lowres_untagged": ("png", "jpg"),
    "jpeg_low": ("jpg",),
    "phone_photo": ("jpg",),
    "ccitt200": ("tiff",),
}
LOWRES_DPIS = (75, 96, 100, 110, 120, 135, 150)
DESKS = ((96, 74, 52), (62, 62, 66), (128, 106, 84), (38, 38, 42), (150, 142, 128))  # wood, grey, dark, light


@dataclass
class Capture:
    """Captured pages and how they are to be stored."""

    pages: list[Image.Image]
    dpi: int
    tagged: bool = True
    save_options: dict[str, Any] = field(default_factory=dict)


def render_dpi(profile: str | None, dpi: int) -> int:
    """The resolution to render at before the profile is applied (captures only ever scale down)."""
    if profile == "ccitt200":
        return 200
    return max(dpi, {"lowres_untagged": 200, "phone_photo": 250}.get(profile or "", dpi))


def capture(profile: str, pages: list[Image.Image], dpi: int, seed: int) -> Capture:
    """Apply ``profile`` to degraded RGB pages rendered at ``dpi``."""
    rng = random.Random(f"profile:{profile}:{seed}")
    if profile == "lowres_untagged":
        target = rng.choice(LOWRES_DPIS)
        return Capture([_resample(page, target / dpi) for page in pages], target, tagged=False)
    if profile == "jpeg_low":
        return Capture(list(pages), dpi, save_options={"quality": rng.randint(50, 70)})
    if profile == "phone_photo":
        long_side = rng.randint(1650, 2650)
        scale = long_side / max(pages[0].size)
        shots = [
            photograph(page, scale, np.random.default_rng([seed % 2**32, index, 0x70686F]))
            for index, page in enumerate(pages)
        ]
        return Capture(shots, round(dpi * scale), tagged=False, save_options={"quality": rng.randint(82, 92)})
    if profile == "ccitt200":
        threshold = rng.randint(150, 175)
        return Capture([bilevel(page, threshold) for page in pages], dpi, save_options={"tiff_compression": "group4"})
    raise ValueError(f"unknown profile {profile!r}; expected one of {tuple(PROFILE_FORMATS)}")


def _resample(page: Image.Image, scale: float) -> Image.Image:
    pixels = np.asarray(page.convert("RGB"))
    size = (max(1, round(pixels.shape[1] * scale)), max(1, round(pixels.shape[0] * scale)))
    return Image.fromarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), "RGB")


def bilevel(page: Image.Image, threshold: int) -> Image.Image:
    """Black and white at a fixed threshold (like a fax-mode scanner), mode "1"."""
    grey = page.convert("L")
    return grey.point(lambda value: 255 if value > threshold else 0).convert("1", dither=Image.Dither.NONE)


def _lighting(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth brightness field: a tilt, a vignette and sometimes a soft shadow, 0.6..1.05."""
    ys, xs = np.mgrid[0:1:48j, 0:1:48j]
    angle = rng.uniform(0, 2 * np.pi)
    tilt = (np.cos(angle) * (xs - 0.5) + np.sin(angle) * (ys - 0.5)) * rng.uniform(0.15, 0.35)
    centre = rng.uniform(0.3, 0.7, 2)
    vignette = ((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2) * rng.uniform(0.2, 0.5)
    field = 1.0 + tilt - vignette
    if rng.random() < 0.5:  # the phone's or the hand's shadow across a corner
        edge = rng.uniform(0.55, 0.85)
        band = np.clip((xs * rng.uniform(0.5, 1) + ys * rng.uniform(0.5, 1) - edge) * 6, 0, 1)
        field -= band * rng.uniform(0.12, 0.25)
    field = field / field.max() * rng.uniform(0.93, 1.03)
    field = np.clip(field, 0.6, 1.05).astype(np.float32)
    return cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC)


def photograph(page: Image.Image, scale: float, rng: np.random.Generator) -> Image.Image:
    """A phone photo of the page: light, colour cast, perspective on a desk, blur and noise."""
    pixels = np.asarray(page.convert("RGB"))
    size = (max(1, round(pixels.shape[1] * scale)), max(1, round(pixels.shape[0] * scale)))
    small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    height, width = small.shape[:2]
    cast = np.array([rng.uniform(1.0, 1.06), rng.uniform(0.97, 1.02), rng.uniform(0.86, 0.97)], dtype=np.float32)
    small *= _lighting(height, width, rng)[:, :, None] * cast
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    inset = rng.uniform(0.004, 0.035, (4, 2)) * [width, height]
    signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    moved = (corners + inset * signs).astype(np.float32)
    desk = np.array(DESKS[int(rng.integers(len(DESKS)))], dtype=np.float32) * rng.uniform(0.85, 1.15)
    matrix = cv2.getPerspectiveTransform(corners, moved)
    warped = cv2.warpPerspective(
        np.clip(small, 0, 255),
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=tuple(float(v) for v in desk),
    )
    warped = cv2.GaussianBlur(warped, (0, 0), float(rng.uniform(0.6, 1.3)))
    warped += rng.normal(0, rng.uniform(2.0, 5.0), warped.shape).astype(np.float32)
    return Image.fromarray(np.clip(warped, 0, 255).astype(np.uint8), "RGB")
