"""Opt-in variations of the synthetic documents, and the classes the bench reports on.

A *variation* is a name passed to :func:`samples.generate.make_document`
(``variations=("wide_gutter", "table")``).  Layout variations change how a page
is composed or marked; *profiles* change how the page is captured and stored
(resolution, compression, phone photo, bilevel fax-style TIFF).  Without
variations every document is drawn exactly as before.

A *variation class* groups variations for :func:`samples.generate.write_corpus`
and ``bench/fields``: each document of a class draws one of the class's
choices with a seeded rng, may be forced to a kind, a file format or a page
count.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

LAYOUT_VARIATIONS: tuple[str, ...] = (
    "narrow_gutter",  # header columns close together (3-6 mm apart)
    "wide_gutter",  # header columns pushed to the page edges
    "agency_lines_1",  # issuing agency on one line (smaller type, wider left column)
    "agency_lines_2",  # ... wrapped on two lines
    "agency_lines_3",  # ... on three lines where the name allows it
    "seal_over_signer",  # the red seal over the signer's title or name
    "handwritten_number",  # "Số:      /QĐ-UBND" with the number written in blue pen
    "margin_note",  # a blue handwritten note in a margin ("Chuyển P.TCKH")
    "received_stamp",  # a rectangular "ĐẾN" stamp under the header
    "page_numbers",  # page numbers of pages 2+ in another size and height
    "table",  # a bordered table in the body
    "holder_running_text",  # the holder named inside a sentence, not on a line of its own
)
PROFILES: tuple[str, ...] = (
    "lowres_untagged",  # 75-150 dpi, PNG or JPEG without a resolution tag
    "jpeg_low",  # JPEG quality 50-70
    "phone_photo",  # uneven light, slight perspective, colour cast, blur, no tag
    "ccitt200",  # 1-bit TIFF, CCITT group 4, 200 dpi
)
VARIATIONS: tuple[str, ...] = LAYOUT_VARIATIONS + PROFILES
EXCLUSIVE: tuple[frozenset[str], ...] = (
    frozenset({"narrow_gutter", "wide_gutter"}),
    frozenset({"agency_lines_1", "agency_lines_2", "agency_lines_3"}),
    frozenset(PROFILES),
)
HANDWRITTEN_FIELDS = ("code_number", "document_number")  # fields written by hand under handwritten_number


def check_variations(names: Collection[str]) -> tuple[str, ...]:
    """The names, validated and sorted; raise ``ValueError`` on unknown or conflicting ones."""
    if isinstance(names, str):
        raise ValueError(f"variations must be a collection of names, not the string {names!r}")
    chosen = tuple(sorted(set(names)))
    unknown = [name for name in chosen if name not in VARIATIONS]
    if unknown:
        raise ValueError(f"unknown variations {unknown}; expected names from {VARIATIONS}")
    for group in EXCLUSIVE:
        if len(group.intersection(chosen)) > 1:
            raise ValueError(f"variations {sorted(group.intersection(chosen))} exclude each other")
    return chosen


def profile_of(names: Collection[str]) -> str | None:
    """The capture profile among ``names``, if any."""
    return next((name for name in names if name in PROFILES), None)


@dataclass(frozen=True)
class LayoutOptions:
    """What the composer changes for the layout variations; the defaults draw the usual page."""

    split: float = 0.45  # left header column's share of the header width
    gutter: str | None = None  # "narrow" | "wide": move the header columns after wrapping
    gutter_mm: float = 0.0  # wanted gap between the header columns' text
    agency_lines: int | None = None  # lines of the issuing agency's name
    seal_over_signer: bool = False
    seal_on_title: bool = True  # seal_over_signer: over the title lines (else over the name)
    seal_shift: float = 0.0  # seal centre's shift left of the signer block centre, in radii
    handwritten_number: bool = False
    number_gap_mm: float = 15.0  # blank left for the handwritten number
    page_number_pt: float = 13.0
    page_number_at: float | None = None  # page number's height as a share of the top margin
    squeeze: int = 0  # 1: tighter lines and paragraphs, 2: also smaller type and margins (to keep the footer on)


def layout_options(names: Collection[str], rng: random.Random) -> LayoutOptions:
    """Options for the layout variations in ``names``; all draws happen whatever the names."""
    narrow_split, wide_split = rng.uniform(0.45, 0.55), rng.uniform(0.38, 0.46)
    narrow_mm, wide_mm = rng.uniform(3.0, 6.0), rng.uniform(18.0, 40.0)
    on_title, shift = rng.random() < 0.6, rng.uniform(0.0, 0.45)
    gap_mm, number_pt, number_at = rng.uniform(11.0, 17.0), rng.choice([13.0, 13.5, 14.0]), rng.uniform(0.3, 0.6)
    lines = next((int(name[-1]) for name in names if name.startswith("agency_lines_")), None)
    gutter = "narrow" if "narrow_gutter" in names else "wide" if "wide_gutter" in names else None
    split = {"narrow": narrow_split, "wide": wide_split}.get(gutter or "", 0.45)
    if lines == 1:
        split = max(split, 0.5)
    numbers = "page_numbers" in names
    return LayoutOptions(
        split=split,
        gutter=gutter,
        gutter_mm={"narrow": narrow_mm, "wide": wide_mm}.get(gutter or "", 0.0),
        agency_lines=lines,
        seal_over_signer="seal_over_signer" in names,
        seal_on_title=on_title,
        seal_shift=shift,
        handwritten_number="handwritten_number" in names,
        number_gap_mm=gap_mm,
        page_number_pt=number_pt if numbers else 13.0,
        page_number_at=number_at if numbers else None,
    )


# ----------------------------------------------------------------------------- classes

HOLDER_KINDS = ("construction_permit", "certificate", "marital_status", "criminal_record", "decision")


@dataclass(frozen=True)
class VariationClass:
    """A family of variations, sampled per document."""

    name: str
    choices: tuple[tuple[str, ...], ...]  # one is drawn per document
    kind: str | None = None  # force this kind
    kinds: tuple[str, ...] | None = None  # or keep the cycled kind only if it is one of these
    formats: tuple[str, ...] | None = None  # file formats to use instead of the corpus's
    pages: tuple[int, ...] | None = None  # page counts to draw from instead of the corpus's

    def sample(self, rng: random.Random, kind: str) -> tuple[str, tuple[str, ...]]:
        """The kind and the variation names of one document of this class."""
        names = check_variations(rng.choice(self.choices))
        if self.kind:
            kind = self.kind
        elif self.kinds and kind not in self.kinds:
            kind = rng.choice(self.kinds)
        return kind, names


def _single(name: str, kinds: tuple[str, ...] | None = None) -> VariationClass:
    return VariationClass(name, ((name,),), kinds=kinds)


CLASSES: dict[str, VariationClass] = {
    cls.name: cls
    for cls in (
        VariationClass("baseline", ((),)),
        VariationClass("gutters", (("narrow_gutter",), ("wide_gutter",))),
        VariationClass("agency_lines", (("agency_lines_1",), ("agency_lines_2",), ("agency_lines_3",))),
        VariationClass("official_letter", ((), ("agency_lines_2",), ("narrow_gutter",)), kind="official_letter"),
        _single("holder_running_text", kinds=HOLDER_KINDS),
        _single("seal_over_signer"),
        _single("handwritten_number"),
        VariationClass("annotations", (("margin_note",), ("received_stamp",), ("margin_note", "received_stamp"))),
        VariationClass("tables", (("table", "page_numbers"),), formats=("tiff", "pdf"), pages=(2,)),
        *(_single(name) for name in PROFILES),  # file formats: samples.profiles.PROFILE_FORMATS
        VariationClass(
            "mixed",
            (
                ("wide_gutter", "agency_lines_3", "seal_over_signer", "received_stamp", "jpeg_low"),
                ("narrow_gutter", "handwritten_number", "margin_note", "holder_running_text", "phone_photo"),
                ("agency_lines_1", "table", "seal_over_signer", "lowres_untagged"),
                ("handwritten_number", "received_stamp", "holder_running_text", "ccitt200"),
            ),
        ),
    )
}
DEFAULT_CLASSES: tuple[str, ...] = tuple(name for name in CLASSES if name != "mixed")


def variation_class(name: str) -> VariationClass:
    """A class by name; a single variation name is a class of its own."""
    if name in CLASSES:
        return CLASSES[name]
    if name in VARIATIONS:
        return _single(name)
    raise ValueError(f"unknown variation class {name!r}; expected one of {tuple(CLASSES)} or {VARIATIONS}")


def parse_classes(text: str | Sequence[str]) -> tuple[str, ...]:
    """Comma-separated class names (or a sequence), validated."""
    names = [part.strip() for part in text.split(",")] if isinstance(text, str) else list(text)
    names = [name for name in names if name]
    for name in names:
        variation_class(name)
    return tuple(names)
