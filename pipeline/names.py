"""People's names as OCR reads them under a seal or a signature: specks and scrawls dropped, a family name
misread in its marks, cut by a seal's edge or a letter off restored when only one family name fits."""

from __future__ import annotations

import re
import unicodedata

from pipeline.decree30 import SURNAMES
from pipeline.syllables import is_syllable
from pipeline.textfold import fold_diacritics


def name_of(line: str) -> str | None:
    """The line as a person's name, mending a hyphen OCR put between two of its words, and a family name
    whose first letter a seal's edge hid ("guyễn Hữu Toàn")."""
    candidate = re.sub(r"(?<=\w)-(?=[A-ZĐÀ-Ỹ])", " ", re.sub(r"^[\W\d_]+", "", line.strip()))
    candidate = _without_specks_in_name(candidate)
    first, _, rest = candidate.partition(" ")
    if first.islower() and (family := _cut_family(first)) is not None:
        candidate = mended_surname(f"{family} {rest}")
    elif first.islower() and len(first) <= 2 and (not is_syllable(first) or _left_of_a_family_name(first, rest)):
        candidate = rest  # what the seal left of a family name ("n Hữu Nam", "ản Đình Việt"): the rest, doubtful
    else:
        candidate = mended_surname(candidate)
    if looks_like_name(candidate):
        return candidate
    return _name_after_scrawl(line)


def _left_of_a_family_name(first: str, rest: str) -> bool:
    """True when a short small word before two names is what a seal left of the family name ("ản" of "Đoàn"),
    not a word of the text that names someone ("và Trần Văn Bình")."""
    return len(rest.split()) >= 2 and first not in _WORDS_BEFORE_NAMES


_WORDS_BEFORE_NAMES = frozenset({"và", "là", "do", "ở", "bà", "về", "từ", "có", "đã", "bị", "để"})


def _without_specks_in_name(line: str) -> str:
    """A name as printed, without what a seal or a layout's second reading added: "_" before a word, a tilde on
    "N" ("Ñgô": no Vietnamese letter), one or two small letters or marks between its words ("Trần n Thanh
    Phương", "Nguyễn uy Hữu Hiếu", "Đặng n§ Minh Việt"), a capital after a word's small letters ("NgôT": the
    signature's stroke), and its family name read twice ("Ngô Ngô Đình Trường")."""
    words = [_without_stroke_after(word.lstrip("_").replace("Ñ", "N").replace("ñ", "n")) for word in line.split()]
    words = [word for i, word in enumerate(words) if word and not (i and _speck_in_name(word))]
    return " ".join(words[1:] if len(words) > 2 and words[0] == words[1] else words)


def _without_stroke_after(word: str) -> str:
    head = word[:-1]
    stroke = len(word) > 2 and word[-1].isupper() and head[0].isupper() and head[1:].islower() and is_syllable(head)
    return head if stroke else word


def _speck_in_name(word: str) -> bool:
    return (len(word) <= 2 and word.islower()) or not word.isalpha()


def _name_after_scrawl(line: str) -> str | None:
    """The name at the end of a line whose start is a signature's scrawl read as marks and digits ("—M\\2⁄-
    “Trịnh Thu Oanh"); a line that starts with words ("giao cho Trần Văn Bình", "hữu Toàn Văn") is no name."""
    words = line.split()
    for start in range(1, len(words) - 1):
        scrawl, name = " ".join(words[:start]), " ".join(words[start:]).strip("“”\"'")
        if looks_like_name(name) and is_junk(scrawl) and re.search(r"[^\w\s]|\d", scrawl):
            return mended_surname(name)
    return None


def mended_surname(name: str) -> str:
    """A name whose family name was misread in its marks ("Đỉnh Thị Hoa"), with the one family name that
    reads so without marks ("Đinh"); or, read as no syllable, a letter off the one family name that is so
    ("Nšô": "Ngô"); or, before two more names, its first letters misread ("Xuyễn Thị Thảo": only "Nguyễn" ends
    so); other names as they are ("Giàng" is a name, not a misread "Giang")."""
    first, _, rest = name.partition(" ")
    family = _family_read_as(first) if rest else None
    if family is None and len(rest.split()) >= 2:
        family = family_by_ending(first)
    if family is None or family == first.upper():
        return name
    return f"{family if first.isupper() else family.capitalize()} {rest}"


def _family_read_as(word: str) -> str | None:
    """The family name (in capitals) `word` spells, or misreads in its marks, or, read as no syllable, misreads
    by a letter; None when it is none of them."""
    if word.upper() in SURNAMES:
        return word.upper()
    family = _FOLDED_SURNAMES.get(fold_diacritics(word.upper()))
    if family is None and not is_syllable(word):
        family = _a_letter_off(word.upper())
    return family


def family_by_ending(word: str) -> str | None:
    """The one family name (in capitals) that ends as `word` does past its first letter, three letters at least,
    whatever their marks ("Xuyễn", "Sguyền": "NGUYỄN"); None for a family name as read, or when several or none
    end so."""
    ending = fold_diacritics(word[1:])
    if len(ending) < 3 or not ending.isalpha() or word.upper() in SURNAMES:
        return None
    close = [name for name in SURNAMES if len(name) > len(ending) and fold_diacritics(name).endswith(ending)]
    return close[0] if len(close) == 1 else None


def _a_letter_off(word: str) -> str | None:
    """The one family name with the same first letter and length as `word` that differs from it in one letter."""
    close = [
        name
        for name in SURNAMES
        if len(name) == len(word) > 1
        and name[0] == word[0]
        and sum(a != b for a, b in zip(name, word, strict=True)) == 1
    ]
    return close[0] if len(close) == 1 else None


#: Family names without their first letter ("guyễn"), when no other family name reads so.
_CUT_SURNAMES = {
    cut: name.capitalize()
    for name in SURNAMES
    if len(cut := name[1:].lower()) >= 2 and sum(other[1:].lower() == cut for other in SURNAMES) == 1
}


def _cut_family(word: str) -> str | None:
    """The family name `word` is the rest of, its first letter hidden ("guyễn"); or, read with another mark,
    the one whose rest folds alike and bears the same tone ("ạng" is the "ặng" of "Đặng", not of "Tăng")."""
    if (family := _CUT_SURNAMES.get(word)) is not None:
        return family
    if len(word) < 2:
        return None
    close = [
        name
        for name in SURNAMES
        if fold_diacritics(name[1:]) == fold_diacritics(word) and _tone(name[1:]) == _tone(word)
    ]
    return close[0].capitalize() if len(close) == 1 else None


def _tone(word: str) -> set[str]:
    return set(unicodedata.normalize("NFD", word.lower())) & _TONE_MARKS


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook above, dot below


#: Family names without their marks ("DINH"), when no other family name folds so ("TRINH" is Trịnh or Trình).
_FOLDED_SURNAMES = {
    folded: name
    for name in SURNAMES
    if sum(fold_diacritics(other) == (folded := fold_diacritics(name)) for other in SURNAMES) == 1
}


def as_family_name(text: str) -> str | None:
    """`text` (marks and digits around it dropped) as the family name it spells, or misreads in its marks or by a
    letter when it is no syllable ("Hỗ" is "Hồ", "N/ô" is "Ngô"); None when it is none, or not capitalised."""
    word = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
    if len(word) < 2 or not word[0].isupper():
        return None
    family = _family_read_as(word.capitalize())
    return family.capitalize() if family else None


def is_junk(line: str) -> bool:
    """What OCR makes of a signature or a seal: a few letters, or no word of two letters that is a syllable
    (">}ÀAJ*x")."""
    if sum(ch.isalpha() for ch in line) < 4:
        return True
    return not any(len(word) >= 2 and is_syllable(word) for word in re.split(r"[\s,;:.]+", line))


def looks_like_name(line: str) -> bool:
    """Two to five words, each capitalised and the rest lower case, no digits: "Trần Văn Bình"."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)
