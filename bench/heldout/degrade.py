"""Scan/photo degradation profiles and the image files they produce (format, resolution tag, compression)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

PROFILES = ("clean300", "office200", "lowres_untagged", "phone_photo", "ccitt200", "turned")
MULTIPAGE = {"clean300", "office200", "ccitt200", "turned"}  # profiles whose file format holds several pages
A4_WIDTH_IN = 210 / 25.4


@dataclass
class Scan:
    """Planned degradation of one document; everything the ground truth reports is decided here."""

    profile: str
    render_dpi: float
    dpi: float
    tagged: bool
    rotation: int  # quarter turns counter-clockwise, in degrees
    skew: float  # degrees, positive = counter-clockwise
    ext: str
    quality: int
    seed: int


def plan_scan(profile: str, pages: int, rng: random.Random) -> Scan:
    seed = rng.getrandbits(32)
    multi = pages > 1
    if profile == "clean300":
        return Scan(profile, 300, 300, True, 0, 0.0, "tif" if multi else "png", 0, seed)
    if profile in ("office200", "turned"):
        skew = round(rng.uniform(-2, 2), 2)
        ext = "tif" if multi or rng.random() < 0.4 else "jpg"
        rotation = rng.choice([90, 180, 270]) if profile == "turned" else 0
        return Scan(profile, 200, 200, True, rotation, skew, ext, 85, seed)
    if profile == "lowres_untagged":
        dpi = float(rng.choice([75, 80, 85, 90, 96, 100]))
        ext = "jpg" if rng.random() < 0.7 else "png"
        return Scan(profile, 150, dpi, False, 0, round(rng.uniform(-1.5, 1.5), 2), ext, rng.randint(50, 70), seed)
    if profile == "phone_photo":
        dpi = float(rng.randint(110, 150))
        return Scan(profile, 200, dpi, False, 0, round(rng.uniform(-1.5, 1.5), 2), "jpg", rng.randint(50, 70), seed)
    if profile == "ccitt200":
        return Scan(profile, 200, 200, True, 0, round(rng.uniform(-0.8, 0.8), 2), "tif", 0, seed)
    raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")


def _rotate(img: np.ndarray, degrees: float, border: tuple[int, int, int]) -> np.ndarray:
    if abs(degrees) < 1e-3:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    noisy = img.astype(np.float32) + rng.normal(0, sigma, img.shape[:2])[..., None]
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _paper(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    tint = np.array([rng.uniform(246, 253), rng.uniform(244, 251), rng.uniform(236, 246)], np.float32) / 255
    return np.clip(img.astype(np.float32) * tint, 0, 255).astype(np.uint8)


def _lighting(img: np.ndarray, rng: np.random.Generator, strength: float, vignette: float) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = ((xx / w - 0.5) * math.cos(a) + (yy / h - 0.5) * math.sin(a)) * strength
    r2 = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2
    gain = (1 - strength / 2 + ramp) * (1 - vignette * r2)
    return np.clip(img.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def _resize_to(img: np.ndarray, from_dpi: float, to_dpi: float) -> np.ndarray:
    if abs(from_dpi - to_dpi) < 0.5:
        return img
    h, w = img.shape[:2]
    size = (round(w * to_dpi / from_dpi), round(h * to_dpi / from_dpi))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def _phone(img: np.ndarray, scan: Scan, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    mx, my = int(w * rng.uniform(0.03, 0.07)), int(h * rng.uniform(0.02, 0.05))
    cw, ch = w + 2 * mx, h + 2 * my
    background = np.array([rng.uniform(60, 140), rng.uniform(55, 120), rng.uniform(45, 100)], np.float32)
    canvas = np.empty((ch, cw, 3), np.float32)
    canvas[:] = background
    canvas = _noise(canvas.astype(np.uint8), 6, rng)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-0.025, 0.025, (4, 2)) * [w, h]
    dst = np.float32(src + np.float32([mx, my]) + jitter)
    centre = dst.mean(axis=0)
    angle = math.radians(scan.skew)
    rot = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    dst = np.float32((dst - centre) @ rot.T + centre)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(img, m, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (cw, ch), flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255)[..., None]
    out = (warped * alpha + canvas * (1 - alpha)).astype(np.uint8)
    out = _lighting(out, rng, rng.uniform(0.15, 0.35), rng.uniform(0.1, 0.3))
    cast = np.array([1.0, rng.uniform(0.93, 0.99), rng.uniform(0.8, 0.92)], np.float32)
    if rng.random() < 0.3:
        cast = cast[::-1].copy()
    out = np.clip(out.astype(np.float32) * cast, 0, 255).astype(np.uint8)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 0.9))
    return _noise(out, rng.uniform(3, 6), rng)


def degrade(img: np.ndarray, scan: Scan, page: int) -> np.ndarray:
    """One rendered page (RGB at scan.render_dpi, with marks) -> the scanned/photographed page."""
    rng = np.random.default_rng([scan.seed, page])
    img = _paper(img, rng)
    if scan.profile == "clean300":
        return _noise(img, rng.uniform(1.5, 3), rng)
    if scan.profile in ("office200", "turned"):
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.6))
        img = _rotate(_noise(img, rng.uniform(2, 4), rng), scan.skew, (235, 235, 232))
        return np.ascontiguousarray(np.rot90(img, scan.rotation // 90)) if scan.rotation else img
    if scan.profile == "lowres_untagged":
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 0.9))
        img = _resize_to(_rotate(img, scan.skew, (225, 225, 220)), scan.render_dpi, scan.dpi)
        img = _lighting(img, rng, rng.uniform(0.1, 0.3), rng.uniform(0.05, 0.2))
        gamma = rng.uniform(1.1, 1.5)
        return _noise((255 * (img / 255.0) ** gamma).astype(np.uint8), 2, rng)
    if scan.profile == "phone_photo":
        return _phone(_resize_to(img, scan.render_dpi, scan.dpi), scan, rng)
    if scan.profile == "ccitt200":
        gray = cv2.cvtColor(_rotate(img, scan.skew, (255, 255, 255)), cv2.COLOR_RGB2GRAY)
        gray = cv2.GaussianBlur(_noise(gray[..., None].repeat(3, 2), 6, rng)[..., 0], (0, 0), 0.6)
        return np.where(gray > rng.uniform(150, 180), 255, 0).astype(np.uint8)
    raise ValueError(scan.profile)


def save(pages: list[np.ndarray], scan: Scan, path: Path) -> Path:
    """Write the pages in the profile's file format; untagged profiles carry no resolution at all."""
    dpi = (scan.dpi, scan.dpi)
    if not scan.tagged:
        ok, data = cv2.imencode(
            f".{scan.ext}",
            cv2.cvtColor(pages[0], cv2.COLOR_RGB2BGR),
            [cv2.IMWRITE_JPEG_QUALITY, scan.quality] if scan.ext == "jpg" else [cv2.IMWRITE_PNG_COMPRESSION, 6],
        )
        if not ok:
            raise RuntimeError(f"cannot encode {path}")
        path.write_bytes(data.tobytes())
        return path
    if scan.profile == "ccitt200":
        images = [Image.fromarray(p).convert("1") for p in pages]
        images[0].save(path, compression="group4", dpi=dpi, save_all=True, append_images=images[1:])
        return path
    images = [Image.fromarray(p) for p in pages]
    if scan.ext == "png":
        images[0].save(path, dpi=dpi, compress_level=4)
    elif scan.ext == "jpg":
        images[0].save(path, quality=scan.quality, dpi=dpi)
    else:
        images[0].save(path, compression="tiff_lzw", dpi=dpi, save_all=True, append_images=images[1:])
    return path
