"""Synthetic scans of Vietnamese administrative documents, with ground truth.

Renders A4 pages in the Decree 30/2020/NĐ-CP layout (decisions, construction
permits, certificates, marital-status confirmations, notices, criminal-record
cards), degrades them like a scanner and keeps what was printed as
:class:`Truth`: every text line in reading order plus the document metadata.

Library::

    doc = make_document("decision", seed=7, skew_deg=3.0, noise=0.4)
    doc.pages[0].save("p.png", dpi=(300, 300)); doc.truth.page_text(0)

CLI::

    python -m samples.generate OUT_DIR --count N --seed S [--dpi 300]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image

from samples.compose import render
from samples.content import Content
from samples.degrade import QUARTER_TURNS, degrade
from samples.documents import KINDS, build_content
from samples.layout import FONTS

__all__ = [
    "FONTS",
    "KINDS",
    "Document",
    "Truth",
    "degrade",
    "make_document",
    "render_document",
    "save_pages",
    "write_corpus",
]

FORMATS = ("png", "jpg", "tiff", "pdf")
MetaValue = str | int | None


@dataclass(frozen=True)
class Truth:
    """What is printed on a synthetic document and how it was degraded."""

    kind: str
    font: str
    dpi: int
    skew_deg: float  # skew applied, counter-clockwise positive (degrees)
    rotation_deg: int  # quarter turn applied, counter-clockwise: 0/90/180/270
    lines: list[list[str]]  # per page: printed text lines in reading order, NFC
    metadata: dict[str, MetaValue]

    def page_text(self, page_index: int) -> str:
        """The page's lines joined by newlines."""
        return "\n".join(self.lines[page_index])

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (see :meth:`from_json`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Truth:
        """Inverse of :meth:`to_json`."""
        return cls(
            kind=data["kind"],
            font=data["font"],
            dpi=int(data["dpi"]),
            skew_deg=float(data["skew_deg"]),
            rotation_deg=int(data["rotation_deg"]),
            lines=[list(page) for page in data["lines"]],
            metadata=dict(data["metadata"]),
        )


@dataclass
class Document:
    """Rendered (and possibly degraded) RGB pages with their ground truth."""

    pages: list[Image.Image]
    truth: Truth


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def metadata_of(content: Content, page_amount: int) -> dict[str, MetaValue]:
    """The metadata truth of a document."""
    prefix, title, name = content.signer
    fields: dict[str, MetaValue] = {
        "type_name": content.type_name,
        "document_number": f"{content.number}/{content.notation}",
        "code_number": content.number,
        "code_notation": content.notation,
        "issued_date": content.issued.isoformat(),
        "place": content.organ.place,
        "organ_name": content.organ.name,
        "parent_organ_name": content.organ.parent,
        "subject": content.subject,
        "signer_name": name,
        "signer_title": " ".join(part for part in (prefix, title) if part),
        "holder_name": content.holder_name,
        "holder_id": content.holder_id,
        "valid_until": content.valid_until.isoformat() if content.valid_until else None,
        "language": "vi",
        "page_amount": page_amount,
    }
    return {key: _nfc(value) if isinstance(value, str) else value for key, value in fields.items()}


def render_document(
    kind: str, *, seed: int, dpi: int = 300, font: str = "liberation", parent_organ: bool = True, pages: int = 1
) -> Document:
    """Clean pages (no seal, skew 0, rotation 0) of a random document of ``kind``.

    The signer's page carries ``info[samples.layout.SEAL_KEY]`` telling :func:`degrade`
    where to stamp the seal and draw the signature.  ``pages`` is the exact page
    count: the body grows (more list items) or shrinks (optional paragraphs) to fit.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    if font not in FONTS:
        raise ValueError(f"unknown font {font!r}; expected one of {tuple(FONTS)}")
    if pages < 1 or not 72 <= dpi <= 1200:
        raise ValueError(f"need pages >= 1 and 72 <= dpi <= 1200, got pages={pages}, dpi={dpi}")
    content = build_content(kind, random.Random(f"content:{kind}:{seed}"), parent_organ)
    rendered = render(content, dpi=dpi, family=font, pages=pages, rng=random.Random(f"layout:{kind}:{seed}"))
    lines = [[_nfc(line) for line in page] for page in rendered.lines]
    truth = Truth(kind, font, dpi, 0.0, 0, lines, metadata_of(content, len(rendered.pages)))
    return Document(rendered.pages, truth)


def make_document(
    kind: str,
    *,
    seed: int,
    dpi: int = 300,
    font: str = "liberation",
    parent_organ: bool = True,
    pages: int = 1,
    skew_deg: float = 0.0,
    rotation_deg: int = 0,
    noise: float = 0.0,
) -> Document:
    """Render, then stamp, sign, skew, turn and add noise; truth records skew and turn."""
    clean = render_document(kind, seed=seed, dpi=dpi, font=font, parent_organ=parent_organ, pages=pages)
    degraded = [
        degrade(page, skew_deg=skew_deg, rotation_deg=rotation_deg, noise=noise, seed=seed * 1009 + index, seal=True)
        for index, page in enumerate(clean.pages)
    ]
    truth = replace(clean.truth, skew_deg=float(skew_deg), rotation_deg=int(rotation_deg))
    return Document(degraded, truth)


# ----------------------------------------------------------------------------- writing


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


def write_corpus(
    out_dir: Path,
    count: int,
    seed: int,
    *,
    dpi: int = 300,
    max_skew: float = 7.0,
    quarter_turn_share: float = 0.25,
    noise: float = 0.5,
    formats: Sequence[str] = ("png",),
) -> list[Path]:
    """Write ``count`` degraded documents as NAME.<format> plus NAME.truth.json.

    Kinds cycle; fonts, parent-agency lines, skew (uniform in ±``max_skew``) and
    quarter turns (a ``quarter_turn_share`` of documents, 90/180/270) vary with
    the seed.  PNG/JPEG documents have one page; TIFF/PDF ones one or two.
    Returns the image paths in order.
    """
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {tuple(formats)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    first_kind = rng.randrange(len(KINDS))
    written: list[Path] = []
    for index in range(count):
        kind = KINDS[(first_kind + index) % len(KINDS)]
        fmt = formats[index % len(formats)]
        turned = rng.random() < quarter_turn_share
        doc = make_document(
            kind,
            seed=rng.randrange(2**31),
            dpi=dpi,
            font=rng.choice(sorted(FONTS)),
            parent_organ=rng.random() < 0.5,
            pages=rng.choice((1, 2)) if fmt in ("tiff", "pdf") else 1,
            skew_deg=round(rng.uniform(-max_skew, max_skew), 2),
            rotation_deg=rng.choice(QUARTER_TURNS[1:]) if turned else 0,
            noise=noise,
        )
        name = f"{index:04d}-{kind}"
        written.append(save_pages(doc.pages, out_dir / f"{name}.{fmt}", dpi, png_compress_level=1))
        write_truth(doc.truth, out_dir / f"{name}.truth.json")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a corpus."""
    parser = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--max-skew", type=float, default=7.0)
    parser.add_argument("--quarter-turn-share", type=float, default=0.25)
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--formats", default="png", help=f"comma-separated, from {','.join(FORMATS)}")
    args = parser.parse_args(argv)
    paths = write_corpus(
        args.out_dir,
        args.count,
        args.seed,
        dpi=args.dpi,
        max_skew=args.max_skew,
        quarter_turn_share=args.quarter_turn_share,
        noise=args.noise,
        formats=tuple(part.strip() for part in args.formats.split(",") if part.strip()),
    )
    for path in paths:
        print(path)
    print(f"{len(paths)} documents written to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
