"""Signer titles as a seal and a signature leave them, restored from the titles agencies sign with.

A title line is mended word by word against the known titles (`pipeline.decree30.SIGNER_TITLES`): marks misread,
a letter or the first letters lost under the seal's edge, a digit read for a letter, a title read in pieces, specks
around it. Decree 30's rule for "KT." fills the deputy's "PHÓ" a seal hid; a word deduced otherwise is reported
(`has_deduced_word`) so the field can be held for review.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from pipeline.confidence import contains_title
from pipeline.decree30 import SIGNER_PREFIXES, SIGNER_TITLES
from pipeline.textfold import fold_diacritics

FOLDED_SIGNER_TITLES = {fold_diacritics(title): title for title in SIGNER_TITLES}


#: The titles without spaces, for a word OCR split ("PHO GI ÁM ĐỐC").
_SQUEEZED_SIGNER_TITLES = {key.replace(" ", ""): title for key, title in FOLDED_SIGNER_TITLES.items()}


def restore_title(line: str) -> str:
    """A title line rewritten from the known titles when it matches one but for diacritics (or, in a title of
    two words or more, a letter).

    A seal's edge often hides the "P" of "PHÓ": "HÓ GIÁM ĐỐC" is a deputy's title. Around a known title, what
    a seal or a signature leaves (a lone letter, "LNN ¡y!", "Ì À") is dropped.
    """
    line = _once(re.sub(r"(?<=[^\W\d])\.(?=[^\W\d])", " ", mended_prefix(line)))  # "PHÓ.TRƯỞNG"
    if (whole := _SQUEEZED_SIGNER_TITLES.get(fold_diacritics(line).replace(" ", ""))) is not None:
        return whole  # a title read in pieces, a letter alone among them ("PHO TRƯ ỞN G PHONG")
    words = [w for w in (w.strip(MARKS) for w in line.split()) if w and not _is_speck(w)]
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


MARKS = "“”„‚«»\"'‘’`_"


#: What a seal may leave of "PHÓ" before a deputy's title: nothing, or a letter or two ("O CHỦ TỊCH").
_LOST_PHO = re.compile(r"^(?:\S{1,2} )?$")


#: The titles of those who head a body, whose deputies sign "KT." for them.
HEADS = tuple(title for title in SIGNER_TITLES if not title.endswith(".") and not title.startswith(("PHÓ ", "THỨ ")))


def deputy_of(head: str) -> str:
    """The deputy's title under a head's: "PHÓ GIÁM ĐỐC"; the minister's deputy is no "PHÓ": "THỨ TRƯỞNG"."""
    return "THỨ TRƯỞNG" if head == "BỘ TRƯỞNG" else f"PHÓ {head}"


def deputy_title(title: str) -> str | None:
    """ "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" for "KT. CHỦ TỊCH [O] CHỦ TỊCH": one signing for the head is the head's
    deputy (Decree 30), so a "KT." title that names the head twice lost the "PHÓ" of the second line (and
    "KT. BỘ TRƯỞNG / TRƯỞNG" the "THỨ" of the minister's deputy)."""
    for head in HEADS:
        deputy = deputy_of(head)
        lost, kept = deputy.split(" ", 1)
        if title.startswith(f"KT. {head} ") and title.endswith(f" {kept}"):
            between = title[len(f"KT. {head} ") : len(title) - len(kept)]
            if _LOST_PHO.match(between) and fold_diacritics(between.strip()) != fold_diacritics(lost):
                return f"KT. {head} {deputy}"
    return None


def has_deduced_word(title: str, read: str) -> bool:
    """True when a word of the title is like no word read: it was deduced ("CHÁNH" before "VĂN PHÒNG"), not
    mended from a misreading ("TỊCH" from "1ỊCH")."""
    read_words = fold_diacritics(read).split()
    return any(
        max((SequenceMatcher(None, word, other).ratio() for other in read_words), default=0.0) < 0.6
        for word in fold_diacritics(title).split()
    )


def mended_prefix(line: str) -> str:
    """The authority prefix as printed: "'IM." is "TM.", "KI." and "KT," are "KT.", "KT.CHU" is "KT. CHU"; "T. "
    is "KT. " with its "K" under the seal (no other prefix starts so)."""
    line = re.sub(r"^[\W_]+", "", line.strip())
    line = re.sub(r"^[IT1l]M[.,]", "TM.", line)
    line = re.sub(r"^(?:K[IT1l]|T)[.,]", "KT.", line)
    return re.sub(r"^(KT|TM|TL|TUQ|Q)\.(?=\S)", r"\1. ", line)


def title_piece(line: str) -> bool:
    """A short line that belongs to a title: its prefix alone ("KT."), or "PHÓ" above the head's title."""
    return prefixed(line) or fold_diacritics(line).strip(" .") == "pho"


def recipient(line: str) -> bool:
    """A line of the recipients' list ("- Như trên;"); "---PHÓ …" (a rule's remnant) and "-PHÓ CHỦ TỊCH" (a speck)
    before a title are no recipients."""
    return re.match(r"-(?!-)", line) is not None and not contains_title(restore_title(line))


def acting(line: str) -> bool:
    return fold_diacritics(mended_prefix(line)).startswith("q.")


def _once(title: str) -> str:
    """A title with a word read twice in a row ("PHÓ PHÓ GIÁM ĐỐC"), or again in part ("CHỦ HỦ TỊCH": a seal's
    edge shifted the reading), written once."""
    words = title.split()
    return " ".join(
        word for i, word in enumerate(words) if i == 0 or not (len(word) >= 2 and words[i - 1].endswith(word))
    )


def prefixed(line: str) -> bool:
    return fold_diacritics(mended_prefix(line)).startswith(SIGNER_PREFIXES)


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


def without_specks(line: str) -> str:
    """The line without the seal's or signature's specks read before it or among its capitals ("cà. PHÓ GIÁM
    ĐỐC", "--- PHÓ …", "vẻ PHÓ vn CHỦ TỊCH")."""
    words = line.split()
    while len(words) > 1 and len(words[0]) <= 3 and not words[0].rstrip(".").isupper():
        words.pop(0)
    if sum(word.isupper() and len(word) > 1 for word in words) >= 2:
        words = [word for word in words if len(word) > 3 or word.rstrip(".").isupper()]
    return " ".join(words)
