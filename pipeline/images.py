"""Small image operations the stages share: ink-only greyscale, resampling, quarter turns, rotation."""

from __future__ import annotations

import cv2
import numpy as np

ANALYSIS_DPI = 150
PAPER_TO_INK_MARGIN = 60
COLOURED_CHROMA = 60
COLOURED_MIN_BRIGHTNESS = 90


def ink_grey(bgr: np.ndarray) -> np.ndarray:
    """Greyscale in which coloured ink (a red seal, a blue signature) turns white and black print stays dark.

    The brightest channel of a red or blue stroke is high, of black print low, so the per-pixel maximum
    keeps the printed text and drops most of the colour. Strongly coloured pixels that are still fairly
    bright (the dark core of a blue pen stroke) are then whitened; black print under a red seal is dark
    in every channel and stays.
    """
    if bgr.ndim == 2:
        return bgr
    blue, green, red = cv2.split(bgr)
    brightest = cv2.max(cv2.max(blue, green), red)
    chroma = cv2.subtract(brightest, cv2.min(cv2.min(blue, green), red))
    coloured = cv2.bitwise_and(
        cv2.compare(chroma, COLOURED_CHROMA, cv2.CMP_GT),  # type: ignore[call-overload]  # cv2's stubs: no scalar
        cv2.compare(brightest, COLOURED_MIN_BRIGHTNESS, cv2.CMP_GT),  # type: ignore[call-overload]
    )
    return cv2.max(brightest, coloured)  # the mask is 0 or 255


def resample(image: np.ndarray, factor: float) -> np.ndarray:
    """Scale by `factor`: area averaging to shrink, cubic to enlarge; a no-op near 1."""
    if abs(factor - 1.0) < 0.02:
        return image
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)


#: Uneven light is measured over squares this many inches wide: far wider than a letter's stroke.
LIGHTING_WINDOW_INCHES = 0.4


def flatten_lighting(grey: np.ndarray, dpi: float) -> np.ndarray:
    """The page as if lit evenly: each pixel divided by the paper's brightness around it.

    The paper's brightness is the page with its ink closed over (a grey closing wider than any stroke),
    smoothed. A photo's shadow or a darkened corner then no longer pulls a global threshold into the text.
    """
    size = max(15, int(dpi * LIGHTING_WINDOW_INCHES) | 1)
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    paper = cv2.GaussianBlur(paper, (size, size), 0)
    return cv2.divide(grey, paper, scale=255)


def analysis_grey(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    """The page at ANALYSIS_DPI, for orientation, skew and blank checks; and its resolution.

    Low-resolution scans are enlarged too: OSD and the blank check are tuned for letters and specks of
    the size they have at ANALYSIS_DPI, and at 80 dpi OSD is unsure even of an upright page.
    """
    factor = ANALYSIS_DPI / dpi
    return resample(grey, factor), dpi * factor


def analysis_binary(small_grey: np.ndarray) -> np.ndarray:
    """A denoised ink mask (ink = 255) of the low-resolution page, for blank detection and skew estimation.

    Denoising comes first: a projection profile computed on raw speckle is pulled towards zero skew.
    """
    small = cv2.medianBlur(small_grey, 3)
    otsu, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    # On a page of pure paper noise Otsu splits the noise itself; ink is far darker than paper.
    level = min(otsu, float(np.median(small[::4, ::4])) - PAPER_TO_INK_MARGIN)
    _, mask = cv2.threshold(small, level, 255, cv2.THRESH_BINARY_INV)
    return mask


def quarter_turn(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Undo a counter-clockwise quarter turn found on the scan (rotate the image clockwise)."""
    turns = (rotation_deg // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def rotate(image: np.ndarray, angle_deg: float, *, border: int = 255) -> np.ndarray:
    """Rotate counter-clockwise by `angle_deg` about the centre, keeping the size and filling with white."""
    if abs(angle_deg) < 0.01:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle_deg, 1.0)
    fill = (border,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )
