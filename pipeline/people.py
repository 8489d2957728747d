"""The people a result names: the signer under the signature and seal, and the holder, on a line of their own
or inside running text ("Điều 1. Cấp cho bà: Đặng Thị Hoa, số định danh cá nhân: …").

This module finds the lines; `pipeline.titles` mends a signer's title and `pipeline.names` a person's name.
"""

from __future__ import annotations

import re

from pipeline.confidence import (
    CERTAIN,
    DOUBTFUL,
    LIKELY,
    Found,
    contains_title,
    field_confidence,
    is_possible_name,
    is_possible_title,
)
from pipeline.decree30 import SIGNER_TITLES, SURNAMES
from pipeline.layout import TextLine, in_rows, is_scrawl, is_upper, without_scrawl_before
from pipeline.names import family_by_ending, is_junk, looks_like_name, mended_surname, name_of
from pipeline.syllables import is_syllable
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics
from pipeline.titles import (
    HEADS,
    MARKS,
    acting,
    deputy_of,
    deputy_title,
    has_deduced_word,
    prefixed,
    recipient,
    restore_title,
    title_piece,
    without_specks,
)

#: Where a holder's name starts: a label with a colon, or "cấp cho ông", "của bà", "Ông (bà):" in a sentence.
HOLDER_START = re.compile(
    r"(?:\bho,? (?:chu dem,? )?(?:va )?ten\b(?: chu ho)?\s*:"
    r"|\bten chu ho\s*:"
    r"|\bnguoi de nghi\s*:\s*(?:ong|ba)\b\.?"
    r"|\b(?:cap cho|cua|cho|giao cho|cong nhan|doi voi)\s*:?\s*(?:ong|ba)\s*(?:\(ba\)|/ba)?\s*:?"
    r"|(?:^|[.;:\n]\s*|\bdieu 1\.?\s*)(?:ong|ba)\s*(?:\(ba\)|/ba)?\s*:"
    r"|\bong/ba\s*:)\s*"
)


#: The labels before a personal id; a label may break across lines ("số định\ndanh cá nhân").
HOLDER_ID = re.compile(
    r"(?:dinh\s+danh\s+ca\s+nhan|can\s+cuoc\s+cong\s+dan|can\s+cuoc|cccd|cmnd|chung\s+minh\s+nhan\s+dan)"
    r"\D{0,25}(?P<id>\d[\d ]{7,14}\d)"
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
            name = mended_surname(name)
            words = _words_of(lines, name.split())
            score = field_confidence(CERTAIN if name.isupper() else LIKELY, words, possible=is_possible_name(name))
            result["holder_name"] = (name.upper(), score)
            break
    if (id_match := HOLDER_ID.search(folded)) is not None:
        digits = id_match["id"].replace(" ", "")
        if _valid_personal_id(digits):
            result["holder_id"] = (digits, field_confidence(CERTAIN, _words_of(lines, id_match["id"].split())))
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
    untitled: Found = {}
    for index in range(len(column) - 1, max(-1, len(column) - 8), -1):
        name = name_of(column[index].text)
        if name is None:
            continue
        if not untitled and index == len(column) - 1:
            # the block's last line: the signer's name even when the seal took the whole title, held for review
            score = field_confidence(DOUBTFUL, column[index].words, possible=is_possible_name(name))
            untitled = {"signer_name": (name, score)}
        j = index - 1
        while j >= 0 and _signature_or_seal(column, j):
            j -= 1
        titles: list[TextLine] = []
        while j >= 0 and len(titles) < 3:
            if titles and is_junk(column[j].text) and not title_piece(column[j].text):
                j -= 1  # a speck of the seal between "TM. ỦY BAN NHÂN DÂN" and "CHỦ TỊCH", a rule's "UY,"
                continue
            if not is_upper(without_specks(column[j].text)) or recipient(column[j].text):
                break  # body text, or a recipient ("- Như trên;")
            if titles and titles[0].top - column[j].bottom > 2 * titles[0].height:
                break  # a gap: the line above belongs to the body, not to the signer's block
            titles.insert(0, column[j])
            j -= 1
            if prefixed(titles[0].text):
                above = j
                while above >= 0 and is_junk(column[above].text):
                    above -= 1  # a speck of the seal between them ("X")
                if not (acting(titles[0].text) and above >= 0 and prefixed(column[above].text)):
                    break
                j = above  # an acting head may sign for another: "TL. GIÁM ĐỐC / Q. CHÁNH VĂN PHÒNG"
        while (
            len(titles) > 1 and not contains_title(restore_title(titles[-1].text)) and not deputy_title(_read(titles))
        ):
            titles.pop()  # a seal's letters read in capitals under the title ("LUỐNG"), not what is left of a title
        if not titles:
            continue
        structure = CERTAIN if len(titles) == 1 or prefixed(titles[0].text) else DOUBTFUL
        if len(titles) > 1 and not prefixed(titles[0].text):
            titles = titles[-1:]  # the lines above could not be read as a title: the title may be cut
        if j < index - len(titles) - 1:  # junk was skipped: the signature area was hard to read
            structure = min(structure, LIKELY)
        title, title_structure = _deduced_title(_read(titles), " ".join(line.text for line in titles), structure)
        title_words = [w for line in titles for w in line.words]
        # a name of two words is rare; more often a seal hid one of three ("Đinh Quân" for "Đinh Đình Quân");
        # "Ông", a rare family name, is more often what a seal left of "Dương"; a family name not read but
        # deduced from a piece or a letter off ("guyễn", "Nšô") may be another
        family = name.split()[0]
        deduced = fold_diacritics(family) not in fold_diacritics(column[index].text).split()
        unlikely = len(name.split()) < 3 or family == "Ông" or deduced
        name_structure = min(structure, DOUBTFUL) if unlikely else structure
        name_words = column[index].words
        return {
            "signer_name": (name, field_confidence(name_structure, name_words, possible=is_possible_name(name))),
            "signer_title": (title, field_confidence(title_structure, title_words, possible=is_possible_title(title))),
        }
    return untitled


def _deduced_title(title: str, read: str, structure: float) -> tuple[str, float]:
    """The title with what Decree 30 says of a deputy filled in, and how sure it can be.

    "PHÓ" lost under a seal is read from the "KT." rule, no more than likely, and so is "KT." before the head's
    and the deputy's titles. A deputy's title alone lost its "KT." line (and a "TM." line above it, perhaps),
    and "KT." with the head's title alone lost the deputy's: doubtful; so is the chair under "TM. ỦY BAN NHÂN
    DÂN" alone. A word the seal hid is doubtful too ("CHÁNH", or "PHÓ CHÁNH"?), and so is a prefix: a stop left
    before the title.
    """
    if has_deduced_word(title, read) or (read.lstrip().startswith(".") and not prefixed(title)):
        structure = min(structure, DOUBTFUL)  # ". GIÁM ĐỐC": the stop is what the seal left of "Q." or "KT."
    if (deputy := deputy_title(title)) is not None:
        return deputy, min(structure, LIKELY)
    if title.startswith("PHÓ ") and title[4:] in SIGNER_TITLES:
        return f"KT. {title[4:]} {title}", min(structure, DOUBTFUL)
    head, _, deputy = title.partition(" PHÓ ")
    if deputy and head == deputy and head in SIGNER_TITLES:  # the head's and the deputy's lines, "KT." lost
        return f"KT. {title}", min(structure, LIKELY)
    if title.startswith("KT. ") and (head := title.removeprefix("KT. ")) in HEADS:
        return f"{title} {deputy_of(head)}", min(structure, DOUBTFUL)  # "KT. GIÁM ĐỐC" alone: the deputy's line lost
    if title == "TM. ỦY BAN NHÂN DÂN":
        return f"{title} CHỦ TỊCH", min(structure, DOUBTFUL)  # a people's committee signs through its chair
    return title, structure


def _read(titles: list[TextLine]) -> str:
    """The title the lines spell, each restored ("KT. BỘ TRƯỞNG" above "TRƯỞNG" is no word read twice)."""
    return " ".join(restore_title(without_specks(line.text)) for line in titles)


def _signer_column(lines: list[TextLine]) -> list[TextLine]:
    """The lines of the page's lower part that sit in its right half, or every line when positions are unknown."""
    if not lines or len({line.left for line in lines}) == 1:
        return lines
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    middle, inner = left_edge + 0.45 * (right_edge - left_edge), left_edge + 0.25 * (right_edge - left_edge)
    right = [line for line in lines if line.right > middle and line.left >= inner]
    column = [without_scrawl_before(line, _kept_however_read) for line in right]
    return [line for row in in_rows(column) for line in _pieces_joined(row)]


def _kept_however_read(word: str) -> bool:
    """An authority prefix ("TM." under the seal) or a family name (under the signature's stroke), perhaps with
    its first letters misread ("Xuyễn")."""
    family = word.strip(MARKS)
    return prefixed(word) or family.upper() in SURNAMES or family_by_ending(family) is not None


def _pieces_joined(row: list[TextLine]) -> list[TextLine]:
    """A row's lines, with the pieces of one title or name that tesseract cut apart joined: capitals side by side
    ("425 PHÔ GIÁM" and "ĐỐC": a signature beside the title took its end into a block of its own; "Q." and "GIÁM
    ĐỐC"), and a family name beside the rest of the name ("Nguyễn" and "Xuân Hùng")."""
    joined: list[TextLine] = []
    for line in row:
        after_capitals = joined and (is_upper(joined[-1].text) or prefixed(joined[-1].text))
        if after_capitals and is_scrawl(line):
            continue  # the seal's or the signature's marks between two pieces of the title ("PHO TRƯ", "ỞI)")
        family_alone = joined and joined[-1].text.upper() in SURNAMES and looks_like_name(line.text)
        if (after_capitals and is_upper(line.text)) or family_alone:  # "Nguyễn" beside "Xuân Hùng" too
            joined[-1] = TextLine((*joined[-1].words, *line.words))
        else:
            joined.append(line)
    return joined


#: How far below the signer's title the name is looked for, in the title's line heights (signature and seal).
NAME_SEARCH_HEIGHTS = 12


def unread_signer_name(lines: list[TextLine]) -> tuple[int, int, int, int] | None:
    """Where the signer's name should be when the page-wide reading did not give it, else None.

    A seal or a signature touching the signer's block can make tesseract's page layout skip the name, or the
    whole block. When the page shows a title with no name under it, that is the area under the title; when
    it shows no title but the closing "Nơi nhận:" list, the right half beside and below the list. Read again
    as sparse text, that area gives the name back. The box is (left, top, right, bottom) in the words' pixels.
    """
    column = _signer_column(lines)
    body_end = _body_end(lines)
    for index in range(len(column) - 1, -1, -1):
        title = column[index]
        if title.top < body_end:
            break  # above the body's last line: "CHỦ TỊCH ỦY BAN NHÂN DÂN …" under a decision's name, not a signer
        if not is_upper(title.text) or not contains_title(restore_title(title.text)):
            continue
        below = [line for line in column[index + 1 :] if line.top - title.bottom < NAME_SEARCH_HEIGHTS * title.height]
        if any(name_of(line.text) for line in below):
            return None
        half = (title.right - title.left) // 2
        return (
            max(0, title.left - half),
            title.bottom,
            title.right + half,
            title.bottom + NAME_SEARCH_HEIGHTS * title.height,
        )
    closing = next((line for line in reversed(lines) if fold_diacritics(line.text).startswith(RECIPIENTS)), None)
    if closing is None:
        return None
    if any(name_of(line.text) for line in column if line.top > closing.top):
        return None
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    middle = (left_edge + right_edge) // 2
    top = closing.top - 3 * closing.height
    return middle, top, right_edge + closing.height, closing.bottom + (NAME_SEARCH_HEIGHTS + 4) * closing.height


def lost_family_name_area(lines: list[TextLine]) -> tuple[tuple[int, int, int, int], TextLine] | None:
    """Where a signer's name of two words lost its family name, and the name's line; else None.

    A seal's edge over the first word can make the page's layout drop it ("Thúy Hạnh" for "Ngô Thúy Hạnh"):
    the row just before the name is worth reading again. The box is (left, top, right, bottom).
    """
    column = _signer_column(lines)
    for line in reversed(column[-8:]):
        name = name_of(line.text)
        if name is None:
            continue
        if len(name.split()) != 2:
            return None
        height = line.height
        box = (max(0, line.left - 5 * height), line.top - height // 2, line.left + height, line.bottom + height // 2)
        return box, line
    return None


def _body_end(lines: list[TextLine]) -> int:
    """The top of the body's last line: the last line that spans most of the text's width."""
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    wide = [line.top for line in lines if line.right - line.left > 0.6 * (right_edge - left_edge)]
    return max(wide, default=0)


#: The list of recipients opposite the signer's block.
RECIPIENTS = ("noi nhan", "noi gui")


def _signature_or_seal(column: list[TextLine], index: int) -> bool:
    """True for what OCR made of the signature and the seal between the title and the name: junk, in capitals
    too ("FẦN,", "SN"), a line read unsurely, or a seal's word in capitals just under a title ("NINH")."""
    line = column[index]
    if title_piece(line.text):
        return False
    if is_junk(line.text) or _unsure(line):
        return True
    above = column[max(0, index - 2) : index]
    return (
        len(line.words) <= 2
        and not contains_title(restore_title(line.text))
        and any(contains_title(restore_title(title.text)) for title in above)
        and not any(deputy_title(_read([title, line])) for title in above)  # "TRƯỞNG" of "THỨ TRƯỞNG"
    )


def _unsure(line: TextLine) -> bool:
    """A line read unsurely on the whole: a signature's loops read as words ("VĂN cv." at 38 and 11); or a short
    one read unsurely in part with a word that is no syllable ("Ñ No SA" at 81, 35 and 45)."""
    if sum(word.confidence for word in line.words) < 50 * len(line.words):
        return True
    words = [word.text.strip(MARKS) for word in line.words]
    weakest = min(word.confidence for word in line.words)
    return len(words) <= 3 and weakest < 50 and any(word.isalpha() and not is_syllable(word) for word in words)
