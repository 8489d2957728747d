"""One page end to end: blank check, orient, deskew, clean, OCR; the archived image keeps its colour."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial

import cv2
import numpy as np

from pipeline.blank import is_blank
from pipeline.deskew import deskew_angle
from pipeline.extract import header_is_incomplete
from pipeline.images import analysis_binary, analysis_grey, ink_grey, quarter_turn, rotate
from pipeline.load import LoadedPage
from pipeline.ocr import (
    LOW_RESOLUTION_DPI,
    OcrResult,
    prepare_for_ocr,
    read_header_regions,
    recognise,
    scale_words,
)
from pipeline.orient import OrientationDecision, OrientationOptions, orientation_by_osd, orientation_by_reading
from pipeline.reread import with_unread_text
from pipeline.tesseract import CallStats, TesseractConfig, Word
from schemas.record import PageInfo, ReadAgain, Warning


@dataclass(frozen=True)
class PageOptions:
    """The knobs one page needs, taken from the settings."""

    tesseract: TesseractConfig
    ocr_dpi: int = 300
    orientation: OrientationOptions = field(default_factory=OrientationOptions)
    min_dpi: int = 200
    jpeg_quality: int = 80


@dataclass
class PageResult:
    """What processing a page produced: its record entry, words on the archived image, and that image."""

    info: PageInfo
    words: list[Word]
    jpeg: bytes
    warnings: list[Warning] = field(default_factory=list)
    tesseract_calls: list[CallStats] = field(default_factory=list)
    header_text: str | None = None


def process_page(loaded: LoadedPage, number: int, options: PageOptions) -> PageResult:
    """Run the page stages in order. The input image is never modified."""
    warnings = resolution_warnings(loaded, number, options.min_dpi, options.ocr_dpi)
    image, dpi = loaded.image, loaded.dpi
    height, width = image.shape[:2]
    page_info = partial(PageInfo, number=number, width_px=width, height_px=height, dpi=dpi)
    grey = ink_grey(image)
    small_grey, small_dpi = analysis_grey(grey, dpi)
    mask = analysis_binary(small_grey)
    if is_blank(mask):
        warnings.append(Warning(code="blank_page", page=number, message="the page is blank"))
        info = page_info(skew_deg=0.0, rotation_deg=0, blank=True, ocr_confidence=None, text="")
        return PageResult(info, [], _encode_jpeg(image, options.jpeg_quality), warnings)

    page, turn = upright_page(Scan(image, grey, mask, dpi), small_grey, small_dpi, options)
    ocr = page.ocr
    if not ocr.words:  # nothing to read, so no way up to doubt
        warnings.append(Warning(code="no_text", page=number, message="no text was recognised on this page"))
        turn = OrientationDecision(turn.rotation_deg, turn.method, calls=turn.calls)
    warnings += orientation_warnings(turn, number)
    read_again: list[ReadAgain] = []
    header = None
    if number == 1 and ocr.words and header_is_incomplete(ocr.text):
        header = read_header_regions(page.ocr_image, options.ocr_dpi, options.tesseract)
        read_again.append("header")
    ocr, read_more = with_unread_text(ocr, page.ocr_image, options.ocr_dpi, options.tesseract)
    read_again += read_more
    calls = [*turn.calls, *ocr.calls, *(header.calls if header else [])]
    info = page_info(
        skew_deg=page.skew,
        rotation_deg=page.rotation_deg,
        blank=False,
        ocr_confidence=ocr.confidence,
        text=ocr.text,
        orientation=turn.method,
        orientation_doubtful=turn.doubtful,
        read_again=read_again,
    )
    words = scale_words(ocr.words, 1 / page.scale)
    jpeg = _encode_jpeg(page.image, options.jpeg_quality)
    return PageResult(info, words, jpeg, warnings, calls, header.text if header else None)


def upright_page(
    scan: Scan, small_grey: np.ndarray, small_dpi: float, options: PageOptions
) -> tuple[UprightPage, OrientationDecision]:
    """The page read in its way up, and how that was decided. A reading given up for another turn still
    counts: its tesseract calls are kept with the decision."""
    turn = orientation_by_osd(small_grey, small_dpi, options.tesseract, options.orientation)
    page = read_upright(scan, turn.rotation_deg, options)
    poor = (page.ocr.confidence or 0.0) < options.orientation.poor_ocr_confidence
    if turn.method == "osd" and page.ocr.words and poor:
        # A poor reading after OSD's turn may be a page read upside down: read a strip both ways.
        candidates = (turn.rotation_deg, (turn.rotation_deg + 180) % 360)
        turn = orientation_by_reading(small_grey, small_dpi, candidates, options.tesseract, previous=turn)
        page, turn = _read_in_turn(scan, page, turn, options)
    if (
        turn.doubtful
        and turn.rotation_deg != 0
        and (page.ocr.confidence or 0.0) < options.orientation.poor_ocr_confidence
    ):
        # A doubtful turn read poorly or not at all: the page as it came, if it reads better.
        upright, upright_turn = _read_in_turn(scan, page, replace(turn, rotation_deg=0), options)
        if (upright.ocr.confidence or 0.0) > (page.ocr.confidence or 0.0):
            return upright, upright_turn
        turn = replace(turn, calls=[*turn.calls, *upright.calls])
    return page, turn


def _read_in_turn(
    scan: Scan, page: UprightPage, turn: OrientationDecision, options: PageOptions
) -> tuple[UprightPage, OrientationDecision]:
    """The page read in `turn` when `page` was read in another; the reading given up keeps its calls."""
    if turn.rotation_deg == page.rotation_deg:
        return page, turn
    return read_upright(scan, turn.rotation_deg, options), replace(turn, calls=[*turn.calls, *page.calls])


@dataclass(frozen=True)
class Scan:
    """A page as loaded: colour pixels, ink greyscale, the low-resolution ink mask, and the resolution."""

    image: np.ndarray
    grey: np.ndarray
    mask: np.ndarray
    dpi: float


@dataclass(frozen=True)
class UprightPage:
    """The page turned and straightened, and what OCR read on it."""

    rotation_deg: int
    skew: float
    image: np.ndarray
    ocr_image: np.ndarray
    scale: float
    ocr: OcrResult

    @property
    def calls(self) -> list[CallStats]:
        return self.ocr.calls


def read_upright(scan: Scan, rotation: int, options: PageOptions) -> UprightPage:
    """Undo the quarter turn, measure and undo the skew, then recognise the page at the OCR resolution."""
    image, grey, mask = (quarter_turn(a, rotation) for a in (scan.image, scan.grey, scan.mask))
    skew = deskew_angle(mask)
    image, grey = rotate(image, -skew), rotate(grey, -skew)
    ocr_image, scale = prepare_for_ocr(grey, scan.dpi, options.ocr_dpi)
    ocr = recognise(ocr_image, options.ocr_dpi, options.tesseract)
    return UprightPage(rotation, skew, image, ocr_image, scale, ocr)


def orientation_warnings(turn: OrientationDecision, number: int) -> list[Warning]:
    """A page whose turn stays doubtful after reading it both ways must be looked at by a person."""
    if not turn.doubtful:
        return []
    tried = ", ".join(f"{s.rotation_deg}°: {s.syllables} words" for s in turn.scores)
    message = f"could not tell which way up the page is (read as {turn.rotation_deg}°; {tried})"
    return [Warning(code="orientation_uncertain", page=number, message=message)]


def resolution_warnings(loaded: LoadedPage, number: int, min_dpi: int, ocr_dpi: int) -> list[Warning]:
    """A scan below the legal minimum resolution, or with none stated, is flagged for people to see."""
    warnings = []
    if loaded.dpi < min_dpi:
        message = f"scanned at {loaded.dpi:g} dpi; at least {min_dpi} dpi is required"
        warnings.append(Warning(code="low_resolution", page=number, message=message))
    if not loaded.dpi_from_file:
        message = f"the file gives no resolution; {loaded.dpi:g} dpi assumed from A4"
        warnings.append(Warning(code="dpi_estimated", page=number, message=message))
    if loaded.dpi < LOW_RESOLUTION_DPI:
        message = f"at {loaded.dpi:g} dpi the page was enlarged {ocr_dpi / loaded.dpi:.1f}× before orientation and OCR"
        warnings.append(Warning(code="upscaled", page=number, message=message))
    return warnings


def _encode_jpeg(bgr: np.ndarray, quality: int) -> bytes:
    """JPEG of the page in colour, or greyscale when the scan has no colour worth keeping."""
    image = bgr
    sample = bgr[::8, ::8].astype(np.int16)
    if int((sample.max(axis=2) - sample.min(axis=2)).max()) <= 24:
        image = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buffer.tobytes()
