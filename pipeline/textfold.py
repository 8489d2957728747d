"""Vietnamese text folding: lower case, no diacritics, đ→d, one character for one, so positions still line up."""

from __future__ import annotations

import unicodedata
from functools import cache


@cache
def fold_char(ch: str) -> str:
    """One NFC character without its marks, in lower case ("Ề" → "e", "Đ" → "d")."""
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    folded = base.lower()
    return folded if len(folded) == 1 else ch.lower()[:1] or ch


def fold_diacritics(text: str) -> str:
    """NFC, then every character folded: "Đăng ký kinh doanh" → "dang ky kinh doanh"."""
    return "".join(fold_char(ch) for ch in unicodedata.normalize("NFC", text))
