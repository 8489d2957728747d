"""Write the small, fixed set of demo scans that is committed under ``samples/scans``.

    python -m samples.make_demo_scans samples/scans

Deterministic (fixed seeds).  Each scan's ground truth goes to
``OUT/truth/STEM.json``; ``not-an-image.jpg`` is a plain-text file with a .jpg
name, a bad input the demo shows being rejected (it has no truth file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from samples.generate import make_document, save_pages, write_truth

BUDGET_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class DemoScan:
    """One demo file: what to generate and how to store it."""

    filename: str
    kind: str
    seed: int
    dpi: int
    options: dict[str, Any] = field(default_factory=dict)  # make_document keyword arguments
    grey_levels: int = 0  # >0: store as 8-bit greyscale with this many levels (smaller files)


# Sizes are kept down for the repository: light noise (sensor grain is expensive in
# JPEG), greyscale with 16 levels for the lossless PNG/TIFF, colour (red seal) in the
# JPEG-based files.
DEMO_SCANS: tuple[DemoScan, ...] = (
    DemoScan(
        "decision-2-pages.pdf", "decision", 301, 300, {"pages": 2, "skew_deg": 0.8, "noise": 0.1, "font": "liberation"}
    ),
    DemoScan(
        "construction-permit.tiff",
        "construction_permit",
        302,
        200,
        {"pages": 2, "skew_deg": -1.2, "font": "noto"},
        grey_levels=16,
    ),
    DemoScan(
        "certificate.png",
        "certificate",
        303,
        200,
        {"skew_deg": -1.5, "font": "dejavu", "parent_organ": False},
        grey_levels=16,
    ),
    DemoScan(
        "notice-rotated-90.jpg",
        "notice",
        304,
        300,
        {"rotation_deg": 90, "skew_deg": 0.4, "noise": 0.1, "font": "liberation"},
    ),
    DemoScan("marital-status-skewed.jpg", "marital_status", 305, 200, {"skew_deg": 4.0, "noise": 0.15, "font": "noto"}),
    DemoScan(
        "criminal-record.jpg",
        "criminal_record",
        306,
        200,
        {"skew_deg": -0.6, "noise": 0.15, "font": "dejavu", "parent_organ": False},
    ),
)
NOT_AN_IMAGE = "not-an-image.jpg"
NOT_AN_IMAGE_TEXT = "This is not an image.\nTệp này là văn bản thuần, chỉ mang đuôi .jpg: hệ thống phải từ chối nó.\n"


def _grey(page: Image.Image, levels: int) -> Image.Image:
    """8-bit greyscale quantised to ``levels`` evenly spaced values (white stays 255)."""
    step = 255 / (levels - 1)
    table = [round(round(value / step) * step) for value in range(256)]
    grey = page.convert("L").point(table)
    grey.info["dpi"] = page.info.get("dpi")
    return grey


def write_demo(scan: DemoScan, out_dir: Path) -> list[Path]:
    """Generate one demo scan and its truth; return the written paths."""
    doc = make_document(scan.kind, seed=scan.seed, dpi=scan.dpi, **scan.options)
    pages = [_grey(page, scan.grey_levels) for page in doc.pages] if scan.grey_levels else doc.pages
    image = save_pages(pages, out_dir / scan.filename, scan.dpi, quality=75)
    truth = write_truth(doc.truth, out_dir / "truth" / f"{Path(scan.filename).stem}.json")
    return [image, truth]


def make_demo_scans(out_dir: Path) -> list[Path]:
    """Write every demo scan, its truth, and the not-an-image file."""
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for scan in DEMO_SCANS:
        written += write_demo(scan, out_dir)
    bad = out_dir / NOT_AN_IMAGE
    bad.write_text(NOT_AN_IMAGE_TEXT, encoding="utf-8")
    return [*written, bad]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the demo set and print the sizes."""
    parser = argparse.ArgumentParser(prog="python -m samples.make_demo_scans", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("samples/scans"))
    args = parser.parse_args(argv)
    paths = make_demo_scans(args.out_dir)
    total = 0
    for path in paths:
        size = path.stat().st_size
        total += size
        print(f"{size / 1024:9.1f} KiB  {path}")
    print(f"{total / 1024 / 1024:9.2f} MiB  total ({len(paths)} files)")
    if total > BUDGET_BYTES:
        print(f"warning: over the {BUDGET_BYTES // 1024 // 1024} MiB budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
