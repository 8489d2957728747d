"""The number line of a Decree 30 header, "Số: 15/QĐ-UBND": the number, its notation, and how sure each is.

The labels that end the header's left column are here too: the number line and, in a công văn, the "V/v"
subject label under it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.agencies import spells_agency
from pipeline.confidence import CERTAIN, LIKELY, Found, field_confidence
from pipeline.decree30 import TYPE_ABBREVIATIONS
from pipeline.layout import TextLine, is_scrawl, without_scrawls, written_by_hand
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics

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


def number_line(lines: list[TextLine], agencies: Sequence[str] = ()) -> Found:
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
            if not known_notation(raw.upper()):
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
        known = known_notation(notation)
        codes = [code for code in re.split(r"[-/]", notation) if code]
        confirmed = [spells_agency(code, agencies) for code in codes]
        # every code the header spells or Decree 30 lists; one unexplained code ("SGDĐT-GDIH") costs half
        explained = all(spelt or known_notation(code) for spelt, code in zip(confirmed, codes, strict=True))
        share = 0.25 if any(confirmed) and explained else 0.5 if known or any(confirmed) else 1.0
        notation_words = words_with(line, notation)
        possible = not set(notation.upper()) & FOREIGN_LETTERS  # initials of Vietnamese words: no F, J, W, Z
        notation_score = field_confidence(
            CERTAIN if exact else LIKELY, notation_words, possible=possible, doubt_share=share
        )
        found: Found = {"code_notation": (notation, notation_score)}
        number_words = words_with(line, number)
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


def known_notation(notation: str) -> bool:
    """A notation that opens with a Decree 30 type abbreviation ("QĐ-UBND", "GPXD", "CV-SGDĐT")."""
    first = re.split(r"[-/]", notation)[0]
    return any(first.startswith(abbreviation) for abbreviation in TYPE_ABBREVIATIONS)


def words_with(line: TextLine, part: str) -> list[Word]:
    """The words of `line` that hold some of `part` (a number and its notation may be one OCR word)."""
    return [w for w in line.words if part and (part in w.text or w.text.strip(":;.,") in part)] or list(line.words)
