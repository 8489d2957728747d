"""The people a result names: the signer under the signature and seal, and the holder, on a line of their own
or inside running text ("Điều 1. Cấp cho bà: Đặng Thị Hoa, số định danh cá nhân: …")."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from pipeline.confidence import (
    CERTAIN,
    DOUBTFUL,
    LIKELY,
    contains_title,
    field_confidence,
    is_possible_name,
    is_possible_title,
)
from pipeline.decree30 import SIGNER_PREFIXES, SIGNER_TITLES, SURNAMES
from pipeline.layout import TextLine, in_rows, is_upper
from pipeline.syllables import is_syllable
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics

Found = dict[str, tuple[object, float]]

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
            name = _mended_surname(name)
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
        while j >= 0 and _signature_or_seal(column, j):
            j -= 1
        titles: list[TextLine] = []
        while j >= 0 and len(titles) < 3:
            if titles and _is_junk(column[j].text) and not _title_piece(column[j].text):
                j -= 1  # a speck of the seal between "TM. ỦY BAN NHÂN DÂN" and "CHỦ TỊCH", a rule's "UY,"
                continue
            if not is_upper(_without_specks(column[j].text)) or _recipient(column[j].text):
                break  # body text, or a recipient ("- Như trên;")
            if titles and titles[0].top - column[j].bottom > 2 * titles[0].height:
                break  # a gap: the line above belongs to the body, not to the signer's block
            titles.insert(0, column[j])
            j -= 1
            if _prefixed(titles[0].text):
                above = j
                while above >= 0 and _is_junk(column[above].text):
                    above -= 1  # a speck of the seal between them ("X")
                if not (_acting(titles[0].text) and above >= 0 and _prefixed(column[above].text)):
                    break
                j = above  # an acting head may sign for another: "TL. GIÁM ĐỐC / Q. CHÁNH VĂN PHÒNG"
        while (
            len(titles) > 1 and not contains_title(restore_title(titles[-1].text)) and not _deputy_title(_read(titles))
        ):
            titles.pop()  # a seal's letters read in capitals under the title ("LUỐNG"), not what is left of a title
        if not titles:
            continue
        structure = CERTAIN if len(titles) == 1 or _prefixed(titles[0].text) else DOUBTFUL
        if len(titles) > 1 and not _prefixed(titles[0].text):
            titles = titles[-1:]  # the lines above could not be read as a title: the title may be cut
        if j < index - len(titles) - 1:  # junk was skipped: the signature area was hard to read
            structure = min(structure, LIKELY)
        title = _read(titles)
        if _deduced(title, " ".join(line.text for line in titles)):  # a word the seal hid ("CHÁNH" or "PHÓ CHÁNH"?)
            structure = min(structure, DOUBTFUL)
        if (deputy := _deputy_title(title)) is not None:  # "PHÓ" lost under a seal: read from the rule
            title, structure = deputy, min(structure, LIKELY)
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
            "signer_title": (title, field_confidence(structure, title_words, possible=is_possible_title(title))),
        }
    return {}


def _read(titles: list[TextLine]) -> str:
    """The title the lines spell, each restored ("KT. BỘ TRƯỞNG" above "TRƯỞNG" is no word read twice)."""
    return " ".join(restore_title(_without_specks(line.text)) for line in titles)


def _signer_column(lines: list[TextLine]) -> list[TextLine]:
    """The lines of the page's lower part that sit in its right half, or every line when positions are unknown."""
    if not lines or len({line.left for line in lines}) == 1:
        return lines
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    middle, inner = left_edge + 0.45 * (right_edge - left_edge), left_edge + 0.25 * (right_edge - left_edge)
    column = [_without_scrawl_before(line) for line in lines if line.right > middle and line.left >= inner]
    return [line for row in in_rows(column) for line in _capitals_joined(row)]


def _without_scrawl_before(line: TextLine) -> TextLine:
    """The line without the words before it read as nothing sure: a signature's stroke ("INw Lê Xuân Hải")."""
    words = list(line.words)
    while len(words) > 1 and words[0].confidence < 30 and not _kept_however_read(words[0].text):
        words.pop(0)
    return TextLine(tuple(words))


def _kept_however_read(word: str) -> bool:
    """An authority prefix ("TM." under the seal) or a family name (under the signature's stroke)."""
    return _prefixed(word) or word.strip(_MARKS).upper() in SURNAMES


def _capitals_joined(row: list[TextLine]) -> list[TextLine]:
    """A row's lines, with those in capitals side by side joined: a title that tesseract cut in two ("425 PHÔ
    GIÁM" and "ĐỐC": a signature beside the title took its end into a block of its own)."""
    joined: list[TextLine] = []
    for line in row:
        if joined and is_upper(joined[-1].text) and is_upper(line.text):
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
        if any(_name_of(line.text) for line in below):
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
    if any(_name_of(line.text) for line in column if line.top > closing.top):
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
        name = _name_of(line.text)
        if name is None:
            continue
        if len(name.split()) != 2:
            return None
        height = line.height
        box = (max(0, line.left - 5 * height), line.top - height // 2, line.left + height, line.bottom + height // 2)
        return box, line
    return None


def as_family_name(text: str) -> str | None:
    """`text` (marks and digits around it dropped) as the family name it spells, or misreads in its marks or by a
    letter when it is no syllable ("Hỗ" is "Hồ", "N/ô" is "Ngô"); None when it is none, or not capitalised."""
    word = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
    if len(word) < 2 or not word[0].isupper():
        return None
    mended = _mended_surname(f"{word.capitalize()} _").split()[0]
    return mended if mended.upper() in SURNAMES else None


def _body_end(lines: list[TextLine]) -> int:
    """The top of the body's last line: the last line that spans most of the text's width."""
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    wide = [line.top for line in lines if line.right - line.left > 0.6 * (right_edge - left_edge)]
    return max(wide, default=0)


#: The list of recipients opposite the signer's block.
RECIPIENTS = ("noi nhan", "noi gui")


FOLDED_SIGNER_TITLES = {fold_diacritics(title): title for title in SIGNER_TITLES}
#: The titles without spaces, for a word OCR split ("PHO GI ÁM ĐỐC").
_SQUEEZED_SIGNER_TITLES = {key.replace(" ", ""): title for key, title in FOLDED_SIGNER_TITLES.items()}


def restore_title(line: str) -> str:
    """A title line rewritten from the known titles when it matches one but for diacritics (or, in a title of
    two words or more, a letter).

    A seal's edge often hides the "P" of "PHÓ": "HÓ GIÁM ĐỐC" is a deputy's title. Around a known title, what
    a seal or a signature leaves (a lone letter, "LNN ¡y!", "Ì À") is dropped.
    """
    line = _once(_mended_prefix(line))
    if (whole := _SQUEEZED_SIGNER_TITLES.get(fold_diacritics(line).replace(" ", ""))) is not None:
        return whole  # a title read in pieces, a letter alone among them ("PHO TRƯ ỞN G PHONG")
    words = [w for w in (w.strip(_MARKS) for w in line.split()) if w and not _is_speck(w)]
    for i, word in enumerate(words[:-1]):
        rest = fold_diacritics(" ".join(words[i + 1 :]))
        listed = f"pho {rest}" in FOLDED_SIGNER_TITLES
        if fold_diacritics(word) == "pho" or (len(word) <= 3 and fold_diacritics(word).endswith("ho") and listed):
            words = [*words[:i], "PHÓ", *words[i + 1 :]]  # "PHO TRƯỞNG CÔNG AN", "HÓ GIÁM ĐỐC"
            break
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(words):
        for size in range(min(5, len(words) - i), 0, -1):
            known = _known_title(fold_diacritics(" ".join(words[i : i + size])), size)
            if known is not None:
                out.append((known, True))
                i += size
                break
        else:
            out.append((words[i], False))
            i += 1
    if any(known for _, known in out):  # junk around a known title goes, and between two ("CHỦ TỊCH UY, PHÓ …")
        while not out[0][1] and _is_leading_junk(out[0][0]):
            out.pop(0)
        while not out[-1][1] and _is_trailing_junk(out[-1][0], out[-2][0] if len(out) > 1 else ""):
            out.pop()
        out = [pair for i, pair in enumerate(out) if not _junk_between_titles(out, i)]
    return " ".join(word for word, _ in out)


def _is_trailing_junk(word: str, before: str) -> bool:
    """Marks after a title, the start of its last word read again ("CHỦ TỊCH TỊ"), or "VÀ" (a title never ends
    on "and": "… PHÓ CHỦ TỊCH VÀ")."""
    last = before.split()[-1] if before else ""
    return not word.isalpha() or fold_diacritics(word) == "va" or (word != last and last.startswith(word))


def _junk_between_titles(out: list[tuple[str, bool]], i: int) -> bool:
    """A seal's or a rule's letters between two known titles ("CHỦ TỊCH UY, PHÓ CHỦ TỊCH"); a prefix ("Q.") stays."""
    word, known = out[i]
    if known or not 0 < i < len(out) - 1 or not (out[i - 1][1] and out[i + 1][1]):
        return False
    return _is_leading_junk(word) and not fold_diacritics(word).startswith(SIGNER_PREFIXES)


def _is_leading_junk(word: str) -> bool:
    """A few letters or marks before a title ("LNN", "¡y!"); "PHÓ" of a head not listed ("PHÓ TRƯỞNG CÔNG AN")
    is no junk."""
    return (len(word) <= 3 or not word.isalpha()) and fold_diacritics(word) != "pho"


def _is_speck(word: str) -> bool:
    """A lone letter: no title word is one letter ("Q." keeps its stop)."""
    return len(word) == 1 and word.isalpha() and fold_diacritics(word) != "y"  # "Y TẾ"


_MARKS = "“”„‚«»\"'‘’`_"


#: What a seal may leave of "PHÓ" before a deputy's title: nothing, or a letter or two ("O CHỦ TỊCH").
_LOST_PHO = re.compile(r"^(?:\S{1,2} )?$")


def _deputy_title(title: str) -> str | None:
    """ "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" for "KT. CHỦ TỊCH [O] CHỦ TỊCH": one signing for the head is the head's
    deputy (Decree 30), so a "KT." title that names the head twice lost the "PHÓ" of the second line (and
    "KT. BỘ TRƯỞNG / TRƯỞNG" the "THỨ" of the minister's deputy)."""
    for head in SIGNER_TITLES:
        if head.endswith(".") or head.startswith(("PHÓ ", "THỨ ")):
            continue  # a prefix, or a deputy's own title
        deputy = "THỨ TRƯỞNG" if head == "BỘ TRƯỞNG" else f"PHÓ {head}"  # the minister's deputy is no "PHÓ"
        lost, kept = deputy.split(" ", 1)
        if title.startswith(f"KT. {head} ") and title.endswith(f" {kept}"):
            between = title[len(f"KT. {head} ") : len(title) - len(kept)]
            if _LOST_PHO.match(between) and fold_diacritics(between.strip()) != fold_diacritics(lost.lower()):
                return f"KT. {head} {deputy}"
    return None


def _deduced(title: str, read: str) -> bool:
    """True when a word of the title is like no word read: it was deduced ("CHÁNH" before "VĂN PHÒNG"), not
    mended from a misreading ("TỊCH" from "1ỊCH")."""
    read_words = fold_diacritics(read).split()
    return any(
        max((SequenceMatcher(None, word, other).ratio() for other in read_words), default=0.0) < 0.6
        for word in fold_diacritics(title).split()
    )


def _mended_prefix(line: str) -> str:
    """The authority prefix as printed: "'IM." is "TM.", "KI." and "KT," are "KT.", "KT.CHU" is "KT. CHU"; "T. "
    is "KT. " with its "K" under the seal (no other prefix starts so)."""
    line = re.sub(r"^[\W_]+", "", line.strip())
    line = re.sub(r"^[IT1l]M[.,]", "TM.", line)
    line = re.sub(r"^(?:K[IT1l]|T)[.,]", "KT.", line)
    return re.sub(r"^(KT|TM|TL|TUQ|Q)\.(?=\S)", r"\1. ", line)


def _title_piece(line: str) -> bool:
    """A short line that belongs to a title: its prefix alone ("KT."), or "PHÓ" above the head's title."""
    return _prefixed(line) or fold_diacritics(line).strip(" .") == "pho"


def _recipient(line: str) -> bool:
    """A line of the recipients' list ("- Như trên;"); "---PHÓ …" (a rule's remnant) and "-PHÓ CHỦ TỊCH" (a speck)
    before a title are no recipients."""
    return re.match(r"-(?!-)", line) is not None and not contains_title(restore_title(line))


def _acting(line: str) -> bool:
    return fold_diacritics(_mended_prefix(line)).startswith("q.")


def _once(title: str) -> str:
    """A title with a word read twice in a row ("PHÓ PHÓ GIÁM ĐỐC"), or again in part ("CHỦ HỦ TỊCH": a seal's
    edge shifted the reading), written once."""
    words = title.split()
    return " ".join(
        word for i, word in enumerate(words) if i == 0 or not (len(word) >= 2 and words[i - 1].endswith(word))
    )


def _prefixed(line: str) -> bool:
    return fold_diacritics(_mended_prefix(line)).startswith(SIGNER_PREFIXES)


def _known_title(folded: str, size: int) -> str | None:
    """The known title `folded` spells, or misspells by a letter in a title of two words or more ("GLIÁM ĐỐC",
    "PHO CHU 1ỊCH")."""
    known = FOLDED_SIGNER_TITLES.get(folded) or _SQUEEZED_SIGNER_TITLES.get(folded.replace(" ", ""))
    if known is not None or size < 2:
        return known
    close = [
        title
        for key, title in FOLDED_SIGNER_TITLES.items()
        if _same_initials(folded, key)  # "CÔNG" is no misread "PHÒNG"
        and SequenceMatcher(None, folded, key).ratio() >= 0.85
    ]
    if not close:  # a seal's edge over the first letter only: "QHANH VĂN PHÒNG", "RRƯỞNG PHÒNG"
        close = [title for key, title in FOLDED_SIGNER_TITLES.items() if key[1:] == folded[1:] and key != folded]
    if not close:  # or its first letters lost ("HỦ TỊCH", "ƯỞNG PHÒNG"), or its first word ("BAN NHÂN DÂN")
        close = [title for key, title in FOLDED_SIGNER_TITLES.items() if _first_letters_lost(folded, key)]
        close = close or [title for key, title in FOLDED_SIGNER_TITLES.items() if key.split()[1:] == folded.split()]
    if not close and size >= 3:  # or its last letters, a seal's edge at its end ("PHÓ TRƯỞNG CÔNG A")
        close = [
            title
            for key, title in FOLDED_SIGNER_TITLES.items()
            if key.startswith(folded) and len(key) - len(folded) <= 3
        ]
    return close[0] if len(close) == 1 else None


def _first_letters_lost(folded: str, key: str) -> bool:
    """True when `folded` is the known title without the first letters of its first word ("hu tich")."""
    read, known = folded.split(), key.split()
    return len(read) == len(known) and read[1:] == known[1:] and known[0].endswith(read[0]) and read[0] != known[0]


def _same_initials(folded: str, key: str) -> bool:
    """True when each word starts with the known title's letter, or with a digit OCR read for it ("1ỊCH")."""
    read, known = folded.split(), key.split()
    return len(read) == len(known) and all(r[0] == k[0] or r[0].isdigit() for r, k in zip(read, known, strict=True))


def _name_of(line: str) -> str | None:
    """The line as a person's name, mending a hyphen OCR put between two of its words, and a family name
    whose first letter a seal's edge hid ("guyễn Hữu Toàn")."""
    candidate = re.sub(r"(?<=\w)-(?=[A-ZĐÀ-Ỹ])", " ", re.sub(r"^[\W\d_]+", "", line.strip()))
    candidate = _without_specks_in_name(candidate)
    first, _, rest = candidate.partition(" ")
    if first.islower() and (family := _CUT_SURNAMES.get(first)) is not None:
        candidate = f"{family} {rest}"
    elif first.islower() and len(first) <= 2 and not is_syllable(first):
        candidate = rest  # what the seal left of a family name ("n Hữu Nam"): the name without it, doubtful
    candidate = _mended_surname(candidate)
    if looks_like_name(candidate):
        return candidate
    return _name_after_scrawl(line)


def _without_specks_in_name(line: str) -> str:
    """A name as printed, without what a seal or a layout's second reading added: "_" before a word, a tilde on
    "N" ("Ñgô": no Vietnamese letter), a lone small letter or marks between its words ("Trần n Thanh Phương",
    "Đặng n§ Minh Việt"), and its family name read twice ("Ngô Ngô Đình Trường")."""
    words = [word.lstrip("_").replace("Ñ", "N").replace("ñ", "n") for word in line.split()]
    words = [word for i, word in enumerate(words) if word and not (i and _speck_in_name(word))]
    return " ".join(words[1:] if len(words) > 2 and words[0] == words[1] else words)


def _speck_in_name(word: str) -> bool:
    return (len(word) == 1 and word.islower()) or not word.isalpha()


def _name_after_scrawl(line: str) -> str | None:
    """The name at the end of a line whose start is a signature's scrawl read as marks and digits ("—M\\2⁄-
    “Trịnh Thu Oanh"); a line that starts with words ("giao cho Trần Văn Bình", "hữu Toàn Văn") is no name."""
    words = line.split()
    for start in range(1, len(words) - 1):
        scrawl, name = " ".join(words[:start]), " ".join(words[start:]).strip("“”\"'")
        if looks_like_name(name) and _is_junk(scrawl) and re.search(r"[^\w\s]|\d", scrawl):
            return _mended_surname(name)
    return None


def _mended_surname(name: str) -> str:
    """A name whose family name was misread in its marks ("Đỉnh Thị Hoa"), with the one family name that
    reads so without marks ("Đinh"); or, read as no syllable, a letter off the one family name that is so
    ("Nšô": "Ngô"); other names as they are ("Giàng" is a name, not a misread "Giang")."""
    first, _, rest = name.partition(" ")
    if not rest or first.upper() in SURNAMES:
        return name
    family = _FOLDED_SURNAMES.get(fold_diacritics(first.upper()))
    if family is None and not is_syllable(first):
        family = _a_letter_off(first.upper())
    if family is None:
        return name
    return f"{family if first.isupper() else family.capitalize()} {rest}"


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
#: Family names without their marks ("DINH"), when no other family name folds so ("TRINH" is Trịnh or Trình).
_FOLDED_SURNAMES = {
    folded: name
    for name in SURNAMES
    if sum(fold_diacritics(other) == (folded := fold_diacritics(name)) for other in SURNAMES) == 1
}


def _without_specks(line: str) -> str:
    """The line without the seal's or signature's specks read before it or among its capitals ("cà. PHÓ GIÁM
    ĐỐC", "--- PHÓ …", "vẻ PHÓ vn CHỦ TỊCH")."""
    words = line.split()
    while len(words) > 1 and len(words[0]) <= 3 and not words[0].rstrip(".").isupper():
        words.pop(0)
    if sum(word.isupper() and len(word) > 1 for word in words) >= 2:
        words = [word for word in words if len(word) > 3 or word.rstrip(".").isupper()]
    return " ".join(words)


def _is_junk(line: str) -> bool:
    """What OCR makes of a signature or a seal: a few letters, or no word of two letters that is a syllable
    (">}ÀAJ*x")."""
    if sum(ch.isalpha() for ch in line) < 4:
        return True
    return not any(len(word) >= 2 and is_syllable(word) for word in re.split(r"[\s,;:.]+", line))


def _signature_or_seal(column: list[TextLine], index: int) -> bool:
    """True for what OCR made of the signature and the seal between the title and the name: junk, in capitals
    too ("FẦN,", "SN"), a line read unsurely, or a seal's word in capitals just under a title ("NINH")."""
    line = column[index]
    if _title_piece(line.text):
        return False
    if _is_junk(line.text) or _unsure(line):
        return True
    above = column[max(0, index - 2) : index]
    return (
        len(line.words) <= 2
        and not contains_title(restore_title(line.text))
        and any(contains_title(restore_title(title.text)) for title in above)
        and not any(_deputy_title(_read([title, line])) for title in above)  # "TRƯỞNG" of "THỨ TRƯỞNG"
    )


def _unsure(line: TextLine) -> bool:
    """A line read unsurely on the whole: a signature's loops read as words ("VĂN cv." at 38 and 11)."""
    return sum(word.confidence for word in line.words) < 50 * len(line.words)


def looks_like_name(line: str) -> bool:
    """Two to five words, each capitalised and the rest lower case, no digits: "Trần Văn Bình"."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)
