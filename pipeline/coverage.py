"""Ink the page-wide reading left out: lines of text-sized ink that no recognised word covers.

On enlarged low-resolution scans and phone photos, tesseract's page layout sometimes drops whole regions:
the motto, an agency's second line, a paragraph, the recipients' list. What it read is known (the words'
boxes); what is on the page is known (the ink). Ink left uncovered in line-shaped runs, text-high and wider
than a few letters, is text nobody read. Seals and signatures are taller than a line and are left alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.tesseract import Word

Box = tuple[int, int, int, int]

#: A run of uncovered ink is a line of text when it is this many line heights high (at most) and wide (at least).
MAX_LINE_HEIGHTS, MIN_LINE_WIDTHS = 2.2, 3.0
#: A word read below this confidence does not count as reading the ink under it.
READ_CONFIDENCE = 60.0
#: A word with digits needs less: tesseract is rarely sure of "04/QĐ-TNMT", but "H00" at 24 is a smudge.
NUMBER_READ_CONFIDENCE = 30.0
#: Share of a run's box that is ink: print is dense, paper texture and specks are not, and a photo's dark
#: background or a black bar is solid.
MIN_INK_SHARE, MAX_INK_SHARE = 0.08, 0.6


def covers(word: Word) -> bool:
    """True when `word` counts as a reading of the ink under it, not a garbled one."""
    if any(ch.isdigit() for ch in word.text):
        return word.confidence >= NUMBER_READ_CONFIDENCE
    return word.confidence >= READ_CONFIDENCE


def unread_lines(image: np.ndarray, words: list[Word]) -> list[Box]:
    """Boxes (left, top, right, bottom) around runs of ink no word covers, in `image`'s pixels.

    Runs close above one another are joined into one block, so a lost paragraph is read in one call; the
    largest blocks come first.
    """
    if not words:
        return []
    line = max(4, int(np.median([w.height for w in words])))
    ink = (image < 128).astype(np.uint8)
    pad = line // 3
    for w in words:
        if not covers(w):
            continue
        ink[max(0, w.top - pad) : w.top + w.height + pad, max(0, w.left - pad) : w.left + w.width + pad] = 0
    height, width = ink.shape
    ink[:, : width // 20], ink[:, width - width // 20 :] = 0, 0  # a scanner's dark border is no text
    ink[: height // 40], ink[height - height // 40 :] = 0, 0
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (line, 1)))  # along the line, not across
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    runs = []
    for label, (x, y, w, h, _) in enumerate(stats[1:count], start=1):
        if w < MIN_LINE_WIDTHS * line:
            continue
        own = ink[y : y + h, x : x + w] & (labels[y : y + h, x : x + w] == label)  # not the lines around it
        for top, bottom in _rows_of_ink(own, line):
            band = own[top:bottom]
            thickness = _thickness(band)  # a photo's slanted line is a tall box, but a thin run
            if bottom - top < 0.5 * line or thickness > MAX_LINE_HEIGHTS * line:
                continue  # a seal's ring or a signature is thick in every column: it never splits into lines
            if MIN_INK_SHARE <= band.sum() / (band.shape[1] * max(thickness, 0.5 * line)) <= MAX_INK_SHARE:
                runs.append((int(x), int(y + top), int(x + w), int(y + bottom)))
    blocks = _blocks(sorted(runs, key=lambda r: r[1]), line)
    return [_padded(block, line, width, height) for block in sorted(blocks, key=_area, reverse=True)]


def _rows_of_ink(ink: np.ndarray, line: int) -> list[tuple[int, int]]:
    """The bands of rows holding ink, split where a row is empty: lines that touched only after dilation."""
    inked = ink.any(axis=1)
    padded = np.concatenate(([False], inked, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= line // 4]


def _thickness(band: np.ndarray) -> float:
    """The median height of a run's ink column by column, from its top ink to its bottom ink."""
    inked = band.any(axis=0)
    if not inked.any():
        return 0.0
    rows = np.arange(band.shape[0])[:, None]
    tops = np.where(band, rows, band.shape[0]).min(axis=0)[inked]
    bottoms = np.where(band, rows, -1).max(axis=0)[inked]
    return float(np.median(bottoms - tops + 1))


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _blocks(runs: list[Box], line: int) -> list[Box]:
    """Runs joined with the block above when they overlap it across and sit within a line and a half below."""
    blocks: list[list[int]] = []
    for left, top, right, bottom in runs:
        for block in blocks:
            if left < block[2] and right > block[0] and top - block[3] < 1.5 * line:
                block[:] = [min(block[0], left), block[1], max(block[2], right), max(block[3], bottom)]
                break
        else:
            blocks.append([left, top, right, bottom])
    return [(b[0], b[1], b[2], b[3]) for b in blocks]


def _padded(box: Box, line: int, width: int, height: int) -> Box:
    left, top, right, bottom = box
    margin = line // 2
    return max(0, left - margin), max(0, top - margin), min(width, right + margin), min(height, bottom + margin)
