"""Agency names: the fixed words of an agency's name restored, and its locality checked against the date line.

An agency's name is made of a few dozen fixed phrases (the unit, "ỦY BAN NHÂN DÂN", the sector "TÀI NGUYÊN VÀ MÔI
TRƯỜNG", the level "HUYỆN") followed by a place name. Tesseract often gets a tone mark of the fixed phrases wrong
("ỦY BẠN NHÂN ĐÂN", "MỖI TRƯỜNG"); when a run of words folds to a known phrase it is that phrase, and its reading
no longer makes the name doubtful. The place name cannot be restored that way, but the place before the date
("Hải Hậu, ngày …") often names the same locality: when the two fold alike and differ in their marks, one was
misread, and the better-read spelling wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from pipeline.decree30 import AGENCY_STARTS
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics

#: The units and councils agencies' names start with.
UNITS = (
    *("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "UBND", "HĐND", "SỞ", "PHÒNG", "CHI CỤC", "CỤC", "TỔNG CỤC"),
    *("BỘ", "BAN", "TRUNG TÂM", "VĂN PHÒNG", "THANH TRA", "CÔNG AN", "BẢO HIỂM XÃ HỘI", "KHO BẠC NHÀ NƯỚC"),
)
#: The sectors of ministries, departments and offices, after their unit ("SỞ" "TÀI NGUYÊN VÀ MÔI TRƯỜNG").
SECTORS = (
    *("TÀI NGUYÊN VÀ MÔI TRƯỜNG", "GIÁO DỤC VÀ ĐÀO TẠO", "TƯ PHÁP", "XÂY DỰNG", "NỘI VỤ", "Y TẾ", "CÔNG THƯƠNG"),
    *("TÀI CHÍNH - KẾ HOẠCH", "TÀI CHÍNH", "KẾ HOẠCH VÀ ĐẦU TƯ", "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"),
    *("VĂN HÓA, THỂ THAO VÀ DU LỊCH", "VĂN HÓA VÀ THÔNG TIN", "NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN"),
    *("GIAO THÔNG VẬN TẢI", "KINH TẾ VÀ HẠ TẦNG", "KINH TẾ", "QUẢN LÝ ĐÔ THỊ", "KHOA HỌC VÀ CÔNG NGHỆ"),
    *("THÔNG TIN VÀ TRUYỀN THÔNG", "DÂN TỘC", "NGOẠI VỤ", "ĐĂNG KÝ ĐẤT ĐAI", "HÀNH CHÍNH CÔNG", "DÂN SỐ"),
)
#: The fixed phrases of agencies' names.
PHRASES = (*UNITS, *SECTORS)
#: The administrative levels; they are a level (and restored) only right after a unit or a sector.
LEVELS = ("TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "XÃ", "PHƯỜNG", "THỊ TRẤN")


def _folded_table(phrases: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """Each phrase folded word by word (commas dropped), longest first, beside its spelling; a phrase with a dash
    also without it, as OCR may lose it ("LAO ĐỘNG THƯƠNG BINH")."""
    table = [([fold_diacritics(w).strip(",") for w in p.split()], p.split()) for p in phrases]
    table += [([w for w in folded if w != "-"], spelled) for folded, spelled in table if "-" in folded]
    return sorted(table, key=lambda pair: -len(pair[0]))


_FOLDED = _folded_table(PHRASES)
_FOLDED_LEVELS = _folded_table(LEVELS)
_MANY_WORD_PHRASES = [row for row in _FOLDED if len(row[0]) > 1]
_SECTORS = [row for row in _folded_table(SECTORS) if len(row[0]) > 1]
#: Sectors long enough that one word lost leaves no doubt which they are.
_LONG_SECTORS = [row for row in _SECTORS if len(row[0]) >= 5]


@dataclass(frozen=True)
class AgencyName:
    """An agency's name with its fixed phrases restored.

    `doubtful_words` are the words it still rests on (the place name, unknown words); `place_words` are the
    words after the level; `impossible` says no agency is named so: words were lost, or two agencies ran
    together (a sector or "VÀ" inside the place); `deduced` says a word of a sector was lost and put back
    ("THƯƠNG BINH VÀ HỘI"), so the name is no more than likely.
    """

    text: str
    doubtful_words: tuple[Word, ...]
    place_words: tuple[Word, ...]
    impossible: bool
    deduced: bool = False

    @property
    def place(self) -> str:
        return " ".join(_cleaned(w.text) for w in self.place_words)

    def with_place(self, spelled: str) -> AgencyName:
        """The same name with its place spelled as `spelled` (the better-read spelling of the same place)."""
        head = self.text[: len(self.text) - len(self.place)].rstrip()
        return replace(self, text=f"{head} {spelled}")


def restore_agency(words: Sequence[Word]) -> AgencyName:
    """The name read from `words`, its fixed phrases spelled as they are; the words it still rests on."""
    words = _run_in_apart(_dashes_apart(_without_specks(words)))
    out: list[str] = []
    doubtful: list[Word] = []
    index, after_phrase, place_from, deduced = 0, False, None, False
    while index < len(words):
        table = _FOLDED + (_FOLDED_LEVELS if after_phrase else [])
        match = _match(words, index, table) if place_from is None else None
        if match is None and place_from is None and (match := _lost_a_word(words, index)) is not None:
            deduced = True
        if match is None:
            out.append(_cleaned(words[index].text))
            doubtful.append(words[index])
            after_phrase = False
            index += 1
            continue
        length, canonical = match
        out.extend(canonical)
        if after_phrase and " ".join(canonical) in LEVELS:
            place_from = index + length
        after_phrase = True
        index += length
    place = tuple(words[place_from:]) if place_from is not None else ()
    if _read_twice(place):  # "GIALỘC__ GIA LỘC": the place read once run together, then as printed
        del out[len(out) - len(place)]
        doubtful = [w for w in doubtful if w is not place[0]]
        place = place[1:]
    # A place has no sector in it, nor "VÀ" (two agencies ran together),
    in_place = any(_match(place, i, _MANY_WORD_PHRASES) for i in range(len(place))) or any(
        fold_diacritics(w.text) == "va" or _lone_letter(w.text) or w.text in _ONE_WORD_LEVELS for w in place
    )  # nor a lone letter (a speck, or a word split), nor a level ("HUYỆN LÝ NHÂN XÃ ĐẠO LÝ": two agencies)
    # nor a notation's piece ("/QĐ-GDĐT" from the number line) or a number, nor a received stamp's "ĐẾN";
    # a city's numbered district or ward is a place ("QUẬN 1", "PHƯỜNG 12")
    numbered = len(out) >= 2 and out[-2] in ("QUẬN", "PHƯỜNG") and out[-1].isdigit() and len(out[-1]) <= 2
    named = out[:-1] if numbered else out
    stray = any("/" in word or any(ch.isdigit() for ch in word) or word == "ĐẾN" for word in named)
    impossible = _incomplete(out) or in_place or stray
    return AgencyName(" ".join(out), tuple(doubtful), place, impossible, deduced)


def starts_with_level(text: str) -> bool:
    """True when `text` starts with an administrative level ("HUYỆN DIỄN CHÂU", "THỊ XÃ …")."""
    words = fold_diacritics(text).split()
    return any(words[: len(level)] == level for level, _ in _FOLDED_LEVELS)


def starts_with_sector(text: str) -> bool:
    """True when `text` starts with a sector of two words or more, or is the start of one ("TÀI NGUYÊN", the rest
    on the next line), with no unit before it."""
    words = fold_diacritics(text).replace(",", "").split()
    starts = [words[: len(sector)] == sector or sector[: len(words)] == words for sector, _ in _SECTORS]
    return len(words) > 1 and any(starts)


def unit_under(parent: AgencyName) -> str | None:
    """The unit a sector is under a committee of that level: a province's department, a district's office."""
    if not fold_diacritics(parent.text).startswith(("ubnd", "uy ban nhan dan")):
        return None
    return {3: "SỞ", 2: "PHÒNG"}.get(level_rank(parent) or 0)


def _read_twice(place: Sequence[Word]) -> bool:
    """True when the place's first word is the rest of it run together."""
    rest = " ".join(w.text for w in place[1:])
    return len(place) > 2 and _squeezed(_cleaned(place[0].text)) == _squeezed(rest)


def level_rank(name: AgencyName) -> int | None:
    """How high the agency's level is: a province 3, a district 2, a commune 1; None when unknown or ambiguous
    ("THÀNH PHỐ" is a province's level and a district's)."""
    head = fold_diacritics(name.text[: len(name.text) - len(name.place)]).split()
    return next((rank for level, rank in _LEVEL_RANKS.items() if head[-len(level.split()) :] == level.split()), None)


_LEVEL_RANKS = {"thi xa": 2, "thi tran": 1, "tinh": 3, "huyen": 2, "quan": 2, "xa": 1, "phuong": 1}


def _lone_letter(word: str) -> bool:
    """A letter alone, unmarked: a speck or a piece of a split word ("Ý" of "Ý YÊN" is a syllable)."""
    cleaned = _cleaned(word)
    return len(cleaned) < 2 and not cleaned.isdigit() and fold_diacritics(cleaned) == cleaned.lower()


#: What OCR reads before a word in capitals from the rule above it, a speck or a stroke: "_PHÒNG", "“PHÒNG".
LEADING_SPECKS = ".,:;°'\"`*·~^_“”‘’„"


def _without_specks(words: Sequence[Word]) -> list[Word]:
    """The words without the specks OCR read around them as marks: before a word (".°ỦY" is "ỦY", "1HÓA" is
    "HÓA", "JỦY" is "ỦY"), or as a small letter after a word in capitals ("TỈNHắ" is "TỈNH"); a word of specks,
    or of a letter and a digit ("D0"), is dropped."""
    kept = []
    for word in words:
        text = word.text.lstrip(LEADING_SPECKS)
        if len(text) > 2 and text[0] in "1|lJ" and text[1:].isalpha() and text[1:].isupper():
            text = text[1:]  # "1HÓA", "JỦY": a stroke beside the word read as a digit or a letter no word starts with
        if len(text) > 2 and text[:-1].isupper() and text[-1].islower():
            text = text[:-1]
        mixed = len(text) <= 3 and any(ch.isdigit() for ch in text) and any(ch.isalpha() for ch in text)
        kept += [replace(word, text=text)] if text and not mixed else []  # "D0": a dash's speck ("QUẬN 1" stays)
    return kept


def _run_in_apart(words: Sequence[Word]) -> list[Word]:
    """The words with a level or a unit OCR ran into the word after it ("TỈNHNGHỆAN", "SỞLAO") apart."""
    return [replace(word, text=part) for word in words for part in run_in_apart(word.text)]


def run_in_apart(word: str) -> list[str]:
    """`word` as the two words OCR ran together when it starts with a level or a unit no syllable goes on after
    ("TỈNH", "HUYỆN", "PHƯỜNG", "SỞ", "PHÒNG") and goes on with two letters or more; else `word` alone."""
    folded = fold_diacritics(word)
    for start in (*_RUN_IN_LEVELS, *_RUN_IN_UNITS):
        size = len(start)
        # a level however its marks were read ("TÍNH"); "SỞ" and "PHÒNG" as printed ("SƠN" is a name)
        fits = folded.startswith(start) if start in _RUN_IN_LEVELS else word.startswith(start)
        rest = word[size:]
        if fits and len(rest) > 1 and len(folded) == len(word) and rest.isalpha() and rest.isupper():
            return [word[:size], rest]
    return [word]


_RUN_IN_LEVELS = ("tinh", "huyen", "phuong")
_RUN_IN_UNITS = ("SỞ", "PHÒNG")


def _dashes_apart(words: Sequence[Word]) -> list[Word]:
    """The words with a dash OCR joined to a word ("ĐỘNG-") as a word of its own, as the name prints it."""
    apart: list[Word] = []
    for word in words:
        text = word.text
        if len(text) > 1 and text.endswith("-") and not text.startswith("-"):
            apart += [replace(word, text=text[:-1]), replace(word, text="-")]
        elif len(text) > 1 and text.startswith("-") and not text.endswith("-"):
            apart += [replace(word, text="-"), replace(word, text=text[1:])]
        else:
            apart.append(word)
    return apart


def _match(words: Sequence[Word], index: int, table: list[tuple[list[str], list[str]]]) -> tuple[int, list[str]] | None:
    """The phrase of `table` the words at `index` spell; a phrase of three words or more may be misspelt by a
    letter or two ("TÀI NGUY VÀ MÔI TRƯỜNG") if every word starts as it should; a phrase read in fewer words, its
    spaces lost ("YTE", "ỦY BANNHÂN DÂN"), is that phrase."""
    ahead = [fold_diacritics(w.text).strip(",") for w in words[index:]]
    for folded, canonical in table:
        run = ahead[: len(folded)]
        if run == folded or _misspelt(run, folded):
            return len(folded), canonical
        for size in range(1, len(folded)):
            if "".join(ahead[:size]) == "".join(folded):
                return size, canonical
    return None


def _lost_a_word(words: Sequence[Word], index: int) -> tuple[int, list[str]] | None:
    """The long sector the words at `index` spell with one word after its first lost ("THƯƠNG BINH VÀ HỘI")."""
    ahead = [fold_diacritics(w.text).strip(",") for w in words[index:]]
    for folded, canonical in _LONG_SECTORS:
        run = ahead[: len(folded) - 1]
        if any(run == folded[:lost] + folded[lost + 1 :] for lost in range(1, len(folded))):
            return len(run), canonical
    return None


def _misspelt(run: list[str], phrase: list[str]) -> bool:
    if len(phrase) < 3 or len(run) != len(phrase) or [w[:1] for w in run] != [w[:1] for w in phrase]:
        return False
    return SequenceMatcher(None, " ".join(run), " ".join(phrase)).ratio() >= 0.9


def _cleaned(word: str) -> str:
    """A word without the rule under the name ("THƯ_") or a speck read as a stop ("NINH."; "TP." stays)."""
    word = word.strip("_")
    return word.rstrip(".") if len(word.rstrip(".")) > 2 else word


def _incomplete(name: Sequence[str]) -> bool:
    """Words were lost from the name: a committee without what it is ("ỦY BAN XÃ NHÂN THỊNH"), a people's
    committee or a level without its place ("ỦY BAN NHÂN DÂN", "UBND HUYỆN"), a name cut after "-" or "VÀ",
    or one that starts with none of the words agencies' names start with ("KH")."""
    folded = fold_diacritics(" ".join(name))
    if not folded.startswith(AGENCY_STARTS) or folded.endswith((" -", " va", ",")):
        return True
    if folded.startswith("uy ban ") and not folded.startswith(_COMMITTEES):
        return True
    if any(folded.startswith(f"{committee} ") and _no_level_after(name, committee) for committee in _NEEDS_A_PLACE):
        return True  # "UBND NH NINH BÌNH": a people's committee is of a level
    # a level read as one is restored with its marks: "QUAN" at the end of "UBND HUYỆN NHO QUAN" is a place's;
    # and a people's body names its place ("BAN NHÂN DÂN" lost "ỦY" and its level)
    return folded.endswith((*_NEEDS_A_PLACE, "nhan dan")) or (bool(name) and name[-1] in LEVEL_WORDS)


def _no_level_after(name: Sequence[str], committee: str) -> bool:
    return name[len(committee.split())] not in _LEVEL_FIRST_WORDS


_COMMITTEES = ("uy ban nhan dan", "uy ban mat tran", "uy ban kiem tra")
_NEEDS_A_PLACE = ("uy ban nhan dan", "ubnd", "hoi dong nhan dan", "hdnd")
#: The last word of each level ("XÃ", "PHỐ"): no place's word.
LEVEL_WORDS = frozenset(level.split()[-1] for level in LEVELS)
_LEVEL_FIRST_WORDS = frozenset(level.split()[0] for level in LEVELS)
_ONE_WORD_LEVELS = frozenset(level for level in LEVELS if " " not in level)  # "XÃ", not "THỊ XÃ"


def agency_initials(name: str) -> str:
    """The initials a notation abbreviates an agency by, folded: "SỞ XÂY DỰNG" gives "sxd", "UBND" stays."""
    initials = []
    for word in fold_diacritics(name).replace("-", " ").split():
        if word == "va" or not word[0].isalnum():
            continue
        initials.append(word if word.isalpha() and word.upper() in _ACRONYMS else word[0])
    return "".join(initials)


_ACRONYMS = frozenset({"UBND", "HDND", "MTTQ"})


def spells_agency(code: str, names: Sequence[str]) -> bool:
    """True when a notation's agency code ("TNMT", "UBND", "SGDĐT") is the initials of words in a name."""
    folded = fold_diacritics(code).replace("-", "")
    return len(folded) >= 2 and any(folded in agency_initials(name) for name in names if name)


def same_place(agency_place: str, dated_place: str) -> bool:
    """True when the agency's locality and the date line's place are one name, whatever their marks and
    however OCR spaced them ("NGHỆAN" for "Nghệ An")."""
    return bool(agency_place) and _squeezed(agency_place) == _squeezed(dated_place)


def _squeezed(place: str) -> str:
    return fold_diacritics(place).replace(" ", "")
