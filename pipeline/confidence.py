"""How sure a metadata field is: where it was found, how confidently its words were read, and whether it is possible.

A field's confidence is the confidence of its place in the layout (the "Số:" line is certain, a number found
only on a second reading less so), scaled down by the least confident word it came from, and capped below
the review threshold when the value is impossible: a word that is no Vietnamese syllable ("HỨGI"), a name
whose family name no one has ("LẼ THU LINH"), a title that is none of the titles an agency signs with.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.decree30 import SIGNER_PREFIXES, SIGNER_TITLES, SURNAMES
from pipeline.syllables import is_syllable
from pipeline.tesseract import Word
from pipeline.textfold import fold_diacritics

CERTAIN, LIKELY, DOUBTFUL = 0.95, 0.75, 0.5
#: Tesseract word confidence at or above which a word is taken as read; each point below costs this much.
SURE_WORD = 92.0
COST_PER_POINT = 0.02
#: Below this the factor stops falling: the value is doubtful anyway.
LOWEST_FACTOR = 0.3
#: An impossible value is held at this confidence, below any sensible review threshold.
IMPOSSIBLE = 0.4

_PUNCTUATION = ".,;:!?()[]\"'“”‘’"
_FOLDED_TITLE_WORDS = frozenset(word for title in SIGNER_TITLES for word in fold_diacritics(title).split())


def reading_factor(words: Sequence[Word]) -> float:
    """1 when every word was read surely; less by COST_PER_POINT for each point the weakest word falls short."""
    if not words:
        return 1.0
    weakest = min(w.confidence for w in words)
    return max(LOWEST_FACTOR, 1.0 - COST_PER_POINT * max(0.0, SURE_WORD - weakest))


def impossible_words(value: str) -> list[str]:
    """The words of `value` that cannot be Vietnamese: letters that make no syllable."""
    out = []
    for token in value.replace("-", " ").replace("/", " ").split():
        letters = token.strip(_PUNCTUATION)
        if len(letters) > 1 and letters.isalpha() and not is_syllable(letters) and not _is_abbreviation(letters):
            out.append(token)
    return out


def _is_abbreviation(token: str) -> bool:
    """UBND, HĐND, TP, TT: capitals without tone marks, which are not syllables but are not garbage."""
    return len(token) <= 6 and fold_diacritics(token).upper() == token.replace("Đ", "D")


def is_possible_name(name: str) -> bool:
    """Every word a syllable, two to five of them, and a family name Vietnamese people have."""
    words = name.split()
    if not 2 <= len(words) <= 5 or impossible_words(name):
        return False
    return words[0].upper() in SURNAMES


def is_possible_title(title: str) -> bool:
    """Every word belongs to a signing prefix, a known title or the agency named in it ("TM. ỦY BAN NHÂN DÂN")."""
    folded = fold_diacritics(title)
    for prefix in SIGNER_PREFIXES:
        folded = folded.removeprefix(prefix).strip()
    words = folded.replace(".", " ").split()
    if not words or impossible_words(title):
        return False
    known = sum(word in _FOLDED_TITLE_WORDS for word in words)
    return known >= max(1, len(words) - 3)


def field_confidence(structure: float, words: Sequence[Word], *, possible: bool = True) -> float:
    """The confidence of a field found at a place worth `structure`, read from `words`."""
    score = structure * reading_factor(words)
    if not possible:
        score = min(score, IMPOSSIBLE)
    return round(score, 3)
