"""The people a result names: the signer under the signature and seal, and the holder, on a line of their own
or inside running text ("Điều 1. Cấp cho bà: Đặng Thị Hoa, số định danh cá nhân: …")."""

from __future__ import annotations

import re

from pipeline.confidence import CERTAIN, LIKELY, field_confidence, is_possible_name, is_possible_title
from pipeline.decree30 import SIGNER_PREFIXES, SIGNER_TITLES
from pipeline.layout import TextLine
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics

Found = dict[str, tuple[object, float]]

#: Where a holder's name starts: a label with a colon, or "cấp cho ông", "của bà", "Ông (bà):" in a sentence.
HOLDER_START = re.compile(
    r"(?:\bho,? (?:chu dem,? )?(?:va )?ten\b(?: chu ho)?\s*:"
    r"|\bten chu ho\s*:"
    r"|\bnguoi de nghi\s*:\s*(?:ong|ba)\b\.?"
    r"|\b(?:cap cho|cua|cho|giao cho|cong nhan)\s*:?\s*(?:ong|ba)\s*(?:\(ba\)|/ba)?\s*:?"
    r"|(?:^|[.;:\n]\s*|\bdieu 1\.?\s*)(?:ong|ba)\s*(?:\(ba\)|/ba)?\s*:"
    r"|\bong/ba\s*:)\s*"
)
HOLDER_ID = re.compile(
    r"(?:dinh danh ca nhan|can cuoc cong dan|can cuoc|cccd|cmnd|chung minh nhan dan)\D{0,25}(?P<id>\d[\d ]{7,14}\d)"
)
#: A name ends at punctuation or at the next labelled item ("sinh ngày", "số định danh", "nơi cư trú").
NAME_STOPS = ("sinh", "so", "noi", "dia", "cu", "thuong", "ngay", "gioi")


def holder(lines: list[TextLine]) -> Found:
    """The holder's name and personal id, from anywhere in the text."""
    result: Found = {}
    text = "\n".join(line.text for line in lines)
    folded = fold_diacritics(text)
    for match in HOLDER_START.finditer(folded):
        name = _name_after(text[match.end() :])
        if name is not None:
            words = _words_of(lines, name.split())
            score = field_confidence(CERTAIN if name.isupper() else LIKELY, words, possible=is_possible_name(name))
            result["holder_name"] = (name.upper(), score)
            break
    if (match := HOLDER_ID.search(folded)) is not None:
        digits = match["id"].replace(" ", "")
        if _valid_personal_id(digits):
            result["holder_id"] = (digits, field_confidence(CERTAIN, _words_of(lines, match["id"].split())))
    return result


def _name_after(text: str) -> str | None:
    """The capitalised words at the start of `text`, up to a comma, a full stop or a labelled item."""
    words = []
    for token in text.split()[:6]:
        word = token.rstrip(",;.:")
        if not word.isalpha() or not word[:1].isupper() or fold_diacritics(word) in NAME_STOPS:
            break
        if not (word.isupper() or word[1:].islower()):
            break
        words.append(word)
        if word != token:
            break
    return " ".join(words) if 2 <= len(words) <= 5 else None


def _valid_personal_id(digits: str) -> bool:
    """12 digits with a province code 001–096 (CCCD), or the 9 digits of an old CMND."""
    if len(digits) == 12:
        return 1 <= int(digits[:3]) <= 96
    return len(digits) == 9


def _words_of(lines: list[TextLine], tokens: list[str]) -> list[Word]:
    """The OCR words a value was read from (for their confidences)."""
    wanted = {t.strip(",;.:") for t in tokens}
    return [w for line in lines for w in line.words if w.text.strip(",;.:") in wanted]


def signer(lines: list[TextLine]) -> Found:
    """From the end of the last page: the signer's name under their title (with its TM./KT./Q. prefix).

    Between title and name sit the signature and the seal; what OCR makes of them (short junk lines)
    is skipped. Lines left of the signer's column ("Nơi nhận:") are not part of the block.
    """
    column = _signer_column(lines)
    for index in range(len(column) - 1, max(-1, len(column) - 8), -1):
        name = _name_of(column[index].text)
        if name is None:
            continue
        j = index - 1
        while j >= 0 and not is_upper(column[j].text) and _is_junk(column[j].text):
            j -= 1
        titles: list[TextLine] = []
        while j >= 0 and len(titles) < 3:
            if titles and not is_upper(column[j].text) and _is_junk(column[j].text):
                j -= 1  # a speck of the seal between "TM. ỦY BAN NHÂN DÂN" and "CHỦ TỊCH"
                continue
            if not is_upper(column[j].text) or column[j].text.startswith("-"):
                break
            if titles and titles[0].top - column[j].bottom > 2 * titles[0].height:
                break  # a gap: the line above belongs to the body, not to the signer's block
            titles.insert(0, column[j])
            j -= 1
            if fold_diacritics(titles[0].text).startswith(SIGNER_PREFIXES):
                break
        if len(titles) > 1 and not fold_diacritics(titles[0].text).startswith(SIGNER_PREFIXES):
            titles = titles[-1:]
        if not titles:
            continue
        title = " ".join(restore_title(line.text) for line in titles)
        prefixed = fold_diacritics(titles[0].text).startswith(SIGNER_PREFIXES)
        structure = CERTAIN if len(titles) == 1 or prefixed else LIKELY
        if j < index - len(titles) - 1:  # junk was skipped: the signature area was hard to read
            structure = LIKELY
        title_words = [w for line in titles for w in line.words]
        return {
            "signer_name": (name, field_confidence(structure, column[index].words, possible=is_possible_name(name))),
            "signer_title": (title, field_confidence(structure, title_words, possible=is_possible_title(title))),
        }
    return {}


def _signer_column(lines: list[TextLine]) -> list[TextLine]:
    """The lines of the page's lower part that sit in its right half, or every line when positions are unknown."""
    if not lines or len({line.left for line in lines}) == 1:
        return lines
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    middle = left_edge + 0.45 * (right_edge - left_edge)
    return [line for line in lines if line.right > middle and line.left >= left_edge + 0.25 * (right_edge - left_edge)]


FOLDED_SIGNER_TITLES = {fold_diacritics(title): title for title in SIGNER_TITLES}


def restore_title(line: str) -> str:
    """A title line rewritten from the known titles when it matches one but for diacritics."""
    words, out, i = line.split(), [], 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            known = FOLDED_SIGNER_TITLES.get(fold_diacritics(" ".join(words[i : i + size])))
            if known is not None:
                out.append(known)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _name_of(line: str) -> str | None:
    """The line as a person's name, mending a hyphen OCR put between two of its words."""
    candidate = re.sub(r"(?<=\w)-(?=[A-ZĐÀ-Ỹ])", " ", line.strip())
    return candidate if looks_like_name(candidate) else None


def _is_junk(line: str) -> bool:
    return sum(ch.isalpha() for ch in line) < 4


def is_upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)


def looks_like_name(line: str) -> bool:
    """Two to five words, each capitalised and the rest lower case, no digits: "Trần Văn Bình"."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)
