"""Metadata of a Decree 30 result from its recognised text: header, type, subject, signer, holder, validity.

The text comes in reading order with blocks separated by blank lines (see `pipeline.reading_order`),
so the header's left column, the motto and date, and the signer's block arrive as blocks of their own.
Nothing is guessed: a field that is not found stays None, and each found field gets a confidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from pipeline.agencies import (
    LEADING_SPECKS,
    LEVEL_WORDS,
    AgencyName,
    level_rank,
    restore_agency,
    run_in_apart,
    same_place,
    spells_agency,
    starts_with_level,
    starts_with_sector,
    unit_under,
)
from pipeline.collocations import mend_marks
from pipeline.confidence import CERTAIN, DOUBTFUL, LIKELY, field_confidence
from pipeline.decree30 import (
    AGENCY_STARTS,
    BODY_STARTS,
    LETTER_TYPE,
    NAME_CONTINUATIONS,
    PARENT_STARTS,
    TYPE_ABBREVIATIONS,
    TYPE_NAMES,
    TYPE_STARTS,
)
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
    without_scrawl_before,
    without_scrawls,
    written_by_hand,
)
from pipeline.people import holder, signer
from pipeline.syllables import invalid_syllables
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics
from schemas.record import ResultMetadata

Found = dict[str, tuple[object, float]]

#: "Số: 15/QĐ-UBND"; a small scan's slash may be read as the fraction slash "⁄", and a speck after the digits as a
#: stop ("Số: 1820; /SLĐTBXH-BTXH").
NUMBER_LINE = re.compile(r"^\s*s[o0ô6]\s*[:;.,]?\s*(?P<value>[0-9o]{1,6}[;,.]?\s*[/⁄]\s*[0-9a-z\-/⁄& ]{1,30}?)\s*$")
#: "Số: 16UBND-VP": the slash lost between the number and the notation.
NUMBER_WITHOUT_SLASH = re.compile(r"^\s*s[o0ô6]\s*[:;.,]?\s*(?P<value>\d{1,6}[a-z][0-9a-z&]*-[0-9a-z\-/&]{1,25})\s*$")
#: Decree 30 abbreviations with a small letter: CTr (chương trình), QyĐ (quy định), TrS (trích sao).
MIXED_CASE_NOTATION = re.compile(r"(?:[0-9A-ZĐ\-/&]|(?<=[A-ZĐ])[ry](?=[A-ZĐS]))+")
#: "Số:      /SGDĐT-VP": the number was left blank for a hand to fill in, and OCR did not read the hand.
#: A speck or a scrawl the hand left ("Số: - /QĐ-UBND", "Số: đá /UBND-KT", "Số: (đố /…") may stand before the
#: notation, and its slash may be read as "(" or "ƒ" ("Số: 0? (TB-UBND", "Số: ‹53) ƒUBND-TNMT").
NOTATION_ONLY = re.compile(
    r"^\s*s[o0ô6]\s*[:;.,]?[\s\-–.,_]*(?:[^\s/⁄]{1,4}\s+)?(?P<value>[/⁄(ƒ]\s*[0-9a-z\-/⁄&]{1,30}?)\s*$"
)
#: "Số: QĐ-UBND": the number left blank for a hand and the slash lost; a notation only when it opens with a type.
NOTATION_WITHOUT_SLASH = re.compile(r"^\s*s[o0ô6]\s*[:;.,]?\s*(?P<value>[a-z]{1,5}-[0-9a-z\-&]{1,25})\s*$")
#: A công văn's subject label as printed ("V/v") and as OCR misreads its slash or second v ("V⁄v", "V.v", "V/w",
#: "V/x", "Vlv", "V#v", "VWN", "VW": the slash and the v read as one letter; "V/ bảo đảm", "V# quyết toán": the
#: second v lost).
LETTER_SUBJECT_LABEL = re.compile(r"^v\s*(?:[/⁄.|\\l1#]\s*[vwynx]\b|[/⁄#](?=\s)|wn?\b)", re.IGNORECASE)
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
    return "document_number" not in _number(lines) or not _place_and_date(lines, dt.date.today())


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
        found.update(_organs(header.left, found.get("place")))
        found.update(_number(header.left, _agencies(found)))
        found.update(_letter_subject(header.left, header.rest[:4]))
    lines = [*header.left, *header.right, *header.rest]
    for name, value in _place_and_date(lines, today).items():
        found.setdefault(name, value)
    for name, value in _organs(lines, found.get("place")).items():
        found.setdefault(name, value)
    for name, value in _number(lines, _agencies(found)).items():
        found.setdefault(name, value)
    if "place" in found:
        found["place"] = _place_as_the_agency_spells_it(found["place"], _agencies(found))
    found.update(_type_and_subject(header.rest if header.left else lines, letter="subject" in found))
    if header_text:
        header_lines, page_wide = lines_from_text(header_text), dict(found)
        rereads: tuple[Found, Found] = (_number(header_lines), _place_and_date(header_lines, today))
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


def _number(lines: list[TextLine], agencies: Sequence[str] = ()) -> Found:
    """The number line, "Số: 15/QĐ-UBND"; when a handwritten number was lost to OCR, the printed notation alone.

    A notation whose agency code spells one of `agencies` ("TNMT" under "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG") is
    confirmed by the header: a doubtful reading of it costs a quarter, or half when another code in it is
    neither the header's nor a type's.
    """
    for index, line in enumerate(lines[:12]):
        folded = fold_diacritics(line.text)
        if folded.strip() in ("so:", "so"):  # "Số:" and a hand-filled gap (a scrawl read unsurely), then "/X"
            after = [below for below in lines[index + 1 : index + 3] if not is_scrawl(below)][:1]
            line = TextLine((*line.words, *(word for below in after for word in below.words)))
            folded = fold_diacritics(line.text)
        match, hand_digits = _number_match(folded), False
        if match is None and (sure := without_scrawls(line)).words and folded.startswith("so"):
            # "Số: <⁄1⁄,/UBND-NV 222 /UBND-NV": a hand's scrawl around the notation; its digits are the hand's
            line, folded, hand_digits = sure, fold_diacritics(sure.text), True
            match = _number_match(folded)
        if match is None:
            continue
        value = line.text[match.start("value") : match.end("value")]
        value = re.sub(r"(?<=[^\W\d_])\s+\d{1,4}$", "", value)  # "QĐ-UBND 42": digits a hand wrote beside it
        raw = value.replace(" ", "").replace("⁄", "/")
        raw = "/" + raw[1:] if raw.startswith(("(", "ƒ")) else raw
        if match.re is NOTATION_WITHOUT_SLASH:
            if not _known_notation(raw.upper()):
                continue
            raw = f"/{raw}"  # no number before it to take
        slash_lost = match.re is NUMBER_WITHOUT_SLASH
        raw = re.sub(r"^(\d+)", r"\1/", raw) if slash_lost else raw
        number, _, notation = raw.partition("/")
        # "14/32/QĐ-UBND": a handwritten "1433" read with a slash; a year stays ("15/2024/QĐ-UBND", normative)
        while re.match(r"(?!(?:19|20)\d\d/)\d+/", notation):
            number, notation = "", notation.partition("/")[2]
        notation = notation.lstrip("/")  # "570 / /TB-SNV": the slash read twice
        if not number and (run_in := re.match(r"\d+(?=[A-ZĐ]{2})", notation)):
            notation = notation[run_in.end() :]  # "Số:⁄ 110BTNMT-QLĐĐ": the hand's digits run in, not a number
        digits = number.rstrip(";,.").replace("O", "0").replace("o", "0")
        if not notation or not re.fullmatch(r"[0-9A-ZĐ\-/&]+", notation.upper()):
            return {}
        exact = notation == notation.upper() or MIXED_CASE_NOTATION.fullmatch(notation) is not None
        exact = exact and match.re is not NOTATION_WITHOUT_SLASH  # its slash not read: no more than likely
        notation = notation if exact else notation.upper()
        if (dashed := _dash_restored(notation)) != notation:
            notation, exact = dashed, False  # "XNUBND": the dash before the committee's code lost
        known = _known_notation(notation)
        codes = [code for code in re.split(r"[-/]", notation) if code]
        confirmed = [spells_agency(code, agencies) for code in codes]
        # every code the header spells or Decree 30 lists; one unexplained code ("SGDĐT-GDIH") costs half
        explained = all(spelt or _known_notation(code) for spelt, code in zip(confirmed, codes, strict=True))
        share = 0.25 if any(confirmed) and explained else 0.5 if known or any(confirmed) else 1.0
        notation_words = _words_with(line, notation)
        possible = not set(notation.upper()) & FOREIGN_LETTERS  # initials of Vietnamese words: no F, J, W, Z
        notation_score = field_confidence(
            CERTAIN if exact else LIKELY, notation_words, possible=possible, doubt_share=share
        )
        found: Found = {"code_notation": (notation, notation_score)}
        number_words = _words_with(line, number)
        if digits.isdigit() and not hand_digits and not any(written_by_hand(word, line) for word in number_words):
            structure = CERTAIN if digits == number and exact and not slash_lost else LIKELY
            # Digits apart from the notation (often filled in by hand) are only as sure as their own reading.
            together = share if all(w in notation_words for w in number_words) else 0.5 if known else 1.0
            score = field_confidence(structure, number_words, doubt_share=together)
            score = min(score, notation_score)
            found["document_number"] = (f"{digits}/{notation}", score)
            found["code_number"] = (digits, score)
        return found
    return {}


def _number_match(folded: str) -> re.Match[str] | None:
    return (
        NUMBER_LINE.match(folded)
        or NOTATION_ONLY.match(folded)
        or NUMBER_WITHOUT_SLASH.match(folded)
        or NOTATION_WITHOUT_SLASH.match(folded)
    )


FOREIGN_LETTERS = frozenset("FJWZ")


def _dash_restored(notation: str) -> str:
    """A notation whose dash before "UBND" or "HĐND" was lost ("XNUBND") with it; others as they are ("GPXD")."""
    for code in ("UBND", "HĐND"):
        head = notation.removesuffix(code)
        if "-" not in notation and head != notation and 2 <= len(head) <= 4 and head.isalpha():
            return f"{head}-{code}"
    return notation


def _place_as_the_agency_spells_it(place: tuple[object, float], agencies: Sequence[str]) -> tuple[object, float]:
    """The date line's place read a letter off the agency's locality ("Tiền Hỏi" under "… HUYỆN TIỀN HẢI"): the
    agency's upright capitals are read better than the italic date line, so the place takes their spelling,
    held below the threshold since the two readings disagree. A place that lost a short first word ("Yên" for
    "Ý Yên") takes it back from the agency, no more than likely."""
    value, score = str(place[0]), place[1]
    size = len(value.split())
    localities = [" ".join(agency.split()[-size:]) for agency in agencies if len(agency.split()) > size]
    for agency in agencies if size else ():  # "Yên" beside "… HUYỆN Ý YÊN": the place lost its first word
        longer = agency.split()[-size - 1 :]
        lost = longer[0] if len(longer) > size else ""
        if 0 < len(lost) <= 2 and lost not in LEVEL_WORDS and same_place(" ".join(longer[1:]), value):
            return " ".join(longer).title(), min(score, LIKELY)
    if not size or any(same_place(locality, value) for locality in localities):
        return place  # the date line names the issuing commune, and its parent district is another place
    for locality in localities:
        folded, dated = fold_diacritics(locality), fold_diacritics(value)
        same_initials = [w[0] for w in folded.split()] == [w[0] for w in dated.split()]  # "Hải" is no "Châu"
        if same_initials and SequenceMatcher(None, folded, dated).ratio() >= 0.8:
            return locality.title(), min(score, DOUBTFUL)
    return place


def _agencies(found: Found) -> list[str]:
    return [str(found[name][0]) for name in ("organ_name", "parent_organ_name") if name in found]


def _known_notation(notation: str) -> bool:
    """A notation that opens with a Decree 30 type abbreviation ("QĐ-UBND", "GPXD", "CV-SGDĐT")."""
    first = re.split(r"[-/]", notation)[0]
    return any(first.startswith(abbreviation) for abbreviation in TYPE_ABBREVIATIONS)


def _words_with(line: TextLine, part: str) -> list[Word]:
    """The words of `line` that hold some of `part` (a number and its notation may be one OCR word)."""
    return [w for w in line.words if part and (part in w.text or w.text.strip(":;.,") in part)] or list(line.words)


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
        place_words = _words_with(line, place.split()[-1]) if place else []
        place_score = score if place[:1].isupper() else DOUBTFUL  # "ìn Thịnh": a place's start was lost
        result: Found = {"place": (place, field_confidence(place_score, place_words, possible=_possible(place)))}
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


def _organs(lines: list[TextLine], place: tuple[object, float] | None = None) -> Found:
    """The left header block: agency lines above "Số:", a parent agency when two agencies are named.

    `place` is the date line's place and its confidence, which confirms or corrects an agency's locality.
    """
    header: list[TextLine] = []
    for line in (without_scrawl_before(line, is_upper) for line in lines[:8]):
        folded = fold_diacritics(line.text)
        if (
            NUMBER_LINE.match(folded)
            or folded.startswith(("so:", "/"))  # the number line, or its notation when a blank split it off
            or (folded.strip() == "so" and not is_upper(line.text))
            or LETTER_SUBJECT_LABEL.match(folded)
            or "cong hoa" in folded  # the national name, in a header not split
        ):
            break
        if is_upper(line.text) and not _rule_read_as_letters(line):
            header.append(line)
    if not header:
        return {}
    units: list[list[TextLine]] = []
    for line in header:
        goes_on = units and _continues(" ".join(x.text for x in units[-1]), line.text)
        if goes_on and not _another_agency(units[-1], line):
            units[-1].append(line)
        else:
            units.append([line])
    if len(units) > 2 and not fold_diacritics(units[-2][0].text).startswith(PARENT_STARTS):
        units = [[line for unit in units[:-2] for line in unit], units[-2] + units[-1]]
    if len(units) == 2 and not _parent_like(units[0]) and _parent_like(units[1]):
        units = units[::-1]  # a photo's slant put the committee under its office ("PHÒNG …" above "UBND …")
    organ, parent = _restored(units[-1]), _restored([line for unit in units[:-1] for line in unit])
    parent_rank, organ_rank = level_rank(parent), level_rank(organ)
    if parent_rank is not None and organ_rank is not None and parent_rank < organ_rank:
        organ, parent = parent, organ  # the slant again: "CÔNG AN HUYỆN …" above "CÔNG AN TỈNH …"
    structure = CERTAIN if len(units) <= 2 else LIKELY
    if starts_with_sector(organ.text) and (unit := unit_under(parent)) is not None:
        organ, structure = _restored(_with_unit(units[-1], unit)), DOUBTFUL  # "SỞ" lost: deduced, doubtful
    result: Found = {"organ_name": _agency(organ, structure, place)}
    if parent.text and not parent.impossible:
        # An optional field: what cannot be an agency (a stamp's words, a line cut) is left out, not guessed.
        result["parent_organ_name"] = _agency(parent, LIKELY, place)
    return result


def _with_unit(lines: list[TextLine], unit: str) -> list[TextLine]:
    """The agency's lines with its unit put back before them, as a word where the first word stands."""
    return [TextLine((replace(lines[0].words[0], text=unit),)), *lines]


def _parent_like(unit: list[TextLine]) -> bool:
    return fold_diacritics(unit[0].text).startswith(PARENT_STARTS)


def _rule_read_as_letters(line: TextLine) -> bool:
    """The rule under the agency read as a short word or two, unsurely ("NỔ" at 46)."""
    return all(len(word.text) <= 3 and word.confidence < 60 for word in line.words)


def _restored(lines: list[TextLine]) -> AgencyName:
    return restore_agency([w for line in lines for w in line.words])


def _agency(name: AgencyName, structure: float, place: tuple[object, float] | None) -> tuple[str, float]:
    """An agency's restored name as a field: its locality checked against the date line's place.

    The same place read twice alike is confirmed. Read twice differently, the date line's spelling wins when it
    was read at least as surely, or the name's was read with no mark at all ("LY NHAN"), and the name is no more
    than likely; otherwise the name is doubtful. A locality that is the first words of the place lost the
    others: the place completes it, no more than likely.
    """
    doubtful = name.doubtful_words
    if name.deduced:
        structure = min(structure, LIKELY)
    if place is not None and _cut_short(name.place, str(place[0])):  # "HUYỆN LÝ" beside "Lý Nhân, ngày …"
        name, structure = name.with_place(str(place[0]).upper()), min(structure, LIKELY, place[1])
        doubtful = tuple(w for w in doubtful if w not in name.place_words)
    elif place is not None and same_place(name.place, str(place[0])):
        spelled, place_score = str(place[0]).upper(), place[1]
        if name.place != spelled:
            unmarked = fold_diacritics(name.place) == name.place.lower()  # "LY NHAN" beside "Lý Nhân"
            if place_score < field_confidence(CERTAIN, name.place_words) and not unmarked:
                return name.text, min(DOUBTFUL, field_confidence(structure, doubtful, possible=_possible(name.text)))
            structure = min(structure, LIKELY)
            name = name.with_place(spelled)
        doubtful = tuple(w for w in doubtful if w not in name.place_words)
    possible = _possible(name.text) and not name.impossible
    return name.text, field_confidence(structure, doubtful, possible=possible)


def _cut_short(agency_place: str, dated_place: str) -> bool:
    """True when the agency's locality is the first words of the date line's place, the rest lost."""
    words, dated = fold_diacritics(agency_place).split(), fold_diacritics(dated_place).split()
    return 0 < len(words) < len(dated) and dated[: len(words)] == words


def _another_agency(unit: list[TextLine], line: TextLine) -> bool:
    """True when `line` starts with a level or a sector under an agency already named in full, with its level and
    place: the next agency lost its first line or word ("CÔNG AN TỈNH NGHỆ AN", then "HUYỆN DIỄN CHÂU" without
    "CÔNG AN"; "UBND TỈNH HẢI DƯƠNG", then "TÀI NGUYÊN" without "SỞ")."""
    named = _restored(unit)
    starts = starts_with_level(line.text) or starts_with_sector(line.text)
    return starts and bool(named.place) and not named.impossible


def _continues(unit: str, line: str) -> bool:
    """True when `line` goes on with the agency named by `unit` rather than naming another one."""
    first, _, rest = line.lstrip(LEADING_SPECKS).partition(" ")
    folded_unit, folded = fold_diacritics(unit), fold_diacritics(" ".join([*run_in_apart(first), rest]))  # "SỞLAO"
    if any(start.startswith(f"{folded_unit} ") for start in AGENCY_STARTS):  # "ỦY" then "BAN NHÂN DÂN"
        return True
    squeezed = folded.replace(" ", "")  # "CÔNGAN HUYỆN …": a start of two words read as one
    run_together = any(squeezed.startswith(start.replace(" ", "")) for start in AGENCY_STARTS if " " in start.strip())
    return folded.startswith(NAME_CONTINUATIONS) or not (folded.startswith(AGENCY_STARTS) or run_together)


def _joined(lines: list[TextLine], structure: float) -> tuple[str, float]:
    text = " ".join(line.text for line in lines)
    return text, field_confidence(structure, [w for line in lines for w in line.words], possible=_possible(text))


def _possible(text: str) -> bool:
    return not invalid_syllables(text)


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
