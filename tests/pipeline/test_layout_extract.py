"""Metadata from the page's geometry: the header split at its gutter, công văn, holders in running text, confidence."""

from __future__ import annotations

import datetime as dt

from pipeline.agencies import restore_agency
from pipeline.confidence import is_possible_name, is_possible_title
from pipeline.extract import extract_metadata
from pipeline.layout import lines_from_text, page_lines, split_header
from pipeline.people import signer
from pipeline.tesseract import Word
from pipeline.titles import restore_title

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
    """The header's runs impossible into one tesseract line per row, as tesseract reads a narrow gutter.

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
        # the name and the id's label broken across lines, as a justified paragraph breaks them
        "Điều 1. Nâng bậc lương đối với bà Nguyễn\nMinh Hương, sinh ngày 28/12/1983, số định\ndanh cá nhân "
        "034183247774, thường trú": ("NGUYỄN MINH HƯƠNG", "034183247774"),
    }
    for sentence, expected in sentences.items():
        meta = extract_metadata([f"GIẤY XÁC NHẬN\n{sentence}"], today=TODAY).metadata
        assert (meta.holder_name, meta.holder_id) == expected, sentence


def test_a_note_written_above_the_header_does_not_hide_its_gutter():
    # Given a note in the top margin, over the gutter, and the motto read as two lines (a photo's curve)
    rows = [(-1, 300, "Lưu hồ sơ 9/1")] + [row for row in LETTER if not row[2].startswith("CỘNG HÒA")]
    rows += [(0, 640, "CỘNG HÒA XÃ HỘI CHỦ"), (0, 940, "NGHĨA VIỆT NAM")]
    words = _words([(line + 1, x, text) for line, x, text in rows])
    # When the header is split, the note is left out and the motto stays in one column
    header = split_header(page_lines(words))
    assert [line.text for line in header.right][:2] == ["CỘNG HÒA XÃ HỘI CHỦ", "NGHĨA VIỆT NAM"]
    assert header.rest[0].text == "Lưu hồ sơ 9/1"
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND TỈNH NINH BÌNH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert meta.subject == "V/v tăng cường công tác phòng chống dịch bệnh trong trường học"


def test_an_agency_read_with_its_words_run_together_is_spelled_as_the_page_prints_it():
    misread = {
        "UBND TỈNH NINH BÌNH": "UBND TỈNH NINHBÌNH",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO": "SỞ LAO ĐỘNG- THƯƠNG BINH VÀ XÃ HỘI",
    }
    words = _relined(_words([(row, x, misread.get(text, text)) for row, x, text in LETTER]))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    meta = extraction.metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND TỈNH NINH BÌNH", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI")
    assert extraction.confidence["parent_organ_name"] >= 0.7  # the date line spells the place that was run together


def test_a_subject_without_ve_viec_centred_under_the_title_is_the_subject():
    header = [row for row in LETTER if row[0] <= 2]
    subject = "Kết luận của Chủ tịch tại cuộc họp giao ban"
    notice = [
        *header,
        (4, 535, "THÔNG BÁO"),
        (5, 600 - 7 * len(subject), subject),
        (7, 60, "Ngày 05 tháng 3 năm 2024,"),
    ]
    words = _words([*notice, *(row for row in LETTER if row[0] >= 11)])
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.type_name, meta.subject) == ("THÔNG BÁO", subject)
    # A label under a certificate's title is not its subject
    label = "Mã số hộ kinh doanh: 37H8294687"
    title = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH"
    permit = [*header, (4, 600 - 7 * len(title), title), (5, 600 - 7 * len(label), label)]
    words = _words([*permit, *(row for row in LETTER if row[0] >= 11)])
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.type_name, meta.subject) == (title, None)


def test_a_title_by_order_without_its_own_title_and_an_agency_with_a_notation_s_piece_are_held():
    changed = {
        "KT. GIÁM ĐỐC": "TUQ. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC": "",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO": "SỞ GIÁO DỤC VÀ ĐÀO TẠO /SGDĐT",
    }
    rows = [(row, x, changed.get(text, text)) for row, x, text in LETTER]
    extraction = extract_metadata(["text"], page_words=[_relined(_words([r for r in rows if r[2]]))], today=TODAY)
    assert extraction.metadata.signer_title == "TUQ. GIÁM ĐỐC"  # "CHÁNH VĂN PHÒNG" lost: a line is missing
    assert extraction.confidence["signer_title"] < 0.7
    assert extraction.confidence["organ_name"] < 0.7


def test_a_deputy_s_pho_lost_under_a_seal_is_read_from_the_kt_rule():
    for misread in ("GIÁM ĐỐC", "O GIÁM ĐỐC"):
        rows = [(row, x, misread if text == "PHÓ GIÁM ĐỐC" else text) for row, x, text in LETTER]
        words = _relined(_words(rows))
        extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
        assert extraction.metadata.signer_title == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", misread
        assert 0.7 <= extraction.confidence["signer_title"] < 0.9  # deduced, not read
    # A minister's deputy is no "PHÓ": "THỨ TRƯỞNG" stays as read
    rows = [
        (row, x, {"KT. GIÁM ĐỐC": "KT. BỘ TRƯỞNG", "PHÓ GIÁM ĐỐC": "THỨ TRƯỞNG"}.get(text, text))
        for row, x, text in LETTER
    ]
    words = _relined(_words(rows))
    assert (
        extract_metadata(["text"], page_words=[words], today=TODAY).metadata.signer_title == "KT. BỘ TRƯỞNG THỨ TRƯỞNG"
    )


def test_specks_and_rules_read_before_a_signer_s_title_are_not_part_of_it():
    for misread in ("cà. PHÓ GIÁM ĐỐC", "---PHÓ GIÁM ĐỐC", "Ý “PHÓ GIÁM ĐỐC", "PHÓ PHÓ GIÁM ĐỐC"):
        rows = [(row, x, misread if text == "PHÓ GIÁM ĐỐC" else text) for row, x, text in LETTER]
        words = _relined(_words(rows))
        meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
        assert (meta.signer_title, meta.signer_name) == ("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "Lê Thu Linh"), misread


def test_an_acting_head_signing_for_another_keeps_both_lines():
    titles = {"KT. GIÁM ĐỐC": "TL. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC": "Q. CHÁNH VĂN PHÒNG"}
    words = _relined(_words([(row, x, titles.get(text, text)) for row, x, text in LETTER]))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    assert extraction.metadata.signer_title == "TL. GIÁM ĐỐC Q. CHÁNH VĂN PHÒNG"


def test_a_date_line_broken_at_a_day_left_blank_still_ends_the_header_and_gives_the_place():
    # Given a day left blank for a hand, which tesseract reads as two lines on one row
    rows = [(line, x, text) for line, x, text in LETTER if not text.startswith(("Ninh Bình", "V/v", "chống"))]
    rows += [(2, 700, "Ninh Bình, ngày"), (2, 1000, "tháng 3 năm 2024")]
    rows += [(4, 300, "GIẤY CHỨNG"), (4, 470, "NHẬN ĐĂNG KÝ HỘ KINH DOANH")]
    # and the title below read as one line, with a wide space between words where the gutter was
    words = [Word(**{**w.__dict__, "line": 400}) if w.line // 100 == 4 else w for w in _words(rows)]
    # When the header is split, it ends at that row: the title below is not cut in two
    header = split_header(page_lines(words))
    assert [line.text for line in header.right][-2:] == ["Ninh Bình, ngày", "tháng 3 năm 2024"]
    assert header.rest[0].text == "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH"
    # And the place is read across the blank; the date, its day missing, is left null
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.place, meta.issued_date) == ("Ninh Bình", None)
    assert meta.type_name == "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH"


def test_impossible_or_doubtfully_read_values_stay_below_the_review_threshold():
    seal = "KT. GIÁM ĐỐC HỨGI ÁM ĐỐ ĐỌC"
    seal_over_title = [(row, x, seal if text == "KT. GIÁM ĐỐC" else text) for row, x, text in LETTER]
    misread_name = [(row, x, "Lẽ Thủ Linh" if text == "Lê Thu Linh" else text) for row, x, text in LETTER]
    unknown_family = [(row, x, "Ngayễn Thu Linh" if text == "Lê Thu Linh" else text) for row, x, text in LETTER]
    for rows, field in ((seal_over_title, "signer_title"), (unknown_family, "signer_name")):
        words = _relined(_words(rows))
        extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
        assert getattr(extraction.metadata, field) is not None
        assert extraction.confidence[field] < 0.7, (field, extraction.confidence)
    # A family name misread in its marks is the one family name that reads so without them; the given names
    # are left as read ("Thủ" is a syllable), and the reading's own doubt still counts
    words = _relined(_words(misread_name, low={"Thủ": 55.0}))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    assert extraction.metadata.signer_name == "Lê Thủ Linh"
    assert extraction.confidence["signer_name"] < 0.7
    # An agency whose place tesseract read unsurely, with nothing on the page to confirm it, is doubtful
    elsewhere = [(row, x, text.replace("Ninh Bình,", "Hoa Lư,")) for row, x, text in LETTER]
    words = _relined(_words(elsewhere, low={"BÌNH": 61.0}))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    assert extraction.metadata.parent_organ_name == "UBND TỈNH NINH BÌNH"
    assert extraction.confidence["parent_organ_name"] < 0.7
    assert extraction.confidence["document_number"] >= 0.9


def test_an_agency_s_fixed_words_are_restored_and_its_place_checked_against_the_date_line():
    # Given the fixed words of an agency's name misread unsurely, and its place misread in its marks
    misread = {"SỞ GIÁO DỤC VÀ ĐÀO TẠO": "SỞ GIÁO DỤC VÀ ĐẢO TẠO", "UBND TỈNH NINH BÌNH": "UBND TÍNH NINH BINH"}
    rows = [(row, x, misread.get(text, text)) for row, x, text in LETTER]
    words = _relined(_words(rows, low={"ĐẢO": 61.0, "TÍNH": 58.0, "BINH": 70.0}))
    # When the metadata is extracted
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    # Then the fixed words are spelled as they are, and the doubtful reading no longer lowers the agency
    assert extraction.metadata.organ_name == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert extraction.confidence["organ_name"] >= 0.9
    # And the place takes the date line's better-read spelling, as no more than likely
    assert extraction.metadata.parent_organ_name == "UBND TỈNH NINH BÌNH"
    assert 0.7 <= extraction.confidence["parent_organ_name"] <= 0.75
    # And two agencies run together (the unit word lost) are not a possible agency
    impossible = [
        (row, x, "UBND HUYỆN GIA LỘC GIÁO DỤC VÀ ĐÀO TẠO" if row == 1 and x == 60 else text) for row, x, text in LETTER
    ]
    rows = [r for r in impossible if r[2] != "UBND TỈNH NINH BÌNH"]
    extraction = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY)
    assert extraction.confidence["organ_name"] < 0.7


def test_a_notation_that_spells_its_agency_is_confirmed_and_a_subject_ends_at_the_body():
    # Given a number tesseract read unsurely as one word, whose agency code spells the agency ("SGDĐT")
    words = _relined(_words(LETTER, low={"1635/SGDĐT-VP": 40.0}))
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    assert extraction.metadata.document_number == "1635/SGDĐT-VP"
    assert extraction.confidence["document_number"] >= 0.7
    # But under an agency it does not spell, the same reading is doubtful
    other = [(row, x, text.replace("SGDĐT", "QĐ")) for row, x, text in LETTER]
    extraction = extract_metadata(["text"], page_words=[_relined(_words(other, low={"1635/QĐ-VP": 40.0}))], today=TODAY)
    assert extraction.confidence["document_number"] < 0.7
    # And a decision's subject stops where the body starts after a wider gap, though the body's line has no opener
    decision = [
        (0, 100, "ỦY BAN NHÂN DÂN"),
        (0, 640, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (1, 100, "HUYỆN YÊN KHÁNH"),
        (1, 760, "Độc lập - Tự do - Hạnh phúc"),
        (2, 120, "Số: 15/QĐ-UBND"),
        (2, 700, "Yên Khánh, ngày 12 tháng 3 năm 2024"),
        (4, 500, "QUYẾT ĐỊNH"),
        (5, 300, "Về việc lịch tiếp công dân"),
        (6, 300, "định kỳ tháng 6 năm 2024"),
        (8, 100, "Ủy ban nhân dân huyện tổ chức tiếp công dân như sau:"),
    ]
    words = [Word(**{**w.__dict__, "line": w.line // 100}) for w in _words(decision)]
    extraction = extract_metadata(["text"], page_words=[words], today=TODAY)
    assert extraction.metadata.subject == "Về việc lịch tiếp công dân định kỳ tháng 6 năm 2024"


def test_a_speck_of_the_seal_between_the_signer_s_title_lines_is_skipped():
    # Given a signer block whose two title lines have a speck of the seal read as "2" between them
    block = [(1790, 900, "TM. ỦY BAN NHÂN DÂN"), (1835, 1120, "2"), (1846, 1045, "CHỦ TỊCH"), (2063, 940, "Lê Văn An")]
    words = [Word("Nơi", 245, 1800, 60, 30, 95.0, 1, 1, 1), Word("nhận:", 310, 1800, 90, 30, 95.0, 1, 1, 1)]
    for number, (top, x, text) in enumerate(block, start=2):
        for token in text.split():
            words.append(Word(token, x, top, CHAR_PX * len(token), 10 if token == "2" else LINE_PX, 95.0, 1, 1, number))
            x += CHAR_PX * len(token) + CHAR_PX // 2
    # When the signer is read
    found = signer(page_lines(words))
    # Then the whole title is kept, with its prefix
    assert found["signer_title"][0] == "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"
    assert found["signer_name"][0] == "Lê Văn An"


def test_a_notation_with_a_letter_no_vietnamese_word_starts_with_is_doubtful():
    misread = [(row, x, text.replace("1635/SGDĐT-VP", "1635/SGDĐT-VF")) for row, x, text in LETTER]
    extraction = extract_metadata(["text"], page_words=[_relined(_words(misread))], today=TODAY)
    assert extraction.metadata.code_notation == "SGDĐT-VF"
    assert extraction.confidence["code_notation"] < 0.7
    assert extraction.confidence["document_number"] < 0.7


def test_titles_and_agencies_that_lost_words_are_not_possible():
    # A deputy's title without its second line, a body's without its head's title
    assert not is_possible_title("KT. TRƯỞNG PHÒNG")
    assert not is_possible_title("TM. ỦY BAN NHÂN DÂN")
    assert not is_possible_title("KT. CHỦ TỊCH HÓ CHỦ TỊCH")
    assert is_possible_title("KT. CHỦ TỊCH PHÓ CHỦ TỊCH")
    assert is_possible_title("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH")
    # Agencies cut short, run together, or starting with no agency's word
    for cut in ("PHÒNG TÀI CHÍNH -", "KH", "ỦY BAN NHÂN DÂN", "UBND HUYỆN", "UBND HUYỆN KIẾN XƯƠNG VÀ MÔI TRƯỜNG"):
        assert restore_agency([Word(t, 0, 0, 10, 10, 95.0, 1, 1, 1) for t in cut.split()]).impossible, cut
    for whole in ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", "SỞ TƯ PHÁP", "ỦY BAN NHÂN DÂN XÃ HẢI MINH", "CÔNG AN TỈNH NAM ĐỊNH"):
        assert not restore_agency([Word(t, 0, 0, 10, 10, 95.0, 1, 1, 1) for t in whole.split()]).impossible, whole


def test_a_title_misread_by_a_letter_is_restored_but_not_into_another_title():
    assert restore_title("KT. GLÁM ĐỐC") == "KT. GIÁM ĐỐC"
    assert restore_title("HÓ GIÁM ĐỐC") == "PHÓ GIÁM ĐỐC"  # the seal's edge over the "P"
    assert restore_title("PHÓ TRƯỞNG CÔNG AN") == "PHÓ TRƯỞNG CÔNG AN"  # not "PHÓ TRƯỞNG PHÒNG"
    assert restore_title("'IM. UY BAN NHAN DAN") == "TM. ỦY BAN NHÂN DÂN"
    assert restore_title("KT.CHU TỊCH") == "KT. CHỦ TỊCH"
    # what a seal or a signature leaves around a title goes; real words stay
    assert restore_title("LNN ¡y! HÓ CHỦ TỊCH") == "PHÓ CHỦ TỊCH"
    assert restore_title("EHÓ TRƯỞNG PHÒNG Ì À Œ") == "PHÓ TRƯỞNG PHÒNG"
    assert restore_title("CHỦ T TỊCH") == "CHỦ TỊCH"
    assert restore_title("_PHÓ CHỦ TỊCH") == "PHÓ CHỦ TỊCH"
    assert restore_title("GIÁM ĐỐC SỞ Y TẾ") == "GIÁM ĐỐC SỞ Y TẾ"


def test_a_date_line_with_the_day_left_for_a_hand_still_gives_the_place_and_a_scrawl_keeps_the_notation():
    header = "ỦY BAN NHÂN DÂN\nHUYỆN GIAO THỦY\nSố: {number}\nGiao Thủy, ngày tháng 02 năm 2025\nQUYẾT ĐỊNH\n"
    for number, notation in (("đá /UBND-KT", "UBND-KT"), ("- /QĐ-UBND", "QĐ-UBND"), ("77/KT&HT", "KT&HT")):
        meta = extract_metadata([header.format(number=number)], today=TODAY).metadata
        assert meta.code_notation == notation, number
        assert (meta.place, meta.issued_date, meta.type_name) == ("Giao Thủy", None, "QUYẾT ĐỊNH")
    assert extract_metadata([header.format(number="77/KT&HT")], today=TODAY).metadata.document_number == "77/KT&HT"


def test_a_taller_line_under_a_narrow_gutter_does_not_undo_the_header_split():
    # Given a 13 px gutter on the first row (words 8 px apart), and a taller agency line below it (30 px high)
    words = [
        *_row("UBND TỈNH HẢI DƯƠNG", 189, 58, 22, 1),
        *_row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 189 + 10 * 16 + 3 * 8 + 13, 58, 22, 1),
        *_row("SỞ NỘI VỤ", 221, 84, 30, 2),
        *_row("Độc lập - Tự do", 420, 84, 29, 3),
        *_row("Số: 2496/SNV-VP", 200, 124, 14, 4),
        *_row("Hải Dương, ngày 27 tháng 4 năm 2021", 400, 124, 18, 5),
        *_row("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015", 131, 300, 20, 6),
    ]
    header = split_header(page_lines(words))
    assert [line.text for line in header.left] == ["UBND TỈNH HẢI DƯƠNG", "SỞ NỘI VỤ", "Số: 2496/SNV-VP"]
    assert header.right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_a_family_name_whose_first_letter_the_seal_hid_is_restored():
    found = signer(lines_from_text('Nơi nhận:\n"CHỦ TỊCH\nguyễn Hữu Toàn'))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("CHỦ TỊCH", "Nguyễn Hữu Toàn")
    assert signer(lines_from_text("CHỦ TỊCH\nhữu Toàn Văn")) == {}  # no family name reads so


def test_a_notation_that_is_only_the_agency_s_initials_is_confirmed_too():
    rows = [(row, x, text.replace("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SỞ TƯ PHÁP")) for row, x, text in LETTER]
    rows = [(row, x, text.replace("1635/SGDĐT-VP", "2512/STP-LLTP")) for row, x, text in rows]
    extraction = extract_metadata(
        ["text"], page_words=[_relined(_words(rows, low={"2512/STP-LLTP": 45.0}))], today=TODAY
    )
    assert extraction.metadata.document_number == "2512/STP-LLTP"
    assert extraction.confidence["document_number"] >= 0.7


def _row(text: str, x: int, top: int, height: int, block: int, confidence: float = 93.0) -> list[Word]:
    """A printed line as tesseract reports it: words 10 px a letter, 8 px apart."""
    words = []
    for token in text.split():
        words.append(Word(token, x, top, 10 * len(token), height, confidence, block, 1, 1))
        x += 10 * len(token) + 8
    return words


def test_a_row_split_in_two_lines_reads_left_to_right_and_a_stamp_is_no_parent_agency():
    # Given a photographed header where "NHÂN ĐÂN" came as a line a little higher than "ỦY BAN" before it,
    # and a received stamp's words above the agency
    words = [
        *_row("IÒNG NỘI VỤ", 215, 65, 16, 1, confidence=18.0),
        *_row("NHÂN ĐÂN", 451, 143, 21, 2),
        *_row("ỦY BAN", 364, 147, 22, 3),
        *_row("HUYỆN KIẾN XƯƠNG", 352, 171, 20, 4),
        *_row("Số: 304/UBND-TNMT", 356, 231, 18, 5),
        *_row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 614, 134, 20, 6),
        *_row("Độc lập - Tự do - Hạnh phúc", 697, 165, 21, 7),
        *_row("Thái Bình, ngày 5 tháng 3 năm 2021", 640, 231, 18, 8),
        *_row("Kính gửi: Ủy ban nhân dân các xã, thị trấn", 380, 400, 18, 9),
    ]
    lines = [line.text for line in page_lines(words)]
    assert lines.index("NHÂN ĐÂN") == lines.index("ỦY BAN") + 1
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.organ_name, meta.parent_organ_name) == ("ỦY BAN NHÂN DÂN HUYỆN KIẾN XƯƠNG", None)


def test_a_sector_misspelt_by_a_letter_a_marked_vowel_in_caps_and_v_v_written_otherwise():
    words = [Word(t, 0, 0, 10, 10, 95.0, 1, 1, 1) for t in ["SỞ", "TÀI", "NGUY", "VÀ", "MÔI", "TRƯỜNG"]]
    assert restore_agency(words).text == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"
    assert not is_possible_title("TM. UY BAN NHÂN NDÂN CHỦ TỊCH")  # "NDÂN" is no initials, but a misread word
    letter = [(row, x, text.replace("V/v", "V/V")) for row, x, text in LETTER]
    subject = extract_metadata(["text"], page_words=[_relined(_words(letter))], today=TODAY).metadata.subject
    assert subject == "V/v tăng cường công tác phòng chống dịch bệnh trong trường học"
    assert not is_possible_name("Văn Nam")  # the family name was lost: "Văn" is the middle name


def test_a_letter_s_subject_line_reaching_a_little_past_the_gutter_stays_in_the_left_column():
    words = [
        *_row("UBND TỈNH THÁI BÌNH", 475, 244, 51, 1),
        *_row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 830, 244, 39, 2),
        *_row("SỞ XÂY DỰNG", 510, 305, 54, 3),
        *_row("Độc lập - Tự do - Hạnh phúc", 860, 303, 55, 4),
        *_row("Số: 2090/SXD-QLXD", 515, 449, 53, 5),
        *_row("Thái Bình, ngày 31 tháng 10 năm 2024", 840, 450, 41, 6),
        *_row("V/v đăng ký nhu cầu kinh phí", 520, 527, 47, 7),  # ends 32 px past the gutter's middle
        *_row("Kính gửi: Văn phòng HĐND và UBND huyện;", 600, 671, 42, 8),
        *_row("Thực hiện Công văn số 1602/UBND-VX ngày 04/10/2024 của UBND tỉnh", 400, 848, 49, 9),
    ]
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.type_name, meta.subject) == ("CÔNG VĂN", "V/v đăng ký nhu cầu kinh phí")


def test_a_rule_read_before_the_title_and_a_date_line_cut_by_the_photo_s_edge():
    text = "SỞ Y TẾ\nSố: 97/QĐ-SYT\nBắc Ninh, ngày 28 tháng 01 năm 2025\n_QUYẾT ĐỊNH\nVề việc thành lập Hội đồng"
    meta = extract_metadata([text], today=TODAY).metadata
    assert (meta.type_name, meta.subject) == ("QUYẾT ĐỊNH", "Về việc thành lập Hội đồng")
    # A date line whose year the photo lost still ends the header's right column; the title below is found
    words = [
        *_row("UBND TỈNH NGHỆ AN", 250, 215, 40, 1),
        *_row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 730, 215, 40, 2),
        *_row("SỞ TƯ PHÁP", 317, 260, 42, 3),
        *_row("Độc lập - Tự do - Hạnh phúc", 830, 260, 40, 4),
        *_row("Số: 2033/STP-LLTP", 276, 355, 28, 5),
        *_row("Nghệ An, ngày 13 tháng 03 năm", 780, 345, 35, 6),
        *_row("PHIẾU LÝ LỊCH TƯ PHÁP", 640, 449, 33, 7),
        *_row("Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009 và các văn bản", 250, 559, 32, 8),
    ]
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.type_name, meta.issued_date) == ("PHIẾU LÝ LỊCH TƯ PHÁP", None)


def test_a_gutter_no_wider_than_a_space_is_found_before_the_national_name():
    # Given a small scan's header: the agency and "CỘNG HÒA …" one space apart on one line, and the "V/v" misread
    rows = [
        (0, 60, "ỦY BAN NHÂN DÂN HUYỆN NHO QUAN"),
        (0, 60 + 25 * CHAR_PX + 7 * CHAR_PX // 2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (1, 140, "PHÒNG TƯ PHÁP"),
        (1, 520, "Độc lập - Tự do - Hạnh phúc"),
        (2, 120, "Số: 1904/TP"),
        (2, 480, "Nho Quan, ngày 29 tháng 01 năm 2025"),
        (3, 60, "V/w triển khai công tác phổ"),
        (4, 60, "biến giáo dục pháp luật"),
        (6, 200, "Kính gửi: Ủy ban nhân dân các xã, thị trấn"),
        (7, 60, "Thực hiện Kế hoạch của Ủy ban nhân dân huyện về công tác phổ biến, giáo dục pháp luật năm 2025"),
        (11, 820, "TRƯỞNG PHÒNG"),
        (15, 790, "Hoàng Quang Phúc"),
    ]
    words = _relined(_words(rows))
    # When the header is split, the columns part at that space
    header = split_header(page_lines(words))
    assert [line.text for line in header.left][:2] == ["ỦY BAN NHÂN DÂN HUYỆN NHO QUAN", "PHÒNG TƯ PHÁP"]
    assert header.right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    # Then the letter's fields come from its columns; "NHO QUAN" is a place, not a level ("QUẬN") left without one
    meta = extract_metadata(["text"], page_words=[words], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("ỦY BAN NHÂN DÂN HUYỆN NHO QUAN", "PHÒNG TƯ PHÁP")
    assert (meta.place, meta.issued_date, meta.document_number) == ("Nho Quan", dt.date(2025, 1, 29), "1904/TP")
    assert (meta.type_name, meta.subject) == ("CÔNG VĂN", "V/v triển khai công tác phổ biến giáo dục pháp luật")


def test_agency_names_as_small_scans_misread_them():
    def restored(text: str):
        return restore_agency(_words([(0, 0, text)]))

    # specks before the name, a dash lost, a one-letter syllable in the place: read as the page prints them
    assert restored(".°ỦY BAN NHÂN DÂN HUYỆN GIA LỘC").text == "ỦY BAN NHÂN DÂN HUYỆN GIA LỘC"
    assert restored("SỞ LAO ĐỘNG THƯƠNG BINH VÀ XÃ HỘI").text == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    assert not restored("CÔNG AN HUYỆN Ý YÊN").impossible
    assert not restored("UBND HUYỆN NHO QUAN").impossible
    # a people's committee whose level was lost, or a lone unmarked letter in the place, names no agency
    assert restored("UBND NH NINH BÌNH").impossible
    assert restored("UBND HUYỆN YÊN I KHÁNH").impossible


def test_the_rule_under_the_agency_read_as_letters_is_no_part_of_its_name():
    # Given the rule under the agency read as "NỔ", unsurely, on a line of its own
    rows = [(row + (row >= 2), x, text) for row, x, text in LETTER] + [(2, 150, "NỔ")]
    words = _relined(_words(rows))
    meta = extract_metadata(["text"], page_words=[_unsure(words, "NỔ")], today=TODAY).metadata
    assert meta.organ_name == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"


def _unsure(words: list[Word], text: str) -> list[Word]:
    return [Word(**{**w.__dict__, "confidence": 45.0}) if w.text == text else w for w in words]


def test_digits_written_by_hand_into_the_blanks_are_left_null_even_when_read_again():
    # Given the number and the day filled in by hand: digits half as tall again as the printed ones beside them
    rows = [(row, x, text) for row, x, text in LETTER if not text.startswith(("Số:", "Ninh Bình,"))]
    rows += [(2, 120, "Số: 47 /SGDĐT-VP"), (2, 700, "Ninh Bình, ngày 26 tháng 3 năm 2024")]
    words = [_by_hand(w) if w.text in ("47", "26") else w for w in _relined(_words(rows))]
    # When the page is read, with the header read again region by region (which reads the hand as print)
    reread = "Số: 4/SGDĐT-VP\nNinh Bình, ngày 02 tháng 3 năm 2024"
    meta = extract_metadata(["text"], header_text=reread, page_words=[words], today=TODAY).metadata
    # Then the printed parts are kept and the handwritten ones left for a person
    assert (meta.code_notation, meta.place) == ("SGDĐT-VP", "Ninh Bình")
    assert (meta.document_number, meta.code_number, meta.issued_date) == (None, None, None)
    # And the same digits printed are read, even when a small scan's box takes in a rule below them
    printed_words = _relined(_words(rows))
    tall = [Word(**{**w.__dict__, "height": w.height * 2}) if w.text in ("47", "26") else w for w in printed_words]
    for as_read in (printed_words, tall):
        printed = extract_metadata(["text"], page_words=[as_read], today=TODAY).metadata
        assert (printed.document_number, printed.issued_date) == ("47/SGDĐT-VP", dt.date(2024, 3, 26))


def _by_hand(word: Word) -> Word:
    return Word(**{**word.__dict__, "height": int(word.height * 1.7), "width": int(word.width * 1.6)})


def test_a_signature_read_as_marks_is_skipped_between_the_title_and_the_name_and_before_the_name():
    found = signer(lines_from_text("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n“3\nƒ#\n>}ÀAJ*x\nJ\nMai Minh Thắng"))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Mai Minh Thắng")
    found = signer(lines_from_text("CHỦ TỊCH\n<S~\n—M\\2⁄- “Trịnh Thu Oanh"))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("CHỦ TỊCH", "Trịnh Thu Oanh")
    assert signer(lines_from_text("CHỦ TỊCH\ngiao cho Trần Văn Bình")) == {}  # words before a name: body text


def test_a_signer_name_of_two_words_is_held_below_the_threshold():
    name, confidence = signer(lines_from_text("CHỦ TỊCH\nĐinh Quân"))["signer_name"]  # "Đình" lost under a seal?
    assert name == "Đinh Quân" and confidence < 0.7
    assert signer(lines_from_text("CHỦ TỊCH\nĐinh Đình Quân"))["signer_name"][1] >= 0.7


def test_a_number_scrawled_by_hand_leaves_the_printed_notation_and_a_normative_year_stays():
    def number_fields(number_lines: str) -> tuple[str | None, str | None]:
        meta = extract_metadata([f"UBND TỈNH NINH BÌNH\n{number_lines}\nQUYẾT ĐỊNH"], today=TODAY).metadata
        return meta.document_number, meta.code_notation

    assert number_fields("Số: 14/32/QĐ-UBND") == (None, "QĐ-UBND")  # "1433" by hand, read with a slash
    assert number_fields("Số: €7 /SLĐTBXH-BTXH") == (None, "SLĐTBXH-BTXH")  # a scrawl before the slash
    assert number_fields("Số: 0? (TB-UBND") == (None, "TB-UBND")  # the slash read as "("
    assert number_fields("Số: 15/2024/QĐ-UBND") == ("15/2024/QĐ-UBND", "2024/QĐ-UBND")
    # "Số:" then the hand read as nothing sure on a line of its own, then the printed notation
    words = _relined(_words([(0, 100, "UBND TỈNH NINH BÌNH"), (1, 120, "Số:"), (2, 140, "Vựz"), (3, 120, "/QĐ-UBND")]))
    words = [Word(**{**w.__dict__, "confidence": 0.0}) if w.text == "Vựz" else w for w in words]
    meta = extract_metadata(["text"], header_text="Số: 14/32/QĐ-UBND", page_words=[words], today=TODAY).metadata
    assert (meta.document_number, meta.code_notation) == (None, "QĐ-UBND")


def test_a_place_read_a_letter_off_the_agency_s_locality_takes_its_spelling_below_the_threshold():
    rows = [
        (row, x, text.replace("NINH BÌNH", "TIỀN HẢI").replace("Ninh Bình,", "Tiền Hỏi,")) for row, x, text in LETTER
    ]
    extraction = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY)
    assert extraction.metadata.place == "Tiền Hải" and extraction.confidence["place"] < 0.7


def test_a_title_word_split_in_two_and_a_rule_s_remnant_between_the_title_lines_are_mended():
    assert restore_title("KT. GIÁM ĐỐC PHO GI ÁM ĐỐC") == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"
    found = signer(lines_from_text("KT. CHỦ TỊCH\nUY,\nPHÓ CHỦ TỊCH\nLê Đình Sơn"))
    assert found["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    found = signer(lines_from_text("KT. GIÁM ĐỐC\nPHÓ\nGIÁM ĐỐC\nLê Đình Sơn"))  # "PHÓ" on a line of its own stays
    assert found["signer_title"][0] == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"


def test_specks_beside_the_header_do_not_end_it_and_the_subject_goes_on_below():
    # Given a stamp's specks beside the letter's subject, at the right of the gutter
    rows = [*LETTER[:7], (3, 700, "r"), (3, 900, "-"), *LETTER[7:]]
    specks = [w for w in _words(rows) if w.text in ("r", "-") and w.left >= 700]
    words = [Word(**{**w.__dict__, "line": 900 + specks.index(w)}) if w in specks else w for w in _words(rows)]
    header = split_header(page_lines(_relined(words)))
    assert [line.text for line in header.left][-2:] == [
        "V/v tăng cường công tác phòng",
        "chống dịch bệnh trong trường học",
    ]
    assert all(line.text not in ("r", "-") for line in header.left + header.right)


def test_place_subject_and_title_rid_of_what_does_not_belong_to_them():
    text = "UBND TỈNH NAM ĐỊNH\nSố: 3⁄2 /SKHĐT Nam Định, ngày 5 tháng 3 năm 2024\nQUYẾT ĐỊNH\nVề việc hỗ trợ năm"
    extraction = extract_metadata([text], today=TODAY)
    assert extraction.metadata.place == "Nam Định"  # not the number line read into the same row
    assert extraction.confidence["subject"] < 0.7  # "năm" with its year lost
    assert restore_title("PHÓ CHỦ TỊCH VÀ") == "PHÓ CHỦ TỊCH"
    assert restore_title("GIÁM ĐỐC SỞ Y TẾ") == "GIÁM ĐỐC SỞ Y TẾ"


def test_an_agency_whose_locality_lost_its_last_words_is_completed_by_the_place_and_two_run_together_held():
    rows = [(row, x, {"UBND TỈNH NINH BÌNH": "ỦY BAN NHÂN DÂN HUYỆN LÝ"}.get(text, text)) for row, x, text in LETTER]
    rows = [(row, x, text.replace("Ninh Bình,", "Lý Nhân,")) for row, x, text in rows if not text.startswith("SỞ")]
    extraction = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY)
    assert extraction.metadata.organ_name == "ỦY BAN NHÂN DÂN HUYỆN LÝ NHÂN"
    assert 0.7 <= extraction.confidence["organ_name"] <= 0.75
    assert restore_agency(_words([(0, 0, "ỦY BAN NHÂN DÂN HUYỆN LÝ NHÂN XÃ ĐẠO LÝ")])).impossible


def test_what_a_seal_s_edge_does_to_a_title_and_a_name():
    assert restore_title("CHỦ HỦ TỊCH") == "CHỦ TỊCH"  # read again in part, shifted
    assert restore_title("TL. CHỦ TỊCH QHANH VĂN PHÒNG") == "TL. CHỦ TỊCH CHÁNH VĂN PHÒNG"  # its first letter
    name, confidence = signer(lines_from_text("CHỦ TỊCH\nÔng Minh Hải"))["signer_name"]  # "Dương" lost "Dư"
    assert name == "Ông Minh Hải" and confidence < 0.7


def test_a_deputy_s_title_names_the_head_it_signs_for():
    assert restore_title("KT. TRƯỞNG CÔNG AN PHO TRƯỞNG CÔNG AN") == "KT. TRƯỞNG CÔNG AN PHÓ TRƯỞNG CÔNG AN"
    assert not is_possible_title("KT. GIÁM PHÓ GIÁM ĐỐC")  # "ĐỐC" of the head lost
    assert is_possible_title("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC") and is_possible_title("KT. BỘ TRƯỞNG THỨ TRƯỞNG")


def test_a_seal_s_letters_read_in_capitals_under_the_title_are_no_title():
    for junk in ("FẦN,", "SN", "LUỐNG"):
        found = signer(lines_from_text(f"KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n{junk}\nTrịnh Thanh Hằng"))
        assert (found["signer_title"][0], found["signer_name"][0]) == ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Trịnh Thanh Hằng")
        assert found["signer_title"][1] <= 0.75  # something was skipped: the block was hard to read


def test_a_year_read_with_five_digits_is_no_date_and_a_phrase_read_as_one_word_is_the_phrase():
    validity = "GIẤY XÁC NHẬN\nGiấy này có giá trị sử dụng đến ngày 06 tháng 9 năm {}."
    assert extract_metadata([validity.format("20285")], today=TODAY).metadata.valid_until is None
    assert extract_metadata([validity.format("2025")], today=TODAY).metadata.valid_until == dt.date(2025, 9, 6)
    meta = extract_metadata(["UBND TỈNH NINH BÌNH\nNinh Bình, ngày 5 tháng 1 năm 20245"], today=TODAY).metadata
    assert (meta.place, meta.issued_date) == ("Ninh Bình", None)
    assert restore_agency(_words([(0, 0, "SỞ YTE")])).text == "SỞ Y TẾ"


def test_a_committee_read_under_its_office_is_still_the_parent():
    header = "PHÒNG TÀI CHÍNH - KẾ HOẠCH\nUBND THÀNH PHỐ TAM ĐIỆP\nSố: 12/TCKH"
    text = f"{header}\nTam Điệp, ngày 5 tháng 1 năm 2024\nQUYẾT ĐỊNH"
    meta = extract_metadata([text], today=TODAY).metadata  # a photo's slant swapped the two lines
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND THÀNH PHỐ TAM ĐIỆP", "PHÒNG TÀI CHÍNH - KẾ HOẠCH")


def test_a_small_scan_s_letter_label_and_number_marks_are_read_as_printed():
    rows = [(row, x, text.replace("V/v", "V⁄v")) for row, x, text in LETTER]
    meta = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata
    assert meta.type_name == "CÔNG VĂN"
    assert meta.subject == "V/v tăng cường công tác phòng chống dịch bệnh trong trường học"
    rows = [(row, x, text.replace("V/v", "V/x")) for row, x, text in LETTER]
    assert extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata.type_name == "CÔNG VĂN"
    # "Số" alone (the hand's number not read) and the notation on a line of its own are no part of the agency
    rows = [row for row in LETTER if not row[2].startswith("Số")]
    rows += [(2, 60, "Số"), (3, 60, "/SGDĐT-VP")]
    rows = [(row + 1 if row >= 3 and not text.startswith("/") else row, x, text) for row, x, text in rows]
    meta = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata
    assert (meta.organ_name, meta.code_notation) == ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT-VP")
    # a scrawl of four marks before the notation, its slash read as "ƒ"
    meta = extract_metadata(["UBND TỈNH NINH BÌNH\nSố: ‹53) ƒUBND-TNMT\nQUYẾT ĐỊNH"], today=TODAY).metadata
    assert (meta.document_number, meta.code_notation) == (None, "UBND-TNMT")


def test_a_level_run_into_its_place_or_a_mark_after_it_is_the_level():
    assert restore_agency(_words([(0, 0, "UBND TỈNHNGHỆ AN")])).text == "UBND TỈNH NGHỆ AN"
    assert restore_agency(_words([(0, 0, "ỦY BAN NHÂN DÂN _TỈNHắ NGHỆ AN")])).text == "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
    assert restore_agency(_words([(0, 0, "UBND HUYỆNLÝ NHÂN")])).place == "LÝ NHÂN"


def test_a_commune_s_place_under_its_district_is_not_taken_for_a_misread_district():
    header = "UBND HUYỆN DIỄN CHÂU\nỦY BAN NHÂN DÂN\nXÃ DIỄN HẢI\nSố: 2116/XN-UBND"
    meta = extract_metadata([f"{header}\nDiễn Hải, ngày 21 tháng 10 năm 2022\nGIẤY XÁC NHẬN"], today=TODAY).metadata
    assert (meta.place, meta.organ_name) == ("Diễn Hải", "ỦY BAN NHÂN DÂN XÃ DIỄN HẢI")


def test_titles_misread_in_their_first_letter_or_word_or_with_a_digit_for_a_letter():
    assert restore_title("PHO CHU 1ỊCH") == "PHÓ CHỦ TỊCH"
    assert restore_title("HỦ TỊCH") == "CHỦ TỊCH"
    assert restore_title("TM. BAN NHÂN DÂN") == "TM. ỦY BAN NHÂN DÂN"
    assert restore_title("NHÂN DÂN") == "NHÂN DÂN"  # two words: too little to say which title lost its first
    found = signer(lines_from_text("KT, CHỦ TỊCH\n-PHÓ CHỦ TỊCH\nTrịnh Đình Thắng"))  # a comma, a speck as a dash
    assert found["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"


def test_what_a_signature_and_a_seal_leave_between_the_title_and_the_name_is_skipped():
    def read(rows: list[tuple[int, int, str]], low: dict[str, float] | None = None) -> tuple[str, str]:
        found = signer(page_lines(_words([(0, 60, "Nơi nhận:"), (1, 60, "- Như trên;"), *rows], low)))
        return found["signer_title"][0], found["signer_name"][0]

    # a signature's loops read as words, unsurely
    rows = [(0, 820, "KT. CHỦ TỊCH"), (1, 800, "PHÓ CHỦ TỊCH"), (3, 840, "VĂN cv."), (5, 800, "Võ Đức Hải")]
    assert read(rows, {"VĂN": 38.0, "cv.": 11.0}) == ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Võ Đức Hải")
    # a seal's word in capitals under the title
    rows = [(0, 820, "CHỦ TỊCH"), (1, 800, "he"), (4, 760, "NINH"), (5, 800, "Phan Thị Huyền")]
    assert read(rows) == ("CHỦ TỊCH", "Phan Thị Huyền")
    # the deputy's title cut on its row by a signature beside it: one line again, left to right
    rows = [(0, 820, "KT. GIÁM ĐỐC"), (1, 760, "425 PHÔ GIÁM"), (1, 940, "ĐỐC"), (4, 790, "Võ Đức Tuấn")]
    assert read(rows) == ("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "Võ Đức Tuấn")


def test_a_name_the_seal_cut_or_a_second_reading_doubled_is_read_as_printed():
    def read(name_line: str, title: str = "GIÁM ĐỐC") -> tuple[str, str, float]:
        found = signer(lines_from_text(f"{title}\n{name_line}"))
        return found["signer_title"][0], found["signer_name"][0], found["signer_name"][1]

    assert read("Trần n Thanh Phương")[1] == "Trần Thanh Phương"  # a speck between its words
    assert read("_Ñgô _Ñgô Đình Trường")[1] == "Ngô Đình Trường"  # read twice, with a seal's tilde
    # the family name cut by the seal: the title is still read, the name held below the threshold
    title, name, confidence = read("n Ngọc Yên", "KT. TRƯỞNG CÔNG AN\nÓ TRƯỞNG CÔNG AN")
    assert (title, name) == ("KT. TRƯỞNG CÔNG AN PHÓ TRƯỞNG CÔNG AN", "Ngọc Yên") and confidence < 0.7
    assert signer(lines_from_text("CHỦ TỊCH\nvà Trần Văn Bình")) == {}  # a word before a name: body text


def test_a_title_word_the_seal_hid_is_deduced_and_held_below_the_threshold():
    assert restore_title("RRƯỞNG PHÒNG") == "TRƯỞNG PHÒNG"
    assert restore_title("ƯỞNG PHÒNG") == "TRƯỞNG PHÒNG"
    title, confidence = signer(lines_from_text("TL. GIÁM ĐỐC\nV VĂN PHÒNG\nTạ Minh Hùng"))["signer_title"]
    assert title == "TL. GIÁM ĐỐC CHÁNH VĂN PHÒNG" and confidence < 0.7  # or was it "PHÓ CHÁNH VĂN PHÒNG"?


def test_a_number_whose_slash_was_lost_or_with_digits_beside_it_and_a_day_read_as_marks():
    def number_fields(number_line: str) -> tuple[str | None, str | None]:
        meta = extract_metadata([f"UBND TỈNH NINH BÌNH\n{number_line}\nQUYẾT ĐỊNH"], today=TODAY).metadata
        return meta.document_number, meta.code_notation

    assert number_fields("Số: 16UBND-VP") == ("16/UBND-VP", "UBND-VP")
    assert number_fields("Số: 742/QĐ-UBND 42") == ("742/QĐ-UBND", "QĐ-UBND")
    meta = extract_metadata(["UBND TỈNH HÀ NAM\nHà Nam, ngày Íổ tháng 9 năm 2021\nQUYẾT ĐỊNH"], today=TODAY).metadata
    assert (meta.place, meta.issued_date) == ("Hà Nam", None)  # the day filled by hand, read as marks


def test_a_signature_s_stroke_before_a_line_and_a_seal_s_marks_in_and_around_the_title():
    rows = [(0, 60, "Nơi nhận:"), (0, 820, "CHỦ TỊCH TỊ"), (1, 60, "- Như trên;"), (3, 760, "INw Lê Xuân Hải")]
    found = signer(page_lines(_words(rows, {"INw": 0.0})))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("CHỦ TỊCH", "Lê Xuân Hải")
    rows = [(0, 60, "Nơi nhận:"), (0, 820, "KT. CHỦ TỊCH"), (1, 720, 'rất" PHÓ CHỦ TỊCH'), (3, 800, "Hoàng Công Phúc")]
    assert signer(page_lines(_words(rows, {'rất"': 0.7})))["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    # "T." is "KT." whose "K" the seal hid; an acting head's line is still found above a speck of the seal
    assert signer(lines_from_text("T. CHỦ TỊCH\nCHỦ TỊCH\nHoàng Minh Hùng"))["signer_title"][0] == (
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    )
    found = signer(lines_from_text("TL. CHỦ TỊCH\nX\nQ. CHÁNH VĂN PHONG\nNguyễn Minh Trường"))
    assert found["signer_title"][0] == "TL. CHỦ TỊCH Q. CHÁNH VĂN PHÒNG"
    assert restore_title("PHO TRƯ ỞN G PHONG") == "PHÓ TRƯỞNG PHÒNG"  # in pieces, a letter alone among them
    assert not is_possible_title("ỦY BAN NHÂN DÂN")  # "TM." and the head's title lost


def test_the_signer_s_lines_keep_their_own_rows_whatever_a_taller_line_beside_them_does():
    def line(text: str, left: int, top: int, height: int, number: int) -> list[Word]:
        words, x = [], left
        for token in text.split():
            words.append(Word(token, x, top, CHAR_PX * len(token), height, 95.0, number, 1, 1))
            x += CHAR_PX * (len(token) + 1)
        return words

    # "Nơi nhận:" as tall as two rows beside "KT. CHỦ TỊCH" and "PHÓ CHỦ TỊCH", which start further left
    words = [
        *line("Nơi nhận:", 60, 540, 40, 1),
        *line("KT. CHỦ TỊCH", 524, 545, 18, 2),
        *line("PHÓ CHỦ TỊCH", 475, 560, 18, 3),
        *line("Hồ Hữu Trường", 522, 693, 22, 4),
    ]
    assert [line.text for line in page_lines(words)][1] == "PHÓ CHỦ TỊCH"  # the page's rows chain them
    assert signer(page_lines(words))["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"


def test_a_family_name_read_as_no_syllable_a_letter_off_a_title_s_specks_and_a_received_stamp_s_word():
    name, confidence = signer(lines_from_text("GIÁM ĐỐC\nNšô Thúy Duyên"))["signer_name"]
    assert name == "Ngô Thúy Duyên" and confidence < 0.7  # deduced, not read
    found = signer(lines_from_text("KT. CHỦ TỊCH\nvẻ PHÓ vn CHỦ TỊCH\nLÌ:\nNgô Kim Duyên"))
    assert found["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    assert restore_agency(_words([(0, 0, "PHÒNG NỘI VỤ ĐẾN")])).impossible


def test_a_received_stamp_s_capitals_before_the_title_and_its_marks_beside_it_are_no_part_of_the_type():
    header = "UBND TỈNH NAM ĐỊNH\nSỞ NỘI VỤ\nSố: 38/TB-SNV\nNam Định, ngày 07 tháng 7 năm 2021"
    text = f"{header}\nHĐ!.\nHUYỆN\nTHÔNG BÁO .Đ_N\nVề việc lịch tiếp công dân tháng 7\nThực hiện Kế hoạch số 3/KH"
    extraction = extract_metadata([text], today=TODAY)
    assert extraction.metadata.type_name == "THÔNG BÁO" and 0.7 <= extraction.confidence["type_name"] <= 0.75
    assert extraction.metadata.subject == "Về việc lịch tiếp công dân tháng 7"
    extraction = extract_metadata([text.replace("THÔNG BÁO .Đ_N", "THÔNG BÁO--:;")], today=TODAY)
    assert extraction.metadata.type_name == "THÔNG BÁO" and 0.7 <= extraction.confidence["type_name"] <= 0.75


def test_a_notation_whose_dash_before_the_committee_s_code_was_lost_gets_it_back_below_certainty():
    text = "UBND XÃ DIỄN THÀNH\nSố: 12/XNUBND\nDiễn Thành, ngày 5 tháng 1 năm 2024\nGIẤY XÁC NHẬN"
    extraction = extract_metadata([text], today=TODAY)
    assert extraction.metadata.code_notation == "XN-UBND" and extraction.confidence["code_notation"] <= 0.75
    text = "SỞ XÂY DỰNG\nSố: 12/GPXD\nNinh Bình, ngày 5 tháng 1 năm 2024\nGIẤY PHÉP XÂY DỰNG"
    assert extract_metadata([text], today=TODAY).metadata.code_notation == "GPXD"


def test_a_date_line_whose_comma_was_read_as_a_stop_still_ends_the_header():
    rows = [(row, x, text.replace("Ninh Bình,", "Ninh Bình.")) for row, x, text in LETTER]
    header = split_header(page_lines(_relined(_words(rows))))
    assert header.right[-1].text == "Ninh Bình. ngày 12 tháng 3 năm 2024"
    meta = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata
    assert (meta.place, meta.issued_date) == ("Ninh Bình", dt.date(2024, 3, 12))


def test_marks_inside_a_name_and_digits_before_it_are_no_part_of_it():
    assert signer(lines_from_text("CHỦ TỊCH\nĐặng n§ Minh Việt"))["signer_name"][0] == "Đặng Minh Việt"
    name, confidence = signer(lines_from_text("CHỦ TỊCH\n52N§uyễn Thúy Phương"))["signer_name"]
    assert name == "Nguyễn Thúy Phương" and confidence < 0.7  # a letter mended: deduced


def test_agencies_read_without_marks_with_their_committee_cut_or_two_words_run_together():
    rows = [(row, x, text.replace("UBND TỈNH NINH BÌNH", "UBND TỈNH NINH BINH")) for row, x, text in LETTER]
    extraction = extract_metadata(["text"], page_words=[_relined(_words(rows, {"Bình,": 60.0}))], today=TODAY)
    assert extraction.metadata.parent_organ_name == "UBND TỈNH NINH BÌNH"  # the marked spelling wins
    assert 0.7 <= extraction.confidence["parent_organ_name"] <= 0.75
    assert restore_agency(_words([(0, 0, "BAN NHÂN DÂN")])).impossible  # "ỦY" and the level lost
    text = "CÔNG AN TỈNH NAM ĐỊNH\nCÔNGAN HUYỆN HẢI HẬU\nSố: 12/CAH-TH\nHải Hậu, ngày 5 tháng 1 năm 2024\nQUYẾT ĐỊNH"
    meta = extract_metadata([text], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("CÔNG AN TỈNH NAM ĐỊNH", "CÔNG AN HUYỆN HẢI HẬU")


def test_what_a_seal_left_of_a_deputy_s_title_under_kt_is_read_as_the_deputy_s_title():
    def title(text: str) -> str:
        return signer(lines_from_text(f"{text}\nVũ Kim Loan"))["signer_title"][0]

    assert title("KT. BỘ TRƯỞNG\nTRƯỞNG\n/x\nSƒ") == "KT. BỘ TRƯỞNG THỨ TRƯỞNG"  # "THỨ" lost: the minister's deputy
    assert title("KT. TRƯỞNG CÔNG AN\nPHÓ TRƯỞNG CÔNG A\n010") == "KT. TRƯỞNG CÔNG AN PHÓ TRƯỞNG CÔNG AN"  # its end
    assert title("~__KT. TRƯỞNG PHÒNG\nTa\nTRƯỞNG PHÒNG\n197") == "KT. TRƯỞNG PHÒNG PHÓ TRƯỞNG PHÒNG"  # marks before
    assert title("TM. ỦY BAN NHÂN DÂN\n/285 l0) „CHỦ CHỦ TỊCH\n£vỆ") == "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"  # a low quote


def test_a_letter_label_whose_second_v_was_lost_is_still_the_label():
    rows = [(row, x, text.replace("V/v ", "V/ ")) for row, x, text in LETTER]
    meta = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata
    assert (meta.type_name, meta.subject) == (
        "CÔNG VĂN",
        "V/v tăng cường công tác phòng chống dịch bệnh trong trường học",
    )


def test_agency_words_run_together_or_split_by_a_speck_and_a_city_s_numbered_district():
    def restored(text: str):
        return restore_agency(_words([(0, 0, text)]))

    assert restored("ỦY BANNHÂN DÂN HUYỆN GIA VIỄN").text == "ỦY BAN NHÂN DÂN HUYỆN GIA VIỄN"  # spaces lost
    assert restored("SỞ LAO D0 ĐỘNG THƯƠNG BINH VÀ XÃ HỘI").text == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"  # "D0"
    assert not restored("UBND QUẬN 1").impossible and not restored("ỦY BAN NHÂN DÂN PHƯỜNG 12").impossible
    assert restored("UBND HUYỆN 1").impossible and restored("SỞ TƯ PHÁP 12").impossible
    text = (
        "UBND TỈNH NAM ĐỊNH\nSỞLAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI\nSố: 12/QĐ-SLĐTBXH\nNam Định, ngày 5 tháng 1 năm 2024"
    )
    meta = extract_metadata([f"{text}\nQUYẾT ĐỊNH"], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND TỈNH NAM ĐỊNH", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI")


def test_a_deputy_s_title_alone_lost_its_kt_line_and_the_name_keeps_its_own_confidence():
    found = signer(lines_from_text("PHÓ GIÁM ĐỐC\nLê Văn Bình"))
    assert found["signer_title"][0] == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" and found["signer_title"][1] < 0.7
    assert found["signer_name"] == ("Lê Văn Bình", 0.95)  # the title's deduction is no doubt on the name
    assert restore_title("PHÓ.TRƯỞNG PHÒNG") == "PHÓ TRƯỞNG PHÒNG"  # a speck read as a stop between its words


def test_a_lower_level_read_above_a_higher_one_a_place_s_lost_first_word_and_kt_before_both_titles():
    header = "CÔNG AN HUYỆN GIA LỘC\nCÔNG AN TỈNH HẢI DƯƠNG\nSố: 12/QĐ-CAH"  # a photo's slant swapped them
    meta = extract_metadata([f"{header}\nGia Lộc, ngày 5 tháng 1 năm 2024\nQUYẾT ĐỊNH"], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("CÔNG AN TỈNH HẢI DƯƠNG", "CÔNG AN HUYỆN GIA LỘC")
    text = "ỦY BAN NHÂN DÂN\nHUYỆN Ý YÊN\nSố: 12/QĐ-UBND\nYên, ngày 5 tháng 1 năm 2024\nQUYẾT ĐỊNH"
    extraction = extract_metadata([text], today=TODAY)
    assert extraction.metadata.place == "Ý Yên" and extraction.confidence["place"] <= 0.75
    title = signer(lines_from_text("TRƯỞNG PHÒNG PHÓ TRƯỞNG PHÒNG\nLê Văn Bình"))["signer_title"]
    assert title[0] == "KT. TRƯỞNG PHÒNG PHÓ TRƯỞNG PHÒNG" and title[1] <= 0.75


def test_an_office_whose_first_word_the_rule_or_a_speck_touches_is_still_an_agency_of_its_own():
    for mark in ("_", "“"):
        header = f"UBND\nHUYỆN TIỀN HẢI\n{mark}PHÒNG\nTÀI CHÍNH -\nKẾ HOẠCH\nSố: 12/GCN-TCKH"
        meta = extract_metadata([f"{header}\nTiền Hải, ngày 5 tháng 1 năm 2024\nGIẤY CHỨNG NHẬN"], today=TODAY).metadata
        assert (meta.parent_organ_name, meta.organ_name) == ("UBND HUYỆN TIỀN HẢI", "PHÒNG TÀI CHÍNH - KẾ HOẠCH")


def test_a_long_sector_that_lost_a_word_or_a_place_read_twice_is_the_agency_as_printed():
    header = "UBND HUYỆN GIALỘC__ GIA LỘC\nPHÒNG LAO ĐỘNG -\nTHƯƠNG BINH VÀ HỘI\nSố: 07/TB-LĐTBXH"
    extraction = extract_metadata([f"{header}\nGia Lộc, ngày 5 tháng 1 năm 2024\nTHÔNG BÁO"], today=TODAY)
    meta, confidence = extraction.metadata, extraction.confidence
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND HUYỆN GIA LỘC", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI")
    assert confidence["organ_name"] <= 0.75  # "XÃ" was put back, not read
    assert restore_agency(_words([(0, 0, "SỞ TÀI NGUYÊN VÀ TRƯỜNG")])).text == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"
    assert restore_agency(_words([(0, 0, "SỞ TÀI CHÍNH")])).deduced is False


def test_a_speck_before_an_agency_s_line_and_a_hand_s_scrawl_around_the_notation():
    rows = [
        (0, 200, "ỦY BAN NHÂN DÂN"),
        (0, 800, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (1, 90, "an... HUYỆN NGA SƠN"),
        (1, 940, "Độc lập - Tự do - Hạnh phúc"),
        (2, 220, "Số: <⁄1⁄,/UBND-NV 222 /UBND-NV"),
        (2, 900, "Nga Sơn, ngày 01 tháng 8 năm 2022"),
        (3, 180, "V/v tăng cường công tác phòng"),
        (6, 300, "Kính gửi: Ủy ban nhân dân các xã, thị trấn"),
        (7, 60, "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Ủy ban nhân dân huyện đề nghị các xã triển khai."),
    ]
    low = {"an...": 0.0, "<⁄1⁄,/UBND-NV": 0.0, "222": 51.0}
    meta = extract_metadata(["text"], page_words=[_relined(_words(rows, low))], today=TODAY).metadata
    assert meta.organ_name == "ỦY BAN NHÂN DÂN HUYỆN NGA SƠN"
    assert (meta.code_notation, meta.document_number) == ("UBND-NV", None)  # the hand's digits are not guessed


def test_an_acting_head_s_q_read_as_a_line_of_its_own_beside_the_title_stays_with_it():
    rows = [
        (0, 60, "Nơi nhận:"),
        (0, 800, "Q."),
        (0, 850, "GIÁM ĐỐC"),
        (1, 60, "- Như Điều 3;"),
        (4, 820, "Lê Đức Bình"),
    ]
    found = signer(page_lines(_words(rows)))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("Q. GIÁM ĐỐC", "Lê Đức Bình")


def test_a_notation_confirmed_by_the_header_in_one_code_only_is_held_when_read_unsurely():
    def notation(number_line: str) -> tuple[str, float]:
        rows = [(0, 60, "SỞ GIÁO DỤC VÀ ĐÀO TẠO"), (1, 120, number_line), (3, 300, "QUYẾT ĐỊNH")]
        extraction = extract_metadata(["text"], page_words=[_words(rows, {number_line.split()[-1]: 34.0})])
        return extraction.metadata.code_notation, extraction.confidence["code_notation"]

    assert notation("Số: 12/QĐ-SGDĐT")[1] >= 0.7  # every code explained: the type's and the header's
    value, score = notation("Số: 12/SGDĐT-GDIH")  # "GDTrH" misread: nothing vouches for "GDIH"
    assert value == "SGDĐT-GDIH" and score < 0.7


def test_a_letter_label_whose_slash_was_read_as_a_hash_is_still_the_label():
    for label in ("V#v", "V#"):
        rows = [(row, x, text.replace("V/v", label)) for row, x, text in LETTER]
        meta = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata
        assert meta.type_name == "CÔNG VĂN"
        assert meta.subject == "V/v tăng cường công tác phòng chống dịch bệnh trong trường học"


def test_an_agency_whose_last_word_touches_the_national_name_is_still_split_from_it():
    rows = [
        (0, 100, "UBND TỈNH THANH 1HÓA"),
        (0, 358, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),  # one pixel into "1HÓA"
        (1, 130, "SỞ TÀI CHÍNH"),
        (1, 420, "Độc lập - Tự do - Hạnh phúc"),
        (2, 130, "Số: 852/STC-VP"),
        (2, 400, "Thanh Hóa, ngày 12 tháng 01 năm 2022"),
        (3, 100, "V/v quyết toán"),
        (6, 300, "Kính gửi: Các đơn vị trực thuộc Sở."),
        (7, 60, "Thực hiện Công văn số 2915/UBND-VP ngày 05/01/2022 của Ủy ban nhân dân tỉnh về việc quyết toán."),
    ]
    meta = extract_metadata(["text"], page_words=[_relined(_words(rows))], today=TODAY).metadata
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND TỈNH THANH HÓA", "SỞ TÀI CHÍNH")
    assert (meta.type_name, meta.subject) == ("CÔNG VĂN", "V/v quyết toán")


def test_an_office_that_lost_its_first_line_under_a_parent_named_in_full_is_not_the_parent_s_continuation():
    header = "CÔNG AN TỈNH NGHỆ AN\nHUYỆN DIỄN CHÂU\nSố: 2547/CAH-TH"
    extraction = extract_metadata([f"{header}\nDiễn Châu, ngày 29 tháng 01 năm 2025\nQUYẾT ĐỊNH"], today=TODAY)
    assert extraction.metadata.parent_organ_name == "CÔNG AN TỈNH NGHỆ AN"
    assert extraction.confidence["organ_name"] < 0.7  # "HUYỆN DIỄN CHÂU" names no agency
    header = "ỦY BAN NHÂN DÂN\nHUYỆN DIỄN CHÂU\nSố: 12/QĐ-UBND"  # a level under a unit without one goes on with it
    meta = extract_metadata([f"{header}\nDiễn Châu, ngày 29 tháng 01 năm 2025\nQUYẾT ĐỊNH"], today=TODAY).metadata
    assert meta.organ_name == "ỦY BAN NHÂN DÂN HUYỆN DIỄN CHÂU"


def test_a_stop_left_before_a_head_s_title_is_a_prefix_the_seal_hid():
    title = signer(lines_from_text(". GIÁM ĐỐC\nLê Đức Bình"))["signer_title"]
    assert title[0] == "GIÁM ĐỐC" and title[1] < 0.7  # "Q." or "KT." under the seal: not certain
    assert signer(lines_from_text("GIÁM ĐỐC\nLê Đức Bình"))["signer_title"][1] >= 0.7


def test_a_signer_whose_title_the_seal_took_or_whose_family_name_it_cut_is_held_for_review():
    found = signer(lines_from_text("Hoàng Văn Bình"))  # the seal took the whole title
    assert found["signer_name"][0] == "Hoàng Văn Bình" and found["signer_name"][1] < 0.7
    assert "signer_title" not in found
    found = signer(lines_from_text("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nản Đình Việt"))  # what the seal left of "Đoàn"
    assert found["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    assert found["signer_name"][0] == "Đình Việt" and found["signer_name"][1] < 0.7
    assert signer(lines_from_text("Hoàng Văn Bình\n- Lưu: VT.")) == {}  # a name not at the block's end: no signer


def test_marks_read_between_two_pieces_of_a_title_on_its_row_are_left_out_of_it():
    rows = [
        (0, 60, "Nơi nhận:"),
        (0, 1000, "KT. TRƯỞNG PHÒNG"),
        (1, 60, "- Như trên;"),
        (1, 1000, "PHO TRƯ"),
        (1, 1110, "ỞI)"),
        (1, 1170, "G PHONG"),
        (4, 1060, "Đoàn Quang Sơn"),
    ]
    found = signer(page_lines(_words(rows, {"ỞI)": 0.0})))
    assert found["signer_title"][0] == "KT. TRƯỞNG PHÒNG PHÓ TRƯỞNG PHÒNG"
    assert found["signer_name"][0] == "Đoàn Quang Sơn"


def test_a_family_name_whose_first_letter_the_seal_hid_and_whose_mark_was_misread_is_the_one_of_that_tone():
    found = signer(lines_from_text("KT. CHỦ TỊCH\nCHỦ TỊCH\nạng Thúy Phương"))  # "Đặng", not "Tăng" or "Lăng"
    assert found["signer_title"][0] == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    assert found["signer_name"][0] == "Đặng Thúy Phương" and found["signer_name"][1] < 0.7


def test_a_family_name_whose_first_letters_were_misread_is_the_one_that_ends_so_held_for_review():
    rows = [(0, 60, "Nơi nhận:"), (0, 1000, "CHỦ TỊCH"), (1, 60, "- Lưu: VT."), (4, 1000, "Xuyễn Thị Thảo")]
    found = signer(page_lines(_words(rows, {"Xuyễn": 20.0})))  # read below 30, yet no signature's stroke
    assert found["signer_name"][0] == "Nguyễn Thị Thảo" and found["signer_name"][1] < 0.7
    assert signer(lines_from_text("CHỦ TỊCH\nQuang Nam"))["signer_name"][0] == "Quang Nam"  # a given name stays


def test_a_head_s_title_under_kt_or_tm_alone_lost_the_line_under_it_which_decree_30_names():
    for read, meant in [
        ("KT. GIÁM ĐỐC", "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"),
        ("KT. BỘ TRƯỞNG", "KT. BỘ TRƯỞNG THỨ TRƯỞNG"),
        ("TM. ỦY BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"),
    ]:
        title = signer(lines_from_text(f"{read}\nTrần Thị Hằng"))["signer_title"]
        assert title[0] == meant and title[1] < 0.7
    assert restore_agency(_words([(0, 0, "JỦY BAN NHÂN DÂN HUYỆN GIA LỘC")])).text == "ỦY BAN NHÂN DÂN HUYỆN GIA LỘC"
    assert signer(lines_from_text("CHỦ TỊCH\nSguyền Thị Trang"))["signer_name"][0] == "Nguyễn Thị Trang"


def test_a_mark_in_the_margin_read_between_the_title_and_its_subject_does_not_hide_the_subject():
    rows = [
        (0, 60, "UBND HUYỆN GIA LỘC"),
        (1, 60, "Số: 471/QĐ-UBND"),
        (1, 700, "Gia Lộc, ngày 18 tháng 8 năm 2021"),
        (3, 600, "QUYẾT ĐỊNH"),
        (3, 1400, "--—-...g"),
        (4, 500, "Về việc công nhận hòa giải viên"),
        (5, 380, "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN GIA LỘC"),
    ]
    meta = extract_metadata(["text"], page_words=[_words(rows, {"--—-...g": 0.0})]).metadata
    assert (meta.type_name, meta.subject) == ("QUYẾT ĐỊNH", "Về việc công nhận hòa giải viên")


def test_a_date_line_whose_month_word_was_read_a_letter_off_still_gives_the_place_and_the_date():
    text = "UBND HUYỆN GIA LỘC\nSố: 12/GPXD-UBND\nGia Lộc, ngày 03 thủng 01 năm 2023\nGIẤY PHÉP XÂY DỰNG"
    meta = extract_metadata([text], today=TODAY).metadata
    assert (meta.place, meta.issued_date) == ("Gia Lộc", dt.date(2023, 1, 3))


def test_a_seal_s_letters_read_unsurely_with_a_letter_vietnamese_does_not_write_are_skipped():
    rows = [
        (0, 60, "Nơi nhận:"),
        (0, 1000, "KT. CHỦ TỊCH"),
        (1, 60, "- Lưu: VT."),
        (1, 1000, "PHO CHỦ TỊCH"),
        (3, 1060, "Ñ No SA"),
        (5, 1000, "Nguyễn Thanh Mai"),
    ]
    found = signer(page_lines(_words(rows, {"Ñ": 81.0, "No": 35.0, "SA": 45.0})))
    assert (found["signer_title"][0], found["signer_name"][0]) == ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Nguyễn Thanh Mai")


def test_a_signature_s_stroke_read_as_a_capital_after_the_family_name_is_no_part_of_it():
    found = signer(lines_from_text("_.KT. TRƯỞNG CÔNG AN\n- PHÓ TRƯỞNG CÔNG AN\nNgôT Thanh Nam"))
    assert found["signer_title"][0] == "KT. TRƯỞNG CÔNG AN PHÓ TRƯỞNG CÔNG AN"
    assert found["signer_name"][0] == "Ngô Thanh Nam"


def test_digits_a_hand_ran_into_the_notation_after_its_slash_are_left_out_and_not_taken_for_the_number():
    meta = extract_metadata(["BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG\nSố:⁄ 110BTNMT-QLĐĐ\nQUYẾT ĐỊNH"], today=TODAY).metadata
    assert (meta.code_notation, meta.document_number) == ("BTNMT-QLĐĐ", None)


def test_a_notation_whose_slash_was_read_twice_or_whose_number_a_speck_follows_is_read_as_printed():
    meta = extract_metadata(["SỞ NỘI VỤ\nSố: 570 / /TB-SNV\nTHÔNG BÁO"], today=TODAY).metadata
    assert meta.code_notation == "TB-SNV"
    meta = extract_metadata(["SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI\nsố: 1820; /sLĐTBXH-BTXH\nTHÔNG BÁO"], today=TODAY)
    assert (meta.metadata.code_notation, meta.metadata.code_number) == ("SLĐTBXH-BTXH", "1820")
    assert meta.confidence["code_number"] <= 0.75  # the stop after it: not read as printed


def test_a_sector_whose_unit_was_lost_under_a_committee_named_in_full_takes_the_unit_of_that_level():
    def agencies(header: str) -> tuple[str | None, str | None, float]:
        text = f"{header}\nSố: 12/STNMT-MT\nHải Dương, ngày 5 tháng 1 năm 2024\nQUYẾT ĐỊNH"
        extraction = extract_metadata([text], today=TODAY)
        meta = extraction.metadata
        return meta.parent_organ_name, meta.organ_name, extraction.confidence["organ_name"]

    parent, organ, confidence = agencies("UBND\nTỈNH HẢI DƯƠNG\nTÀI NGUYÊN\nVÀ MÔI TRƯỜNG")  # "SỞ" lost
    assert (parent, organ) == ("UBND TỈNH HẢI DƯƠNG", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG") and confidence < 0.7
    assert agencies("UBND HUYỆN GIA LỘC\nTÀI CHÍNH - KẾ HOẠCH")[1] == "PHÒNG TÀI CHÍNH - KẾ HOẠCH"  # a district's
    # a committee's own name is no sector: "ỦY BAN NHÂN DÂN" under a district is the commune's committee
    assert agencies("UBND HUYỆN GIA LỘC\nỦY BAN NHÂN DÂN XÃ YẾT KIÊU")[1] == "ỦY BAN NHÂN DÂN XÃ YẾT KIÊU"


def test_a_date_line_whose_day_has_a_digit_read_as_a_letter_still_ends_the_header_and_the_type_is_found():
    text = "ỦY BAN NHÂN DÂN\nHUYỆN YÊN MÔ\nSố: 12/TB-UBND\nYên Mô, ngày l6 tháng 10 năm 2022\nTHÔNG BÁO"
    extraction = extract_metadata([f"{text}\nKết luận của Chủ tịch tại cuộc họp giao ban"], today=TODAY)
    meta = extraction.metadata
    assert (meta.place, meta.issued_date, meta.type_name) == ("Yên Mô", dt.date(2022, 10, 16), "THÔNG BÁO")


def test_stops_a_speck_left_after_the_subject_are_no_part_of_it():
    text = "SỞ NỘI VỤ\nSố: 12/TB-SNV\nNinh Bình, ngày 5 tháng 1 năm 2024\nTHÔNG BÁO"
    meta = extract_metadata([f"{text}\nVề việc tuyển dụng viên chức năm 2024...\nThực hiện Kế hoạch"], today=TODAY)
    assert meta.metadata.subject == "Về việc tuyển dụng viên chức năm 2024"


def test_a_family_name_read_as_a_line_of_its_own_beside_the_rest_of_the_name_is_part_of_it():
    rows = [(0, 60, "Nơi nhận:"), (0, 1000, "CHỦ TỊCH"), (1, 60, "- Lưu: VT.")]
    rows += [(4, 1000, "Nguyễn"), (4, 1110, "Xuân Hùng")]
    assert signer(page_lines(_words(rows)))["signer_name"][0] == "Nguyễn Xuân Hùng"


def test_a_notation_whose_slash_was_lost_with_the_hand_s_number_and_small_words_inside_a_name():
    extraction = extract_metadata(["ỦY BAN NHÂN DÂN\nHUYỆN LÝ NHÂN\nSố: QĐ-UBND\nQUYẾT ĐỊNH"], today=TODAY)
    assert extraction.metadata.code_notation == "QĐ-UBND" and extraction.confidence["code_notation"] <= 0.75
    assert extract_metadata(["UBND HUYỆN LÝ NHÂN\nSố: AB-CD\nQUYẾT ĐỊNH"], today=TODAY).metadata.code_notation is None
    assert signer(lines_from_text("CHỦ TỊCH\nvẻ Nguyễn uy Hữu Hiếu"))["signer_name"][0] == "Nguyễn Hữu Hiếu"
    rows = [(0, 60, "Nơi nhận:"), (0, 1000, "7, CHỦ TỊCH"), (1, 60, "- Lưu: VT."), (4, 1000, "Lương Minh Ngọc")]
    found = signer(page_lines(_words(rows, {"7,": 32.0})))  # a digit read unsurely is no seal's letter
    assert found["signer_title"][0] == "CHỦ TỊCH"
