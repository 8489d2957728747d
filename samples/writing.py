"""Writing synthetic documents to files: images and PDFs with or without a resolution, truth JSON.

:func:`save_pages` always records the resolution (PNG pHYs, JPEG JFIF, TIFF
tags, PDF page size).  :func:`save_document` follows a document's capture
profile: no resolution for untagged captures, its JPEG quality, CCITT group 4
for bilevel pages.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from PIL import Image

if TYPE_CHECKING:
    from samples.generate import Document, Truth


def _pdf(pages: Sequence[Image.Image], path: Path, dpi: int, quality: int) -> None:
    """A PDF whose pages are JPEG images at exactly ``dpi`` (page size = image size)."""
    pdf = pikepdf.new()
    for page in pages:
        grey = page.mode == "L"
        image = page if grey else page.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
        xobject = pikepdf.Stream(
            pdf,
            buffer.getvalue(),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=image.width,
            Height=image.height,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
            ColorSpace=pikepdf.Name.DeviceGray if grey else pikepdf.Name.DeviceRGB,
        )
        width_pt, height_pt = image.width * 72 / dpi, image.height * 72 / dpi
        drawing = f"q {width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm /Im0 Do Q".encode()
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, width_pt, height_pt],
                    Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject)),
                    Contents=pikepdf.Stream(pdf, drawing),
                )
            )
        )
    pdf.save(path, deterministic_id=True)


def save_pages(
    pages: Sequence[Image.Image],
    path: Path,
    dpi: int,
    *,
    quality: int = 75,
    tiff_compression: str = "tiff_lzw",
    png_compress_level: int = 6,
) -> Path:
    """Write pages by the file suffix: .png/.jpg (one page), .tif/.tiff and .pdf (any number).

    The resolution is always recorded (PNG pHYs, JPEG JFIF, TIFF tags, PDF page size).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".png", ".jpg", ".jpeg") and len(pages) != 1:
        raise ValueError(f"{suffix} holds one page, got {len(pages)}")
    if suffix == ".png":
        pages[0].save(path, "PNG", dpi=(dpi, dpi), compress_level=png_compress_level)
    elif suffix in (".jpg", ".jpeg"):
        pages[0].save(path, "JPEG", dpi=(dpi, dpi), quality=quality, optimize=True)
    elif suffix in (".tif", ".tiff"):
        extra = {"quality": quality} if tiff_compression == "jpeg" else {}
        pages[0].save(
            path,
            "TIFF",
            dpi=(dpi, dpi),
            compression=tiff_compression,
            save_all=True,
            append_images=list(pages[1:]),
            **extra,
        )
    elif suffix == ".pdf":
        _pdf(pages, path, dpi, quality)
    else:
        raise ValueError(f"unsupported output format {suffix!r}")
    return path


def write_truth(truth: Truth, path: Path) -> Path:
    """Ground truth as pretty UTF-8 JSON."""
    path.write_text(json.dumps(truth.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def save_document(document: Document, path: Path, *, png_compress_level: int = 6) -> Path:
    """Write a document's pages the way its capture profile says (see :mod:`samples.profiles`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    truth, options = document.truth, document.save_options
    quality = int(options.get("quality", 75))
    pages = document.pages
    if suffix in (".jpg", ".jpeg") and pages[0].mode == "1":
        pages = [page.convert("L") for page in pages]
    if truth.dpi_tagged:
        compression = str(options.get("tiff_compression", "tiff_lzw"))
        return save_pages(
            pages, path, truth.dpi, quality=quality, tiff_compression=compression, png_compress_level=png_compress_level
        )
    if suffix not in (".png", ".jpg", ".jpeg") or len(pages) != 1:
        raise ValueError(f"an untagged capture is one PNG or JPEG page, not {len(pages)} page(s) as {suffix!r}")
    if suffix == ".png":
        pages[0].save(path, "PNG", compress_level=png_compress_level)
    else:
        pages[0].save(path, "JPEG", quality=quality, optimize=True)
    return path
