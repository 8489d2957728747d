"""The synthetic-scan generator's opt-in variations (samples/variations.py): fast checks, no OCR.

Every variation renders; fixed seeds give the same truth and pixels; default
renders are those of the generator before variations existed (hashes below were
computed by that code); the công văn truth; capture profiles write the files
they promise (no resolution tag, CCITT group 4 at 200 dpi).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from samples.generate import (
    Document,
    Truth,
    make_document,
    render_document,
    save_document,
    write_corpus,
)
from samples.marks import MARKS_KEY
from samples.variations import CLASSES, HANDWRITTEN_FIELDS, LAYOUT_VARIATIONS, PROFILES, VARIATIONS

# sha256 prefixes of default renders, computed by the generator before variations were added
DEFAULT_HASHES = {
    "render_decision": "61a4249c950b466b",
    "make_certificate": "86e80e159180abc2",
    "make_notice": "9637ab41fea2513b",
    "make_permit": "d563f3071b40b153",
    "corpus": "b8e4b13bd9f49b82",
}
KIND_FOR = {  # a kind on which each variation shows
    "holder_running_text": "construction_permit",
    "table": "decision",
    "agency_lines_3": "notice",
    "page_numbers": "notice",
}


def _digest(doc: Document) -> str:
    digest = hashlib.sha256()
    for page in doc.pages:
        digest.update(page.tobytes())
    digest.update(json.dumps(doc.truth.to_json(), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def test_default_renders_are_unchanged(tmp_path: Path) -> None:
    found = {
        "render_decision": _digest(render_document("decision", seed=7, dpi=100)),
        "make_certificate": _digest(
            make_document(
                "certificate", seed=3, dpi=100, font="dejavu", parent_organ=False, pages=2, skew_deg=2.0, noise=0.4
            )
        ),
        "make_notice": _digest(make_document("notice", seed=5, dpi=100, font="noto", rotation_deg=90, noise=0.3)),
        "make_permit": _digest(make_document("construction_permit", seed=1, dpi=100)),
    }
    write_corpus(tmp_path, 3, 11, dpi=100, formats=("png", "tiff", "jpg"))
    digest = hashlib.sha256()
    for path in sorted(tmp_path.iterdir()):
        digest.update(path.name.encode())
        if path.suffix == ".json":
            digest.update(path.read_bytes())
        elif path.suffix in (".png", ".tiff"):
            image = Image.open(path)
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                digest.update(image.tobytes())
    found["corpus"] = digest.hexdigest()[:16]
    assert found == DEFAULT_HASHES


@pytest.mark.parametrize("name", VARIATIONS)
def test_each_variation_renders(name: str) -> None:
    pages = 2 if name == "page_numbers" else 1
    doc = make_document(KIND_FOR.get(name, "decision"), seed=21, dpi=100, noise=0.2, pages=pages, variations=[name])
    assert len(doc.pages) == pages
    assert all(line.strip() for page in doc.truth.lines for line in page)
    applied = doc.truth.variations
    if name.startswith("agency_lines_"):
        assert len(applied) == 1 and applied[0].startswith("agency_lines_")
    else:
        assert applied == [name]
    if name in LAYOUT_VARIATIONS:
        assert doc.truth.dpi == 100 and doc.truth.dpi_tagged
        assert doc.pages[0].size == (round(210 / 25.4 * 100), round(297 / 25.4 * 100))


def test_fixed_seeds_reproduce_truth_and_pixels() -> None:
    names = ("wide_gutter", "handwritten_number", "received_stamp", "margin_note", "table", "jpeg_low")
    first = make_document("decision", seed=5, dpi=100, noise=0.3, skew_deg=1.5, variations=names)
    again = make_document("decision", seed=5, dpi=100, noise=0.3, skew_deg=1.5, variations=names)
    assert first.truth == again.truth and _digest(first) == _digest(again)
    assert first.save_options == again.save_options
    other = make_document("decision", seed=6, dpi=100, noise=0.3, skew_deg=1.5, variations=names)
    assert other.truth != first.truth


def test_layout_variations_keep_the_documents_text() -> None:
    plain = render_document("certificate", seed=8, dpi=100)
    varied = render_document("certificate", seed=8, dpi=100, variations=("narrow_gutter", "seal_over_signer"))
    assert varied.truth.metadata == plain.truth.metadata
    assert varied.truth.lines == plain.truth.lines


def test_official_letter_truth() -> None:
    doc = render_document("official_letter", seed=3, dpi=100)
    meta, lines = doc.truth.metadata, doc.truth.lines[0]
    assert meta["type_name"] == "CÔNG VĂN"
    assert meta["subject"].startswith("V/v ")
    assert "CÔNG VĂN" not in lines  # a công văn prints no type title
    number = next(i for i, line in enumerate(lines) if line.startswith("Số: "))
    subject_lines = []
    for line in lines[number + 1 :]:
        if line.startswith("CỘNG HÒA"):
            break
        subject_lines.append(line)
    assert " ".join(subject_lines) == meta["subject"]
    assert 1 <= len(subject_lines) <= 3
    assert any(line.startswith("Kính gửi:") for line in lines)
    assert meta["document_number"] == lines[number].removeprefix("Số: ")


def test_handwritten_number_truth_and_marks() -> None:
    doc = render_document("notice", seed=4, dpi=100, variations=["handwritten_number"])
    assert doc.truth.handwritten_fields == list(HANDWRITTEN_FIELDS)
    marks = doc.pages[0].info[MARKS_KEY]
    assert [mark["text"] for mark in marks if mark["type"] == "digits"] == [doc.truth.metadata["code_number"]]
    made = make_document("notice", seed=4, dpi=100, variations=["handwritten_number"])
    blue = np.asarray(made.pages[0]).astype(int)
    assert ((blue[:, :, 2] - blue[:, :, 0]) > 60).sum() > 20  # pen ink on the page


def test_holder_in_running_text() -> None:
    doc = render_document("construction_permit", seed=9, dpi=100, variations=["holder_running_text"])
    holder = doc.truth.metadata["holder_name"]
    assert holder == holder.upper()
    text = " ".join(doc.truth.lines[0])
    assert holder not in text  # written in normal case, inside a sentence
    assert holder.title() in text and doc.truth.metadata["holder_id"] in text
    decision = render_document("decision", seed=9, dpi=100, variations=["holder_running_text"])
    assert decision.truth.metadata["holder_name"] and decision.truth.metadata["holder_id"]


def test_table_rows_are_truth_lines() -> None:
    doc = render_document("decision", seed=2, dpi=100, variations=["table"])
    assert any(line.startswith("TT Họ và tên Năm sinh") for line in doc.truth.lines[0])


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_lowres_untagged_files_state_no_resolution(tmp_path: Path, suffix: str) -> None:
    doc = make_document("criminal_record", seed=2, variations=["lowres_untagged"])
    assert 75 <= doc.truth.dpi <= 150 and not doc.truth.dpi_tagged
    assert doc.pages[0].width == round(210 / 25.4 * doc.truth.dpi)
    with Image.open(save_document(doc, tmp_path / f"scan{suffix}")) as image:
        assert "dpi" not in image.info
        assert image.info.get("jfif_unit", 0) == 0


def test_phone_photo_is_untagged_jpeg(tmp_path: Path) -> None:
    doc = make_document("decision", seed=3, dpi=100, variations=["phone_photo"])
    assert not doc.truth.dpi_tagged and 120 <= doc.truth.dpi <= 260
    with Image.open(save_document(doc, tmp_path / "photo.jpg")) as image:
        assert image.format == "JPEG" and "dpi" not in image.info


def test_jpeg_low_quality(tmp_path: Path) -> None:
    doc = make_document("decision", seed=3, dpi=100, variations=["jpeg_low"])
    assert 50 <= doc.save_options["quality"] <= 70 and doc.truth.dpi_tagged
    with Image.open(save_document(doc, tmp_path / "low.jpg")) as image:
        assert image.info["dpi"] == (100, 100)


def test_ccitt200_is_bilevel_group4_at_200_dpi(tmp_path: Path) -> None:
    doc = make_document("notice", seed=6, pages=2, variations=["ccitt200"])
    assert doc.truth.dpi == 200 and doc.truth.dpi_tagged
    with Image.open(save_document(doc, tmp_path / "fax.tiff")) as image:
        assert image.mode == "1" and image.info["compression"] == "group4"
        assert image.info["dpi"] == (200, 200) and image.n_frames == 2


def test_truth_json_without_the_new_fields_still_loads() -> None:
    doc = render_document("decision", seed=1, dpi=72)
    data = doc.truth.to_json()
    assert not {"variations", "handwritten_fields", "dpi_tagged"} & set(data)
    assert Truth.from_json(data) == doc.truth
    varied = make_document("decision", seed=1, dpi=100, variations=["handwritten_number", "lowres_untagged"])
    assert Truth.from_json(json.loads(json.dumps(varied.truth.to_json()))) == varied.truth


def test_write_corpus_with_variation_classes(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 3, 7, dpi=100, variations=("official_letter", "ccitt200", "tables"))
    assert [path.name.split("-")[1] for path in paths] == ["official_letter", "ccitt200", "tables"]
    assert paths[0].stem.endswith("official_letter") and paths[1].suffix == ".tiff"
    assert paths[2].suffix in (".tiff", ".pdf")
    truths = [Truth.from_json(json.loads(path.with_suffix(".truth.json").read_text())) for path in paths]
    assert truths[0].metadata["type_name"] == "CÔNG VĂN"
    assert truths[1].variations == ["ccitt200"] and truths[1].dpi == 200
    assert {"page_numbers", "table"} <= set(truths[2].variations) and len(truths[2].lines) == 2


def test_bad_variations_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        make_document("decision", seed=1, dpi=72, variations=["sepia"])
    with pytest.raises(ValueError, match="exclude"):
        make_document("decision", seed=1, dpi=72, variations=["narrow_gutter", "wide_gutter"])
    with pytest.raises(ValueError, match="make_document"):
        render_document("decision", seed=1, dpi=72, variations=["ccitt200"])
    assert set(PROFILES) <= set(VARIATIONS) and "mixed" in CLASSES
