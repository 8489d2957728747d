"""`sohoa audit`: a digitized scan leaves its steps in the audit log; verify finds tampering; export round-trips."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from samples.generate import make_document
from storage.audit import GENESIS
from storage.audit_verify import hash_of_exported

SOHOA = str(Path(sys.executable).with_name("sohoa"))
PIPELINE = ["received", "ingest_started", "page_processed", "assembly_started", "assembled", "signed", "archived"]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_a_digitized_scan_leaves_its_steps_in_a_chain_that_verifies_and_exports(tmp_path: Path):
    # Given one generated scan, digitized
    scan = tmp_path / "decision.jpg"
    make_document("decision", seed=21, dpi=300, noise=0.3).pages[0].save(scan, dpi=(300, 300))
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data")}
    done = _run(["digitize", str(scan), "--json"], env)
    assert done.returncode == 0, done.stderr
    (document,) = json.loads(done.stdout)["documents"]
    assert document["status"] == "archived"

    # Then its steps are in the audit log, in order, and the chain verifies
    db = sqlite3.connect(tmp_path / "data" / "catalog.sqlite3")
    rows = db.execute("SELECT id, action, actor FROM audit_events WHERE document_id = ? ORDER BY id", (document["id"],))
    steps = [(action, actor) for _, action, actor in rows]
    assert [action for action, _ in steps] == PIPELINE and {actor for _, actor in steps} == {"system"}
    assert db.execute("SELECT count(*) FROM audit_events WHERE action = 'config_changed'").fetchone() == (1,)
    verified = _run(["audit", "verify"], env)
    assert verified.returncode == 0 and "audit log intact" in verified.stdout, verified.stdout + verified.stderr

    # And the export is one JSON line per event, from which every hash and link can be recomputed
    out = tmp_path / "audit.jsonl"
    exported = _run(["audit", "export", "--output", str(out)], env)
    assert exported.returncode == 0 and "exported 8 events" in exported.stderr, exported.stderr
    events, prev = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], GENESIS
    for event in events:
        assert event["prev_hash"] == prev and hash_of_exported(event) == event["hash"]
        prev = event["hash"]
    assert [e["action"] for e in events if e["document_id"] == document["id"]] == PIPELINE
    assert _run(["audit", "export", "--since", "2999-01-01"], env).stdout == ""
    first, last = (datetime.fromisoformat(e["at"]).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() for e in events[::7])
    assert len(_run(["audit", "export", "--until", str(last)], env).stdout.splitlines()) == 8  # the whole day
    assert _run(["audit", "export", "--until", str(first - timedelta(days=1))], env).stdout == ""

    # When a row is edited, then one is deleted, verify fails and names them
    edited, deleted = events[2]["id"], events[5]["id"]
    db.execute("UPDATE audit_events SET details = '{\"page\": 9}' WHERE id = ?", (edited,))
    db.execute("DELETE FROM audit_events WHERE id = ?", (deleted,))
    db.commit()
    db.close()
    broken = _run(["audit", "verify"], env)
    assert broken.returncode == 1 and "audit log broken" in broken.stderr
    assert f"row {edited} was edited" in broken.stderr and f"missing after row {deleted - 1}" in broken.stderr
    report = json.loads(_run(["audit", "verify", "--json"], env).stdout)
    assert report["ok"] is False and [(p["kind"], p["row_id"]) for p in report["problems"]] == [
        ("edited", edited),
        ("missing", deleted + 1),
    ]


def test_verify_since_a_trusted_head_names_it_and_refuses_a_head_whose_hash_changed(tmp_path: Path):
    from storage.audit import AuditLog
    from storage.catalog import Catalog

    (tmp_path / "data").mkdir()
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}")
    log = AuditLog(catalog)
    ids = [log.append("view", actor=f"officer{n}", role="officer") for n in range(4)]
    trusted = next(e for e in log.events(limit=10) if e.id == ids[1])
    catalog.close()
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data")}
    done = _run(["audit", "verify", "--since", str(ids[1]), "--head-hash", trusted.hash], env)
    assert done.returncode == 0 and f"2 events after row {ids[1]}" in done.stdout, done.stdout + done.stderr
    refused = _run(["audit", "verify", "--since", str(ids[1]), "--head-hash", "0" * 64], env)
    assert refused.returncode == 2 and "no longer carries the hash" in refused.stderr


def test_a_log_cut_after_its_anchor_fails_verify_and_the_anchor_cannot_be_deleted(tmp_path: Path):
    from storage.audit import AuditLog
    from storage.catalog import Catalog
    from storage.layout import ARCHIVE
    from storage.objects import ObjectLocked
    from workers.runtime import open_store

    (tmp_path / "data").mkdir()
    env = {
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_ARCHIVE_RETENTION_MODE": "COMPLIANCE",
        "SOHOA_ARCHIVE_RETENTION_DAYS": "3650",
    }
    catalog = Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}")
    log = AuditLog(catalog)
    ids = [log.append("view", actor=f"officer{n}", role="officer") for n in range(5)]
    catalog.close()
    unanchored = _run(["audit", "verify"], env)
    assert unanchored.returncode == 0 and "no anchor yet" in unanchored.stdout

    # Given the head anchored in the archive
    anchored = _run(["audit", "anchor", "--json"], env)
    assert anchored.returncode == 0, anchored.stderr
    anchor = json.loads(anchored.stdout)
    assert anchor["event_id"] == ids[-1]
    verified = _run(["audit", "verify", "--json"], env)
    assert verified.returncode == 0 and json.loads(verified.stdout)["anchor"]["event_id"] == ids[-1]
    since = _run(["audit", "verify", "--since", "anchor"], env)
    assert since.returncode == 0 and f"0 events after row {ids[-1]}" in since.stdout, since.stdout + since.stderr

    # When the newest rows are deleted, the rest still chains, but verify reports the cut
    db = sqlite3.connect(tmp_path / "data" / "catalog.sqlite3")
    db.execute("DELETE FROM audit_events WHERE id >= ?", (ids[3],))
    db.commit()
    cut = _run(["audit", "verify"], env)
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert f"truncated: the log ends at row {ids[2]}, but row {ids[4]} was anchored" in " ".join(cut.stderr.split())

    # And the anchor is under the archive's lock: nobody deletes it to hide the cut
    from schemas.settings import Settings

    store = open_store(Settings.from_env(env))
    with pytest.raises(ObjectLocked):
        store.delete(ARCHIVE, anchor["key"])
