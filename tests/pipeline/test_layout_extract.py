"""Metadata from the page's geometry: the header split at its gutter, công văn, holders in running text, confidence."""

from __future__ import annotations

import datetime as dt

from pipeline.extract import extract_metadata
from pipeline.layout import page_lines, split_header
from pipeline.tesseract import Word

TODAY = dt.date(2026, 11, 22)
CHAR_PX, LINE_PX = 14, 28


def _words(rows: list[tuple[int, int, str]], low: dict[str, float] | None = None) -> list[Word]:
    """Words laid out as tesseract would report them: (line number, x of the first word, text) per printed run.

    Runs given the same line number are one tesseract line, as when it reads both header columns as one.
    """
    words, low = [], low or {}
    for number, (line, x, text) in enumerate(rows):
        for token in text.split():
            width = CHAR_PX * len(token)
            conf = low.get(token, 95.0)
            words.append(Word(token, x, 60 + line * 2 * LINE_PX, width, LINE_PX, conf, 1, 1, line * 100 + number))
            x += width + CHAR_PX // 2
    return sorted(words, key=lambda w: (w.line // 100, w.left))


def _relined(words: list[Word]) -> list[Word]:
    """The header's runs merged into one tesseract line per row, as tesseract reads a narrow gutter.

    Below the header, runs far apart stay lines of their own, as the page step's reading order leaves them.
    """
    return [Word(**{**w.__dict__, "line": w.line // 100 if w.line < 500 else w.line}) for w in words]


LETTER = [
    (0, 100, "UBND TỈNH NINH BÌNH"),
    (0, 640, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    (1, 60, "SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
    (1, 760, "Độc lập - Tự do - Hạnh phúc"),
    (2, 120, "Số: 1635/SGDĐT-VP"),
    (2, 700, "Ninh Bình, ngày 12 tháng 3 năm 2024"),
    (3, 60, "V/v tăng cường công tác phòng"),
    (4, 60, "chống dịch bệnh trong trường học"),
    (6, 300, "Kính gửi: Ủy ban nhân dân các huyện, thành phố"),
    (7, 60, "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc phòng chống dịch bệnh, Sở Giáo dục và"),
    (8, 60, "Đào tạo đề nghị các đơn vị triển khai các nội dung sau đây."),
    (11, 820, "KT. GIÁM ĐỐC"),
    (11, 60, "Nơi nhận:"),
    (12, 800, "PHÓ GIÁM ĐỐC"),
    (12, 60, "- Như trên;"),
    (15, 790, "Lê Thu Linh"),
]


def test_a_letter_header_read_as_one_line_per_row_is_split_at_its_gutter():
    # Given tesseract lines that run across both header columns (a narrow gutter)
    lines = page_lines(_relined(_words(LETTER)))
    assert lines[0].text == "UBND TỈNH NINH BÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    # When the header is split, each column has its own lines
    header = split_header(lines)
    assert [line.text for line in header.left] == [
        "UBND TỈNH NINH BÌNH",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Số: 1635/SGDĐT-VP",
        "V/v tăng cường công tác phòng",
        "chống dịch bệnh trong trường học",
    ]
    assert [line.text for line in header.right][-1] == "Ninh Bình, ngày 12 tháng 3 năm 2024"
    assert header.rest[0].text.startswith("Kính gửi")


def test_a_cong_van_gets_its_type_and_its_v_v_subject_not_the_kinh_gui_list():
    words = _relined(_words(LETTER))
    meta = extract_metadata([" ".join(w.text for w in words)], page_words=[words], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND TỈNH NINH BÌNH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert (meta.document_number, meta.place, meta.issued_date) == ("1635/SGDĐT-VP", "Ninh Bình", dt.date(2024, 3, 12))
    assert meta.type_name == "CÔNG VĂN"
    assert meta.subject == "V/v tăng cường công tác phòng chống dịch bệnh trong trường học"
    assert (meta.signer_title, meta.signer_name) == ("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "Lê Thu Linh")


def test_a_handwritten_number_lost_to_ocr_keeps_the_printed_notation():
    rows = [(line, x, "Số: /SGDĐT-CTrTT" if text.startswith("Số:") else text) for line, x, text in LETTER]
    words = _relined(_words(rows))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    meta = extraction.metadata
    assert (meta.document_number, meta.code_number, meta.code_notation) == (None, None, "SGDĐT-CTrTT")


def test_holders_named_inside_running_text():
    sentences = {
        "Điều 1. Cấp phép cho Bà: Đặng Hữu Long, số định danh cá nhân: 069184001234, nơi cư trú: xã Khánh Hòa": (
            "ĐẶNG HỮU LONG",
            "069184001234",
        ),
        "Cấp cho ông Nguyễn Quốc Nam sinh ngày 05/01/1980 tại Ninh Bình": ("NGUYỄN QUỐC NAM", None),
        "Xác nhận đề nghị của bà Trần Thị Thu Hà, Căn cước công dân số 037 185 002 345": (
            "TRẦN THỊ THU HÀ",
            "037185002345",
        ),
        "Ông (bà): Lý Văn Sơn; địa chỉ thường trú: thôn Đông": ("LÝ VĂN SƠN", None),
        "2. Họ và tên: PHAN MINH TUẤN Giới tính: Nam": ("PHAN MINH TUẤN", None),
    }
    for sentence, expected in sentences.items():
        meta = extract_metadata([f"GIẤY XÁC NHẬN\n{sentence}"], today=TODAY).metadata
        assert (meta.holder_name, meta.holder_id) == expected, sentence


def test_impossible_or_doubtfully_read_values_stay_below_the_review_threshold():
    seal = "KT. GIÁM ĐỐC HỨGI ÁM ĐỐ ĐỌC"
    seal_over_title = [(row, x, seal if text == "KT. GIÁM ĐỐC" else text) for row, x, text in LETTER]
    misread_name = [(row, x, "Lẽ Thu Linh" if text == "Lê Thu Linh" else text) for row, x, text in LETTER]
    for rows, field in ((seal_over_title, "signer_title"), (misread_name, "signer_name")):
        words = _relined(_words(rows))
        extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
        assert getattr(extraction.metadata, field) is not None
        assert extraction.confidence[field] < 0.7, (field, extraction.confidence)
    # An agency whose words tesseract read unsurely ("HOANG" for "HOẰNG") is doubtful, not certain
    words = _relined(_words(LETTER, low={"ĐÀO": 61.0}))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    assert extraction.metadata.organ_name == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert extraction.confidence["organ_name"] < 0.7
    assert extraction.confidence["document_number"] >= 0.9
