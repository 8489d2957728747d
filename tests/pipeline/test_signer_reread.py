"""The signer's name read again under their title when the page-wide pass skipped it (a seal or signature on it)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.layout import page_lines
from pipeline.load import LoadedPage
from pipeline.ocr import read_sparse_region, recognise, unread_bottom
from pipeline.page import PageOptions, process_page, with_signer_block
from pipeline.people import signer, unread_signer_name
from pipeline.tesseract import TesseractConfig, Word
from samples.generate import make_document
from samples.layout import FONTS

DPI = 300
TITLE = ((1580, 1960, "KT. GIÁM ĐỐC"), (1560, 2040, "PHÓ GIÁM ĐỐC"))
NAME = (1540, 2480, "Nguyễn Văn Nam")


def _page(with_name: bool) -> np.ndarray:
    """An A4 page at 300 dpi: a line of body text, the signer's title, a seal ring, and (or not) the name."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    body = ImageFont.truetype(str(FONTS["noto"]["regular"]), 50)
    bold = ImageFont.truetype(str(FONTS["noto"]["bold"]), 54)
    draw.text((300, 1700), "Quyết định này có hiệu lực kể từ ngày ký./.", font=body, fill=0)
    draw.text((300, 1960), "Nơi nhận:", font=body, fill=0)
    for x, y, text in TITLE:
        draw.text((x, y), text, font=bold, fill=0)
    draw.ellipse((980, 2100, 1500, 2560), outline=0, width=14)
    if with_name:
        draw.text(NAME[:2], NAME[2], font=bold, fill=0)
    return np.array(page)


def _word(text: str, left: int, top: int, line: int) -> Word:
    return Word(text, left, top, 40 * len(text), 60, 95.0, 1, 1, line)


def test_a_title_without_a_name_under_it_asks_for_the_area_below():
    title = [_word(t, 1580 + 200 * i, 1960, 1) for i, t in enumerate(["KT.", "GIÁM", "ĐỐC"])]
    deputy = [_word(t, 1560 + 200 * i, 2040, 2) for i, t in enumerate(["PHÓ", "GIÁM", "ĐỐC"])]
    body = [_word(t, 300 + 250 * i, 1700, 3) for i, t in enumerate(["Quyết", "định", "này", "có", "hiệu", "lực"])]
    box = unread_signer_name(page_lines([*body, *title, *deputy]))
    assert box is not None
    left, top, right, bottom = box
    assert top == 2100 and left < 1560 and right > 2160 and bottom > 2100 + 8 * 60
    name = [_word(t, 1540 + 250 * i, 2480, 4) for i, t in enumerate(["Nguyễn", "Văn", "Nam"])]
    assert unread_signer_name(page_lines([*body, *title, *deputy, *name])) is None


def test_the_name_the_page_wide_pass_missed_is_read_again_and_found_by_the_signer_step():
    config = TesseractConfig()
    # Given a page-wide reading that has the title but not the name (the name was not on the page read)
    without_name = recognise(_page(with_name=False), DPI, config)
    assert signer(page_lines(without_name.words)).get("signer_name") is None
    # When the page's words are completed on the page that shows the name
    completed = with_signer_block(without_name, _page(with_name=True), PageOptions(tesseract=config))
    # Then the name is among the words, in the page's pixels, with one more tesseract call, and the text has it
    names = [w for w in completed.words if w.text in ("Nguyễn", "Văn", "Nam")]
    assert [w.text for w in names] == ["Nguyễn", "Văn", "Nam"]
    assert all(2440 < w.top < 2560 and w.left > 1500 for w in names)
    assert len(completed.calls) == len(without_name.calls) + 1
    assert "Nguyễn Văn Nam" in completed.text
    found = signer(page_lines(completed.words))
    assert found["signer_name"][0] == "Nguyễn Văn Nam"
    assert found["signer_title"][0] == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"
    # And a page whose name was read pays for no second reading
    whole = recognise(_page(with_name=True), DPI, config)
    assert with_signer_block(whole, _page(with_name=True), PageOptions(tesseract=config)) is whole


def test_ink_left_unread_below_the_last_line_is_found_but_an_empty_bottom_is_not():
    body = [_word(t, 300 + 250 * i, 1700, 1) for i, t in enumerate(["Quyết", "định", "này", "có", "hiệu", "lực"])]
    box = unread_bottom(_page(with_name=True), body)
    assert box is not None and box[1] > 1760 and box[3] > 2480
    blank = np.full((3508, 2480), 255, dtype=np.uint8)
    assert unread_bottom(blank, body) is None
    # The block read from that area gives the signer, title and name
    config = TesseractConfig()
    read = read_sparse_region(_page(with_name=True), box, DPI, config, body)
    found = signer(page_lines([*body, *read.words]))
    assert found["signer_name"][0] == "Nguyễn Văn Nam"
    assert found["signer_title"][0] == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"


def test_a_clean_page_whose_signer_was_read_pays_for_no_second_reading_and_one_over_the_name_does():
    doc = make_document("decision", seed=41, dpi=300, noise=0.3)
    bgr = cv2.cvtColor(np.array(doc.pages[0].convert("RGB")), cv2.COLOR_RGB2BGR)
    result = process_page(LoadedPage(bgr, 300, True), 1, PageOptions(tesseract=TesseractConfig()))
    assert result.info.read_again == []
    assert signer(page_lines(result.words))["signer_name"][0] == doc.truth.metadata["signer_name"]
    # The same page with the name wiped from under the title: the page step reads the area again
    name_words = [w for w in result.words if w.text in doc.truth.metadata["signer_name"].split()]
    top, bottom = min(w.top for w in name_words), max(w.top + w.height for w in name_words)
    wiped = bgr.copy()
    wiped[top - 5 : bottom + 5, :] = 255
    again = process_page(LoadedPage(wiped, 300, True), 1, PageOptions(tesseract=TesseractConfig()))
    assert again.info.read_again == ["signer_block"]
    assert len(again.tesseract_calls) == len(result.tesseract_calls) + 1
