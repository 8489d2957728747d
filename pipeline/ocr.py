"""Orientation and text recognition of one page, on images cleaned for OCR only."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from pipeline import tesseract
from pipeline.images import flatten_lighting, resample
from pipeline.reading_order import reading_order
from pipeline.tesseract import CallStats, Orientation, TesseractConfig, Word, lines_of


@dataclass(frozen=True)
class OcrResult:
    """Words in the coordinates of the image given to `recognise`, with the page text and confidence."""

    words: list[Word]
    text: str
    confidence: float | None
    calls: list[CallStats] = field(default_factory=list)


def encode_pgm(grey: np.ndarray) -> bytes:
    """A binary PGM: no compression cost, and tesseract reads it from stdin."""
    header = f"P5\n{grey.shape[1]} {grey.shape[0]}\n255\n".encode()
    return header + np.ascontiguousarray(grey, dtype=np.uint8).tobytes()


def detect_orientation(grey_small: np.ndarray, dpi: float, config: TesseractConfig) -> tuple[Orientation, CallStats]:
    """Tesseract OSD on a low-resolution greyscale page."""
    output, stats = tesseract.run(
        tesseract.osd_args(config, dpi=round(dpi)), encode_pgm(grey_small), timeout_s=config.timeout_s
    )
    return tesseract.parse_osd(output), stats


def binarize_for_ocr(grey: np.ndarray) -> np.ndarray:
    """Black text on white for tesseract: light denoising, then Otsu's global threshold."""
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)
    _, binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return binary


#: Below this resolution a scan is evened out, enlarged in greyscale and left for tesseract to binarize: a
#: global threshold on letters interpolated from 80-dpi pixels breaks their strokes and drops their diacritics.
LOW_RESOLUTION_DPI = 150


def prepare_for_ocr(grey: np.ndarray, dpi: float, ocr_dpi: int) -> tuple[np.ndarray, float]:
    """Resample to the OCR resolution (small print needs ~300 dpi) and binarize; returns the scale used.

    A low-resolution scan (a phone, a fast scanner) is first evened out: tesseract's own global threshold
    loses whole lines in a darkened corner (16 % CER on a held-out 90-dpi letter, 1 % evened out).
    """
    scale = ocr_dpi / dpi
    if dpi < LOW_RESOLUTION_DPI:
        return resample(flatten_lighting(grey, dpi), scale), scale
    return binarize_for_ocr(resample(grey, scale)), scale


def recognise(binary: np.ndarray, dpi: int, config: TesseractConfig, *, psm: int = 3) -> OcrResult:
    """One tesseract call: words, boxes, confidences, and the text assembled from them."""
    args = tesseract.ocr_args(config, dpi=dpi, psm=psm)
    output, stats = tesseract.run(args, encode_pgm(binary), timeout_s=config.timeout_s)
    words = reading_order([_nfc_word(w) for w in tesseract.parse_tsv(output)], noise=is_noise)
    return OcrResult(words=words, text=words_to_text(words), confidence=mean_confidence(words), calls=[stats])


#: Punctuation that stands alone in Vietnamese documents ("- Như trên;", "./."); other lone symbols
#: are specks, seal or signature remnants read as characters.
LONE_PUNCTUATION = frozenset({"-", "–", "+", "*", ".", ",", ";", ":", "./.", "/.", "(", ")", "…", "%", "/", "=", "&"})
MIN_WORD_CONFIDENCE = 30.0
MIN_LONE_CHARACTER_CONFIDENCE = 75.0


def is_noise(word: Word) -> bool:
    """A recognised "word" that is really a mark: a lone symbol, or a character or two tesseract doubts."""
    if len(word.text) <= 2 and word.confidence < MIN_WORD_CONFIDENCE:
        return True
    if len(word.text) == 1 and word.confidence < MIN_LONE_CHARACTER_CONFIDENCE:
        return True
    return not any(ch.isalnum() for ch in word.text) and word.text not in LONE_PUNCTUATION


def _nfc_word(word: Word) -> Word:
    # Vietnamese has no eth: tesseract's "Ð" is "Đ", and "ĐÐ" is one "Đ" read twice.
    text = unicodedata.normalize("NFC", word.text).replace("ĐÐ", "Đ").replace("Ð", "Đ").replace("ð", "đ")
    return word if text == word.text else Word(**{**word.__dict__, "text": text})


def words_to_text(words: Iterable[Word]) -> str:
    """Lines joined by newlines, blocks separated by a blank line, in tesseract's reading order."""
    out: list[str] = []
    previous: tuple[int, int, int] | None = None
    for word in words:
        key = (word.block, word.paragraph, word.line)
        if previous is None:
            out.append(word.text)
        elif key == previous:
            out.append(" " + word.text)
        else:
            out.append("\n\n" if word.block != previous[0] else "\n")
            out.append(word.text)
        previous = key
    return "".join(out)


def mean_confidence(words: list[Word]) -> float | None:
    """Word confidence weighted by word length, 0 to 1; None when there are no words."""
    weight = sum(len(w.text) for w in words)
    if weight == 0:
        return None
    return round(sum(w.confidence * len(w.text) for w in words) / weight / 100, 4)


def scale_words(words: list[Word], factor: float) -> list[Word]:
    """Word boxes in another image's pixels (e.g. from the 300-dpi OCR image back to the scan)."""
    if abs(factor - 1.0) < 1e-6:
        return words
    return [
        Word(
            **{
                **w.__dict__,
                "left": round(w.left * factor),
                "top": round(w.top * factor),
                "width": max(1, round(w.width * factor)),
                "height": max(1, round(w.height * factor)),
            }
        )
        for w in words
    ]


#: The Decree 30 header sits in the top quarter of page 1: agency and number left, motto and date right.
HEADER_HEIGHT_SHARE = 0.25


def read_header_regions(binary: np.ndarray, dpi: int, config: TesseractConfig) -> OcrResult:
    """Read the header's left and right halves as blocks of their own (psm 6).

    A page-wide pass can drop a short line such as "Số: 2623/GPXD" at 200 dpi; read as a block of
    its own, the same line comes back.
    """
    height, width = binary.shape[:2]
    top = binary[: int(height * HEADER_HEIGHT_SHARE)]
    left, right = (
        recognise(top[:, : width // 2], dpi, config, psm=6),
        recognise(top[:, width // 2 :], dpi, config, psm=6),
    )
    text = "\n\n".join(part.text for part in (left, right) if part.text)
    return OcrResult(words=[], text=text, confidence=None, calls=[*left.calls, *right.calls])


#: Words read again in a region of the page are given block numbers from this one, after any tesseract gives.
REREAD_BLOCK = 10_000
#: A word read again below this confidence is taken for a stroke of a seal or a signature.
MIN_REREAD_CONFIDENCE = 50.0


def read_region(
    binary: np.ndarray,
    box: tuple[int, int, int, int],
    dpi: int,
    config: TesseractConfig,
    known: list[Word],
    *,
    psm: int = 11,
    block: int = REREAD_BLOCK,
    min_confidence: float = MIN_REREAD_CONFIDENCE,
) -> OcrResult:
    """Read `box` of the page again (sparse text, psm 11, by default): its words in the page's pixels.

    Words already among `known` (boxes overlapping by half) are left out, so the region adds only what the
    page-wide reading skipped. The words are numbered into lines of their own, in block `block`.
    """
    left, top, right, bottom = box
    height, width = binary.shape[:2]
    crop = binary[top : min(bottom, height), left : min(right, width)]
    if crop.size == 0:
        return OcrResult(words=[], text="", confidence=None)
    read = recognise(crop, dpi, config, psm=psm)
    found = [replace(w, left=w.left + left, top=w.top + top) for w in read.words if w.confidence >= min_confidence]
    found = [w for w in found if not any(_overlap(w, k) > 0.5 for k in known)]
    # a sparse reading puts each word on a line of its own; a block reading keeps tesseract's lines, which
    # hold a photo's slanted line together
    words = _rows(found, block) if psm == 11 else _numbered(lines_of(found), block)
    return OcrResult(words=words, text=words_to_text(words), confidence=mean_confidence(words), calls=read.calls)


def _rows(words: list[Word], block: int) -> list[Word]:
    """Words of a sparse reading (each a line of its own) numbered into lines: by their vertical centres, top
    to bottom, and apart where a row has a gap wider than three word heights (the recipients' list and the
    signer's block side by side)."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.top + w.height / 2):
        centre = word.top + word.height / 2
        if rows and abs(centre - (rows[-1][0].top + rows[-1][0].height / 2)) < 0.6 * rows[-1][0].height:
            rows[-1].append(word)
        else:
            rows.append([word])
    return _numbered(rows, block)


def _numbered(rows: list[list[Word]], block: int) -> list[Word]:
    """The rows' words numbered as lines of `block`, a row parted where a gap is wider than three word heights."""
    numbered, line = [], 0
    for row in rows:
        previous = None
        for word in sorted(row, key=lambda w: w.left):
            if previous is None or word.left - (previous.left + previous.width) > 3 * max(word.height, 1):
                line += 1
            numbered.append(replace(word, block=block, paragraph=1, line=line))
            previous = word
    return numbered


def replaced(words: list[Word], better: list[Word]) -> list[Word]:
    """`words` without those a more confident reading in `better` now covers (by half of their box)."""
    return [w for w in words if not any(b.confidence > w.confidence and _overlap(w, b) > 0.5 for b in better)]


def _overlap(word: Word, other: Word) -> float:
    """The share of `word`'s box that `other` covers."""
    dx = min(word.left + word.width, other.left + other.width) - max(word.left, other.left)
    dy = min(word.top + word.height, other.top + other.height) - max(word.top, other.top)
    return max(0, dx) * max(0, dy) / max(1, word.width * word.height)
