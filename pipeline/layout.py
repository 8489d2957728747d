"""A page's text lines with their geometry, and the Decree 30 header split into its two columns by the gutter.

Tesseract often reads the header's two columns as one line when the gutter between them is narrow
("ỦY BAN NHÂN DÂN HUYỆN YÊN KHÁNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"). The gutter is found where it
really is: the vertical channel that no word of the header crosses, line after line, from the top of
the page down to the first line that runs across it (the type name, or the body). On a small scan the
gutter may be no wider than a space; the national name ("CỘNG HÒA …") then says where it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import takewhile

import numpy as np

from pipeline.tesseract import Word, lines_of
from pipeline.textfold import fold_diacritics

#: The gutter is looked for in this middle part of the text's width.
GUTTER_SEARCH = (0.2, 0.8)
#: The header is looked for in this top share of the text's height.
HEADER_HEIGHT_SHARE = 0.45
#: A channel narrower than this many character heights is a space between words, not a gutter.
MIN_GUTTER_IN_HEIGHTS = 0.5


@dataclass(frozen=True)
class TextLine:
    """Words read as one line, left to right, with the box around them."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def right(self) -> int:
        return max(w.left + w.width for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.top + w.height for w in self.words)

    @property
    def height(self) -> int:
        return int(np.median([w.height for w in self.words]))

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True)
class Header:
    """The header's left column (agency, number, a letter's subject) and right column (motto, place and date).

    `rest` is every line below the header, top to bottom; without a two-column header, all lines are there.
    """

    left: list[TextLine]
    right: list[TextLine]
    rest: list[TextLine]


def page_lines(words: list[Word]) -> list[TextLine]:
    """Tesseract's lines, top to bottom, each left to right; lines on one row left to right.

    On a photographed page a row may come as two lines whose tops differ by a few pixels ("NHÂN DÂN" a
    little higher than "ỦY BAN" before it): on the same row, the one further left comes first.
    """
    lines = [TextLine(tuple(sorted(group, key=lambda w: w.left))) for group in lines_of(words)]
    return [line for row in in_rows(lines) for line in row]


def in_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """The lines in rows, top to bottom, each row left to right; a line is in a row when it shares a row with
    one of its lines (`same_row`)."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda line: (line.top, line.left)):
        if rows and any(same_row(other, line) for other in rows[-1]):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda line: line.left) for row in rows]


def same_row(one: TextLine, other: TextLine) -> bool:
    """True when each line's vertical middle lies within the other's height."""
    middle = (one.top + one.bottom) / 2
    other_middle = (other.top + other.bottom) / 2
    return other.top <= middle <= other.bottom and one.top <= other_middle <= one.bottom


#: A word tesseract read below this confidence is nothing sure: handwriting, a signature's stroke, a speck.
SCRAWL_CONFIDENCE = 30.0


def without_scrawls(line: TextLine) -> TextLine:
    """The line without its words read as nothing sure."""
    return TextLine(tuple(word for word in line.words if word.confidence >= SCRAWL_CONFIDENCE))


def is_scrawl(line: TextLine) -> bool:
    """A line tesseract read as nothing sure ("Vựz" at 0): handwriting, or a speck."""
    return not without_scrawls(line).words


def without_scrawl_before(line: TextLine, kept: Callable[[str], bool]) -> TextLine:
    """The line without the words before it read as nothing sure, unless `kept` keeps them: a signature's stroke
    ("INw Lê Xuân Hải"), a speck before an agency ("an... HUYỆN NGA SƠN")."""
    words = list(line.words)
    while len(words) > 1 and words[0].confidence < SCRAWL_CONFIDENCE and not kept(words[0].text):
        words.pop(0)
    return TextLine(tuple(words))


def is_upper(line: str) -> bool:
    """True for a line in capitals (an agency, a title): nine letters in ten at least."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)


def split_header(lines: list[TextLine]) -> Header:
    """The header's two columns, split at the gutter that no header word crosses; see the module docstring.

    A header starts with capitals (the agency, the motto): a note written above it ("Lưu hồ sơ") is no part of
    it, and must not hide the gutter; it stays in `rest`.
    """
    notes = list(takewhile(lambda line: not is_upper(line.text), lines[:3]))
    body = [line for line in lines[len(notes) :] if not _speck(line)]
    header = _split_header(body)
    if not header.left and (apart := _national_name_apart(body)):
        header = _split_header(*apart)
    if not header.left:
        return Header([], [], lines)
    # a speck beside the header ("r", "-" from a stamp) must not end it; below it, it stays in its place
    below, bottom = set(header.rest), max(line.bottom for line in header.left + header.right)
    rest = [line for line in lines[len(notes) :] if line in below or (_speck(line) and line.top > bottom)]
    return Header(header.left, header.right, notes + rest)


def _speck(line: TextLine) -> bool:
    return sum(ch.isalnum() for ch in line.text) < 2


def _national_name_apart(lines: list[TextLine]) -> tuple[list[TextLine], tuple[int, int]] | None:
    """The space between an agency and "CỘNG HÒA …" read on one line: the right column starts there.

    When the agency's last word reaches into the national name ("THANH 1HÓA" over "CỘNG" by a pixel, a stroke
    read as "1" widened it), its box is cut back to leave a gutter of two pixels.
    """
    for number, line in enumerate(lines[:2]):
        folded = [fold_diacritics(word.text) for word in line.words]
        for index in range(1, len(folded) - 1):
            if folded[index : index + 2] != ["cong", "hoa"]:
                continue
            before, national = line.words[index - 1], line.words[index]
            start = before.left + before.width
            if national.left - start >= 2:
                return lines, (start, national.left)
            if national.left - start < -national.height // 2 or national.left - 2 <= before.left:
                return None  # a real overlap, not a touch
            cut = replace(before, width=national.left - 2 - before.left)
            words = (*line.words[: index - 1], cut, *line.words[index:])
            return [*lines[:number], TextLine(words), *lines[number + 1 :]], (national.left - 2, national.left)
    return None


def _split_header(lines: list[TextLine], gap: tuple[int, int] | None = None) -> Header:
    """The header's columns at the widest gutter, or, given the `gap` before the national name, at that gap."""
    if not lines:
        return Header([], [], [])
    left_edge, right_edge = min(line.left for line in lines), max(line.right for line in lines)
    top_edge, bottom_edge = lines[0].top, max(line.bottom for line in lines)
    span = max(1, right_edge - left_edge)
    free = np.ones(span, dtype=bool)
    search = slice(int(span * GUTTER_SEARCH[0]), int(span * GUTTER_SEARCH[1]))
    narrowest = float("inf")
    if gap is not None:
        search, narrowest = slice(gap[0] - left_edge, gap[1] - left_edge), max(2, (gap[1] - gap[0]) / 2)
    header_end, boundary, dated, smallest = 0, None, False, float("inf")
    for index, line in enumerate(lines):
        if line.top - top_edge > HEADER_HEIGHT_SHARE * (bottom_edge - top_edge):
            break
        if dated and boundary is not None and line.right > boundary + 2 * line.height:
            break  # below the place and date only the left column goes on (a letter's "V/v" lines, which may
            # reach a little past the gutter)
        trial = free.copy()
        for word in line.words:
            trial[max(0, word.left - left_edge) : word.left + word.width - left_edge] = False
        smallest = min(smallest, line.height)  # a taller line below must not ask for a wider gutter than is left
        channel = _widest_channel(trial[search], min(narrowest, MIN_GUTTER_IN_HEIGHTS * smallest))
        if channel is None:
            break
        free, header_end = trial, index + 1
        boundary = left_edge + search.start + channel
        # a day left blank for a hand may break the date line in two on one row ("Tam Điệp, ngày" "tháng 01 …")
        row = lines[index - 1].text + " " + line.text if index and same_row(lines[index - 1], line) else ""
        dated = dated or is_date_line(line.text) or is_date_line(row)
    if boundary is None or header_end < 2:
        return Header([], [], lines)
    left, right = [], []
    for line in lines[:header_end]:
        left_words = tuple(w for w in line.words if w.left + w.width / 2 < boundary)
        right_words = tuple(w for w in line.words if w.left + w.width / 2 >= boundary)
        left += [TextLine(left_words)] if left_words else []
        right += [TextLine(right_words)] if right_words else []
    if not left or not right:
        return Header([], [], lines)
    return Header(left, right, lines[header_end:])


def _widest_channel(free: np.ndarray, min_width: float) -> int | None:
    """The middle of the widest run of free columns, if it is at least `min_width` wide."""
    padded = np.concatenate(([False], free, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[::2], edges[1::2]
    if len(starts) == 0:
        return None
    widest = int(np.argmax(ends - starts))
    if ends[widest] - starts[widest] < min_width:
        return None
    return int((starts[widest] + ends[widest]) // 2)


def follows_closely(above: TextLine, below: TextLine) -> bool:
    """True when `below` goes on with `above`'s block: the gap between them is no taller than a line.

    A subject's lines are set tight; the body starts after a wider gap (a rule, a blank line).
    """
    return below.top - above.bottom <= max(above.height, below.height)


#: Digits this much taller, and wider per digit, than the printed words of their line were written by hand
#: (either alone is too common in print: a small scan's box may take in a mark or a rule below).
HAND_SCALE = 1.45


def written_by_hand(digits: Word, line: TextLine) -> bool:
    """True when a word of digits is much larger than the line's printed digits and capitals: a number or a
    day filled in by hand where the form left a blank ("2" of 43×49 px beside a printed "3" of 18×27 px).

    Tesseract reads such digits as print, often wrongly and with high confidence. Without printed digits or
    capitals on the line to compare with, nothing is said.
    """
    printed = [w for w in line.words if w is not digits and _digits_or_capitals(w.text)]
    if not printed or not digits.text:
        return False
    height = float(np.median([w.height for w in printed]))
    per_character = float(np.median([w.width / len(w.text) for w in printed]))
    return digits.height > HAND_SCALE * height and digits.width / len(digits.text) > HAND_SCALE * per_character


def _digits_or_capitals(text: str) -> bool:
    """Printed digits or capitals without marks ("2024", "/SGDĐT-VP"): a digit's height, about its width."""
    letters = [ch for ch in text if ch.isalnum()]
    return len(letters) >= 2 and all(ch.isdigit() or "A" <= ch <= "Z" or ch == "Đ" for ch in letters)


def lines_from_text(text: str) -> list[TextLine]:
    """Lines from plain text (no boxes): each line stacked below the last, every word fully confident."""
    lines = []
    for row, line in enumerate(line for line in text.splitlines() if line.strip()):
        x, words = 0, []
        for token in line.split():
            words.append(Word(token, x, row * 40, 20 * len(token), 30, 96.0, 1, 1, row + 1))
            x += 20 * len(token) + 20
        lines.append(TextLine(tuple(words)))
    return lines


#: The place-and-date line, folded: "Hà Nội, ngay 05 thang 01 nam 2020" (its comma may be read as a stop), or with
#: digits "Hà Nội, 05/01/2020".
#: The day and the month may be missing: left blank for a hand to fill in, and the hand not read or read as marks
#: ("ngày Íổ tháng 9"). A year read with five digits keeps the place; the date is no date. Between the day and the
#: month, "tháng" may be read a letter off ("thủng"); a digit of the day or month may be read as a letter ("l6").
PLACE_DATE = re.compile(
    r"(?P<place>[^,;]{2,40})[,.]\s*ngay\s*(?:(?P<d>\d{1,2}|[lio]\d|\d[lio])|[^\s\d]{1,3})?\s*"
    r"th[a-z]{1,2}ng\s*(?:(?P<m>\d{1,2}|[lio]\d|\d[lio])|[^\s\d]{1,3})?\s*nam\s+(?P<y>\d{4,5})"
)
PLACE_DATE_DIGITS = re.compile(
    r"(?P<place>[^,;0-9]{2,40}),\s*(?:ngay\s+)?(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})\s*$"
)


#: The place-and-date line with its end lost (a photo's edge, a stamp): "Nghệ An, ngày 13 tháng 03 năm".
PLACE_DATE_CUT = re.compile(r"[^,;]{2,40}[,.]\s*ngay\s*\d{0,2}\s*thang\b")


def is_date_line(text: str) -> bool:
    """True for the place-and-date line of a Decree 30 header (the last line of its right column)."""
    folded = fold_diacritics(text)
    return any(pattern.search(folded) for pattern in (PLACE_DATE, PLACE_DATE_DIGITS, PLACE_DATE_CUT))
