"""`sohoa fixity` re-reads the archive: intact objects pass, a flipped byte is found, named and recorded."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.audit import AuditLog, EventFilter
from storage.audit_anchor import latest_anchor
from storage.catalog import Catalog
from storage.fixity import last_fixity_run
from storage.local_store import LocalFolderStore
from tests.archive_fixture import digitize_archive, run_sohoa


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The digitized archive, shared read-only by the tests; tests that tamper work on a copy."""
    return digitize_archive(tmp_path_factory.mktemp("fixity"))


@pytest.fixture
def copy(archive, tmp_path) -> tuple[Path, dict[str, str]]:
    data, ids = archive
    shutil.copytree(data, tmp_path / "data")
    return tmp_path / "data", ids


def flip_byte(path: Path, offset: int) -> None:
    """What a tamperer (or bit rot) does: make the file writable if it is not, change one byte in place."""
    path.chmod(path.stat().st_mode | stat.S_IWUSR)
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))


def events(data: Path, action: str):
    catalog = Catalog(f"sqlite:///{data / 'catalog.sqlite3'}")
    try:
        return AuditLog(catalog).events(EventFilter(action=action))
    finally:
        catalog.close()


def test_an_intact_archive_passes_and_the_run_is_recorded(copy):
    data, ids = copy
    done = run_sohoa(["fixity", "--json"], data)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] and (result["checked"], result["failed"], result["archived"]) == (2, 0, 2)
    assert sorted(r["document_id"] for r in result["results"]) == sorted(ids.values())
    assert "2/2 checked" in done.stderr  # progress goes to stderr
    (run,) = events(data, "fixity_run")
    assert run.details["ok"] and run.details["checked"] == 2 and run.actor.startswith("cli:")
    assert events(data, "fixity_failed") == []
    anchor = latest_anchor(LocalFolderStore(data / "objects"), "archive")  # the run anchored the log's head
    assert anchor is not None and anchor.event_id == run.id and anchor.hash == run.hash


def test_a_flipped_byte_in_an_archived_pdf_is_found_named_and_recorded(copy):
    data, ids = copy
    permit = ids["construction_permit"]
    pdf = data / "objects" / "archive" / permit / f"{permit}.pdf"
    flip_byte(pdf, pdf.stat().st_size // 2)

    done = run_sohoa(["fixity"], data)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"FAIL {permit} (construction_permit.jpg)" in done.stdout
    assert ids["decision"] not in done.stdout.split("FAIL", 1)[1].split("\n")[0]
    assert "differs from the catalog" in done.stdout and "1 failed" in done.stdout

    (failed,) = events(data, "fixity_failed")
    assert failed.document_id == permit and any("SHA-256" in p for p in failed.details["problems"])
    (run,) = events(data, "fixity_run")
    assert not run.details["ok"] and (run.details["checked"], run.details["failed"]) == (2, 1)
    assert failed.details["run_id"] == run.details["run_id"]

    # The reconciliation shows auditors the last run and its failure.
    catalog = Catalog(f"sqlite:///{data / 'catalog.sqlite3'}")
    try:
        status = last_fixity_run(catalog)
    finally:
        catalog.close()
    assert status is not None and not status.ok and [f.document_id for f in status.failures] == [permit]


def test_a_changed_sidecar_is_found(copy):
    data, ids = copy
    decision = ids["decision"]
    xml = data / "objects" / "archive" / decision / f"{decision}.xml"
    flip_byte(xml, xml.stat().st_size - 20)
    done = run_sohoa(["fixity", "--json"], data)
    assert done.returncode == 1
    (bad,) = [r for r in json.loads(done.stdout)["results"] if not r["ok"]]
    assert bad["document_id"] == decision
    assert any(p.startswith(f"{decision}/{decision}.xml: SHA-256") for p in bad["problems"])


@pytest.mark.parametrize(("percent", "checked"), [("50", 1), ("1", 1), ("100", 2)])
def test_sample_checks_that_share_of_documents_and_at_least_one(copy, percent, checked):
    data, _ids = copy
    done = run_sohoa(["fixity", "--sample", percent, "--json"], data)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["checked"], result["archived"], result["sample_percent"]) == (checked, 2, float(percent))
    assert events(data, "fixity_run")[0].details["checked"] == checked


def test_a_sample_outside_0_to_100_is_refused(archive):
    data, _ids = archive
    for bad in ("0", "101", "-5"):
        assert run_sohoa(["fixity", "--sample", bad], data).returncode == 2


def test_retention_follows_the_document_type(archive):
    data, ids = archive
    catalog = Catalog(f"sqlite:///{data / 'catalog.sqlite3'}")
    try:
        records = {kind: catalog.record(document_id) for kind, document_id in ids.items()}
    finally:
        catalog.close()
    now = datetime.now(UTC)
    for kind, days in (("construction_permit", 36500), ("decision", 3650)):
        archive_info = records[kind].archive
        assert archive_info.retention_mode == "GOVERNANCE"
        assert abs(archive_info.retain_until - (now + timedelta(days=days))) < timedelta(minutes=10), kind
        for ext in ("pdf", "json", "xml"):  # every archived object of the document is retained as long
            meta = json.loads(
                (data / "objects" / ".meta" / "archive" / ids[kind] / f"{ids[kind]}.{ext}.json").read_text()
            )
            # put one after the other, each to the second: on a busy machine a second may pass between them
            retained = datetime.fromisoformat(meta["retention"]["retain_until"])
            assert timedelta(0) <= retained - archive_info.retain_until < timedelta(minutes=1), (kind, ext)
    assert records["construction_permit"].metadata.type_name == "GIẤY PHÉP XÂY DỰNG"
