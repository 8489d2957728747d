"""Which way up a page is: tesseract's OSD first, confirmed by reading a sample when OSD or the OCR is unsure.

OSD guesses from the shapes of letters; on a small, blurred or noisy scan it can be sure of the wrong answer
or unsure of the right one. Reading is the real test: a strip of upright Vietnamese comes back as confident,
well-formed syllables, and the same strip upside down or sideways as a few doubtful fragments. The strip is
recognised in each candidate turn and the turn whose words are most confidently real syllables wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.images import flatten_lighting, quarter_turn, resample
from pipeline.ocr import binarize_for_ocr, detect_orientation, recognise
from pipeline.syllables import is_syllable
from pipeline.tesseract import CallStats, TesseractConfig, Word

#: A strip of this share of the page height, where the ink is densest, is what gets read in each turn.
STRIP_HEIGHT_SHARE = 0.2
#: The strip is read at this resolution: enough for 12-pt print, a fraction of a full page's cost.
STRIP_DPI = 200
#: A syllable counts only when tesseract read it at least this sure: sideways print and digits come back
#: as short doubtful fragments ("ƠI", "Ôi") that happen to be well formed.
MIN_SYLLABLE_CONFIDENCE = 70.0
#: The winner must have at least this many such syllables, make up this share of the strip's words...
MIN_SYLLABLES = 6
MIN_SYLLABLE_SHARE = 0.4
#: ... and beat the runner-up by this factor, or the page stays doubtful.
MIN_MARGIN = 2.0


@dataclass(frozen=True)
class OrientationOptions:
    """When OSD is trusted alone, and when a page's reading is poor enough to question its turn."""

    osd_min_confidence: float = 1.5
    poor_ocr_confidence: float = 0.75


@dataclass(frozen=True)
class TurnScore:
    """How a strip read in one candidate turn: the summed confidence of its well-formed syllables."""

    rotation_deg: int
    score: float
    syllables: int
    words: int


@dataclass(frozen=True)
class OrientationDecision:
    """The quarter turn to undo, how it was decided ("osd" or "recognition"), and whether it stays doubtful."""

    rotation_deg: int
    method: str
    doubtful: bool = False
    osd_confidence: float | None = None
    scores: tuple[TurnScore, ...] = ()
    calls: list[CallStats] = field(default_factory=list)


def orientation_by_osd(
    grey: np.ndarray, dpi: float, config: TesseractConfig, options: OrientationOptions
) -> OrientationDecision:
    """OSD's turn when it is confident; otherwise the turn found by reading a strip in all four turns."""
    osd, call = detect_orientation(grey, dpi, config)
    decision = OrientationDecision(osd.rotation_deg, "osd", osd_confidence=osd.confidence, calls=[call])
    if osd.confidence >= options.osd_min_confidence:
        return decision
    return orientation_by_reading(grey, dpi, (0, 90, 180, 270), config, previous=decision)


def orientation_by_reading(
    grey: np.ndarray,
    dpi: float,
    candidates: tuple[int, ...],
    config: TesseractConfig,
    *,
    previous: OrientationDecision | None = None,
) -> OrientationDecision:
    """Read the densest strip of the page in each candidate turn and keep the turn that reads best.

    `previous` is the decision being checked: its OSD confidence and its tesseract calls are kept.
    """
    scores, calls = [], []
    evened = flatten_lighting(grey, dpi)  # a shadow is no ink: the densest strip is the print's
    for rotation in candidates:
        words, call = _read_strip(quarter_turn(evened, rotation), dpi, config)
        scores.append(score_turn(rotation, words))
        calls.append(call)
    ranked = sorted(scores, key=lambda s: s.score, reverse=True)
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    doubtful = (
        best.syllables < MIN_SYLLABLES
        or best.syllables < MIN_SYLLABLE_SHARE * best.words
        or best.score < MIN_MARGIN * runner_up
    )
    # When reading cannot tell (a strip of stamps, a page too faint), OSD's turn stands, marked doubtful.
    rotation = previous.rotation_deg if doubtful and previous is not None else best.rotation_deg
    return OrientationDecision(
        rotation,
        "recognition",
        doubtful,
        osd_confidence=previous.osd_confidence if previous else None,
        scores=tuple(scores),
        calls=[*(previous.calls if previous else []), *calls],
    )


def score_turn(rotation_deg: int, words: list[Word]) -> TurnScore:
    """Confidence (0-1) summed over the words read as well-formed Vietnamese syllables with some certainty."""
    syllables = [w for w in words if w.confidence >= MIN_SYLLABLE_CONFIDENCE and is_syllable(_letters(w.text))]
    return TurnScore(rotation_deg, round(sum(w.confidence for w in syllables) / 100, 2), len(syllables), len(words))


def _letters(text: str) -> str:
    return text.strip(".,;:!?()[]\"'“”‘’-–/")


def _read_strip(grey: np.ndarray, dpi: float, config: TesseractConfig) -> tuple[list[Word], CallStats]:
    scaled = resample(grey, STRIP_DPI / dpi)
    strip = densest_strip(scaled, STRIP_HEIGHT_SHARE)
    result = recognise(binarize_for_ocr(strip), STRIP_DPI, config, psm=6)
    return result.words, result.calls[0]


def densest_strip(grey: np.ndarray, share: float) -> np.ndarray:
    """The horizontal band of `share` of the height that holds the most ink."""
    height = grey.shape[0]
    band = max(1, int(height * share))
    if band >= height:
        return grey
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    per_row = np.concatenate(([0], np.cumsum(ink.sum(axis=1, dtype=np.int64))))
    top = int(np.argmax(per_row[band:] - per_row[:-band]))
    return grey[top : top + band]
