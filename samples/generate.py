"""Synthetic scans of Vietnamese administrative documents, with ground truth.

Renders A4 pages in the Decree 30/2020/NĐ-CP layout (decisions, construction
permits, certificates, marital-status confirmations, notices, criminal-record
cards and, when asked for, công văn), degrades them like a scanner and keeps
what was printed as :class:`Truth`: every text line in reading order plus the
document metadata.  Opt-in ``variations`` (:mod:`samples.variations`) change
the layout, add pen and stamp marks, or capture the page differently (low
resolution without a tag, low JPEG quality, phone photo, 1-bit CCITT TIFF).

Library::

    doc = make_document("decision", seed=7, skew_deg=3.0, noise=0.4)
    doc.pages[0].save("p.png", dpi=(300, 300)); doc.truth.page_text(0)
    doc = make_document("official_letter", seed=7, variations=("handwritten_number", "jpeg_low"))
    save_document(doc, Path("letter.jpg"))

CLI::

    python -m samples.generate OUT_DIR --count N --seed S [--dpi 300] [--variations gutters,ccitt200]
"""

from __future__ import annotations

import argparse
import random
import sys
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from samples.compose import render
from samples.content import Content
from samples.degrade import QUARTER_TURNS, degrade
from samples.documents import ALL_KINDS, EXTRA_KINDS, KINDS, build_content
from samples.layout import FONTS
from samples.profiles import PROFILE_FORMATS, capture, render_dpi
from samples.variations import (
    HANDWRITTEN_FIELDS,
    PROFILES,
    VARIATIONS,
    check_variations,
    profile_of,
    variation_class,
)
from samples.vary import render_varied
from samples.writing import save_document, save_pages, write_truth

__all__ = [
    "ALL_KINDS",
    "EXTRA_KINDS",
    "FONTS",
    "KINDS",
    "VARIATIONS",
    "Document",
    "Truth",
    "degrade",
    "make_document",
    "render_document",
    "save_document",
    "save_pages",
    "write_corpus",
    "write_truth",
]

FORMATS = ("png", "jpg", "tiff", "pdf")
MetaValue = str | int | None
_OPTIONAL = {"variations": [], "handwritten_fields": [], "dpi_tagged": True}  # left out of JSON at these values


@dataclass(frozen=True)
class Truth:
    """What is printed on a synthetic document and how it was degraded."""

    kind: str
    font: str
    dpi: int  # resolution of the pages as stored (after any capture profile)
    skew_deg: float  # skew applied, counter-clockwise positive (degrees)
    rotation_deg: int  # quarter turn applied, counter-clockwise: 0/90/180/270
    lines: list[list[str]]  # per page: printed text lines in reading order, NFC
    metadata: dict[str, MetaValue]
    variations: list[str] = field(default_factory=list)  # variation names applied (samples.variations)
    handwritten_fields: list[str] = field(default_factory=list)  # metadata fields written by hand
    dpi_tagged: bool = True  # whether the file states its resolution

    def page_text(self, page_index: int) -> str:
        """The page's lines joined by newlines."""
        return "\n".join(self.lines[page_index])

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (see :meth:`from_json`); fields at their defaults are left out."""
        data = asdict(self)
        for name, default in _OPTIONAL.items():
            if data[name] == default:
                del data[name]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Truth:
        """Inverse of :meth:`to_json`; accepts truth files written before the optional fields existed."""
        return cls(
            kind=data["kind"],
            font=data["font"],
            dpi=int(data["dpi"]),
            skew_deg=float(data["skew_deg"]),
            rotation_deg=int(data["rotation_deg"]),
            lines=[list(page) for page in data["lines"]],
            metadata=dict(data["metadata"]),
            variations=list(data.get("variations", [])),
            handwritten_fields=list(data.get("handwritten_fields", [])),
            dpi_tagged=bool(data.get("dpi_tagged", True)),
        )


@dataclass
class Document:
    """Rendered (and possibly degraded) pages with their ground truth and how to store them."""

    pages: list[Image.Image]
    truth: Truth
    save_options: dict[str, Any] = field(default_factory=dict)  # for save_document: quality, tiff_compression


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
    kind: str,
    *,
    seed: int,
    dpi: int = 300,
    font: str = "liberation",
    parent_organ: bool = True,
    pages: int = 1,
    variations: Collection[str] = (),
) -> Document:
    """Clean pages (no seal, skew 0, rotation 0) of a random document of ``kind``.

    The signer's page carries ``info[samples.layout.SEAL_KEY]`` telling :func:`degrade`
    where to stamp the seal and draw the signature (and ``info[samples.marks.MARKS_KEY]``
    the pen and stamp marks of the variations).  ``pages`` is the exact page count:
    the body grows (more list items) or shrinks (optional paragraphs) to fit.
    ``variations`` are layout variations only (capture profiles need :func:`make_document`).
    """
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {ALL_KINDS}")
    if font not in FONTS:
        raise ValueError(f"unknown font {font!r}; expected one of {tuple(FONTS)}")
    if pages < 1 or not 72 <= dpi <= 1200:
        raise ValueError(f"need pages >= 1 and 72 <= dpi <= 1200, got pages={pages}, dpi={dpi}")
    names = check_variations(variations)
    if profile_of(names):
        raise ValueError(f"capture profile {profile_of(names)!r} applies in make_document, not render_document")
    content = build_content(kind, random.Random(f"content:{kind}:{seed}"), parent_organ)
    layout_rng = random.Random(f"layout:{kind}:{seed}")
    if not names:
        rendered = render(content, dpi=dpi, family=font, pages=pages, rng=layout_rng)
    else:
        content, rendered, names = render_varied(content, kind, seed, dpi=dpi, font=font, pages=pages, names=names)
    lines = [[_nfc(line) for line in page] for page in rendered.lines]
    truth = Truth(kind, font, dpi, 0.0, 0, lines, metadata_of(content, len(rendered.pages)))
    if names:
        handwritten = list(HANDWRITTEN_FIELDS) if "handwritten_number" in names else []
        truth = replace(truth, variations=list(names), handwritten_fields=handwritten)
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
    variations: Collection[str] = (),
) -> Document:
    """Render, then stamp, sign, skew, turn and add noise; truth records skew and turn.

    ``variations`` (see :mod:`samples.variations`) may include one capture profile,
    applied last; then ``truth.dpi`` is the resolution of the stored pages and
    ``truth.dpi_tagged`` tells whether the file states it (use :func:`save_document`).
    """
    names = check_variations(variations)
    profile = profile_of(names)
    layout = tuple(name for name in names if name not in PROFILES)
    used_dpi = render_dpi(profile, dpi)
    clean = render_document(
        kind, seed=seed, dpi=used_dpi, font=font, parent_organ=parent_organ, pages=pages, variations=layout
    )
    degraded = [
        degrade(page, skew_deg=skew_deg, rotation_deg=rotation_deg, noise=noise, seed=seed * 1009 + index, seal=True)
        for index, page in enumerate(clean.pages)
    ]
    truth = replace(clean.truth, skew_deg=float(skew_deg), rotation_deg=int(rotation_deg))
    if profile is None:
        return Document(degraded, truth)
    shot = capture(profile, degraded, used_dpi, seed)
    truth = replace(truth, dpi=shot.dpi, dpi_tagged=shot.tagged, variations=sorted([*truth.variations, profile]))
    return Document(shot.pages, truth, shot.save_options)


# ----------------------------------------------------------------------------- corpus


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
    variations: Sequence[str] = (),
    kinds: Sequence[str] | None = None,
) -> list[Path]:
    """Write ``count`` degraded documents as NAME.<format> plus NAME.truth.json.

    Kinds cycle; fonts, parent-agency lines, skew (uniform in ±``max_skew``) and
    quarter turns (a ``quarter_turn_share`` of documents, 90/180/270) vary with
    the seed.  PNG/JPEG documents have one page; TIFF/PDF ones one or two.
    Returns the image paths in order.

    ``variations`` names variation classes (:data:`samples.variations.CLASSES`, or
    single variation names), cycled over the documents: each document draws its
    variations from its class with an rng seeded by ``seed``; a class may force
    the kind (the công văn), the page count or the format, and a capture profile
    sets its own format.  Those documents are named NNNN-CLASS-KIND.  ``kinds``
    replaces :data:`KINDS` as the kinds cycled (e.g. :data:`ALL_KINDS`).
    """
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {tuple(formats)}")
    cycled = KINDS if kinds is None else tuple(kinds)
    if not cycled or any(kind not in ALL_KINDS for kind in cycled):
        raise ValueError(f"kinds must be a non-empty subset of {ALL_KINDS}, got {cycled}")
    classes = [variation_class(name) for name in variations]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    vary = random.Random(f"corpus-variations:{seed}")
    first_kind = rng.randrange(len(cycled))
    written: list[Path] = []
    for index in range(count):
        kind = cycled[(first_kind + index) % len(cycled)]
        fmt = formats[index % len(formats)]
        names: tuple[str, ...] = ()
        cls = classes[index % len(classes)] if classes else None
        if cls is not None:
            kind, names = cls.sample(vary, kind)
            profile = profile_of(names)
            allowed = PROFILE_FORMATS[profile] if profile else cls.formats
            if allowed and fmt not in allowed:
                fmt = vary.choice(allowed)
        turned = rng.random() < quarter_turn_share
        doc_seed, font, parent = rng.randrange(2**31), rng.choice(sorted(FONTS)), rng.random() < 0.5
        pages = rng.choice((1, 2)) if fmt in ("tiff", "pdf") else 1
        skew_deg = round(rng.uniform(-max_skew, max_skew), 2)
        rotation_deg = rng.choice(QUARTER_TURNS[1:]) if turned else 0
        if cls is not None and cls.pages:
            pages = vary.choice(cls.pages)
        if "agency_lines_3" in names:  # only names without a parent line are long enough for three lines
            parent = False
        doc = make_document(
            kind,
            seed=doc_seed,
            dpi=dpi,
            font=font,
            parent_organ=parent,
            pages=pages,
            skew_deg=skew_deg,
            rotation_deg=rotation_deg,
            noise=noise,
            variations=names,
        )
        name = f"{index:04d}-{kind}" if cls is None else f"{index:04d}-{cls.name}-{kind}"
        path = out_dir / f"{name}.{fmt}"
        if names:
            written.append(save_document(doc, path, png_compress_level=1))
        else:
            written.append(save_pages(doc.pages, path, dpi, png_compress_level=1))
        write_truth(doc.truth, out_dir / f"{name}.truth.json")
    return written


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


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
    parser.add_argument("--variations", default="", help="comma-separated variation classes, cycled")
    parser.add_argument("--kinds", default="", help=f"comma-separated, from {','.join(ALL_KINDS)}")
    args = parser.parse_args(argv)
    paths = write_corpus(
        args.out_dir,
        args.count,
        args.seed,
        dpi=args.dpi,
        max_skew=args.max_skew,
        quarter_turn_share=args.quarter_turn_share,
        noise=args.noise,
        formats=_names(args.formats),
        variations=_names(args.variations),
        kinds=_names(args.kinds) or None,
    )
    for path in paths:
        print(path)
    print(f"{len(paths)} documents written to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
