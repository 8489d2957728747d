"""Text the page-wide reading left out, read again: the signer's name under a seal, lines no word covers.

Tesseract's page layout can drop what a seal or a signature touches, and on enlarged low-resolution scans
and phone photos whole regions (the motto, a paragraph, the recipients' list). Each such area is read again
on its own and its words join the page's, in reading order, replacing garbled words they cover. A page
whose text was all read pays for no second reading.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pipeline.coverage import covers, unread_lines
from pipeline.layout import TextLine, page_lines
from pipeline.names import as_family_name
from pipeline.ocr import REREAD_BLOCK, OcrResult, is_noise, read_region, replaced, words_to_text
from pipeline.people import lost_family_name_area, unread_signer_name
from pipeline.reading_order import reading_order
from pipeline.tesseract import CallStats, TesseractConfig, Word, lines_of
from schemas.record import ReadAgain

#: At most this many regions of a page are read again (a page covered in handwriting is not read line by line).
MAX_REGIONS = 12


def with_unread_text(
    ocr: OcrResult, binary: np.ndarray, dpi: int, config: TesseractConfig
) -> tuple[OcrResult, list[ReadAgain]]:
    """The page's words completed where the page-wide pass skipped text, and what was read again.

    The signer's name under a title with no name is read as sparse text (a seal or a signature touches it);
    then each block of line-shaped ink no word covers (`pipeline.coverage`) is read as a block of text; last,
    the family name a signer's name of two words lost is looked for just before it.
    """
    if not ocr.words:
        return ocr, []
    read_again: list[ReadAgain] = []
    words, calls = list(ocr.words), list(ocr.calls)
    box = unread_signer_name(page_lines(words))
    if box is not None:
        extra = read_region(binary, box, dpi, config, words)
        words, calls = merged(words, extra.words), [*calls, *extra.calls]
        read_again.append("signer_block")
    regions = unread_lines(binary, words)[:MAX_REGIONS]
    for number, region in enumerate(regions, start=1):
        read = [w for w in words if covers(w)]
        extra = read_region(binary, region, dpi, config, read, psm=6, block=REREAD_BLOCK + number)
        words, calls = merged(replaced(words, extra.words), extra.words), [*calls, *extra.calls]
    if regions:
        read_again.append("unread_lines")
    lost = lost_family_name_area(page_lines(words))
    if lost is not None:
        family, family_calls = _family_name(binary, *lost, dpi, config)
        words, calls = merged(words, family), [*calls, *family_calls]
        if "signer_block" not in read_again:
            read_again.append("signer_block")
    if not read_again:
        return ocr, []
    ordered = reading_order(words, noise=is_noise)
    return OcrResult(ordered, words_to_text(ordered), ocr.confidence, calls), read_again


def _family_name(
    binary: np.ndarray,
    box: tuple[int, int, int, int],
    name: TextLine,
    dpi: int,
    config: TesseractConfig,
) -> tuple[list[Word], list[CallStats]]:
    """The family name read just before `name`, however unsurely (a seal's edge is over it), when it spells one:
    as a single word, then as a block. Its confidence stays low: the name is left for review."""
    calls: list[CallStats] = []
    for psm in (8, 6):
        read = read_region(binary, box, dpi, config, list(name.words), psm=psm, min_confidence=0.0)
        calls += read.calls
        before = [w for w in read.words if w.left + w.width // 2 < name.left and as_family_name(w.text)]
        if before:
            word = max(before, key=lambda w: w.left)
            return [replace(word, text=str(as_family_name(word.text)), confidence=min(word.confidence, 40.0))], calls
    return [], calls


def merged(words: list[Word], extra: list[Word]) -> list[Word]:
    """`extra` (one region's words) put among `words`, in reading order.

    A word on the row of a line already read, and near it, joins that line (a number tesseract read garbled
    beside "Số:"); the rest form lines of their own, placed before the first line that starts below them.
    """
    lines = lines_of(words)
    alone: list[Word] = []
    for word in extra:
        line = next((line for line in lines if _beside(word, line)), None)
        if line is None:
            alone.append(word)
        else:
            line.append(replace(word, block=line[0].block, paragraph=line[0].paragraph, line=line[0].line))
    for new in lines_of(alone):
        top = min(w.top for w in new)
        at = next((i for i, line in enumerate(lines) if min(w.top for w in line) > top), len(lines))
        lines.insert(at, new)
    return [w for line in lines for w in line]


def _beside(word: Word, line: list[Word]) -> bool:
    """True when `word` sits on `line`'s row (a line no taller than one row), at most one and a half line
    heights from its ends (not across the header's gutter)."""
    top, bottom = min(w.top for w in line), max(w.top + w.height for w in line)
    centre = word.top + word.height / 2
    left, right = min(w.left for w in line), max(w.left + w.width for w in line)
    gap = max(left - (word.left + word.width), word.left - right, 0)
    one_row = bottom - top < 2 * float(np.median([w.height for w in line]))
    return one_row and top <= centre <= bottom and gap <= 1.5 * (bottom - top)
