"""Metadata of a Decree 30 result from its recognised text: header, type, subject, signer, holder, validity.

The text comes in reading order with blocks separated by blank lines (see `pipeline.reading_order`),
so the header's left column, the motto and date, and the signer's block arrive as blocks of their own.
Nothing is guessed: a field that is not found stays None, and each found field gets a confidence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.decree30 import (
    BODY_STARTS,
    NAME_CONTINUATIONS,
    SIGNER_PREFIXES,
    SIGNER_TITLES,
    TYPE_NAMES,
    TYPE_STARTS,
)
from pipeline.textfold import fold_diacritics
from schemas.record import ResultMetadata

NUMBER_LINE = re.compile(r"^\s*s[o0ô6]\s*[:;.,]?\s*(?P<value>[0-9o]{1,6}\s*/\s*[0-9a-z\-/ ]{1,30}?)\s*$")
PLACE_DATE = re.compile(
    r"(?P<place>[^,;]{2,40}),\s*ngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+(?P<y>\d{4})"
)
PLACE_DATE_DIGITS = re.compile(
    r"(?P<place>[^,;0-9]{2,40}),\s*(?:ngay\s+)?(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})\s*$"
)
DATE_WORDS = re.compile(r"ngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+(?P<y>\d{4})")
DATE_DIGITS = re.compile(r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})")
HOLDER = re.compile(
    r"^\s*(?:\d+\.\s*)?(?:(?:ong/ba|ong|ba|ho va ten|ho ten|ho, chu dem, ten|ten chu ho)\s*:"
    r"|(?:cap cho|nguoi de nghi)\s*:\s*(?:ong|ba)\b)\s*(?P<name>.+)$"
)
HOLDER_ID = re.compile(
    r"(?:dinh danh ca nhan|can cuoc cong dan|can cuoc|cccd|cmnd|chung minh nhan dan)\D{0,25}(?P<id>\d[\d ]{7,14}\d)"
)
VALID_UNTIL = re.compile(
    r"(?:gia tri|hieu luc)[^.]{0,60}?den\s+(?P<rest>ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}"
    r"|(?:ngay\s+)?\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})"
)

CERTAIN, LIKELY, DOUBTFUL = 0.95, 0.75, 0.5


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


def blocks_of(text: str) -> list[list[str]]:
    """Blocks of non-empty lines, split at blank lines."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(" ".join(line.split()))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def header_is_incomplete(page_text: str) -> bool:
    """True when page 1's text lacks the "Số: …" line or the place-and-date line of a Decree 30 header."""
    lines = [line for block in blocks_of(page_text) for line in block]
    return not _number(lines) or not _place_and_date(lines, dt.date.today())


def extract_metadata(
    page_texts: list[str], *, header_text: str | None = None, today: dt.date | None = None
) -> Extraction:
    """Every field of DESIGN.md's table that the pages show; None for the rest.

    `header_text` is page 1's header read again region by region; it fills the number and the date
    when the page-wide text lacks them, with less confidence.
    """
    today = today or dt.date.today()
    pages = [p for p in page_texts if p.strip()]
    if not pages:
        return Extraction(ResultMetadata(page_amount=len(page_texts)), {})
    first, last = blocks_of(pages[0]), blocks_of(pages[-1])
    lines = [line for block in first for line in block]
    found: dict[str, tuple[object, float]] = {}
    found.update(_number(lines))
    found.update(_place_and_date(lines, today))
    found.update(_organs(lines))
    found.update(_type_and_subject(lines))
    if header_text:
        header_lines = [line for block in blocks_of(header_text) for line in block]
        for reread in (_number(header_lines), _place_and_date(header_lines, today)):
            for name, (value, score) in reread.items():
                if name not in found:
                    found[name] = (value, min(score, LIKELY))
    found.update(_signer(last))
    all_lines = [line for page in pages for block in blocks_of(page) for line in block]
    found.update(_holder(all_lines))
    found.update(_valid_until([" ".join(all_lines)], today))  # the phrase often wraps onto a second line
    found["language"] = ("vi", CERTAIN if _looks_vietnamese(" ".join(all_lines)) else DOUBTFUL)
    found["page_amount"] = (len(page_texts), CERTAIN)
    values = {name: value for name, (value, _) in found.items() if value is not None}
    confidence = {name: score for name, (value, score) in found.items() if value is not None}
    return Extraction(ResultMetadata(**values), confidence)


def _number(lines: list[str]) -> dict[str, tuple[object, float]]:
    for line in lines[:12]:
        folded = fold_diacritics(line)
        match = NUMBER_LINE.match(folded)
        if match is None:
            continue
        raw = line[match.start("value") : match.end("value")].replace(" ", "")
        number, _, notation = raw.partition("/")
        digits = number.replace("O", "0").replace("o", "0")
        if not digits.isdigit() or not notation or not re.fullmatch(r"[0-9A-ZĐ\-/]+", notation.upper()):
            return {}
        score = CERTAIN if digits == number and notation == notation.upper() else LIKELY
        notation = notation.upper()
        return {
            "document_number": (f"{digits}/{notation}", score),
            "code_number": (digits, score),
            "code_notation": (notation, score),
        }
    return {}


def _place_and_date(lines: list[str], today: dt.date) -> dict[str, tuple[object, float]]:
    for line in lines[:14]:
        folded = fold_diacritics(line)
        match = PLACE_DATE.search(folded)
        score = CERTAIN
        if match is None:  # "Hà Nội, 05/01/2020" or "5-1-2020": read, but less usual for Decree 30
            match, score = PLACE_DATE_DIGITS.search(folded), LIKELY
        if match is None:
            continue
        issued = _date(match, today)
        place = line[match.start("place") : match.end("place")].strip(" ,.")
        result: dict[str, tuple[object, float]] = {"place": (place, score if place[:1].isupper() else LIKELY)}
        if issued is not None:
            result["issued_date"] = (issued, score)
        return result
    return {}


def _is_date_line(line: str) -> bool:
    folded = fold_diacritics(line)
    return bool(PLACE_DATE.search(folded) or PLACE_DATE_DIGITS.search(folded))


def _date(match: re.Match[str], today: dt.date) -> dt.date | None:
    """A plausible date: real, not in the future, not before 1945."""
    try:
        value = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return value if dt.date(1945, 1, 1) <= value <= today else None


def _organs(lines: list[str]) -> dict[str, tuple[object, float]]:
    """The left header block: agency lines above "Số:", a parent agency when two agencies are named."""
    header: list[str] = []
    for line in lines[:8]:
        folded = fold_diacritics(line)
        if NUMBER_LINE.match(folded) or folded.startswith("so:") or "cong hoa" in folded:
            break
        if _is_upper(line):
            header.append(line)
    if not header:
        return {}
    units: list[str] = []
    for line in header:
        if units and fold_diacritics(line).startswith(NAME_CONTINUATIONS):
            units[-1] = f"{units[-1]} {line}"
        else:
            units.append(line)
    result: dict[str, tuple[object, float]] = {"organ_name": (units[-1], CERTAIN if len(units) <= 2 else LIKELY)}
    if len(units) >= 2:
        result["parent_organ_name"] = (" ".join(units[:-1]), LIKELY)
    return result


def _type_and_subject(lines: list[str]) -> dict[str, tuple[object, float]]:
    """The centred type name after the date line, then "Về việc …"/"V/v …" and its continuation lines."""
    start = next((i + 1 for i, line in enumerate(lines[:16]) if _is_date_line(line)), 0)
    result: dict[str, tuple[object, float]] = {}
    i = start
    while i < len(lines) and not _is_upper(lines[i]):
        i += 1
    if i < len(lines) and fold_diacritics(lines[i]).startswith(TYPE_STARTS):
        parts = [lines[i]]
        while i + 1 < len(lines) and _is_upper(lines[i + 1]) and not _is_subject(lines[i + 1]) and len(parts) < 3:
            candidate = " ".join([*parts, lines[i + 1]])
            if _closest_type(candidate)[1] < _closest_type(" ".join(parts))[1]:
                break
            parts.append(lines[i + 1])
            i += 1
        result["type_name"] = _canonical_type(" ".join(parts))
        i += 1
    if i < len(lines) and _is_subject(lines[i]):
        parts = [lines[i]]
        while i + 1 < len(lines) and not _is_upper(lines[i + 1]) and not _starts_body(lines[i + 1]):
            parts.append(lines[i + 1])
            i += 1
            if len(parts) == 4:
                break
        result["subject"] = (" ".join(parts)[:500], LIKELY if len(parts) > 1 else CERTAIN)
    return result


def _starts_body(line: str) -> bool:
    return fold_diacritics(line).startswith(BODY_STARTS) or bool(re.match(r"^\s*(?:\d+[.)]|[-+•])", line))


FOLDED_TYPE_NAMES = {fold_diacritics(name): name for name in TYPE_NAMES}
FOLDED_SIGNER_TITLES = {fold_diacritics(title): title for title in SIGNER_TITLES}


def _closest_type(text: str) -> tuple[str, float]:
    folded = fold_diacritics(text)
    return max(
        ((name, SequenceMatcher(None, folded, key).ratio()) for key, name in FOLDED_TYPE_NAMES.items()),
        key=lambda pair: pair[1],
    )


def _canonical_type(text: str) -> tuple[str, float]:
    name, ratio = _closest_type(text)
    if ratio >= 0.97:
        return name, CERTAIN if text == name else LIKELY
    if ratio >= 0.85:
        return name, LIKELY
    return text, DOUBTFUL


def _is_subject(line: str) -> bool:
    return fold_diacritics(line).startswith(("ve viec", "v/v", "v/v:"))


def _signer(blocks: list[list[str]]) -> dict[str, tuple[object, float]]:
    """From the end of the last page: the signer's name under their title (with its TM./KT./Q. prefix).

    Between title and name sit the signature and the seal; what OCR makes of them (short junk lines)
    is skipped.
    """
    lines = [line for block in blocks for line in block]
    for index in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
        name = _name_of(lines[index])
        if name is None:
            continue
        j = index - 1
        while j >= 0 and not _is_upper(lines[j]) and _is_junk(lines[j]):
            j -= 1
        titles: list[str] = []
        while j >= 0 and _is_upper(lines[j]) and not lines[j].startswith("-") and len(titles) < 3:
            titles.insert(0, lines[j])
            j -= 1
        if len(titles) > 1 and not fold_diacritics(titles[0]).startswith(SIGNER_PREFIXES):
            titles = titles[-1:]
        if not titles:
            continue
        score = CERTAIN if len(titles) == 1 or fold_diacritics(titles[0]).startswith(SIGNER_PREFIXES) else LIKELY
        if j < index - len(titles) - 1:  # junk was skipped: the signature area was hard to read
            score = LIKELY
        return {"signer_name": (name, score), "signer_title": (" ".join(map(_restore_title, titles)), score)}
    return {}


def _restore_title(line: str) -> str:
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
    return candidate if _looks_like_name(candidate) else None


def _is_junk(line: str) -> bool:
    return sum(ch.isalpha() for ch in line) < 4


def _holder(lines: list[str]) -> dict[str, tuple[object, float]]:
    result: dict[str, tuple[object, float]] = {}
    for line in lines:
        folded = fold_diacritics(line)
        if "holder_name" not in result and (match := HOLDER.match(folded)):
            name = line[match.start("name") :].split(",")[0].split(";")[0].strip(" .")
            name = re.split(r"\s+(?:sinh|Sinh)\b", name)[0].strip()
            if _looks_like_name(name) or _is_upper(name):
                result["holder_name"] = (name.upper(), CERTAIN if _is_upper(name) else LIKELY)
        if "holder_id" not in result and (match := HOLDER_ID.search(folded)):
            digits = match["id"].replace(" ", "")
            if _valid_personal_id(digits):
                result["holder_id"] = (digits, CERTAIN)
    return result


def _valid_personal_id(digits: str) -> bool:
    """12 digits with a province code 001–096 (CCCD), or the 9 digits of an old CMND."""
    if len(digits) == 12:
        return 1 <= int(digits[:3]) <= 96
    return len(digits) == 9


def _valid_until(lines: list[str], today: dt.date) -> dict[str, tuple[object, float]]:
    for line in lines:
        match = VALID_UNTIL.search(fold_diacritics(line))
        if match is None:
            continue
        date_match = DATE_WORDS.search(match["rest"]) or DATE_DIGITS.search(match["rest"])
        if date_match is None:
            continue
        try:
            value = dt.date(int(date_match["y"]), int(date_match["m"]), int(date_match["d"]))
        except ValueError:
            continue
        if value.year >= 1945:
            return {"valid_until": (value, CERTAIN)}
    return {}


def _is_upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)


def _looks_like_name(line: str) -> bool:
    """Two to five words, each capitalised and the rest lower case, no digits: "Trần Văn Bình"."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)


def _looks_vietnamese(text: str) -> bool:
    return fold_diacritics(text) != text.lower()
