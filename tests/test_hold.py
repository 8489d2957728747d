"""Legal holds and retention: `sohoa hold`, and refused deletions on the local folder and on S3 (SeaweedFS)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from schemas.settings import Settings
from storage.audit import AuditLog, EventFilter
from storage.catalog import Catalog
from storage.local_store import LocalFolderStore
from storage.objects import ObjectLocked, ObjectStore, ObjectStoreError, RetentionPolicy
from storage.retention import archive_retain_days, retention_days_for
from tests.archive_fixture import digitize_archive, run_sohoa
from workers.holds import HoldError, archived_objects, change_hold, list_holds

HOLD_ONLY = {"archive": RetentionPolicy("GOVERNANCE", 0)}  # locked bucket, nothing retained by itself
REASON = "Tranh chấp đất đai, giữ theo yêu cầu của Tòa án"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    return digitize_archive(tmp_path_factory.mktemp("hold"))


@pytest.fixture
def copy(archive, tmp_path) -> tuple[Path, dict[str, str]]:
    data, ids = archive
    shutil.copytree(data, tmp_path / "data")
    return tmp_path / "data", ids


def _catalog(data: Path) -> Catalog:
    return Catalog(f"sqlite:///{data / 'catalog.sqlite3'}")


# --- the command line, on the local folder store -----------------------------------------------------------


def test_hold_set_list_clear_with_the_reason_in_the_audit_log(copy):
    data, ids = copy
    permit = ids["construction_permit"]
    done = run_sohoa(["hold", "set", permit, "--reason", REASON], data)
    assert done.returncode == 0, done.stderr
    assert f"{permit}/{permit}.pdf" in done.stdout and f"{permit}/{permit}.xml" in done.stdout

    store = LocalFolderStore(data / "objects")
    for ext in ("pdf", "json", "xml"):
        assert store.stat("archive", f"{permit}/{permit}.{ext}").legal_hold
    assert not store.stat("archive", f"{ids['decision']}/{ids['decision']}.pdf").legal_hold

    listed = run_sohoa(["hold", "list", "--json"], data)
    assert listed.returncode == 0, listed.stderr
    (hold,) = json.loads(listed.stdout)
    assert (hold["document_id"], hold["reason"], hold["held_in_store"]) == (permit, REASON, True)
    assert hold["filename"] == "construction_permit.jpg" and hold["actor"].startswith("cli:")

    cleared = run_sohoa(["hold", "clear", permit, "--reason", "Tòa án đã xử xong"], data)
    assert cleared.returncode == 0, cleared.stderr
    assert not any(store.stat("archive", f"{permit}/{permit}.{e}").legal_hold for e in ("pdf", "json", "xml"))
    assert json.loads(run_sohoa(["hold", "list", "--json"], data).stdout) == []
    assert "Under legal hold: 0" in run_sohoa(["hold", "list"], data).stdout

    catalog = _catalog(data)
    try:
        audit = AuditLog(catalog)
        (held,) = audit.events(EventFilter(action="legal_hold_set"))
        (released,) = audit.events(EventFilter(action="legal_hold_cleared"))
    finally:
        catalog.close()
    assert held.document_id == released.document_id == permit
    assert held.details["reason"] == REASON and len(held.details["keys"]) == 3
    assert released.details["reason"] == "Tòa án đã xử xong" and released.id > held.id


def test_hold_needs_a_reason_and_an_archived_document(copy):
    data, ids = copy
    assert run_sohoa(["hold", "set", ids["decision"]], data).returncode == 2  # --reason is required
    blank = run_sohoa(["hold", "set", ids["decision"], "--reason", "  "], data)
    assert blank.returncode == 2 and "reason" in blank.stderr
    unknown = run_sohoa(["hold", "set", "nosuchdocument", "--reason", REASON], data)
    assert unknown.returncode == 2 and "no document with id nosuchdocument" in unknown.stderr


def test_a_hold_missing_from_the_store_is_reported(copy):
    data, ids = copy
    decision = ids["decision"]
    assert run_sohoa(["hold", "set", decision, "--reason", REASON], data).returncode == 0
    LocalFolderStore(data / "objects", locked_buckets=HOLD_ONLY).set_legal_hold(
        "archive", f"{decision}/{decision}.pdf", False
    )  # released behind sohoa's back
    listed = run_sohoa(["hold", "list"], data)
    assert listed.returncode == 1 and "NOT HELD IN THE STORE" in listed.stdout


# --- refused deletions, on both stores ---------------------------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def make_store(request, tmp_path):
    """A fresh store of each kind with the given archive policy (S3: the test S3 server, its own bucket prefix)."""

    def make(policy: dict[str, RetentionPolicy]) -> ObjectStore:
        if request.param == "local":
            return LocalFolderStore(tmp_path / uuid.uuid4().hex[:8], locked_buckets=policy)
        return request.getfixturevalue("s3_server").store(f"h{uuid.uuid4().hex[:8]}-", policy)

    return make


def test_deleting_before_the_types_retention_ends_is_refused(make_store):
    store = make_store({"archive": RetentionPolicy("GOVERNANCE", 3650)})
    settings = Settings(archive_retention_days=3650, archive_retention_days_by_type={"Giấy phép xây dựng": 36500})
    days = archive_retain_days(settings, "GIẤY PHÉP XÂY DỰNG")
    stored = store.put_bytes("archive", "p/p.pdf", b"%PDF permit", retain_days=days)
    other = store.put_bytes(
        "archive", "d/d.pdf", b"%PDF decision", retain_days=archive_retain_days(settings, "QUYẾT ĐỊNH")
    )

    now = datetime.now(UTC)
    assert abs(stored.retention.retain_until - (now + timedelta(days=36500))) < timedelta(minutes=1)
    assert abs(other.retention.retain_until - (now + timedelta(days=3650))) < timedelta(minutes=1)
    assert store.stat("archive", "p/p.pdf").retention == stored.retention
    for key, retention in (("p/p.pdf", stored.retention), ("d/d.pdf", other.retention)):
        with pytest.raises(ObjectLocked, match=f"retained until {retention.retain_until:%Y-%m-%d}"):
            store.delete("archive", key)
        with pytest.raises(ObjectLocked):
            store.delete_prefix("archive", key.split("/")[0] + "/")
    assert store.get_bytes("archive", "p/p.pdf") == b"%PDF permit"
    with pytest.raises(ObjectStoreError, match="no object lock"):
        store.put_bytes("work", "x", b"x", retain_days=30)  # nothing there could hold it


def test_a_document_under_legal_hold_cannot_be_deleted_until_cleared(make_store, archive, tmp_path):
    data, ids = archive
    shutil.copy(data / "catalog.sqlite3", tmp_path / "catalog.sqlite3")
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    store = make_store(HOLD_ONLY)  # no retention: only the hold protects the objects
    permit = ids["construction_permit"]
    record = catalog.record(permit)
    record = record.model_copy(update={"archive": record.archive.model_copy(update={"version_id": None})})
    for bucket, key, _version in archived_objects(record):  # the document's objects, copied into this store
        store.put_bytes(bucket, key, (data / "objects" / bucket / key).read_bytes())
    try:
        keys = change_hold(catalog, store, permit, on=True, reason=REASON, actor="cli:test")
        assert keys == [f"{permit}/{permit}.{ext}" for ext in ("pdf", "json", "xml")]
        for key in keys:
            assert store.legal_hold("archive", key) is True
            with pytest.raises(ObjectLocked, match="legal hold"):
                store.delete("archive", key)
        with pytest.raises(ObjectLocked):
            store.delete_prefix("archive", f"{permit}/")
        assert [h.document_id for h in list_holds(catalog, store)] == [permit]
        assert list_holds(catalog, store)[0].held_in_store is True

        change_hold(catalog, store, permit, on=False, reason="released", actor="cli:test")
        assert list_holds(catalog, store) == []
        assert store.delete_prefix("archive", f"{permit}/") == 3
        assert list(store.list_keys("archive")) == []
        with pytest.raises(HoldError, match="reason"):
            change_hold(catalog, store, permit, on=True, reason="", actor="cli:test")
    finally:
        catalog.close()


def test_retention_days_match_types_without_diacritics_or_case():
    settings = Settings(archive_retention_days=3650, archive_retention_days_by_type={"giấy phép  xây dựng": 36500})
    assert retention_days_for(settings, "GIẤY PHÉP XÂY DỰNG") == 36500
    assert retention_days_for(settings, "Giay phep xay dung") == 36500
    assert retention_days_for(settings, "QUYẾT ĐỊNH") == 3650 and retention_days_for(settings, None) == 3650
    assert archive_retain_days(dataclasses.replace(settings, archive_retention_mode=None), "GIẤY PHÉP XÂY DỰNG") is None
    from_env = Settings.from_env({"SOHOA_ARCHIVE_RETENTION_DAYS_BY_TYPE": '{"Giấy khai sinh": 0}'})
    assert from_env.archive_retention_days_by_type == {"Giấy khai sinh": 0}
