"""The held-out corpus generator: files, ground truth, printed text, resolution tags, CCITT TIFFs, determinism."""

from __future__ import annotations

import json
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from bench.heldout import Doc, plan_corpus, render_pdf, truth, write_docs
from bench.heldout.render import tools_available
from tests.conftest import unavailable

SEED = 7
PROFILES = ["lowres_untagged", "ccitt200", "office200"]
TOP_KEYS = {
    "generator", "kind", "profile", "variations", "dpi", "dpi_tagged", "rotation_deg", "skew_deg", "lines",
    "metadata", "handwritten_fields", "marks",
}  # fmt: skip
META_KEYS = {
    "type_name", "document_number", "code_number", "code_notation", "issued_date", "place", "organ_name",
    "parent_organ_name", "subject", "signer_name", "signer_title", "holder_name", "holder_id", "valid_until",
    "language", "page_amount",
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[Doc], list[Path], Path]]:
    if not tools_available():
        unavailable("the held-out generator needs /usr/bin/chromium and poppler's pdftoppm")
    out = tmp_path_factory.mktemp("heldout")
    docs = plan_corpus(3, SEED, kinds=["cong_van", "quyet_dinh"], profiles=PROFILES)
    yield docs, write_docs(docs, out), out


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _all_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _all_strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _all_strings(v)


def test_files_and_truth(corpus: tuple[list[Doc], list[Path], Path]) -> None:
    docs, paths, out = corpus
    assert [p.name for p in paths] == [d.file_name for d in docs]
    for doc, path in zip(docs, paths, strict=True):
        assert path.exists() and path.stat().st_size > 10_000
        raw = (out / f"{doc.name}.truth.json").read_text(encoding="utf-8")
        data = json.loads(raw)
        assert data.keys() >= TOP_KEYS and data["metadata"].keys() >= META_KEYS
        assert data["generator"] == "heldout" and data["profile"] == doc.scan.profile
        assert all(s == unicodedata.normalize("NFC", s) and s == " ".join(s.split()) for s in _all_strings(data))
        meta = data["metadata"]
        assert meta["document_number"] == f"{meta['code_number']}/{meta['code_notation']}"
        assert meta["page_amount"] == len(data["lines"]) >= 1
        assert meta["type_name"] in ("CÔNG VĂN", "QUYẾT ĐỊNH")
        if meta["type_name"] == "CÔNG VĂN":
            assert meta["subject"].startswith("V/v ")
        flat = [line for page in data["lines"] for line in page]
        assert (meta["parent_organ_name"] or meta["organ_name"]).startswith(flat[0])
        assert meta["signer_name"] in flat
        if data["handwritten_fields"]:
            assert {"code_number", "document_number"} <= set(data["handwritten_fields"])
            assert any(m["type"] == "handwritten_number" and m["text"] == meta["code_number"] for m in data["marks"])


def test_printed_text_in_chromium_pdf(corpus: tuple[list[Doc], list[Path], Path], tmp_path: Path) -> None:
    docs, _, _ = corpus
    pdf = tmp_path / "batch.pdf"
    for doc, (first, last) in zip(docs, render_pdf(docs, pdf), strict=True):
        text = subprocess.run(
            ["pdftotext", "-raw", "-f", str(first), "-l", str(last), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        flat = _collapse(text)
        meta = truth(doc)["metadata"]
        assert meta["organ_name"] in flat
        assert meta["subject"] in flat
        if "document_number" in truth(doc)["handwritten_fields"]:
            assert meta["document_number"] not in flat and f"/{meta['code_notation']}" in flat
        else:
            assert meta["document_number"] in flat


def test_lowres_untagged_has_no_resolution(corpus: tuple[list[Doc], list[Path], Path]) -> None:
    docs, paths, _ = corpus
    doc, path = next((d, p) for d, p in zip(docs, paths, strict=True) if d.scan.profile == "lowres_untagged")
    assert truth(doc)["dpi_tagged"] is False and 75 <= truth(doc)["dpi"] <= 100
    with Image.open(path) as im:
        assert im.info.get("dpi") is None
        assert im.info.get("jfif_unit", 0) == 0 and im.info.get("jfif_density", (1, 1)) == (1, 1)
        assert "exif" not in im.info and not im.getexif()
        assert abs(im.width - 210 / 25.4 * truth(doc)["dpi"]) < 3


def test_ccitt_is_group4_bilevel(corpus: tuple[list[Doc], list[Path], Path]) -> None:
    docs, paths, _ = corpus
    path = next(p for d, p in zip(docs, paths, strict=True) if d.scan.profile == "ccitt200")
    with Image.open(path) as im:
        assert im.mode == "1" and im.info["compression"] == "group4"
        assert tuple(round(v) for v in im.info["dpi"]) == (200, 200)


def test_same_seed_same_truth(corpus: tuple[list[Doc], list[Path], Path]) -> None:
    docs, _, out = corpus
    again = plan_corpus(3, SEED, kinds=["cong_van", "quyet_dinh"], profiles=PROFILES)
    assert [truth(d) for d in again] == [truth(d) for d in docs]
    written = [json.loads((out / f"{d.name}.truth.json").read_text(encoding="utf-8")) for d in docs]
    assert written == [truth(d) for d in again]
    assert truth(plan_corpus(1, SEED + 1)[0]) != truth(docs[0])
