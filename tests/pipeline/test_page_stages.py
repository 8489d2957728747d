"""Page stages on generated pages: deskew over ±15°, blank detection, ink cleaning, the no-text warning."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.metrics import line_cer
from pipeline.blank import is_blank
from pipeline.deskew import deskew_angle
from pipeline.images import analysis_binary, analysis_grey, ink_grey, rotate
from pipeline.load import LoadedPage
from pipeline.ocr import prepare_for_ocr, read_header_regions
from pipeline.page import PageOptions, process_page
from pipeline.tesseract import TesseractConfig
from samples.generate import make_document


@pytest.fixture(scope="module")
def clean_page() -> np.ndarray:
    doc = make_document("decision", seed=77, dpi=200, font="noto", noise=0.0)
    return cv2.cvtColor(np.asarray(doc.pages[0].convert("RGB")), cv2.COLOR_RGB2BGR)


def _mask(bgr: np.ndarray, dpi: float = 200) -> np.ndarray:
    small, _ = analysis_grey(ink_grey(bgr), dpi)
    return analysis_binary(small)


@pytest.mark.parametrize("angle", [-15.0, -11.3, -6.85, -2.2, -0.35, 0.0, 0.15, 1.7, 4.45, 9.9, 13.6, 15.0])
def test_deskew_finds_counter_clockwise_skew_within_a_fifth_of_a_degree(clean_page, angle):
    skewed = rotate(clean_page, angle)  # counter-clockwise, as on a scan fed in crooked
    assert abs(deskew_angle(_mask(skewed)) - angle) <= 0.2


def test_deskew_is_not_fooled_by_heavy_speckle(clean_page):
    rng = np.random.default_rng(3)
    noisy = rotate(clean_page, 5.0).astype(np.int16) + rng.normal(0, 25, clean_page.shape).astype(np.int16)
    noisy = np.clip(noisy, 0, 255).astype(np.uint8)
    speckles = rng.random(clean_page.shape[:2]) < 0.01
    noisy[speckles] = 0
    assert abs(deskew_angle(_mask(noisy)) - 5.0) <= 0.2


def test_blank_detection_ignores_paper_noise_but_not_a_short_line():
    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(238, 12, (2339, 1654, 3)), 0, 255).astype(np.uint8)
    paper[rng.random(paper.shape[:2]) < 0.002] = 30  # dust specks
    assert is_blank(_mask(paper))
    written = paper.copy()
    cv2.putText(written, "Noi nhan: UBND tinh", (200, 600), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 4)
    assert not is_blank(_mask(written))


def test_red_seal_and_blue_ink_are_dropped_for_ocr_but_black_print_stays():
    page = np.full((400, 400, 3), 245, np.uint8)
    page[50:100, 50:350] = (20, 20, 20)  # black print
    page[150:200, 50:350] = (40, 40, 210)  # red seal ink (BGR)
    page[250:300, 50:350] = (160, 60, 30)  # blue pen
    page[330:360, 50:350] = (25, 20, 70)  # black print under the seal
    grey = ink_grey(page)
    assert grey[75, 200] < 60 and grey[345, 200] < 100
    assert grey[175, 200] > 200 and grey[275, 200] > 200


def test_a_page_with_marks_but_no_text_gets_a_warning():
    page = np.full((2339, 1654, 3), 250, np.uint8)
    cv2.circle(page, (830, 1100), 500, (30, 30, 30), -1)  # a photo-like dark disc, no letters
    result = process_page(LoadedPage(page, 200, True), 1, PageOptions(tesseract=TesseractConfig()))
    assert not result.info.blank
    assert result.info.text == ""
    assert [w.code for w in result.warnings] == ["no_text"]


def test_low_and_unknown_resolution_are_warned(clean_page):
    small = cv2.resize(clean_page, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)
    result = process_page(LoadedPage(small, 150, False), 3, PageOptions(tesseract=TesseractConfig()))
    codes = {(w.code, w.page) for w in result.warnings}
    assert {("low_resolution", 3), ("dpi_estimated", 3)} <= codes
    assert "QUYẾT ĐỊNH" in result.info.text


def test_header_regions_read_as_blocks_return_the_number_and_the_motto():
    doc = make_document("construction_permit", seed=2623, dpi=200, font="liberation", noise=0.3)
    page = cv2.cvtColor(np.asarray(doc.pages[0].convert("RGB")), cv2.COLOR_RGB2BGR)
    binary, _ = prepare_for_ocr(ink_grey(page), 200, 300)
    header = read_header_regions(binary, 300, TesseractConfig())
    assert f"Số: {doc.truth.metadata['document_number']}" in header.text
    assert "Độc lập - Tự do - Hạnh phúc" in header.text
    assert len(header.calls) == 2


def test_a_low_resolution_page_in_a_shadow_is_read_as_if_lit_evenly():
    # Given a 90-dpi letter, no resolution tag, whose lower left lies in a shadow (a phone, a desk lamp)
    doc = make_document("official_letter", seed=4, dpi=200, font="liberation", noise=0.0)
    page = cv2.cvtColor(np.asarray(doc.pages[0].convert("RGB")), cv2.COLOR_RGB2BGR)
    small = cv2.resize(page, None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA).astype(np.float32)
    height, width = small.shape[:2]
    rows, columns = np.mgrid[0:height, 0:width]
    light = 1.0 - 0.7 * np.clip((rows / height) * (1 - columns / width) * 2.2, 0, 1)  # down to 30 % of the light
    shadowed = (small * light[..., None]).astype(np.uint8)
    # When the page is read
    result = process_page(LoadedPage(shadowed, 90, False), 1, PageOptions(tesseract=TesseractConfig()))
    # Then the lines in the shadow are read as well as the rest
    assert line_cer(result.info.text, doc.truth.lines[0]) < 0.03
