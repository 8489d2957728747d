"""Documents the machine is unsure of wait for a person: `sohoa review` lists, corrects, confirms and archives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.verify import verify_pdf
from samples.generate import make_document
from storage.catalog import Catalog

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_uncertain_document_waits_then_a_correction_is_archived_and_kept_as_an_event(tmp_path: Path):
    # Given a strict review threshold, so every extracted field counts as uncertain
    scan = tmp_path / "decision.jpg"
    doc = make_document("decision", seed=21, dpi=300, noise=0.3)
    doc.pages[0].save(scan, dpi=(300, 300))
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_REVIEW_THRESHOLD": "0.99"}

    # When the scan is digitized it is not signed nor archived, but waits for review with its pages kept
    first = _run(["digitize", str(scan), "--json", "--export", str(tmp_path / "out")], env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["needs_review"] == 1
    record = json.loads((tmp_path / "out" / "decision.json").read_text())
    assert record["status"] == "needs_review" and record["archive"] is None
    assert any(w["code"] == "needs_review" and "document_number" in w["message"] for w in record["warnings"])
    assert not (tmp_path / "out" / "decision.pdf").exists()
    listing = _run(["review"], env)
    assert record["id"] in listing.stdout and "decision.jpg" in listing.stdout

    # Then staff correct the subject and confirm: the document is signed and archived with their values
    corrected = "Về việc giao đất ở (đã sửa)"
    done = _run(["review", record["id"], "--set", f"subject={corrected}", "--confirm"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "archived" in done.stdout
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}")
    try:
        final = catalog.record(record["id"])
        (event,) = catalog.review_events(record["id"])
    finally:
        catalog.close()
    assert final.status == "archived" and final.metadata.subject == corrected
    assert final.metadata.document_number == doc.truth.metadata["document_number"]
    assert final.confidence.subject == 1.0
    assert event.action == "correct" and event.changes["subject"][1] == corrected
    assert event.extracted["subject"] == record["metadata"]["subject"]  # the machine's reading is kept
    archived = tmp_path / "data" / "objects" / final.archive.bucket / final.archive.key
    assert verify_pdf(archived, [tmp_path / "data" / "keys" / "ca-TEST.pem"]).ok

    # And a second confirmation is refused, the first one stands
    again = _run(["review", record["id"], "--confirm"], env)
    assert again.returncode == 2 and "not waiting for review" in again.stderr


def test_invalid_corrections_are_refused_with_the_field_named(tmp_path: Path):
    scan = tmp_path / "notice.jpg"
    make_document("notice", seed=22, dpi=300, noise=0.3).pages[0].save(scan, dpi=(300, 300))
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_REVIEW_THRESHOLD": "0.99"}
    first = json.loads(_run(["digitize", str(scan), "--json"], env).stdout)
    document_id = first["documents"][0]["id"]
    bad_date = _run(["review", document_id, "--set", "issued_date=32/13/2024", "--confirm"], env)
    assert bad_date.returncode == 2 and "issued_date" in bad_date.stderr
    bad_field = _run(["review", document_id, "--set", "colour=red", "--confirm"], env)
    assert bad_field.returncode == 2 and "not a field assignment" in bad_field.stderr
    assert "Waiting for review: 1" in _run(["review"], env).stdout


def test_the_same_number_from_the_same_agency_and_year_is_held_as_a_duplicate(tmp_path: Path):
    # Given two different scans of one decision (other skew and noise, so other bytes)
    first, second = tmp_path / "first.jpg", tmp_path / "second.jpg"
    make_document("decision", seed=31, dpi=300, noise=0.2).pages[0].save(first, dpi=(300, 300))
    make_document("decision", seed=31, dpi=300, noise=0.5, skew_deg=2.0).pages[0].save(second, dpi=(300, 300))
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data")}
    archived = json.loads(_run(["digitize", str(first), "--json"], env).stdout)
    assert archived["archived"] == 1

    # When the second arrives, it is not archived a second time but held, naming the first
    held = _run(["digitize", str(second), "--json", "--export", str(tmp_path / "out")], env)
    summary = json.loads(held.stdout)
    assert (summary["archived"], summary["needs_review"], summary["duplicate_numbers"]) == (0, 1, 1)
    record = json.loads((tmp_path / "out" / "second.json").read_text())
    (warning,) = [w for w in record["warnings"] if w["code"] == "duplicate_number"]
    assert archived["documents"][0]["id"] in warning["message"]
    assert "already has an archived" in held.stderr + held.stdout


def test_a_document_that_passed_the_check_as_another_took_its_number_is_held_not_archived(
    tmp_path: Path, monkeypatch, capsys
):
    """Two documents with one number assembled at the same instant: both see no archived twin, one takes it."""
    from sohoa.cli import main
    from workers import archive

    first, second = tmp_path / "first.jpg", tmp_path / "second.jpg"
    make_document("decision", seed=31, dpi=300, noise=0.2).pages[0].save(first, dpi=(300, 300))
    make_document("decision", seed=31, dpi=300, noise=0.5, skew_deg=2.0).pages[0].save(second, dpi=(300, 300))
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOHOA_WORKERS", "1")
    assert main(["digitize", str(first), "--json"]) == 0
    first_id = json.loads(capsys.readouterr().out)["documents"][0]["id"]

    # the check before signing saw nothing, as it did while the first was still being archived
    monkeypatch.setattr(archive, "_review_reasons", lambda rt, record, intake: [])
    assert main(["digitize", str(second), "--json", "--export", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["archived"], summary["needs_review"]) == (0, 1)
    record = json.loads((tmp_path / "out" / "second.json").read_text())
    (warning,) = [w for w in record["warnings"] if w["code"] == "duplicate_number"]
    assert first_id in warning["message"] and record["archive"] is None
    with Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}") as catalog:
        assert catalog.archived_ids() == [first_id]

    # a person who confirms it anyway archives it; the number stays with the first
    monkeypatch.undo()
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data")}
    assert _run(["review", record["id"], "--confirm"], env).returncode == 0
    with Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}") as catalog:
        assert sorted(catalog.archived_ids()) == sorted([first_id, record["id"]])
        assert catalog.document(first_id).number_key and catalog.document(record["id"]).number_key is None


def test_a_day_is_taken_as_written_here_or_in_iso_form_and_kept_in_iso_form():
    from datetime import date

    from schemas.record import ResultMetadata
    from workers.review import ReviewError, apply_values

    metadata = ResultMetadata(issued_date=date(2024, 4, 15))
    same, changes = apply_values(metadata, {"issued_date": "15/04/2024"})
    assert changes == {} and same.issued_date == date(2024, 4, 15)
    later, changes = apply_values(metadata, {"issued_date": "2024-05-01", "valid_until": "31/12/2030"})
    assert (later.issued_date, later.valid_until) == (date(2024, 5, 1), date(2030, 12, 31))
    assert changes == {"issued_date": ["2024-04-15", "2024-05-01"], "valid_until": [None, "2030-12-31"]}
    with pytest.raises(ReviewError) as refused:
        apply_values(metadata, {"issued_date": "04/31/2024"})
    assert refused.value.fields == ("issued_date",)


def test_a_document_refused_on_the_command_line_ends_rejected(tmp_path: Path):
    scan = tmp_path / "notice.jpg"
    make_document("notice", seed=22, dpi=300, noise=0.3).pages[0].save(scan, dpi=(300, 300))
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_REVIEW_THRESHOLD": "0.99"}
    document_id = json.loads(_run(["digitize", str(scan), "--json"], env).stdout)["documents"][0]["id"]
    both = _run(["review", document_id, "--confirm", "--reject", "sai"], env)
    assert both.returncode == 2  # one decision at a time
    no_reason = _run(["review", document_id, "--reject", " "], env)
    assert no_reason.returncode == 2 and "needs a reason" in no_reason.stderr

    refused = _run(["review", document_id, "--reject", "Bản quét của cơ quan khác"], env)
    assert refused.returncode == 0, refused.stderr
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}")
    try:
        record = catalog.record(document_id)
    finally:
        catalog.close()
    assert record.status == "rejected" and record.error.message == "Bản quét của cơ quan khác"
    assert _run(["review", document_id, "--reject", "again"], env).returncode == 2  # not waiting any more
    assert "Waiting for review: 0" in _run(["review"], env).stdout
