"""Bad input files made on the spot: decompression bombs and PDFs carrying a stale text layer."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.pdf import PdfInfo, PdfPage, build_searchable_pdf
from pipeline.tesseract import Word


def write_png_bomb(path: Path, width: int = 40_000, height: int = 40_000) -> None:
    """A small PNG that claims width×height 1-bit pixels (1.6 gigapixels by default)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + width // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def write_pdf_with_stale_text(path: Path, page: Image.Image, dpi: int, stale: str) -> None:
    """A scanner-style PDF of `page` whose invisible text layer says `stale` instead of the page's words."""
    bgr = cv2.cvtColor(np.asarray(page.convert("RGB")), cv2.COLOR_RGB2BGR)
    jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
    words = [Word(text, 200 + 300 * i, 400, 250, 60, 90.0, 1, 1, 1) for i, text in enumerate(stale.split())]
    pdf_page = PdfPage(jpeg, bgr.shape[1], bgr.shape[0], dpi, grey=False, words=words)
    build_searchable_pdf([pdf_page], PdfInfo(title="scan"), path)
