"""Vietnamese text folding: lower case, no diacritics, đ→d, one character for one, so positions still line up."""

from __future__ import annotations

import re
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


#: `str.translate`'s table of folded characters: U+0000 to U+1FFF (every Vietnamese letter) made on first use,
#: any other character added when first met. A plain dict, so `translate` stays in C.
_FOLDED: dict[int, str] = {}
_BEYOND_TABLE = re.compile("[^\u0000-\u1fff]")


def fold_diacritics(text: str) -> str:
    """NFC, then every character folded: "Đăng ký kinh doanh" → "dang ky kinh doanh"."""
    text = unicodedata.normalize("NFC", text)
    if not _FOLDED:
        _FOLDED.update((code, fold_char(chr(code))) for code in range(0x2000))
    for ch in set(_BEYOND_TABLE.findall(text)):
        _FOLDED.setdefault(ord(ch), fold_char(ch))
    return text.translate(_FOLDED)
