"""Build the searchable PDF: each page the colour scan, under an invisible text layer placed on the words."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

from pipeline.tesseract import Word, lines_of

#: Every glyph of the invisible font advances half an em, so a word's width is set with Tz alone.
GLYPH_ADVANCE = 0.5
PRODUCER = "sohoa"


@dataclass(frozen=True)
class PdfPage:
    """One page for the PDF: a JPEG of the upright scan and the words in its pixel coordinates."""

    jpeg: bytes
    width_px: int
    height_px: int
    dpi: float
    grey: bool
    words: Sequence[Word]


@dataclass(frozen=True)
class PdfInfo:
    """Document-level metadata written to both XMP and the DocInfo dictionary."""

    title: str
    subject: str | None = None
    keywords: str | None = None
    language: str = "vi-VN"
    created: datetime | None = None


def build_searchable_pdf(pages: Sequence[PdfPage], info: PdfInfo, out: Path) -> None:
    """Write a PDF (1.7) whose pages are the scans, with the OCR text selectable and extractable."""
    pdf = Pdf.new()
    font = _invisible_font(pdf)
    for page in pages:
        _add_page(pdf, page, font)
    pdf.Root.Lang = pikepdf.String(info.language)
    _write_metadata(pdf, info)
    pdf.save(out, min_version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)


def _add_page(pdf: Pdf, page: PdfPage, font: Dictionary) -> None:
    width_pt, height_pt = page.width_px * 72 / page.dpi, page.height_px * 72 / page.dpi
    image = Stream(pdf, page.jpeg)
    image.Type, image.Subtype = Name.XObject, Name.Image
    image.Width, image.Height, image.BitsPerComponent = page.width_px, page.height_px, 8
    image.ColorSpace = Name.DeviceGray if page.grey else Name.DeviceRGB
    image.Filter = Name.DCTDecode
    content = f"q {width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm /Im0 Do Q\n".encode()
    content += text_layer(page.words, scale=72 / page.dpi, page_height_pt=height_pt)
    resources = Dictionary(XObject=Dictionary(Im0=image), Font=Dictionary(F0=font))
    pdf_page = pikepdf.Page(
        Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, width_pt, height_pt]),
            Resources=resources,
            Contents=pdf.make_stream(content),
        )
    )
    pdf.pages.append(pdf_page)


def text_layer(words: Sequence[Word], *, scale: float, page_height_pt: float) -> bytes:
    """Content stream operators that draw every word invisibly (render mode 3) over its box.

    Each word but the last of a line carries a trailing space stretched to the next word, so text
    extraction sees word breaks and selection runs continuously along the line.
    """
    if not words:
        return b""
    ops = ["BT", "3 Tr"]
    for line in lines_of(words):
        bottom = max(w.top + w.height for w in line)
        size = max(1.0, max(w.height for w in line) * scale)
        baseline = page_height_pt - bottom * scale + 0.2 * size
        ops.append(f"/F0 {size:.2f} Tf")
        for index, word in enumerate(line):
            last = index == len(line) - 1
            text = word.text if last else word.text + " "
            span_px = word.width if last else max(word.width, line[index + 1].left - word.left)
            stretch = 100 * span_px * scale / (len(text) * GLYPH_ADVANCE * size)
            ops.append(f"{stretch:.2f} Tz 1 0 0 1 {word.left * scale:.2f} {baseline:.2f} Tm <{_utf16_hex(text)}> Tj")
    ops.append("ET")
    return ("\n".join(ops) + "\n").encode("ascii")


def _utf16_hex(text: str) -> str:
    # The font maps CIDs to Unicode one to one; characters beyond the BMP cannot be one CID.
    return "".join(f"{ord(ch):04X}" if ord(ch) <= 0xFFFF else "FFFD" for ch in text)


@cache
def _glyphless_font_bytes() -> bytes:
    return files("pipeline").joinpath("data/glyphless.ttf").read_bytes()


def _invisible_font(pdf: Pdf) -> Dictionary:
    """A Type0 font whose CIDs are Unicode code points and whose single glyph draws nothing."""
    font_file = Stream(pdf, _glyphless_font_bytes())
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name.GlyphLessFont,
        Flags=5,
        FontBBox=Array([0, 0, 500, 1000]),
        ItalicAngle=0,
        Ascent=1000,
        Descent=0,
        CapHeight=1000,
        StemV=80,
        FontFile2=font_file,
    )
    cid_to_gid = Stream(pdf, zlib.compress(b"\x00\x01" * 65536))
    cid_to_gid.Filter = Name.FlateDecode
    descendant = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name.GlyphLessFont,
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=descriptor,
        DW=int(GLYPH_ADVANCE * 1000),
        CIDToGIDMap=cid_to_gid,
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=Name.GlyphLessFont,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([pdf.make_indirect(descendant)]),
            ToUnicode=pdf.make_stream(_identity_to_unicode()),
        )
    )


def _identity_to_unicode() -> bytes:
    ranges = "\n".join(f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF)
    count = 256 - 8
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
        # At most 100 entries per block, as the CMap format asks.
        *_bfrange_blocks(ranges.splitlines(), count),
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def _bfrange_blocks(entries: list[str], count: int) -> list[str]:
    out: list[str] = []
    for start in range(0, count, 100):
        block = entries[start : start + 100]
        out += [f"{len(block)} beginbfrange", *block, "endbfrange"]
    return out


def _write_metadata(pdf: Pdf, info: PdfInfo) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = info.title
        if info.subject:
            meta["dc:description"] = info.subject
        if info.keywords:
            meta["pdf:Keywords"] = info.keywords
        meta["dc:language"] = {info.language}
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
        if info.created is not None:
            meta["xmp:CreateDate"] = info.created.isoformat()
