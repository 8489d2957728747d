"""Metadata of a Decree 30 result from its recognised text: header, type, subject, signer, holder, validity.

The text comes in reading order with blocks separated by blank lines (see `pipeline.reading_order`),
so the header's left column, the motto and date, and the signer's block arrive as blocks of their own.
Nothing is guessed: a field that is not found stays None, and each found field gets a confidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.collocations import mend_marks
from pipeline.confidence import CERTAIN, DOUBTFUL, LIKELY, Found, field_confidence, is_possible_text
from pipeline.decree30 import (
    BODY_STARTS,
    LETTER_TYPE,
    TYPE_NAMES,
    TYPE_STARTS,
)
from pipeline.issuer import agencies_of, issuing_agencies, place_as_the_agency_spells_it
from pipeline.layout import (
    PLACE_DATE,
    PLACE_DATE_DIGITS,
    Header,
    TextLine,
    follows_closely,
    is_date_line,
    is_scrawl,
    is_upper,
    lines_from_text,
    page_lines,
    split_header,
    written_by_hand,
)
from pipeline.number_line import LETTER_SUBJECT_LABEL, number_line, words_with
from pipeline.people import holder, signer
from pipeline.syllables import invalid_syllables
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics
from schemas.record import ResultMetadata

#: A year has four digits: "năm 20285" is a misreading, not 2028.
DATE_WORDS = re.compile(r"ngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+(?P<y>\d{4})(?!\d)")
DATE_DIGITS = re.compile(r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)")
VALID_UNTIL = re.compile(
    r"(?:gia tri|hieu luc)[^.]{0,60}?den\s+(?P<rest>ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}(?!\d)"
    r"|(?:ngay\s+)?\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}(?!\d))"
)


@dataclass(frozen=True)
class Extraction:
    """The metadata found, and a confidence from 0 to 1 for each field that was found."""

    metadata: ResultMetadata
    confidence: dict[str, float]


#: Without these a result cannot be identified; missing or doubtful, a person must look (Circular 01/2023 Art. 7).
REQUIRED_FIELDS = ("type_name", "document_number", "issued_date", "organ_name")


def fields_to_review(metadata: ResultMetadata, confidence: dict[str, float | None], threshold: float) -> list[str]:
    """The required fields that are missing or found with less confidence than `threshold`."""
    return [
        name for name in REQUIRED_FIELDS if getattr(metadata, name) is None or (confidence.get(name) or 0.0) < threshold
    ]


def number_key(metadata: ResultMetadata) -> str | None:
    """Agency, number and year, folded: Decree 30 numbers are unique per agency and year, so a repeat is a duplicate."""
    if not (metadata.organ_name and metadata.document_number and metadata.issued_date):
        return None
    organ = " ".join(fold_diacritics(metadata.organ_name).split())
    return f"{organ}|{fold_diacritics(metadata.document_number).replace(' ', '')}|{metadata.issued_date.year}"


def header_is_incomplete(page_text: str) -> bool:
    """True when page 1's text lacks the "Số: …" line or the place-and-date line of a Decree 30 header."""
    lines = lines_from_text(page_text)
    return "document_number" not in number_line(lines) or not _place_and_date(lines, dt.date.today())


def extract_metadata(
    page_texts: list[str],
    *,
    header_text: str | None = None,
    today: dt.date | None = None,
    page_words: list[list[Word]] | None = None,
) -> Extraction:
    """Every field of DESIGN.md's table that the pages show; None for the rest.

    `page_words` are the pages' OCR words with their boxes and confidences (as the page step stored them):
    with them the header is split at its gutter and each field's confidence reflects how its words were
    read. Without them the text's line order is used. `header_text` is page 1's header read again region
    by region; it fills the number and the date when the page-wide text lacks them, with less confidence,
    but not the blank a hand filled in: digits written by hand, or missing beside a printed notation or
    month, are left null (Tesseract reads handwriting as print, wrongly and surely).
    """
    today = today or dt.date.today()
    if page_words is not None and len(page_words) == len(page_texts):
        pages = [page_lines(words) for words, text in zip(page_words, page_texts, strict=True) if text.strip()]
        header = split_header(pages[0]) if pages else Header([], [], [])
    else:
        pages = [lines_from_text(text) for text in page_texts if text.strip()]
        header = Header([], [], pages[0]) if pages else Header([], [], [])
    if not pages:
        return Extraction(ResultMetadata(page_amount=len(page_texts)), {})
    found: Found = {}
    if header.left:
        found.update(_place_and_date(header.right, today) or _place_and_date(header.left, today))
        found.update(issuing_agencies(header.left, found.get("place")))
        found.update(number_line(header.left, agencies_of(found)))
        found.update(_letter_subject(header.left, header.rest[:4]))
    lines = [*header.left, *header.right, *header.rest]
    for name, value in _place_and_date(lines, today).items():
        found.setdefault(name, value)
    for name, value in issuing_agencies(lines, found.get("place")).items():
        found.setdefault(name, value)
    for name, value in number_line(lines, agencies_of(found)).items():
        found.setdefault(name, value)
    if "place" in found:
        found["place"] = place_as_the_agency_spells_it(found["place"], agencies_of(found))
    found.update(_type_and_subject(header.rest if header.left else lines, letter="subject" in found))
    if header_text:
        header_lines, page_wide = lines_from_text(header_text), dict(found)
        rereads: tuple[Found, Found] = (number_line(header_lines), _place_and_date(header_lines, today))
        for reread in rereads:
            for name, (read_again, score) in reread.items():
                if name not in found and not _filled_by_hand(name, page_wide):
                    found[name] = (read_again, min(score, LIKELY))
    found.update(signer(pages[-1]))
    every_line = [line for page in pages for line in page]
    found.update(holder(every_line))
    found.update(_valid_until(" ".join(line.text for line in every_line), today))
    found["language"] = ("vi", CERTAIN if _looks_vietnamese(" ".join(line.text for line in every_line)) else DOUBTFUL)
    found["page_amount"] = (len(page_texts), CERTAIN)
    values = {name: value for name, (value, _) in found.items() if value is not None}
    confidence = {name: score for name, (value, score) in found.items() if value is not None}
    return Extraction(ResultMetadata(**values), confidence)


def _filled_by_hand(name: str, found: Found) -> bool:
    """True for a number or a date the page shows printed around a blank: the page-wide reading found the
    notation without digits, or the month and year without a day (or the day written by hand)."""
    if name in ("document_number", "code_number"):
        return "code_notation" in found
    return name == "issued_date" and "place" in found


#: A date line broken where a day was left blank for a hand: "Thanh Hóa, ngày" above "tháng 5 năm 2020".
BROKEN_AT_DAY = re.compile(r",\s*ngay\s*\d{0,2}\s*$")


def _place_and_date(lines: list[TextLine], today: dt.date) -> Found:
    for line, below in zip(lines[:14], [*lines[1:15], None], strict=False):
        folded = fold_diacritics(line.text)
        if below is not None and BROKEN_AT_DAY.search(folded):
            line = TextLine(line.words + below.words)
            folded = fold_diacritics(line.text)
        match = PLACE_DATE.search(folded)
        score = CERTAIN
        if match is None:  # "Hà Nội, 05/01/2020" or "5-1-2020": read, but less usual for Decree 30
            match, score = PLACE_DATE_DIGITS.search(folded), LIKELY
        if match is None:
            continue
        issued = _date(match, today)
        place = _place_words(line.text[match.start("place") : match.end("place")])
        place_words = words_with(line, place.split()[-1]) if place else []
        place_score = score if place[:1].isupper() else DOUBTFUL  # "ìn Thịnh": a place's start was lost
        result: Found = {"place": (place, field_confidence(place_score, place_words, possible=is_possible_text(place)))}
        date_words = [w for w in line.words if any(ch.isdigit() for ch in w.text)]
        if issued is not None and not any(written_by_hand(word, line) for word in date_words):
            result["issued_date"] = (issued, field_confidence(score, date_words))
        return result
    return {}


def _place_words(text: str) -> str:
    """The place before ", ngày": the words after any that hold a digit, a slash or a colon (the number line
    read into the same row: "Số: 3⁄2 /SKHĐT-ĐKKD Nam Định")."""
    words = text.strip(" ,.").split()
    while any(re.search(r"[\d/⁄:]", word) for word in words):
        words = words[1:]
    return " ".join(words)


DIGITS_READ_AS_LETTERS = str.maketrans("lio", "110")


def _date(match: re.Match[str], today: dt.date) -> dt.date | None:
    """A plausible date: real, not in the future, not before 1945; None when the day or month is missing."""
    if match["d"] is None or match["m"] is None:
        return None
    try:
        day, month = (int(match[part].translate(DIGITS_READ_AS_LETTERS)) for part in ("d", "m"))  # "l6"
        value = dt.date(int(match["y"]), month, day)
    except ValueError:
        return None
    return value if dt.date(1945, 1, 1) <= value <= today else None


def _joined(lines: list[TextLine], structure: float) -> tuple[str, float]:
    text = " ".join(line.text for line in lines)
    return text, field_confidence(structure, [w for line in lines for w in line.words], possible=is_possible_text(text))


def _letter_subject(left: list[TextLine], below_header: Sequence[TextLine] = ()) -> Found:
    """A công văn's subject: "V/v …" under the number in the header's left column, on one to three lines.

    Its last lines may fall below where the header was found to end (a stamp's marks beside them ended it):
    lines below the header that sit under the first one, no wider, go on with it.
    """
    for index, line in enumerate(left):
        if LETTER_SUBJECT_LABEL.match(line.text):
            parts = [line]
            under = [
                below
                for below in below_header
                if below.top > line.top
                and below.left < line.right
                and below.right < line.right + 3 * line.height
                and not fold_diacritics(below.text).startswith("kinh gui")  # the recipients, not the subject
            ]
            for below in [*left[index + 1 :], *under][:3]:
                if not follows_closely(parts[-1], below):
                    break
                parts.append(below)
            return {"subject": _subject(parts, CERTAIN if len(parts) == 1 else LIKELY)}
    return {}


def _subject(lines: list[TextLine], structure: float) -> tuple[str, float]:
    """The subject's lines joined, its label ("V/V", "V/ v", "V/w") written as Decree 30 writes it: "V/v", and the
    marks of administrative word pairs mended ("kiếm tra" is "kiểm tra"). One that ends on "năm" lost its year."""
    text, score = _joined(lines, structure)
    text = LETTER_SUBJECT_LABEL.sub("V/v", mend_marks(text)).rstrip(".…,;: ")  # "năm 2024...": a speck's stops
    return text, min(score, DOUBTFUL) if fold_diacritics(text).endswith(" nam") else score


def _type_and_subject(lines: list[TextLine], *, letter: bool) -> Found:
    """The centred type name after the date line, then "Về việc …"/"V/v …" and its continuation lines.

    A công văn (its subject already found under the number) has no type name: it is "CÔNG VĂN".
    """
    start = next((i + 1 for i, line in enumerate(lines[:16]) if is_date_line(line.text)), 0)
    result: Found = {}
    i = start
    while i < len(lines) and not is_upper(lines[i].text) and not (letter and i - start > 2):
        i += 1
    stamp = i  # a received stamp's capitals ("UBND XÃ", "HUYỆN") may stand before the title
    while stamp < min(i + 3, len(lines)) and len(lines[stamp].words) <= 2 and not _opens_type(lines[stamp]):
        stamp += 1
    if stamp < len(lines) and _opens_type(lines[stamp]) and not letter:
        i = stamp
    if i < len(lines) and _opens_type(lines[i]):
        parts = [lines[i]]
        while i + 1 < len(lines) and is_upper(lines[i + 1].text) and not _is_subject(lines[i + 1].text):
            if len(parts) == 3:
                break
            candidate = " ".join(line.text for line in [*parts, lines[i + 1]])
            if _closest_type(candidate)[1] < _closest_type(" ".join(line.text for line in parts))[1]:
                break
            parts.append(lines[i + 1])
            i += 1
        name, structure = _canonical_type(" ".join(line.text for line in parts).lstrip(MARKS))
        # A name matched to a known type is that type however its letters were read; an unknown one is as
        # good as its weakest word.
        words = [] if structure > DOUBTFUL else [w for line in parts for w in line.words]
        result["type_name"] = (name, field_confidence(structure, words))
        title = parts[-1]
        i += 1
        while i < len(lines) and is_scrawl(lines[i]):
            i += 1  # a mark in the margin read between the title and its subject ("--—-...g" at 0)
    elif letter:
        return {"type_name": (LETTER_TYPE, LIKELY)}
    else:
        title = None
    if i < len(lines) and (_is_subject(lines[i].text) or (title is not None and _names_the_subject(title, lines[i]))):
        parts = [lines[i]]
        while (
            i + 1 < len(lines)
            and follows_closely(parts[-1], lines[i + 1])
            and not is_upper(lines[i + 1].text)
            and not _starts_body(lines[i + 1].text)
        ):
            parts.append(lines[i + 1])
            i += 1
            if len(parts) == 4:
                break
        text, score = _subject(parts, LIKELY if len(parts) > 1 else CERTAIN)
        result["subject"] = (text[:500], score)
    return result


def _opens_type(line: TextLine) -> bool:
    return fold_diacritics(line.text).lstrip(MARKS).startswith(TYPE_STARTS)


def _names_the_subject(title: TextLine, line: TextLine) -> bool:
    """True for a subject without "Về việc" ("Kết luận của Chủ tịch …" under "THÔNG BÁO"): set close under the
    title and centred on it, in running case, neither a label ("Mã số: …") nor the body's first words."""
    centred = abs(line.centre - title.centre) <= 0.1 * max(title.right - title.left, line.right - line.left)
    text = line.text
    return (
        centred
        and follows_closely(title, line)
        and ":" not in text
        and not is_upper(text)
        and not _starts_body(text)
        and text[:1].isupper()
    )


#: What a rule or a speck before a title is read as ("_QUYẾT ĐỊNH").
MARKS = "_-—.,'\"`~ "


def _starts_body(line: str) -> bool:
    """A body paragraph's opening ("Căn cứ", "Thực hiện" with its capital: a subject may go on "thực hiện …")."""
    if line.startswith(CAPITALISED_OPENERS):
        return True
    return fold_diacritics(line).startswith(BODY_STARTS) or bool(re.match(r"^\s*(?:\d+[.)]|[-+•])", line))


CAPITALISED_OPENERS = ("Thực hiện ", "Trân trọng ", "Nhằm ")


FOLDED_TYPE_NAMES = {fold_diacritics(name): name for name in TYPE_NAMES}


def _closest_type(text: str) -> tuple[str, float]:
    folded = fold_diacritics(text)
    return max(
        ((name, SequenceMatcher(None, folded, key).ratio()) for key, name in FOLDED_TYPE_NAMES.items()),
        key=lambda pair: pair[1],
    )


def _canonical_type(text: str) -> tuple[str, float]:
    """The known type name `text` spells, or misspells a little; a stamp's marks after it ("THÔNG BÁO .Đ_N",
    "THÔNG BÁO--:;") are dropped, but then it is no more than likely."""
    words = text.split()
    words[-1] = words[-1].rstrip(MARKS + ":;") or words[-1]  # "BÁO--:;"
    while len(words) > 1 and (not words[-1].strip(".,:;").isalpha() or invalid_syllables(words[-1])):
        words.pop()
    name, ratio = max(_closest_type(text), _closest_type(" ".join(words)), key=lambda pair: pair[1])
    if ratio >= 0.97:
        return name, CERTAIN if text == name else LIKELY
    if ratio >= 0.85:
        return name, LIKELY
    return text, DOUBTFUL


def _is_subject(line: str) -> bool:
    return fold_diacritics(line).startswith("ve viec") or bool(LETTER_SUBJECT_LABEL.match(line))


def _valid_until(text: str, today: dt.date) -> Found:
    match = VALID_UNTIL.search(fold_diacritics(text))
    if match is None:
        return {}
    date_match = DATE_WORDS.search(match["rest"]) or DATE_DIGITS.search(match["rest"])
    if date_match is None:
        return {}
    try:
        value = dt.date(int(date_match["y"]), int(date_match["m"]), int(date_match["d"]))
    except ValueError:
        return {}
    return {"valid_until": (value, CERTAIN)} if value.year >= 1945 else {}


def _looks_vietnamese(text: str) -> bool:
    return fold_diacritics(text) != text.lower()
