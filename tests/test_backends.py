"""The same `sohoa digitize` on the production backends: PostgreSQL catalog and S3 (SeaweedFS) object store."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from samples.generate import make_document
from storage.audit_anchor import latest_anchor
from storage.catalog import Catalog
from tests.seaweedfs import S3Server

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def test_digitize_and_verify_on_postgresql_and_s3(tmp_path: Path, postgres_url: str, s3_server: S3Server):
    # Given two scans and the production backends chosen by settings alone
    for name, kind in (("decision.jpg", "decision"), ("permit.jpg", "construction_permit")):
        make_document(kind, seed=61, dpi=200, noise=0.3).pages[0].save(tmp_path / name, dpi=(200, 200))
    env = {
        **os.environ,
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_DATABASE_URL": postgres_url,
        **s3_server.env("e2e-"),
    }

    # When they are digitized and then verified
    done = subprocess.run([SOHOA, "digitize", str(tmp_path), "--json"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["archived"] == 2
    verified = subprocess.run([SOHOA, "verify", "--all"], env=env, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "2 checked, 2 ok, 0 failed" in verified.stdout
    fixity = subprocess.run([SOHOA, "fixity", "--json"], env=env, capture_output=True, text=True)
    assert fixity.returncode == 0, fixity.stdout + fixity.stderr
    assert (json.loads(fixity.stdout)["checked"], json.loads(fixity.stdout)["failed"]) == (2, 0)

    # Then the rows are in PostgreSQL and the objects in S3, hashes matching, nothing on local disk
    catalog = Catalog(postgres_url)
    store = s3_server.store("e2e-")
    try:
        for document_id in catalog.archived_ids():
            record = catalog.record(document_id)
            pdf = store.get_bytes(record.archive.bucket, record.archive.key)
            assert hashlib.sha256(pdf).hexdigest() == record.archive.pdf_sha256
            assert store.stat(record.archive.bucket, record.archive.key).sha256 == record.archive.pdf_sha256
            assert store.stat("incoming", f"{record.source.sha256[:2]}/{record.source.sha256}") is not None
            assert sorted(store.list_keys("archive", f"{document_id}/")) == [
                f"{document_id}/{document_id}.{ext}" for ext in ("json", "pdf", "xml")
            ]
        assert list(store.list_keys("work")) == []
        # the fixity run anchored the audit log's head in the archive bucket, on S3 too
        assert latest_anchor(store, "archive") is not None
    finally:
        catalog.close()
    assert not (tmp_path / "data" / "objects").exists()
    assert not (tmp_path / "data" / "catalog.sqlite3").exists()
