"""Metadata extraction on recognised text: Decree 30 layout, OCR confusions, validation, nothing invented."""

from __future__ import annotations

import datetime as dt

from pipeline.extract import extract_metadata, header_is_incomplete
from pipeline.textfold import fold_diacritics

TODAY = dt.date(2026, 11, 22)

DECISION = """UBND TỈNH NINH BÌNH
SỞ TÀI NGUYÊN
VÀ MÔI TRƯỜNG
Sổ: 15/QĐ-STNMT

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Ninh Bình, ngày 05 tháng 01 năm 2020
QUYET DINH

Về việc thu hồi đất để thực hiện dự án
mở rộng đường liên xã
GIÁM ĐỐC SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG
Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;

Nơi nhận:
- Như Điều 3;
- Lưu: VT.

KT. GIÁM ĐỐC
PHO GIAM ĐỌC
*
Trần Văn Bình"""

PERMIT = """SỞ XÂY DỰNG
S6: 2623/GPXD

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 5 tháng 1 năm 2024
GIẤY PHÉP XÂY DỰNG
1. Cấp cho: Ông NGUYỄN VĂN AN
Số định danh cá nhân: 037 085 001 234
Giấy phép có giá trị đến ngày 31 tháng 12
năm 2026.

GIÁM ĐỐC
Lê Thị Hoa"""


def test_decision_fields_with_ocr_confusions():
    extraction = extract_metadata([DECISION], today=TODAY)
    meta = extraction.metadata
    assert (meta.document_number, meta.code_number, meta.code_notation) == ("15/QĐ-STNMT", "15", "QĐ-STNMT")
    assert (meta.issued_date, meta.place) == (dt.date(2020, 1, 5), "Ninh Bình")
    assert (meta.parent_organ_name, meta.organ_name) == ("UBND TỈNH NINH BÌNH", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG")
    assert meta.type_name == "QUYẾT ĐỊNH"  # read without diacritics, written as Decree 30 writes it
    assert meta.subject == "Về việc thu hồi đất để thực hiện dự án mở rộng đường liên xã"
    assert (meta.signer_title, meta.signer_name) == ("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "Trần Văn Bình")
    assert (meta.holder_name, meta.holder_id, meta.valid_until) == (None, None, None)  # absent stays null
    assert (meta.language, meta.page_amount) == ("vi", 1)
    assert all(0 < score <= 1 for score in extraction.confidence.values())
    assert extraction.confidence["type_name"] < extraction.confidence["document_number"]  # mended, so less sure


def test_permit_holder_id_validity_and_unpadded_date():
    meta = extract_metadata([PERMIT], today=TODAY).metadata
    assert (meta.document_number, meta.issued_date) == ("2623/GPXD", dt.date(2024, 1, 5))
    assert (meta.organ_name, meta.parent_organ_name) == ("SỞ XÂY DỰNG", None)
    assert meta.type_name == "GIẤY PHÉP XÂY DỰNG" and meta.subject is None
    assert (meta.holder_name, meta.holder_id) == ("NGUYỄN VĂN AN", "037085001234")
    assert meta.valid_until == dt.date(2026, 12, 31)
    assert (meta.signer_title, meta.signer_name) == ("GIÁM ĐỐC", "Lê Thị Hoa")


def test_implausible_values_are_refused_not_guessed():
    future = PERMIT.replace("năm 2024", "năm 2031").replace("037 085", "099 085")
    meta = extract_metadata([future], today=TODAY).metadata
    assert meta.issued_date is None  # in the future
    assert meta.holder_id is None  # province code 099 does not exist
    old = PERMIT.replace("năm 2024", "năm 1930")
    assert extract_metadata([old], today=TODAY).metadata.issued_date is None


def test_a_handwritten_number_that_ocr_lost_gives_no_document_number():
    meta = extract_metadata([DECISION.replace("Sổ: 15/QĐ-STNMT", "Số: /QĐ-STNMT")], today=TODAY).metadata
    assert (meta.document_number, meta.code_number) == (None, None)


def test_empty_pages_give_only_the_page_count():
    extraction = extract_metadata(["", "  "], today=TODAY)
    assert extraction.metadata.page_amount == 2
    assert extraction.metadata.model_dump(exclude={"page_amount"}) == dict.fromkeys(
        extraction.metadata.model_dump(exclude={"page_amount"})
    )


def test_folding_keeps_positions():
    text = "Đăng ký kinh doanh HỘ KINH DOANH"
    assert fold_diacritics(text) == "dang ky kinh doanh ho kinh doanh"
    assert len(fold_diacritics(text)) == len(text)


def test_dates_written_with_digits():
    for written in ("Hà Nội, 05/01/2024", "Hà Nội, 5-1-2024", "Hà Nội, ngày 5.1.2024"):
        meta = extract_metadata([PERMIT.replace("Hà Nội, ngày 5 tháng 1 năm 2024", written)], today=TODAY).metadata
        assert (meta.place, meta.issued_date) == ("Hà Nội", dt.date(2024, 1, 5)), written
        assert meta.type_name == "GIẤY PHÉP XÂY DỰNG"


def test_a_header_read_again_fills_what_the_page_wide_pass_dropped():
    without_header = DECISION.replace("Sổ: 15/QĐ-STNMT\n", "").replace("Ninh Bình, ngày 05 tháng 01 năm 2020\n", "")
    assert header_is_incomplete(without_header) and not header_is_incomplete(DECISION)
    reread = "SỞ TÀI NGUYÊN\nSố: 15/QĐ-STNMT\n\nĐộc lập - Tự do - Hạnh phúc\nNinh Bình, ngày 05 tháng 01 năm 2020"
    extraction = extract_metadata([without_header], header_text=reread, today=TODAY)
    assert extraction.metadata.document_number == "15/QĐ-STNMT"
    assert extraction.metadata.issued_date == dt.date(2020, 1, 5)
    assert extraction.confidence["document_number"] <= 0.75  # found only on a second reading
