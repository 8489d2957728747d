"""`sohoa digitize` end to end on generated Vietnamese pages and on bad inputs, run once per session.

Given a folder of generated scans (6 kinds, 3 fonts, 200 and 300 dpi, skewed, quarter-turned, noisy,
with a red seal) plus bad files, when `sohoa digitize --export` runs, then the exported records, XML and
PDFs match the ground truth and the contract in DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from bench.metrics import cer, normalise
from pipeline.verify import verify_pdf
from samples.generate import Truth, make_document
from schemas.record import DocumentRecord
from sohoa.cli import main
from tests.badfiles import write_pdf_with_stale_text, write_png_bomb

SOHOA = str(Path(sys.executable).with_name("sohoa"))
STALE_TEXT = "VĂN BẢN CŨ SAI LỆCH"
BAD = {
    "zero": "empty_file",
    "note": "unsupported_format",
    "locked": "encrypted_pdf",
    "truncated": "truncated_pdf",
    "blank": "blank_document",
    "bomb": "image_too_large",
    "speck": "image_too_small",
}

#: (kind, dpi, font, skew, quarter turn, pages): the mix the targets are stated on.
SCANS = [
    ("decision", 300, "liberation", 6.5, 0, 1),
    ("construction_permit", 200, "noto", -4.2, 0, 1),
    ("certificate", 300, "dejavu", 2.75, 90, 1),
    ("marital_status", 200, "liberation", -6.9, 180, 1),
    ("notice", 300, "noto", -1.3, 270, 2),
    ("criminal_record", 200, "dejavu", 0.6, 0, 1),
]


@dataclass
class Run:
    inputs: Path
    out: Path
    data: Path
    truths: dict[str, Truth]
    exit_code: int
    summary: dict

    def record(self, stem: str) -> DocumentRecord:
        return DocumentRecord.model_validate_json((self.out / f"{stem}.json").read_text(encoding="utf-8"))


def _write_scans(folder: Path) -> dict[str, Truth]:
    truths = {}
    for index, (kind, dpi, font, skew, turn, pages) in enumerate(SCANS):
        doc = make_document(
            kind,
            seed=500 + index,
            dpi=dpi,
            font=font,
            parent_organ=index % 2 == 0,
            pages=pages,
            skew_deg=skew,
            rotation_deg=turn,
            noise=0.5,
        )
        stem = f"{index:02d}-{kind}"
        if pages == 1:
            doc.pages[0].save(folder / f"{stem}.png", dpi=(dpi, dpi))
        else:
            doc.pages[0].save(
                folder / f"{stem}.tif",
                save_all=True,
                append_images=doc.pages[1:],
                dpi=(dpi, dpi),
                compression="tiff_lzw",
            )
        truths[stem] = doc.truth
    # A scan that arrives as a PDF with an old, wrong text layer: it must be read again from the image.
    doc = make_document("decision", seed=777, dpi=300, font="noto", skew_deg=-2.5, noise=0.4)
    write_pdf_with_stale_text(folder / "06-stale-text.pdf", doc.pages[0], 300, STALE_TEXT)
    truths["06-stale-text"] = doc.truth
    return truths


def _write_bad_inputs(folder: Path) -> None:
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "note.jpg").write_text("Biên bản họp, không phải ảnh quét.\n", encoding="utf-8")
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(folder / "locked.pdf", encryption=pikepdf.Encryption(user="matkhau", owner="matkhau"))
    whole = io.BytesIO()
    pdf.save(whole)
    (folder / "truncated.pdf").write_bytes(whole.getvalue()[:300])
    Image.new("RGB", (1654, 2339), (246, 244, 240)).save(folder / "blank.png", dpi=(200, 200))
    write_png_bomb(folder / "bomb.png")
    Image.new("RGB", (1, 1), (200, 30, 30)).save(folder / "speck.jpg")  # a 1×1 colour JPEG


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("digitize")
    inputs, out, data = root / "scans", root / "out", root / "sohoa-data"
    inputs.mkdir()
    truths = _write_scans(inputs)
    _write_bad_inputs(inputs)
    proc = subprocess.run(
        [SOHOA, "digitize", str(inputs), "--export", str(out), "--workers", "2", "--json"],
        capture_output=True,
        text=True,
        env={**_env(), "SOHOA_DATA_DIR": str(data)},
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr
    return Run(inputs, out, data, truths, proc.returncode, json.loads(proc.stdout))


def _env() -> dict[str, str]:
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    return {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")} | {"PATH": path}


def test_every_input_gets_a_record_and_the_summary_counts_them(run: Run):
    assert run.summary["files"] == len(run.truths) + len(BAD)
    assert run.summary["archived"] == len(run.truths)
    assert run.summary["rejected"] == len(BAD)
    assert run.summary["failed"] == 0
    assert run.summary["pages"] == sum(len(t.lines) for t in run.truths.values()) + 1  # with the blank scan's page
    for stem in [*run.truths, *BAD]:
        assert (run.out / f"{stem}.json").is_file() and (run.out / f"{stem}.xml").is_file()


@pytest.mark.parametrize(("stem", "code"), BAD.items())
def test_bad_inputs_are_rejected_with_a_code_and_message(run: Run, stem: str, code: str):
    record = run.record(stem)
    assert record.status == "rejected"
    assert record.error is not None and record.error.code == code and record.error.message
    assert not (run.out / f"{stem}.pdf").exists()


def test_blank_page_is_flagged(run: Run):
    (page,) = run.record("blank").pages
    assert page.blank and page.text == "" and page.ocr_confidence is None
    assert any(w.code == "blank_page" for w in run.record("blank").warnings)


def test_orientation_is_found_on_every_page(run: Run):
    for stem, truth in run.truths.items():
        assert [p.rotation_deg for p in run.record(stem).pages] == [truth.rotation_deg] * len(truth.lines), stem


def test_skew_is_measured_within_a_fifth_of_a_degree(run: Run):
    for stem, truth in run.truths.items():
        for page in run.record(stem).pages:
            assert abs(page.skew_deg - truth.skew_deg) <= 0.2, (stem, page.number, page.skew_deg, truth.skew_deg)


def test_text_is_recognised_with_low_character_error_rate(run: Run):
    rates = {}
    for stem, truth in run.truths.items():
        record = run.record(stem)
        for page, expected in zip(record.pages, truth.lines, strict=True):
            rates[(stem, page.number)] = cer(page.text, "\n".join(expected))
    assert statistics.fmean(rates.values()) <= 0.015, rates
    assert max(rates.values()) <= 0.05, rates


def test_header_lines_survive_at_200_dpi(run: Run):
    for stem, truth in run.truths.items():
        text = normalise(run.record(stem).text)
        assert normalise(f"Số: {truth.metadata['document_number']}") in text, stem
        assert "Độc lập - Tự do - Hạnh phúc" in text, stem


def test_a_stale_text_layer_is_ignored_and_the_page_read_again(run: Run):
    record = run.record("06-stale-text")
    assert record.source.media_type == "application/pdf"
    assert "SAI LỆCH" not in record.text
    assert cer(record.text, run.truths["06-stale-text"].page_text(0)) < 0.05


def test_record_text_is_nfc_and_joins_the_pages(run: Run):
    record = run.record("04-notice")
    assert len(record.pages) == 2
    assert all(unicodedata.is_normalized("NFC", r.text) for r in map(run.record, run.truths))
    assert normalise(record.text) == normalise(" ".join(p.text for p in record.pages))
    assert all(p.ocr_confidence and p.ocr_confidence > 0.8 for p in record.pages)


def _pdftotext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_pdftotext_of_the_archived_pdf_matches_the_record(run: Run):
    for stem in run.truths:
        record = run.record(stem)
        pdf, text, stamp = run.out / f"{stem}.pdf", record.text, _stamp_text(record)
        # -raw keeps the order the text layer was written in: the record's reading order, exactly,
        # plus the signature stamp's lines, which must extract with their Vietnamese letters intact.
        raw = normalise(_pdftotext(pdf, "-raw"))
        assert raw.count(stamp) == 1, stem
        assert normalise(raw.replace(stamp, "")) == normalise(text), stem
        # The default mode redoes the layout, joins words split by a line-end hyphen and may run close
        # words together; it still holds exactly the record's characters.
        assert _characters(_pdftotext(pdf)) == _characters(text + stamp), stem


def _stamp_text(record: DocumentRecord) -> str:
    assert record.archive is not None and record.archive.signed_at is not None
    return normalise(f"SAO Y Cơ quan thử nghiệm sohoa (TEST) {record.archive.signed_at.isoformat()}")


def _characters(text: str) -> Counter[str]:
    return Counter(ch for ch in unicodedata.normalize("NFC", text) if not ch.isspace() and ch != "-")


def test_archived_pdf_keeps_colour_pages_and_matches_its_hash(run: Run):
    for stem, truth in run.truths.items():
        record = run.record(stem)
        pdf_bytes = (run.out / f"{stem}.pdf").read_bytes()
        assert record.archive is not None
        assert hashlib.sha256(pdf_bytes).hexdigest() == record.archive.pdf_sha256
        stored = run.data / "objects" / record.archive.bucket / record.archive.key
        assert stored.read_bytes() == pdf_bytes
        with pikepdf.open(run.out / f"{stem}.pdf") as pdf:
            assert len(pdf.pages) == len(truth.lines)
            (image,) = pdf.pages[-1].get_images().values()
            assert image.ColorSpace == "/DeviceRGB"  # the red seal on the signer's page is kept
            width_in = float(pdf.pages[0].mediabox[2]) / 72
            assert abs(image.Width / width_in - truth.dpi) < 2 or abs(image.Height / width_in - truth.dpi) < 2


def test_every_archived_pdf_is_signed_and_verified_by_pyhanko_and_pdfsig(run: Run):
    ca = run.data / "keys" / "ca-TEST.pem"
    for stem in run.truths:
        record = run.record(stem)
        report = verify_pdf(run.out / f"{stem}.pdf", [ca], expected_sha256=record.archive.pdf_sha256)
        assert report.ok, report.problems
        (signature,) = report.signatures
        assert signature.intact and signature.trusted and signature.covers_whole_file
        assert report.pdfsig is not None
        assert [(p.signature_valid, p.certificate_status) for p in report.pdfsig] == [(True, "Certificate is Trusted.")]
        assert record.archive.signer == signature.signer and "TEST" in record.archive.signer
        assert record.archive.signed_at.utcoffset() == dt.timedelta(hours=7)


def test_verify_command_checks_every_archived_document_against_the_catalog(run: Run, monkeypatch, capsys):
    monkeypatch.setenv("SOHOA_DATA_DIR", str(run.data))
    assert main(["verify", "--all", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert len(reports) == len(run.truths) and all(r["ok"] for r in reports)
    assert all(r["sha256"] == r["expected_sha256"] for r in reports)


def test_originals_are_kept_untouched(run: Run):
    for stem in run.truths:
        record = run.record(stem)
        source = next(run.inputs.glob(f"{stem}.*"))
        kept = run.data / "objects" / "incoming" / record.source.sha256[:2] / record.source.sha256
        assert kept.read_bytes() == source.read_bytes()
        assert record.source.filename == source.name


def test_metadata_is_extracted_and_nothing_is_invented(run: Run):
    total = exact = 0
    for stem, truth in run.truths.items():
        found = run.record(stem).metadata.model_dump(mode="json")
        for name, expected in truth.metadata.items():
            total += 1
            exact += found[name] == expected
            assert expected is not None or found[name] is None, f"{stem}: {name} invented as {found[name]!r}"
        # the fields officers look documents up by are exact on every generated page
        for name in ("type_name", "document_number", "code_number", "code_notation", "issued_date", "holder_id"):
            assert found[name] == truth.metadata[name], (stem, name)
    assert exact / total >= 0.85, f"{exact}/{total} fields exact"


def test_xml_sidecar_carries_the_decree_30_tags(run: Run):
    root = ET.parse(run.out / "04-notice.xml").getroot()
    truth = run.truths["04-notice"].metadata
    assert root.findtext("PageAmount") == "2"
    assert (root.findtext("TypeName"), root.findtext("CodeNumber")) == (truth["type_name"], truth["code_number"])
    assert root.findtext("IssuedDate") == truth["issued_date"]
    assert root.findtext("Format") == "PDF"
    assert {child.tag for child in root} >= {
        "DocCode",
        "TypeName",
        "CodeNumber",
        "CodeNotation",
        "IssuedDate",
        "OrganName",
        "Subject",
        "Language",
    }


XSD = Path(__file__).resolve().parents[1] / "schemas" / "document-metadata.xsd"


def test_every_xml_sidecar_validates_against_the_published_xsd(run: Run, tmp_path: Path):
    xml_files = sorted(run.out.glob("*.xml"))
    assert len(xml_files) == len(run.truths) + len(BAD)
    done = subprocess.run(
        ["xmllint", "--noout", "--schema", str(XSD), *map(str, xml_files)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text((run.out / "00-decision.xml").read_text().replace("<PageAmount>1<", "<PageAmount>một<"))
    assert subprocess.run(["xmllint", "--noout", "--schema", str(XSD), str(broken)], capture_output=True).returncode


def test_no_temporary_files_are_left_behind(run: Run):
    files = [p.relative_to(run.data) for p in run.data.rglob("*") if p.is_file()]
    leftovers = [p for p in files if p.name.startswith(".part-") or p.parts[0] == "tmp"]
    assert leftovers == []
    assert not list((run.data / "objects" / "work").rglob("*.jpg"))  # archived documents' work files are gone


def test_same_files_again_are_duplicates_not_new_documents(run: Run, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOHOA_DATA_DIR", str(run.data))
    code = main(["digitize", str(run.inputs / "00-decision.png"), "--export", str(tmp_path), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (summary["files"], summary["duplicates"], summary["archived"]) == (1, 1, 0)
    assert summary["documents"][0]["id"] == run.record("00-decision").id
    assert (tmp_path / "00-decision.pdf").read_bytes() == (run.out / "00-decision.pdf").read_bytes()
