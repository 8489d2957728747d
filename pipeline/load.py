"""Load scans: sniff the format from the content, enforce limits, and decode one page at a time."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pikepdf
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError
from PIL import Image, UnidentifiedImageError

from pipeline.errors import InputRejected

A4_LONG_SIDE_IN = 297 / 25.4
#: A page narrower or shorter than this cannot hold a line of text: a business card at 50 dpi is 170×110.
MIN_SIDE_PX = 64
#: Our own pixel limit (Limits.max_page_pixels) is checked from the header before decoding.
Image.MAX_IMAGE_PIXELS = None

#: What Pillow raises on a damaged file (found by fuzzing, see tests/pipeline/test_load_fuzz.py): all mean
#: "this image cannot be read", never a fault of ours.
DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    TypeError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    struct.error,
)

MEDIA_TYPES = {
    b"%PDF-": "application/pdf",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


@dataclass(frozen=True)
class Limits:
    """What a single source file may be; beyond these it is refused before any decoding."""

    max_file_bytes: int = 1 << 30
    max_page_pixels: int = 150_000_000
    max_pages: int = 2000


@dataclass(frozen=True)
class SourceProbe:
    """The format and page count of a source file, learnt from headers only."""

    media_type: str
    page_count: int


@dataclass(frozen=True)
class LoadedPage:
    """One decoded page: colour pixels (BGR, uint8) and the resolution of the scan."""

    image: np.ndarray
    dpi: float
    dpi_from_file: bool


def sniff_media_type(head: bytes) -> str | None:
    """The media type from the first bytes of a file; the extension is never trusted."""
    # Some scanners write a few bytes of junk before %PDF-; PDF readers accept up to 1 KiB.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return next((media for magic, media in MEDIA_TYPES.items() if head.startswith(magic)), None)


def probe_source(path: Path, limits: Limits) -> SourceProbe:
    """Check a source file against the limits and count its pages without decoding any pixels."""
    size = path.stat().st_size
    if size == 0:
        raise InputRejected("the file is empty (0 bytes)", code="empty_file")
    if size > limits.max_file_bytes:
        raise InputRejected(
            f"the file is {size:,} bytes; the limit is {limits.max_file_bytes:,}", code="file_too_large"
        )
    with path.open("rb") as fh:
        head = fh.read(1024)
    media_type = sniff_media_type(head)
    if media_type is None:
        raise InputRejected(_describe_unknown(head), code="unsupported_format")
    count = _count_pdf_pages(path) if media_type == "application/pdf" else _count_image_pages(path, limits)
    if count == 0:
        raise InputRejected("the document has no pages", code="empty_document")
    if count > limits.max_pages:
        raise InputRejected(
            f"the document has {count:,} pages; the limit is {limits.max_pages:,}", code="too_many_pages"
        )
    return SourceProbe(media_type=media_type, page_count=count)


def load_page(path: Path, probe: SourceProbe, number: int, limits: Limits) -> LoadedPage:
    """Decode page `number` (1-based) at the scan's own resolution."""
    if probe.media_type == "application/pdf":
        return _load_pdf_page(path, number, limits)
    return _load_image_page(path, number, limits)


def _describe_unknown(head: bytes) -> str:
    looks_like_text = head and all(b >= 0x09 for b in head[:256]) and head[:256].decode("utf-8", "ignore").strip()
    kind = "a text file" if looks_like_text else "an unrecognised format"
    return f"not a PDF, TIFF, PNG or JPEG scan: the content is {kind}"


def _count_pdf_pages(path: Path) -> int:
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise InputRejected("the PDF is truncated: it has no end-of-file marker", code="truncated_pdf")
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError:
        raise InputRejected("the PDF is encrypted and needs a password to open", code="encrypted_pdf") from None
    except pikepdf.PdfError as exc:
        raise InputRejected(f"the PDF is damaged: {exc}", code="corrupt_pdf") from None


def _count_image_pages(path: Path, limits: Limits) -> int:
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
            for index in range(min(frames, limits.max_pages + 1)):
                img.seek(index)
                _check_pixels(img.size, limits, index + 1)
            return frames
    except DECODE_ERRORS as exc:
        raise InputRejected(f"the image cannot be read: {exc}", code="corrupt_image") from None


def _check_pixels(size: tuple[int, int], limits: Limits, number: int) -> None:
    if min(size) < MIN_SIDE_PX:
        raise InputRejected(
            f"page {number} is {size[0]:,}×{size[1]:,} pixels: too small to be a scanned page "
            f"(at least {MIN_SIDE_PX} on each side)",
            code="image_too_small",
            page=number,
        )
    pixels = size[0] * size[1]
    if pixels > limits.max_page_pixels:
        raise InputRejected(
            f"page {number} is {size[0]:,}×{size[1]:,} = {pixels:,} pixels; "
            f"the limit is {limits.max_page_pixels:,} (a likely decompression bomb)",
            code="image_too_large",
            page=number,
        )


def _load_image_page(path: Path, number: int, limits: Limits) -> LoadedPage:
    try:
        with Image.open(path) as img:
            first_dpi = img.info.get("dpi")  # later TIFF frames often repeat no resolution of their own
            img.seek(number - 1)
            _check_pixels(img.size, limits, number)
            dpi_info = img.info.get("dpi", first_dpi)
            rgb = _rgb(img)
    except DECODE_ERRORS as exc:
        raise InputRejected(f"page {number} cannot be decoded: {exc}", code="corrupt_image", page=number) from None
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    dpi = _usable_dpi(dpi_info)
    if dpi is None:
        return LoadedPage(bgr, _dpi_from_a4(bgr.shape), dpi_from_file=False)
    return LoadedPage(bgr, dpi, dpi_from_file=True)


def _rgb(img: Image.Image) -> np.ndarray:
    """8-bit RGB pixels of any mode: 16- and 32-bit greys scaled (not clipped white), transparency on white paper."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        grey = np.asarray(img, dtype=np.float64)
        top = float(grey.max()) if grey.size else 0.0
        scale = 255.0 / top if top > 255 else 1.0
        return cv2.cvtColor(np.clip(grey * scale, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        paper = Image.new("RGBA", img.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, img.convert("RGBA")).convert("RGB"))
    return np.asarray(img.convert("RGB"))


def _usable_dpi(dpi_info: object) -> float | None:
    """The horizontal resolution the file states, when it is plausible for a scan."""
    try:
        dpi = float(dpi_info[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return round(dpi, 1) if 50 <= dpi <= 2400 else None


def _dpi_from_a4(shape: tuple[int, ...]) -> float:
    return float(round(max(shape[:2]) / A4_LONG_SIDE_IN))


def _load_pdf_page(path: Path, number: int, limits: Limits) -> LoadedPage:
    dpi, width_in, height_in = _pdf_page_resolution(path, number)
    max_dpi = (limits.max_page_pixels / max(width_in * height_in, 1e-6)) ** 0.5
    dpi = min(dpi, max_dpi)
    try:
        images = convert_from_path(path, dpi=dpi, first_page=number, last_page=number, timeout=300)
    except (PDFPageCountError, PDFSyntaxError, OSError) as exc:
        raise InputRejected(
            f"page {number} of the PDF cannot be rendered: {exc}", code="corrupt_pdf", page=number
        ) from None
    if not images:
        raise InputRejected(f"page {number} of the PDF rendered nothing", code="corrupt_pdf", page=number)
    _check_pixels(images[0].size, limits, number)
    rgb = np.asarray(images[0].convert("RGB"))
    return LoadedPage(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), round(dpi, 1), dpi_from_file=True)


def _pdf_page_resolution(path: Path, number: int) -> tuple[float, float, float]:
    """The resolution of the largest image on the page, or 300 dpi for pages without one."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[number - 1]
        box = page.mediabox
        width_in, height_in = abs(float(box[2] - box[0])) / 72, abs(float(box[3] - box[1])) / 72
        best = 0.0
        for _, raw in page.get_images().items():
            try:
                px_w, px_h = int(raw.get("/Width", 0)), int(raw.get("/Height", 0))
            except (TypeError, ValueError):  # a damaged image dictionary: its size says nothing
                continue
            long_px, short_px = max(px_w, px_h), min(px_w, px_h)
            long_in, short_in = max(width_in, height_in), min(width_in, height_in)
            best = max(best, min(long_px / max(long_in, 1e-6), short_px / max(short_in, 1e-6)))
    dpi = best if 72 <= best <= 1200 else 300.0
    return dpi, width_in, height_in
