"""Plan, render and write a held-out corpus: NAME.<ext> images with NAME.truth.json ground truth."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.heldout import content as content_mod
from bench.heldout import kinds as kinds_mod
from bench.heldout.compose import compose
from bench.heldout.content import KINDS, Content
from bench.heldout.degrade import MULTIPAGE, PROFILES, Scan, degrade, plan_scan, save
from bench.heldout.layout import Page, Style, random_style
from bench.heldout.marks import apply_marks, mark_variations, plan_marks
from bench.heldout.render import document_html, load_rgb, print_pdf, rasterise_range

KIND_WEIGHTS = {"cong_van": 40, "quyet_dinh": 25, "giay_phep": 20, "thong_bao": 15}
BUILDERS = {
    "cong_van": content_mod.cong_van,
    "thong_bao": content_mod.thong_bao,
    "quyet_dinh": kinds_mod.quyet_dinh,
    "giay_phep": kinds_mod.giay_phep,
}
BATCH = 24  # documents per Chromium start


@dataclass
class Doc:
    """A planned document: content, layout, marks and scan; its truth is fully known before rendering."""

    name: str
    index: int
    kind: str
    content: Content
    style: Style
    pages: list[Page]
    marks: list[dict]
    scan: Scan
    variations: list[str]

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.scan.ext}"


def plan_doc(seed: int, index: int, kinds: Sequence[str] | None = None, profile: str = "clean300") -> Doc:
    rng = random.Random(f"heldout:{seed}:{index}")
    pool = list(kinds or KINDS)
    kind = rng.choices(pool, [KIND_WEIGHTS[k] for k in pool])[0]
    style = random_style(rng)
    want = 2 if profile in MULTIPAGE and kind in ("cong_van", "thong_bao") and rng.random() < 0.35 else 1
    state = rng.getstate()
    lengths = list(range(3, 13)) if want == 2 else [3, 2, 1, 0]
    for length in lengths:
        rng.setstate(state)
        c = BUILDERS[kind](rng, length)
        pages, layout_vars = compose(c, style, rng)
        if (want == 1 and len(pages) == 1) or (want == 2 and len(pages) >= 2):
            break
    if want == 1 and len(pages) > 1 and profile not in MULTIPAGE:
        style.spacing, style.signature_gap = 1.08, 18.0
        rng.setstate(state)
        c = BUILDERS[kind](rng, 0)
        pages, layout_vars = compose(c, style, rng)
    marks = plan_marks(c, pages, rng)
    scan = plan_scan(profile, len(pages), rng)
    variations = sorted(set(c.variations + layout_vars + mark_variations(marks)))
    if scan.rotation:
        variations.append("turned")
    return Doc(f"heldout_s{seed}_{index:04d}", index, kind, c, style, pages, marks, scan, variations)


def plan_corpus(
    count: int, seed: int, kinds: Sequence[str] | None = None, profiles: Sequence[str] | None = None
) -> list[Doc]:
    """The documents of a corpus; profiles are cycled in the given order (default: all six)."""
    for k in kinds or ():
        if k not in KINDS:
            raise ValueError(f"unknown kind {k!r}; choose from {', '.join(KINDS)}")
    cycle = list(profiles or PROFILES)
    return [plan_doc(seed, i, kinds, cycle[i % len(cycle)]) for i in range(count)]


def _nfc(value: object) -> object:
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def truth(doc: Doc) -> dict:
    c, s = doc.content, doc.scan
    holder = c.holder
    metadata = {
        "type_name": c.type_title,
        "document_number": c.number,
        "code_number": c.code,
        "code_notation": c.notation,
        "issued_date": c.date.isoformat(),
        "place": c.organ.place,
        "organ_name": c.organ.name,
        "parent_organ_name": c.organ.parent,
        "subject": c.subject,
        "signer_name": c.signer_name,
        "signer_title": f"{c.signer_prefix} {c.signer_title}" if c.signer_prefix else c.signer_title,
        "holder_name": holder.name.upper() if holder else None,
        "holder_id": holder.pid if holder else None,
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "language": "vi",
        "page_amount": len(doc.pages),
    }
    handwritten = ["code_number", "document_number"] if c.handwritten_number else []
    handwritten += ["issued_date"] if c.handwritten_day else []
    marks = [{k: v for k, v in m.items() if k in ("type", "page", "text", "where")} for m in doc.marks]
    out = {
        "generator": "heldout",
        "name": doc.name,
        "file": doc.file_name,
        "kind": doc.kind,
        "profile": s.profile,
        "variations": doc.variations,
        "font": doc.style.family,
        "dpi": float(s.dpi),
        "dpi_tagged": s.tagged,
        "rotation_deg": s.rotation,
        "skew_deg": s.skew,
        "lines": [p.truth for p in doc.pages],
        "metadata": metadata,
        "handwritten_fields": handwritten,
        "marks": marks,
    }
    return _nfc(out)  # type: ignore[return-value]


def render_pdf(docs: Sequence[Doc], pdf: Path) -> list[tuple[int, int]]:
    """Print the documents into one PDF; returns each document's (first, last) 1-based page numbers."""
    print_pdf(document_html([(d.pages, d.style.family) for d in docs]), pdf)
    ranges, first = [], 1
    for d in docs:
        ranges.append((first, first + len(d.pages) - 1))
        first += len(d.pages)
    return ranges


def write_docs(docs: Sequence[Doc], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="heldout-") as tmp:
        for start in range(0, len(docs), BATCH):
            batch = sorted(docs[start : start + BATCH], key=lambda d: d.scan.render_dpi)  # one poppler run per dpi
            pdf = Path(tmp) / f"batch{start}.pdf"
            ranges = render_pdf(batch, pdf)
            files: dict[int, Path] = {}
            for dpi in sorted({d.scan.render_dpi for d in batch}):
                group = [r for d, r in zip(batch, ranges, strict=True) if d.scan.render_dpi == dpi]
                files |= rasterise_range(pdf, group[0][0], group[-1][1], dpi, Path(tmp))
            for doc, (first, _) in zip(batch, ranges, strict=True):
                images = []
                for n, page in enumerate(doc.pages, start=1):
                    png = files.pop(first + n - 1)
                    img = load_rgb(png)
                    png.unlink()
                    apply_marks(img, page, n, doc.marks, doc.scan.render_dpi, doc.scan.seed)
                    images.append(degrade(img, doc.scan, n))
                written.append(save(images, doc.scan, out_dir / doc.file_name))
                text = json.dumps(truth(doc), ensure_ascii=False, indent=1)
                (out_dir / f"{doc.name}.truth.json").write_text(text + "\n", encoding="utf-8")
            for leftover in files.values():
                leftover.unlink()
    order = {d.file_name: i for i, d in enumerate(docs)}
    return sorted(written, key=lambda p: order[p.name])


def write_corpus(
    out_dir: Path | str,
    count: int,
    seed: int,
    kinds: Iterable[str] | None = None,
    profiles: Iterable[str] | None = None,
) -> list[Path]:
    """Generate `count` documents into `out_dir`; returns the image paths (each with NAME.truth.json beside it)."""
    docs = plan_corpus(count, seed, list(kinds) if kinds else None, list(profiles) if profiles else None)
    return write_docs(docs, Path(out_dir))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.heldout", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", nargs="+", choices=KINDS)
    parser.add_argument("--profiles", nargs="+", choices=PROFILES)
    args = parser.parse_args(argv)
    started = time.monotonic()
    paths = write_corpus(args.out_dir, args.count, args.seed, args.kinds, args.profiles)
    elapsed = time.monotonic() - started
    print(f"{len(paths)} documents in {args.out_dir} ({elapsed:.1f} s, {elapsed / max(1, len(paths)):.2f} s/document)")
    return 0
