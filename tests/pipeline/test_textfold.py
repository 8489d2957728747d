"""Folding keeps one character for one, for Vietnamese and for whatever else a scan's text holds."""

from __future__ import annotations

import unicodedata

from pipeline.textfold import fold_char, fold_diacritics


def test_vietnamese_is_folded_to_plain_lower_case_letters():
    assert fold_diacritics("Đăng ký kinh doanh: QUYẾT ĐỊNH của Ủy ban") == "dang ky kinh doanh: quyet dinh cua uy ban"
    assert fold_diacritics("Quye\u0302\u0301t") == "quyet"  # decomposed marks are composed first


def test_every_character_folds_as_it_does_alone_even_beyond_the_table_made_first():
    text = "Ỹ ẞ ǅ İ ﬁ Ω K 𝔸 😀 ① ｱ Ｑ e\u0301 " * 3  # letterlike, ligatures, astral, full width, emoji
    nfc = unicodedata.normalize("NFC", text)
    folded = fold_diacritics(text)
    assert len(folded) == len(nfc)  # positions line up for highlighting
    assert folded == "".join(fold_char(ch) for ch in nfc)
    assert folded.startswith("y ")
