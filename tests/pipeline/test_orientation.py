"""Orientation confirmed by reading: low-resolution pages without a resolution tag, OSD fooled, doubtful pages."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.metrics import word_error
from pipeline import orient, tesseract
from pipeline import page as page_step
from pipeline.images import quarter_turn
from pipeline.load import LoadedPage
from pipeline.ocr import OcrResult
from pipeline.orient import OrientationOptions
from pipeline.page import PageOptions, process_page
from pipeline.tesseract import Orientation, TesseractConfig
from samples.generate import make_document

LOW_DPI = 80


@pytest.fixture(scope="module")
def low_resolution_letter() -> tuple[np.ndarray, str]:
    """An upright notice as a cheap scanner's "fast" mode gives it: 80 dpi, blurred, JPEG quality 60, no tag."""
    doc = make_document("notice", seed=104, dpi=300, noise=0.3, skew_deg=0.8)
    page = cv2.cvtColor(np.asarray(doc.pages[0].convert("RGB")), cv2.COLOR_RGB2BGR)
    small = cv2.resize(page, None, fx=LOW_DPI / 300, fy=LOW_DPI / 300, interpolation=cv2.INTER_AREA)
    _, jpeg = cv2.imencode(".jpg", cv2.GaussianBlur(small, (3, 3), 0.6), [cv2.IMWRITE_JPEG_QUALITY, 60])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR), doc.truth.page_text(0)


def _turned(image: np.ndarray, rotation: int) -> np.ndarray:
    """The page as scanned turned `rotation` degrees counter-clockwise."""
    return quarter_turn(image, (360 - rotation) % 360)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_an_80_dpi_page_without_a_resolution_tag_is_read_upright(low_resolution_letter, rotation):
    # Given an 80-dpi page (its resolution estimated from A4), turned or not
    image, truth = low_resolution_letter
    loaded = LoadedPage(_turned(image, rotation), float(round(max(image.shape[:2]) / (297 / 25.4))), False)
    # When it is processed
    result = process_page(loaded, 1, PageOptions(tesseract=TesseractConfig()))
    # Then the turn is undone, the text is read, and the record says the page was enlarged
    assert result.info.rotation_deg == rotation
    assert not result.info.orientation_doubtful
    assert word_error(result.info.text, truth) < 0.12
    assert {"dpi_estimated", "upscaled", "low_resolution"} <= {w.code for w in result.warnings}


def test_when_osd_is_sure_of_the_wrong_turn_a_poor_reading_makes_it_check(low_resolution_letter, monkeypatch):
    # Given OSD that confidently calls an upside-down page upright (as it did on real 80-dpi letters)
    image, truth = low_resolution_letter
    monkeypatch.setattr(orient, "detect_orientation", lambda *_: (Orientation(0, 9.0), orient.CallStats(0.0, 0.0)))
    runs, run = [], tesseract.run
    monkeypatch.setattr(tesseract, "run", lambda *args, **kwargs: runs.append(1) or run(*args, **kwargs))
    # When the page is processed
    result = process_page(LoadedPage(_turned(image, 180), LOW_DPI, True), 1, PageOptions(tesseract=TesseractConfig()))
    # Then the poor first reading made it read a strip both ways, and the upright reading won
    assert result.info.rotation_deg == 180
    assert result.info.orientation == "recognition"
    # And the reading given up still counts in the page's tesseract calls: OSD, two pages, two strips
    # And every tesseract run is in the page's calls, the page reading given up for the other turn too
    assert len(result.tesseract_calls) == 1 + len(runs)  # OSD (stubbed here) and the runs made
    assert word_error(result.info.text, truth) < 0.12


def test_when_osd_is_unsure_all_four_turns_are_read(low_resolution_letter):
    image, _ = low_resolution_letter
    unsure = PageOptions(tesseract=TesseractConfig(), orientation=OrientationOptions(osd_min_confidence=1000))
    result = process_page(LoadedPage(_turned(image, 270), LOW_DPI, True), 1, unsure)
    assert (result.info.rotation_deg, result.info.orientation) == (270, "recognition")
    assert len(result.tesseract_calls) >= 1 + 4 + 1  # OSD, four strips, the page


def test_a_page_that_reads_no_way_is_flagged_doubtful_not_silently_kept():
    # Given a page of digits and codes only: no syllables in any turn
    page = np.full((1169, 827, 3), 250, np.uint8)
    rng = np.random.default_rng(5)
    for row in range(80, 1100, 45):
        text = " ".join(str(rng.integers(10_000, 99_999)) for _ in range(6))
        cv2.putText(page, text, (40, row), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    unsure = PageOptions(tesseract=TesseractConfig(), orientation=OrientationOptions(osd_min_confidence=1000))
    result = process_page(LoadedPage(page, 100, True), 1, unsure)
    assert result.info.orientation_doubtful
    assert "orientation_uncertain" in {w.code for w in result.warnings}


def test_turn_scores_count_confident_syllables_only():
    read = (("Quyết", 90), ("định", 80), ("ĐỒC", 95), ("Ôi", 45))
    words = [orient.Word(text, 0, 0, 10, 10, conf, 1, 1, 1) for text, conf in read]
    assert orient.score_turn(0, words) == orient.TurnScore(0, 1.7, 2, 4)


def test_when_reading_cannot_tell_osd_s_turn_stands_and_a_turn_that_reads_nothing_is_not_kept(
    low_resolution_letter, monkeypatch
):
    # Given OSD unsure but right (upright), and strips that read next to nothing in any turn (a faint page)
    image, truth = low_resolution_letter
    monkeypatch.setattr(orient, "detect_orientation", lambda *_: (Orientation(0, 0.5), orient.CallStats(0.0, 0.0)))

    def one_word_sideways(page: np.ndarray, *_) -> tuple[list[orient.Word], orient.CallStats]:
        sideways = page.shape[1] > page.shape[0]  # read a quarter turn off, a page gives one stray syllable
        words = [orient.Word("Ôi", 0, 0, 10, 10, 80.0, 1, 1, 1)] if sideways else []
        return words, orient.CallStats(0.0, 0.0)

    monkeypatch.setattr(orient, "_read_strip", one_word_sideways)
    # When the page is processed
    result = process_page(LoadedPage(image, LOW_DPI, True), 1, PageOptions(tesseract=TesseractConfig()))
    # Then OSD's turn is kept, flagged doubtful, and the page is read
    assert (result.info.rotation_deg, result.info.orientation_doubtful) == (0, True)
    assert word_error(result.info.text, truth) < 0.12
    # And when OSD's doubtful turn reads nothing at all (here: a sideways page reads nothing), the page as it
    # came is read instead
    monkeypatch.setattr(orient, "detect_orientation", lambda *_: (Orientation(90, 0.5), orient.CallStats(0.0, 0.0)))
    recognise = page_step.recognise

    def nothing_sideways(binary: np.ndarray, *args, **kwargs):
        if binary.shape[1] > binary.shape[0]:
            return OcrResult([], "", None, [])
        return recognise(binary, *args, **kwargs)

    monkeypatch.setattr(page_step, "recognise", nothing_sideways)
    result = process_page(LoadedPage(image, LOW_DPI, True), 1, PageOptions(tesseract=TesseractConfig()))
    assert (result.info.rotation_deg, result.info.orientation_doubtful) == (0, True)
    assert word_error(result.info.text, truth) < 0.12


def _shadowed(image: np.ndarray) -> np.ndarray:
    """The page with its lower third in a phone's shadow, darkening to a third of the light at the edge."""
    shade = np.ones(image.shape[0], np.float32)
    start = 2 * image.shape[0] // 3
    shade[start:] = np.linspace(1.0, 0.35, image.shape[0] - start)
    return (image.astype(np.float32) * shade[:, None, None]).astype(np.uint8)


def test_a_shadow_is_not_taken_for_the_print_when_a_strip_is_read_to_find_the_way_up(
    low_resolution_letter, monkeypatch
):
    # Given an upright page with a dark shadow, and OSD unsure and wrong (as on a real 96-dpi letter)
    image, _ = low_resolution_letter
    monkeypatch.setattr(orient, "detect_orientation", lambda *_: (Orientation(180, 1.2), orient.CallStats(0.0, 0.0)))
    # When the page is processed
    result = process_page(LoadedPage(_shadowed(image), LOW_DPI, True), 1, PageOptions(tesseract=TesseractConfig()))
    # Then the strip read in each turn is print, not the shadow, and reading it settles the way up
    assert (result.info.rotation_deg, result.info.orientation, result.info.orientation_doubtful) == (
        0,
        "recognition",
        False,
    )


def test_a_doubtful_turn_that_reads_poorly_gives_way_to_the_page_as_it_came(low_resolution_letter, monkeypatch):
    # Given OSD unsure and wrong, and strips that cannot tell (nothing read in any turn)
    image, truth = low_resolution_letter
    monkeypatch.setattr(orient, "detect_orientation", lambda *_: (Orientation(180, 0.5), orient.CallStats(0.0, 0.0)))
    monkeypatch.setattr(orient, "_read_strip", lambda *_: ([], orient.CallStats(0.0, 0.0)))
    # When the page is processed
    result = process_page(LoadedPage(image, LOW_DPI, True), 1, PageOptions(tesseract=TesseractConfig()))
    # Then the upside-down reading, poor, gives way to the page read as it came, which stays flagged
    assert (result.info.rotation_deg, result.info.orientation_doubtful) == (0, True)
    assert word_error(result.info.text, truth) < 0.12
