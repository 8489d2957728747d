"""The audit log's hash chain, on SQLite and PostgreSQL: tampering is found and named, appends stay chained."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from schemas.record import ArchiveInfo, DocumentRecord, SourceInfo
from schemas.settings import SecretStr, Settings
from storage.audit import GENESIS, AuditLog, EventFilter, append_event, row_hash, stored_row_hash
from storage.audit_settings import CONFIG_CHANGED, record_config_change
from storage.audit_verify import event_json, hash_of_exported, verify_chain
from storage.catalog import Catalog
from storage.tables import AuditEvent
from tests.processes import ended

COLUMNS = ("at", "actor", "role", "action", "document_id", "details", "prev_hash", "hash")


def _ten(catalog: Catalog) -> list[int]:
    audit = AuditLog(catalog)
    return [
        audit.append("view", actor=f"officer{n}", role="officer", document_id=f"doc{n}", details={"n": n})
        for n in range(10)
    ]


def _kinds(catalog: Catalog) -> list[tuple[str, int, int | None]]:
    return [(p.kind, p.row_id, p.after_id) for p in verify_chain(catalog, chunk=3).problems]


def test_an_intact_chain_verifies_across_chunks_and_text_is_kept_in_nfc(catalog: Catalog):
    ids = _ten(catalog)
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    AuditLog(catalog).append("search", actor=decomposed, details={"q": decomposed, decomposed: [decomposed]})
    report = verify_chain(catalog, chunk=3)
    assert report.ok and report.events == 11 and report.problems == [] and report.head_id > ids[-1]
    (row,) = AuditLog(catalog).events(EventFilter(action="search"))
    composed = unicodedata.normalize("NFC", decomposed)
    assert row.actor == composed and row.details == {"q": composed, composed: [composed]}
    first = AuditLog(catalog).events(EventFilter(document_id="doc0"))[0]
    assert first.prev_hash == GENESIS


def test_events_are_stored_as_the_very_text_their_hash_covers(catalog: Catalog):
    """Verification hashes the stored details without decoding them: that must hold for every event appended."""
    ids = _ten(catalog)
    AuditLog(catalog).append("search", actor="Nguyễn Văn Đức", details={"q": "giấy phép", "b": [1, None, 2.5]})
    with catalog.session() as s:  # a time without microseconds, which `isoformat` spells shorter
        row = s.get(AuditEvent, ids[0])
        row.at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        row.hash = row_hash(row)
    rows = list(AuditLog(catalog).stream(stored=True))
    assert len(rows) == 11 and all(stored_row_hash(row) == row.hash for row in rows)
    assert rows[-1].details == '{"b":[1,null,2.5],"q":"giấy phép"}'


def test_details_stored_in_another_spelling_still_verify_and_an_edit_in_it_is_found(catalog: Catalog):
    """Catalogs written before the canonical spelling hold `{"n": 3}` or `\\u`-escaped text: the same details."""
    ids = _ten(catalog)
    AuditLog(catalog).append("search", actor="officer1", details={"q": "Đức", "n": 1})
    value = "CAST(:d AS JSON)" if catalog.engine.dialect.name == "postgresql" else ":d"
    respell = text(f"UPDATE audit_events SET details = {value} WHERE id = :i")
    with catalog.session() as s:  # plain SQL, as an older version's serializer wrote them
        s.execute(respell, {"d": json.dumps({"q": "Đức", "n": 1}), "i": ids[-1] + 1})
        s.execute(respell, {"d": '{"n": 3}', "i": ids[3]})
    (row,) = [r for r in AuditLog(catalog).stream(stored=True) if r.action == "search"]
    assert "\\u0110" in row.details and stored_row_hash(row) != row.hash  # so the decoded details decide
    assert verify_chain(catalog, chunk=4).ok
    with catalog.session() as s:
        s.execute(respell, {"d": '{"n": 4}', "i": ids[3]})
    assert _kinds(catalog) == [("edited", ids[3], None)]


def test_an_edited_row_is_named(catalog: Catalog):
    ids = _ten(catalog)
    with catalog.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[3]).values(details={"n": 99}))
    report = verify_chain(catalog, chunk=3)
    assert not report.ok and _kinds(catalog) == [("edited", ids[3], None)]
    assert report.first_broken_id == ids[3] and f"row {ids[3]} was edited" in report.problems[0].message


def test_a_deleted_row_is_named_by_the_row_before_the_gap(catalog: Catalog):
    ids = _ten(catalog)
    with catalog.session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.id == ids[4]))
    report = verify_chain(catalog)
    assert _kinds(catalog) == [("missing", ids[5], ids[3])]
    assert f"missing after row {ids[3]}" in report.problems[0].message and report.events == 9
    with catalog.session() as s:  # the first row too
        s.execute(delete(AuditEvent).where(AuditEvent.id == ids[0]))
    assert ("missing", ids[1], None) in _kinds(catalog)


def test_a_rewritten_row_with_a_recomputed_hash_breaks_the_next_link(catalog: Catalog):
    ids = _ten(catalog)
    with catalog.session() as s:
        row = s.get(AuditEvent, ids[6])
        row.actor = "someone-else"
        row.hash = row_hash(row)
    assert _kinds(catalog) == [("missing", ids[7], ids[6])]  # "or row 6 was rewritten"
    assert "rewritten" in verify_chain(catalog).problems[0].message


def _swap(catalog: Catalog, a: int, b: int) -> None:
    """Exchange every column but the id between two rows: the rows trade places in the chain."""
    with catalog.session() as s:
        first, second = s.get(AuditEvent, a), s.get(AuditEvent, b)
        values = {c: getattr(first, c) for c in COLUMNS}, {c: getattr(second, c) for c in COLUMNS}
        for column in COLUMNS:
            setattr(first, column, values[1][column])
            setattr(second, column, values[0][column])


def test_reordered_rows_are_named(catalog: Catalog):
    ids = _ten(catalog)
    _swap(catalog, ids[2], ids[6])
    report = verify_chain(catalog, chunk=4)
    assert {p.kind for p in report.problems} == {"reordered"}  # every row still hashes right
    assert report.moved == [ids[2], ids[6]]
    assert [p.row_id for p in report.problems] == [ids[2], ids[3], ids[6], ids[7]]
    assert report.problems[0].linked_id == ids[5]  # row 2 now holds row 6, which follows row 5
    _swap(catalog, ids[2], ids[6])
    assert verify_chain(catalog).ok
    _swap(catalog, ids[4], ids[5])  # neighbours
    assert verify_chain(catalog).moved == [ids[4], ids[5]]


def test_ids_may_have_gaps_from_rolled_back_appends(catalog: Catalog):
    audit = AuditLog(catalog)
    first = audit.append("login", actor="a")
    with pytest.raises(RuntimeError), catalog.session() as s:
        append_event(s, "login", actor="rolled-back")
        raise RuntimeError("the change this event recorded failed")
    second = audit.append("login", actor="b")
    assert [e.actor for e in audit.events()] == ["b", "a"]
    if catalog.engine.dialect.name == "postgresql":
        assert second > first + 1  # the sequence number was used up
    assert verify_chain(catalog).ok


def test_concurrent_appends_from_threads_keep_one_chain(catalog: Catalog):
    audit = AuditLog(catalog)

    def append(worker: int) -> None:
        for n in range(15):
            audit.append("view", actor=f"thread{worker}", details={"n": n})

    threads = [threading.Thread(target=append, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = verify_chain(catalog)
    assert report.ok and report.events == 90


APPENDER = """
import sys
from storage.audit import AuditLog
from storage.catalog import Catalog
catalog = Catalog(sys.argv[1])
for n in range(20):
    AuditLog(catalog).append("download", actor="process" + sys.argv[2], details={"n": n})
catalog.close()
"""


def test_concurrent_appends_from_processes_keep_one_chain(catalog: Catalog):
    AuditLog(catalog).append("login", actor="first")  # the schema exists before the processes start
    url = catalog.url
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(url), str(n)]) for n in range(3)]
    with ended(procs[0]), ended(procs[1]), ended(procs[2]):
        assert [p.wait(timeout=600) for p in procs] == [0, 0, 0]
    report = verify_chain(catalog)
    assert report.ok and report.events == 61


def test_exported_lines_carry_everything_needed_to_recompute_the_chain(catalog: Catalog):
    _ten(catalog)
    AuditLog(catalog).append("search", actor="cán bộ", details={"q": "giấy phép xây dựng", "page": 1, "ok": True})
    lines = [json.dumps(event_json(row), ensure_ascii=False) for row in AuditLog(catalog).stream(chunk=4)]
    prev = GENESIS
    for line in lines:
        event = json.loads(line)
        assert event["prev_hash"] == prev and hash_of_exported(event) == event["hash"]
        assert event["at"].endswith("+00:00") and unicodedata.is_normalized("NFC", line)
        prev = event["hash"]
    assert len(lines) == 11 and prev == verify_chain(catalog).head_hash


def _record(document_id: str, status: str) -> DocumentRecord:
    source = SourceInfo(filename="a.jpg", sha256="ab" * 32, size_bytes=3, media_type="image/jpeg")
    archive = ArchiveInfo(bucket="archive", key=f"{document_id}/{document_id}.pdf", pdf_sha256="cd" * 32, signer="TEST")
    return DocumentRecord(
        id=document_id,
        source=source,
        status=status,
        archive=archive if status == "archived" else None,
        received_at=datetime.now(UTC),
    )


def test_pipeline_steps_are_logged_once_each_with_the_change_they_record(catalog: Catalog):
    batch = catalog.create_batch()
    received = catalog.receive(batch, filename="a.jpg", sha256="ab" * 32, size_bytes=3, incoming_key="k")
    again = catalog.receive(batch, filename="a-again.jpg", sha256="ab" * 32, size_bytes=3, incoming_key="k")
    document_id = received.document_id
    assert again.duplicate
    catalog.start_pages(document_id, "image/jpeg", 2)
    catalog.start_pages(document_id, "image/jpeg", 2)  # a redelivered ingest
    catalog.finish_page(document_id, 1, status="done")
    catalog.finish_page(document_id, 1, status="done")  # a redelivered page
    catalog.finish_page(document_id, 2, status="failed", error={"code": "corrupt_image", "message": "bad"})
    catalog.finish(document_id, _record(document_id, "archived"))
    catalog.finish(document_id, _record(document_id, "archived"))  # a redelivered assembly
    events = list(reversed(AuditLog(catalog).events(EventFilter(document_id=document_id))))
    assert [e.action for e in events] == [
        "received",
        "received",
        "ingest_started",
        "page_processed",
        "page_failed",
        "assembly_started",
        "archived",
    ]
    assert [e.details["duplicate"] for e in events[:2]] == [False, True] and events[1].details[
        "filename"
    ] == "a-again.jpg"
    assert events[2].details["pages"] == 2 and events[4].details == {
        "page": 2,
        "error": {"code": "corrupt_image", "message": "bad"},
    }
    assert events[-1].details["pdf_sha256"] == "cd" * 32 and {e.actor for e in events} == {"system"}
    assert verify_chain(catalog).ok


def test_a_configuration_change_is_logged_once_with_its_keys_and_never_a_secret(catalog: Catalog, tmp_path: Path):
    base = Settings(data_dir=tmp_path / "a", workers=2)
    assert record_config_change(catalog, base) is not None
    assert record_config_change(catalog, base) is None  # the same settings: nothing new
    assert record_config_change(catalog, Settings(data_dir=tmp_path / "b", workers=8)) is None  # local to a machine
    changed = Settings(data_dir=tmp_path / "a", ocr_dpi=400, sign_password=SecretStr("mật-khẩu-bí-mật"))
    assert record_config_change(catalog, changed) is not None
    first, last = reversed(AuditLog(catalog).events(EventFilter(action=CONFIG_CHANGED)))
    assert first.details["first"] is True and "ocr_dpi" in first.details["changed"]
    assert last.details["changed"] == ["ocr_dpi", "sign_password"] and last.details["values"] == {"ocr_dpi": 400}
    assert "mật-khẩu-bí-mật" not in json.dumps(last.details, ensure_ascii=False)
    url = Settings(
        data_dir=tmp_path / "a",
        ocr_dpi=400,
        sign_password=SecretStr("mật-khẩu-bí-mật"),
        database_url="postgresql://u:pw@db/x",
    )
    record_config_change(catalog, url)
    (newest,) = AuditLog(catalog).events(EventFilter(action=CONFIG_CHANGED), limit=1)
    assert (
        newest.details["changed"] == ["database_url"]
        and newest.details["values"] == {}
        and "pw@" not in str(newest.details)
    )
    assert verify_chain(catalog).ok


def test_processes_starting_together_record_one_configuration_change(catalog: Catalog, tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "a", jpeg_quality=70)
    threads = [threading.Thread(target=record_config_change, args=(catalog, settings)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditLog(catalog).count(EventFilter(action=CONFIG_CHANGED)) == 1 and verify_chain(catalog).ok


def test_verifying_from_a_trusted_head_checks_only_the_rows_after_it(catalog: Catalog):
    from storage.audit_verify import UnknownHead

    log = AuditLog(catalog)
    ids = [log.append("view", actor=f"officer{n}", role="officer") for n in range(6)]
    head = verify_chain(catalog)
    trusted = next(e for e in log.events(limit=10) if e.id == ids[2])
    with catalog.session() as s:  # a row before the trusted head is edited: not this run's business
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(actor="someone else"))
    since = verify_chain(catalog, since=ids[2], since_hash=trusted.hash)
    assert since.ok and since.events == 3 and (since.head_id, since.head_hash) == (head.head_id, head.head_hash)
    assert not verify_chain(catalog).ok  # the whole log still shows the edit
    with catalog.session() as s:  # a row after it is edited: found
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[4]).values(actor="someone else"))
    assert [p.row_id for p in verify_chain(catalog, since=ids[2]).problems] == [ids[4]]
    with pytest.raises(UnknownHead):
        verify_chain(catalog, since=ids[2], since_hash="0" * 64)  # the head no longer carries its trusted hash
    with pytest.raises(UnknownHead):
        verify_chain(catalog, since=ids[-1] + 1000)


def test_the_actions_in_the_log_are_read_from_its_index_as_distinct_and_sorted_does(catalog: Catalog):
    log = AuditLog(catalog)
    assert log.actions() == []
    for action in ("view", "login", "view", "download", "login", "view"):
        log.append(action, actor="officer1", role="officer")
    assert log.actions() == ["download", "login", "view"]


def test_an_anchor_is_written_when_none_is_a_day_recent(catalog: Catalog, tmp_path):
    from datetime import timedelta

    from storage.audit_anchor import anchor_if_due, latest_anchor
    from storage.local_store import LocalFolderStore

    store = LocalFolderStore(tmp_path / "objects")
    assert anchor_if_due(catalog, store, "archive") is None  # an empty log: nothing to anchor
    first_id = AuditLog(catalog).append("login", actor="staff1", role="staff")
    first = anchor_if_due(catalog, store, "archive")
    assert first is not None and first.event_id == first_id
    second_id = AuditLog(catalog).append("logout", actor="staff1", role="staff")
    assert anchor_if_due(catalog, store, "archive", now=datetime.now(UTC) + timedelta(hours=23)) is None
    later = anchor_if_due(catalog, store, "archive", now=datetime.now(UTC) + timedelta(days=1, minutes=1))
    assert later is not None and later.event_id == second_id
    assert latest_anchor(store, "archive") == later


def test_a_secret_s_digest_cannot_be_guessed_back_without_the_key_outside_the_database(
    catalog: Catalog, tmp_path: Path
):
    import hashlib
    import hmac
    import stat

    from storage.audit_settings import audit_key

    password = "matkhau2024"  # the kind of secret a list of likely passwords holds
    settings = Settings(data_dir=tmp_path / "a", sign_password=SecretStr(password))
    record_config_change(catalog, settings)
    (event,) = AuditLog(catalog).events(EventFilter(action=CONFIG_CHANGED), limit=1)
    guessed = hashlib.sha256(password.encode()).hexdigest()  # what the log held before
    as_logged = hashlib.sha256(json.dumps(guessed).encode()).hexdigest()
    assert event.details["digests"]["sign_password"] != as_logged
    key_file = tmp_path / "a" / "audit-hmac.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keyed = hmac.new(key_file.read_bytes().strip(), password.encode(), hashlib.sha256).hexdigest()
    assert event.details["digests"]["sign_password"] == hashlib.sha256(json.dumps(keyed).encode()).hexdigest()
    shared = Settings(data_dir=tmp_path / "b", audit_key_file=key_file, sign_password=SecretStr(password))
    assert audit_key(shared) == key_file.read_bytes().strip()
    assert record_config_change(catalog, shared) is None  # another machine with the same key: no change


def test_processes_starting_together_make_one_audit_key(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    from storage.audit_settings import audit_key

    settings = Settings(data_dir=tmp_path / "data")
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: audit_key(settings), range(8)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["audit-hmac.key"]  # no draft left behind
