"""Blank-page detection on the low-resolution ink mask: enough ink in real marks, or blank."""

from __future__ import annotations

import cv2
import numpy as np

#: A page is blank below this share of ink, counting only marks bigger than a speck of dust.
MIN_INK_SHARE = 0.0015
MIN_MARK_PIXELS = 12


def ink_share(mask: np.ndarray) -> float:
    """Share of the page covered by connected marks of at least MIN_MARK_PIXELS pixels."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA]
    return float(areas[areas >= MIN_MARK_PIXELS].sum()) / mask.size


def is_blank(mask: np.ndarray) -> bool:
    """True for an empty page, or one with only speckle, punch holes' shadows or a stray mark."""
    return ink_share(mask) < MIN_INK_SHARE
