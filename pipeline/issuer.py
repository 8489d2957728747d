"""The issuing agency and its parent, from the header's left column above the number line.

Each agency's name is restored word by word (`pipeline.agencies`), and its locality is checked against the
date line's place: the same place read twice alike is confirmed, read differently it is doubted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from pipeline.agencies import (
    LEADING_SPECKS,
    LEVEL_WORDS,
    AgencyName,
    level_rank,
    restore_agency,
    run_in_apart,
    same_place,
    starts_with_level,
    starts_with_sector,
    unit_under,
)
from pipeline.confidence import CERTAIN, DOUBTFUL, LIKELY, Found, field_confidence, is_possible_text
from pipeline.decree30 import AGENCY_STARTS, NAME_CONTINUATIONS, PARENT_STARTS
from pipeline.layout import TextLine, is_upper, without_scrawl_before
from pipeline.number_line import LETTER_SUBJECT_LABEL, NUMBER_LINE
from pipeline.textfold import fold_diacritics


def issuing_agencies(lines: list[TextLine], place: tuple[object, float] | None = None) -> Found:
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
                return name.text, min(
                    DOUBTFUL, field_confidence(structure, doubtful, possible=is_possible_text(name.text))
                )
            structure = min(structure, LIKELY)
            name = name.with_place(spelled)
        doubtful = tuple(w for w in doubtful if w not in name.place_words)
    possible = is_possible_text(name.text) and not name.impossible
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


def place_as_the_agency_spells_it(place: tuple[object, float], agencies: Sequence[str]) -> tuple[object, float]:
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


def agencies_of(found: Found) -> list[str]:
    return [str(found[name][0]) for name in ("organ_name", "parent_organ_name") if name in found]
