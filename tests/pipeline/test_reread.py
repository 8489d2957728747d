"""Text the page-wide pass skipped, read again: the signer's name under a seal, lines of ink no word covers."""

from __future__ import annotations

import json

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.metrics import cer
from pipeline.coverage import unread_lines
from pipeline.layout import page_lines
from pipeline.load import LoadedPage
from pipeline.names import as_family_name
from pipeline.ocr import REREAD_BLOCK, OcrResult, recognise, words_to_text
from pipeline.page import PageOptions, process_page
from pipeline.people import lost_family_name_area, signer, unread_signer_name
from pipeline.reread import merged, with_unread_text
from pipeline.tesseract import TesseractConfig, Word
from samples.generate import make_document
from samples.layout import FONTS

DPI = 300
TITLE = ((1580, 1960, "KT. GIÁM ĐỐC"), (1560, 2040, "PHÓ GIÁM ĐỐC"))
NAME = (1540, 2480, "Nguyễn Văn Nam")


def _page(with_name: bool, name: str = NAME[2]) -> np.ndarray:
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
        draw.text(NAME[:2], name, font=bold, fill=0)
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
    completed, read_again = with_unread_text(without_name, _page(with_name=True), DPI, config)
    assert read_again == ["signer_block"]
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
    assert with_unread_text(whole, _page(with_name=True), DPI, config) == (whole, [])


def test_lines_of_ink_no_word_covers_are_found_and_read_but_seals_and_covered_text_are_not():
    config = TesseractConfig()
    page = _page(with_name=True)
    whole = recognise(page, DPI, config)
    assert unread_lines(page, whole.words) == []  # every line was read; the seal ring is no line
    # Given a reading that lost the body's line and the signer's block
    kept = [w for w in whole.words if w.top < 1650 or (1950 < w.top < 2030 and w.left < 1000)]
    regions = unread_lines(page, kept)
    assert len(regions) == 3  # the body line, the title, and the name beside the seal
    partial = OcrResult(kept, words_to_text(kept), whole.confidence, whole.calls)
    completed, read_again = with_unread_text(partial, page, DPI, config)
    assert read_again == ["signer_block", "unread_lines"]  # beside "Nơi nhận:", then the body line
    assert "Quyết định này có hiệu lực kể từ ngày ký./." in completed.text
    found = signer(page_lines(completed.words))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "Nguyễn Văn Nam")
    assert unread_lines(np.full_like(page, 255), kept) == []


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


def test_a_word_read_again_joins_the_line_on_its_row_and_the_rest_take_their_place_in_reading_order():
    number = [Word("Số:", 460, 560, 80, 40, 93.0, 3, 1, 3)]
    motto = [Word(t, 1300 + 200 * i, 400, 180, 40, 95.0, 2, 1, 1) for i, t in enumerate(["Độc", "lập"])]
    body = [Word("Căn", 300, 900, 90, 40, 95.0, 5, 1, 1)]
    again = [
        Word("566/QĐ-STC", 560, 562, 260, 40, 90.0, REREAD_BLOCK, 1, 1),
        Word("CỘNG", 1250, 330, 200, 40, 96.0, REREAD_BLOCK, 1, 2),
    ]
    result = merged([*motto, *number, *body], again)
    assert [w.text for w in result] == ["CỘNG", "Độc", "lập", "Số:", "566/QĐ-STC", "Căn"]
    assert (result[4].block, result[4].line) == (3, 3)  # on the "Số:" line
    # A garbled line two rows tall takes no word of either row
    tall = [Word("4.", 250, 1460, 40, 45, 90.0, 7, 1, 1), Word("se", 700, 1540, 60, 45, 20.0, 7, 1, 1)]
    row = Word("Các", 360, 1460, 120, 45, 95.0, REREAD_BLOCK + 1, 1, 1)
    assert merged(tall, [row])[-1].block == REREAD_BLOCK + 1


def test_words_read_again_are_plain_numbers_that_serialise():
    page = _page(with_name=True)
    whole = recognise(page, DPI, TesseractConfig())
    kept = [w for w in whole.words if w.top < 1750]  # the body line; the rest is read again
    completed, _ = with_unread_text(OcrResult(kept, words_to_text(kept), None, []), page, DPI, TesseractConfig())
    assert len(completed.words) > len(kept)
    assert json.loads(json.dumps([w.__dict__ for w in completed.words]))  # as the page step stores them
    assert all(type(value) in (str, int, float) for w in completed.words for value in w.__dict__.values())


def test_lines_that_touch_are_split_into_rows_and_a_solid_band_is_no_text():
    page = _page(with_name=True)
    whole = recognise(page, DPI, TesseractConfig())
    # Two body lines set so close that their ink touches, nobody read them, and a dark band at the top edge
    crowded = page.copy()
    crowded[1740:1760, 300:1400] = page[1700:1720, 300:1400]  # the line's lower half, pushed against it
    crowded[100:180, 200:2300] = 0
    kept = [w for w in whole.words if w.top > 1900]
    regions = unread_lines(crowded, kept)
    assert regions and all(top > 200 for _, top, _, _ in regions)  # not the black band
    assert any(top < 1720 < bottom for _, top, _, bottom in regions)  # the body line is still found


SLANTED = (
    "Trong thời gian qua, các cơ quan, đơn vị đã quan tâm triển khai",
    "và đạt được một số kết quả nhất định trong công tác này.",
    "Tuy nhiên, việc thực hiện ở một số nơi còn chậm, chưa đồng bộ.",
)


def test_a_slanted_paragraph_nobody_read_is_found_and_read_line_by_line():
    # Given a photographed paragraph whose lines slant (a box taller than two lines, but thin ink) and a
    # page-wide reading that skipped it
    page = Image.new("L", (2480, 1400), 255)
    body = ImageFont.truetype(str(FONTS["noto"]["regular"]), 50)
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(SLANTED):
        draw.text((200, 300 + 110 * row), text, font=body, fill=0)
    draw.text((200, 1100), "Nơi nhận:", font=body, fill=0)
    slanted = cv2.warpAffine(
        np.array(page), np.float32([[1, 0, 0], [-0.05, 1, 100]]), (2480, 1400), borderValue=255
    )  # each line falls 5 px in 100: some 75 px over its length, more than a line height
    config = TesseractConfig()
    read = [w for w in recognise(slanted, DPI, config).words if w.top > 1000]
    # When the page's words are completed
    completed, read_again = with_unread_text(OcrResult(read, words_to_text(read), 0.9), slanted, DPI, config)
    # Then the paragraph is found and read, each printed line one line of text
    assert "unread_lines" in read_again
    lines = completed.text.splitlines()
    for text in SLANTED:
        assert any(cer(line, text) < 0.1 for line in lines), (text, lines)


def test_a_family_name_the_page_wide_pass_lost_is_looked_for_before_a_name_of_two_words():
    config = TesseractConfig()
    page = _page(with_name=True, name="Lê Văn Nam")
    # Given a page-wide reading that lost the family name under the seal's edge
    read = recognise(page, DPI, config)
    lost = OcrResult([w for w in read.words if w.text != "Lê"], "", read.confidence, read.calls)
    box, name = lost_family_name_area(page_lines(lost.words))
    assert name.text == "Văn Nam" and box[0] < name.left < box[2]
    # When the page's words are completed
    completed, read_again = with_unread_text(lost, page, DPI, config)
    # Then the family name is read just before the name, kept unsure, and the signer's name is whole but held
    family = [w for w in completed.words if w.text == "Lê"]
    assert len(family) == 1 and family[0].confidence <= 40 and read_again == ["signer_block"]
    name_value, confidence = signer(page_lines(completed.words))["signer_name"]
    assert name_value == "Lê Văn Nam" and confidence < 0.7
    # And a name of three words asks for nothing
    assert lost_family_name_area(page_lines(read.words)) is None


def test_what_is_read_before_a_name_counts_as_a_family_name_only_when_it_spells_one():
    assert [as_family_name(t) for t in ('"Hỗ', "N/ô", "-Phạm", "Đằng", "-.1'Nguyễn")] == [
        "Hồ",
        "Ngô",
        "Phạm",
        "Đặng",
        "Nguyễn",
    ]
    assert [as_family_name(t) for t in ("TI", "tà)", "H", "Xyz")] == [None, None, None, None]
