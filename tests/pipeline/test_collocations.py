"""Tone marks OCR confuses inside the word pairs of administrative Vietnamese are mended; other text is kept."""

from __future__ import annotations

from pipeline.collocations import PAIRS, mend_marks
from pipeline.textfold import fold_diacritics


def test_a_pair_read_with_the_wrong_tone_is_spelled_as_listed_keeping_case_and_punctuation():
    assert mend_marks("V/v kiếm tra công tác") == "V/v kiểm tra công tác"
    assert (
        mend_marks("Về việc tố chức thăm hỏi, tặng quả người có công")
        == "Về việc tổ chức thăm hỏi, tặng quà người có công"
    )
    assert mend_marks("thu hồi đất đế thực hiện dự án") == "thu hồi đất để thực hiện dự án"
    assert mend_marks("TỐ CHỨC (Tiếp công dần)") == "TỔ CHỨC (Tiếp công dân)"
    assert mend_marks("hộ cận nghèo nằm 2020, NẮM 2021") == "hộ cận nghèo năm 2020, NĂM 2021"
    assert mend_marks("V/v chuấn bị; người cao tuối, hộ cận nghẻo") == "V/v chuẩn bị; người cao tuổi, hộ cận nghèo"
    assert mend_marks("nằm 12 ngày") == "nằm 12 ngày"  # no year after it: "nằm" is a word


def test_words_apart_or_spelled_otherwise_are_left_as_read():
    assert mend_marks("đất đai, kiếm được") == "đất đai, kiếm được"  # "kiếm" alone is a word
    assert mend_marks("công, dân") == "công, dân"  # a comma between: no pair
    assert mend_marks("các bên có quan hệ, báo về Sở, Uỷ ban") == "các bên có quan hệ, báo về Sở, Uỷ ban"


def test_no_two_pairs_read_alike_without_their_marks():
    assert len({fold_diacritics(pair) for pair in PAIRS}) == len(PAIRS)


def test_a_small_letter_read_as_its_look_alike_capital_inside_a_pair_is_small_again():
    assert mend_marks("V/v tăng Cường công tác") == "V/v tăng cường công tác"
    assert mend_marks("TĂNG CƯỜNG CÔNG TÁC") == "TĂNG CƯỜNG CÔNG TÁC"
    assert mend_marks("Tăng cường công tác") == "Tăng cường công tác"


def test_uy_ban_read_without_its_mark_and_tet_nguyen_dan_are_mended():
    assert mend_marks("Quy chế làm việc của Uy ban nhân dân") == "Quy chế làm việc của Ủy ban nhân dân"
    assert mend_marks("các uy ban và Uỷ ban") == "các ủy ban và Uỷ ban"  # "uỷ" is written too
    assert mend_marks("dịp Tét Nguyên đán") == "dịp Tết Nguyên đán"


def test_pairs_of_letters_about_holidays_and_meetings():
    assert mend_marks("V/v báo đảm an toàn thực phẩm địp Tết") == "V/v bảo đảm an toàn thực phẩm dịp Tết"
    assert mend_marks("mùa Lê hội Xuân, cuộc hợp giao ban") == "mùa Lễ hội Xuân, cuộc họp giao ban"


def test_pairs_of_letters_about_budgets_and_schools():
    assert mend_marks("V/v quyết toắn kinh phí, xây dựng đự toán") == "V/v quyết toán kinh phí, xây dựng dự toán"
    assert mend_marks("số lượng giảo viên còn thiếu") == "số lượng giáo viên còn thiếu"
    assert mend_marks("tặng quà nhân địp kỷ niệm") == "tặng quà nhân dịp kỷ niệm"
