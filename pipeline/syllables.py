"""Rule-based check of Vietnamese orthographic syllables (onset + medial + nucleus + coda + tone) for judging OCR."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

# Rule choices (no dictionary, standard library only):
# - Rhymes (vần) are the modern inventory below. "êng" is accepted (rare but real: "ễng ương"); "ênh" is
#   ordinary ("kênh", "bệnh"). "ch"/"nh" follow only a, ê, i, oa, uê, uy; "ng"/"c" never follow plain i or ê.
# - Loan-word rhymes kept because they appear in administrative text: "oong"/"ooc" (xoong, rơ moóc), "uyp" (tuýp),
#   "uyt" (xe buýt), and the onset "p" (pin, pa).
# - Tây Nguyên (ethnic-language) place names: coda "k" is accepted wherever "c" is ("Đắk Lắk", "Đăk Hà", "Đak Pơ")
#   and, being a transcription, is exempt from the stop/tone rule; "k" is accepted before o/ô/ơ ("Kon Tum",
#   "Kông Chro"); the cluster onset "kr" is accepted ("Krông"). Other clusters ("Pleiku", "Chư Prông") and the
#   letters f, j, w, z are not: such tokens are reported as non-syllables.
# - Tone marks: at most one, on a vowel of the rhyme that may carry it. Both placements are accepted for the open
#   rhymes oa, oe, uy ("hòa"/"hoà", "thúy"/"thuý"); never on a final semivowel ("hoaì") or on the u of "qu".
# - Syllables ending in the stops p, t, c, ch take only sắc or nặng; a toneless "dat" is therefore rejected.

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_STOP_TONES = {"\u0301", "\u0323"}  # sắc, nặng
_QUALITY = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_QUALITY_MARKS = {mark for _, mark in _QUALITY}

# Rhymes, with an apostrophe after each letter that may carry the tone mark.
_PLAIN_RHYMES = """
a' a'c a'ch a'i a'm a'n a'ng a'nh a'o a'p a't a'u a'y
ă'c ă'm ă'n ă'ng ă'p ă't
â'c â'm â'n â'ng â'p â't â'u â'y
e' e'c e'm e'n e'ng e'o e'p e't
ê' ê'ch ê'm ê'n ê'ng ê'nh ê'p ê't ê'u
i' i'a i'ch i'm i'n i'nh i'p i't i'u iê'c iê'm iê'n iê'ng iê'p iê't iê'u
y' yê'm yê'n yê'ng yê't yê'u
o' o'c o'i o'm o'n o'ng o'p o't oo'c oo'ng
ô' ô'c ô'i ô'm ô'n ô'ng ô'p ô't
ơ' ơ'i ơ'm ơ'n ơ'p ơ't
u' u'a u'c u'i u'm u'n u'ng u'p u't uô'c uô'i uô'm uô'n uô'ng uô't
ư' ư'a ư'c ư'i ư'm ư'ng ư't ư'u ươ'c ươ'i ươ'm ươ'n ươ'ng ươ'p ươ't ươ'u
"""
# Rhymes with the medial (glide) o or u.
_O_MEDIAL_RHYMES = """
o'a' oa'c oa'ch oa'i oa'm oa'n oa'ng oa'nh oa'o oa'p oa't oa'y oă'c oă'm oă'n oă'ng oă't o'e' oe'n oe'o oe't
"""
_U_MEDIAL_RHYMES = """
uâ'n uâ'ng uâ't uâ'y uê' uê'ch uê'nh u'y' uy'a uy'ch uy'nh uy'p uy't uy'u uyê'n uyê't uơ'
"""
# "gi" + a rhyme beginning with i writes the i once: gì, gìn, giếng.
_GI_COLLAPSING = {"i", "ich", "im", "in", "inh", "ip", "it", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu"}

_ONSETS = (
    *("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh"),
    *("p", "ph", "r", "s", "t", "th", "tr", "v", "x"),
)
_ETHNIC_ONSETS = ("kr",)
_FRONT = "ieêy"
_BARE_Y_ONSETS = {"", "h", "k", "l", "m", "n", "s", "t", "th", "v"}  # y, hy, kỹ, lý, Mỹ, Ny, sỹ, ty, Thy, Vy


def _rhyme(annotated: str) -> tuple[str, frozenset[int]]:
    """Parse an annotated rhyme: oa'ng → ("oang", {1}), its letters and the indexes that may carry the tone."""
    letters: list[str] = []
    marks: set[int] = set()
    for ch in annotated:
        if ch == "'":
            marks.add(len(letters) - 1)
        else:
            letters.append(ch)
    return "".join(letters), frozenset(marks)


def _with_k_codas(rhymes: list[tuple[str, frozenset[int]]]) -> list[tuple[str, frozenset[int]]]:
    """The rhymes plus, for each ending in c, the ethnic-name spelling ending in k."""
    return rhymes + [(r[:-1] + "k", marks) for r, marks in rhymes if r.endswith("c")]


def _onset_allows(onset: str, rhyme: str, medial: bool) -> bool:
    first = rhyme[0]
    if rhyme.startswith("yê"):
        return not onset
    if rhyme.startswith("iê") and not onset:
        return False
    if rhyme == "y":
        return onset in _BARE_Y_ONSETS
    if onset in ("gh", "ngh"):
        return first in _FRONT
    if onset == "k":
        return first in _FRONT or (not medial and first in "oôơ")
    if onset in ("c", "g", "ng"):
        return first not in _FRONT and not (medial and onset == "c")
    if onset == "gi":
        return first not in "iy" and not medial
    if onset in _ETHNIC_ONSETS:
        return not medial
    return True


def _rhymes(annotated: str) -> list[tuple[str, frozenset[int]]]:
    """The whitespace-separated annotated rhymes, parsed, plus their k-coda spellings."""
    return _with_k_codas([_rhyme(r) for r in annotated.split()])


def _build_syllables() -> dict[str, frozenset[int]]:
    """Every toneless syllable → the letter indexes where its tone mark may sit."""
    plain = _rhymes(_PLAIN_RHYMES)
    medial = _rhymes(_O_MEDIAL_RHYMES + _U_MEDIAL_RHYMES)
    table: dict[str, set[int]] = {}

    def add(onset: str, rhyme: str, marks: frozenset[int]) -> None:
        table.setdefault(onset + rhyme, set()).update(len(onset) + i for i in marks)

    for onset in _ONSETS + _ETHNIC_ONSETS:
        for rhymes, is_medial in ((plain, False), (medial, True)):
            for rhyme, marks in rhymes:
                if _onset_allows(onset, rhyme, is_medial):
                    add(onset, rhyme, marks)
    for rhyme, marks in plain:
        if rhyme in _GI_COLLAPSING or (rhyme.endswith("k") and rhyme[:-1] + "c" in _GI_COLLAPSING):
            add("g", rhyme, marks)
    # "qu" is k + medial u: the rhymes of uâ, uê, uy, uơ without their u, and the plain rhymes on a, ă, â, e, ê.
    for rhyme, marks in medial:
        if rhyme.startswith("u"):
            add("qu", rhyme[1:], frozenset(i - 1 for i in marks if i > 0))
    for rhyme, marks in plain:
        if rhyme[0] in "aăâeê" or rhyme in ("i", "ôc"):
            add("qu", rhyme, marks)
    return {key: frozenset(marks) for key, marks in table.items()}


_SYLLABLES = _build_syllables()


@lru_cache(maxsize=1 << 16)
def _letters(word: str) -> tuple[str, int, str] | None:
    """Lower-case letters without tone mark, index of the toned letter (-1), the tone mark; None if malformed."""
    letters: list[str] = []
    tone, tone_at = "", -1
    for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFC", word).lower()):
        if ch in _TONES:
            if tone or not letters:
                return None
            tone, tone_at = ch, len(letters) - 1
        elif ch in _QUALITY_MARKS:
            quality = _QUALITY.get((letters[-1], ch)) if letters else None
            if quality is None:
                return None
            letters[-1] = quality
        elif unicodedata.combining(ch):
            return None
        else:
            letters.append("đ" if ch == "ð" else ch)
    return "".join(letters), tone_at, tone


@lru_cache(maxsize=1 << 16)
def is_syllable(word: str) -> bool:
    """True when `word` (any case, NFC or NFD) is a well-formed Vietnamese syllable."""
    parsed = _letters(word)
    if parsed is None:
        return False
    letters, tone_at, tone = parsed
    tone_sites = _SYLLABLES.get(letters)
    if tone_sites is None:
        return False
    if tone and tone_at not in tone_sites:
        return False
    if letters.endswith(("p", "t", "c", "ch")):
        return tone in _STOP_TONES
    return True


_SPLIT = re.compile(r"[\s\-‐‑‒–—―/\\]+")
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


def _tokens(pieces: Iterable[str]) -> Iterator[str]:
    """NFC tokens split on whitespace, hyphens and slashes, surrounding punctuation stripped, empty ones dropped."""
    for piece in pieces:
        for raw in _SPLIT.split(unicodedata.normalize("NFC", piece)):
            token = _EDGE_PUNCTUATION.sub("", raw)
            if token:
                yield token


def _is_alphabetic(token: str) -> bool:
    return all(ch.isalpha() or unicodedata.combining(ch) for ch in token)


def _has_vowel(token: str) -> bool:
    return any(ch in "aeiouy" for ch in unicodedata.normalize("NFD", token.lower()))


MARKED_VOWELS = frozenset("ÂÊÔƠƯĂâêôơưă")


def _is_skipped(token: str) -> bool:
    """Abbreviations ("UBND", "QĐ", "CTrTT", "TTg", "Tp") and lone consonants (list markers, initials)."""
    if is_syllable(token):
        return False
    parsed = _letters(token)
    if parsed is None or parsed[2]:  # initials carry no tone mark, so a toned token is a misread word
        return False
    if any(ch in MARKED_VOWELS for ch in token):  # nor a marked vowel: "NDÂN" is "DÂN" misread, not initials
        return False
    if len(token) == 1:
        return not _has_vowel(token)
    capitals = sum(ch.isupper() for ch in token)
    return token[0].isupper() and (capitals >= 2 or not _has_vowel(token))


def syllable_share(words: Iterable[str]) -> float | None:
    """Of the alphabetic tokens in `words`, the share that are syllables; None when there are none.

    Tokens are also split on hyphens and slashes and stripped of surrounding punctuation. Tokens with digits or other
    non-letters, abbreviations (a capital first letter, no tone mark, not a syllable, and two or more capitals or no
    vowel: "UBND", "QĐ", "CTrTT", "Tp") and lone consonants ("a)", "b)", "V.") are skipped.
    """
    total = valid = 0
    for token in _tokens(words):
        if not _is_alphabetic(token) or _is_skipped(token):
            continue
        total += 1
        valid += is_syllable(token)
    return valid / total if total else None


def invalid_syllables(text: str) -> list[str]:
    """The words of `text` that look Vietnamese (alphabetic, with a vowel) but are not valid syllables, in order.

    Words are split on whitespace, hyphens and slashes, stripped of punctuation and NFC-normalised; abbreviations
    skipped by `syllable_share` ("UBND", "HĐND") are not reported.
    """
    return [
        token
        for token in _tokens([text])
        if _is_alphabetic(token) and _has_vowel(token) and not _is_skipped(token) and not is_syllable(token)
    ]
