"""How sure a metadata field is: where it was found, how confidently its words were read, and whether it is possible.

A field's confidence is the confidence of its place in the layout (the "Số:" line is certain, a number found
only on a second reading less so), scaled down by the least confident word it came from, and capped below
the review threshold when the value is impossible: a word that is no Vietnamese syllable ("HỨGI"), a name
whose family name no one has ("LẼ THU LINH"), a title that is none of the titles an agency signs with.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.decree30 import SIGNER_TITLES, SURNAMES
from pipeline.syllables import invalid_syllables
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics

#: Fields found on a page: each name with its value and its confidence.
Found = dict[str, tuple[object, float]]

CERTAIN, LIKELY, DOUBTFUL = 0.95, 0.75, 0.5
#: Tesseract word confidence at or above which a word is taken as read; each point below costs this much.
SURE_WORD = 90.0
COST_PER_POINT = 0.015
#: Below this the factor stops falling: the value is doubtful anyway.
LOWEST_FACTOR = 0.3
#: An impossible value is held at this confidence, below any sensible review threshold.
IMPOSSIBLE = 0.4

_FOLDED_TITLES = frozenset(fold_diacritics(title) for title in SIGNER_TITLES if not title.endswith("."))
#: The titles of those who sign for a body ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH").
_LONGEST_FIRST = sorted(_FOLDED_TITLES, key=len, reverse=True)
_FOLDED_HEADS = frozenset(title for title in _FOLDED_TITLES if title.split()[0] in ("chu", "giam", "truong", "pho"))


def reading_factor(words: Sequence[Word], cost: float = COST_PER_POINT) -> float:
    """1 when every word was read surely; less by `cost` for each point the weakest word falls short."""
    if not words:
        return 1.0
    weakest = min(w.confidence for w in words)
    return max(LOWEST_FACTOR, 1.0 - cost * max(0.0, SURE_WORD - weakest))


def is_possible_text(text: str) -> bool:
    """Every word a Vietnamese syllable (or a number, a code, punctuation)."""
    return not invalid_syllables(text)


def is_possible_name(name: str) -> bool:
    """Every word a syllable, two to five of them, and a family name Vietnamese people have."""
    words = name.split()
    if not 2 <= len(words) <= 5 or invalid_syllables(name):
        return False
    return words[0].upper() in SURNAMES


def is_possible_title(title: str) -> bool:
    """Every word a syllable, and a title agencies sign with among them ("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH").

    A deputy signs "KT." for the head and names their own title ("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"): a "KT."
    title with no "PHÓ" after it, or a "PHÓ" title alone, lost a line. Likewise "TM." names the body, then
    the title.
    """
    if invalid_syllables(title):
        return False
    folded = _spaced(title)
    if folded.startswith(" pho "):
        return False  # a deputy signs "KT." for the head, then their own title: either alone lost a line
    if folded.startswith(" kt. "):
        deputy = next((folded.index(f" {d} ") for d in ("pho", "thu truong") if f" {d} " in folded), None)
        if deputy is None or folded[len(" kt. ") : deputy].strip() not in _FOLDED_TITLES:
            return False  # and the head signed for is a title: "KT. GIÁM PHÓ GIÁM ĐỐC" lost a word
    if folded.startswith(" tm. ") and not any(f" {known} " in folded[5:] for known in _FOLDED_HEADS):
        return False
    if folded == " uy ban nhan dan ":
        return False  # a body signs through a person: "TM." before it and the head's title after it were lost
    if folded.startswith((" tl. ", " tuq. ")) and not _names_own_title(folded.split(" ", 2)[2]):
        return False  # one signing "by order" of the head names their own title too ("CHÁNH VĂN PHÒNG")
    return any(f" {known} " in folded for known in _FOLDED_TITLES)


def _names_own_title(after_prefix: str) -> bool:
    """True when a known title follows the head's title: "chu tich chanh van phong "."""
    head = next((known for known in _LONGEST_FIRST if after_prefix.startswith(f"{known} ")), None)
    return head is not None and any(f" {known} " in after_prefix[len(head) :] for known in _FOLDED_TITLES)


def contains_title(text: str) -> bool:
    """True when `text` names one of the titles agencies sign with ("PHÓ GIÁM ĐỐC", "KT. CHỦ TỊCH")."""
    folded = _spaced(text)
    return any(f" {known} " in folded for known in _FOLDED_TITLES)


def _spaced(text: str) -> str:
    """Folded, a space after each stop and around the whole, so titles match as whole words: " kt. chu tich "."""
    return f" {' '.join(fold_diacritics(text).replace('.', '. ').split())} "


def field_confidence(
    structure: float, words: Sequence[Word], *, possible: bool = True, doubt_share: float = 1.0
) -> float:
    """The confidence of a field found at a place worth `structure`, read from `words`.

    `doubt_share` is the share of a doubtful reading that counts: a value that carries evidence of its own (a
    notation made of Decree 30's abbreviations, 0.5; one whose agency code also spells the agency's
    initials, 0.25) is lowered less, since tesseract is rarely sure of "04/QĐ-SNV" as one word.
    """
    score = structure * reading_factor(words, COST_PER_POINT * doubt_share)
    if not possible:
        score = min(score, IMPOSSIBLE)
    return round(score, 3)
