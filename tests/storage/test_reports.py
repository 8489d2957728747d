"""Auditor reports and reconciliation, on SQLite and on the PostgreSQL server of this machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from storage import reconcile_sql
from storage.audit import AuditLog
from storage.audit_anchor import write_anchor
from storage.catalog import Catalog
from storage.local_store import LocalFolderStore
from storage.rates import Period, RatesError, compute_rates, set_dossier_total
from storage.reconcile import IssuePage, reconcile, verify_audit_chain
from storage.reports import GROUPINGS, ReportError, ReportQuery, build_report, local_day, report_choices
from storage.tables import AuditEvent, Document, Page, Receipt
from tests.storage.test_report_counts import reconciliation_counters, reconciliation_counts_of_the_rows

UBND = "UBND QUẬN BA ĐÌNH"
SO_XD = "SỞ XÂY DỰNG HÀ NỘI"


@pytest.fixture
def store(tmp_path: Path) -> LocalFolderStore:
    return LocalFolderStore(tmp_path / "objects")


@dataclass
class Archive:
    """A small catalog and store built row by row, so every expected count is known."""

    catalog: Catalog
    store: LocalFolderStore
    batch: str
    ids: dict[str, str]

    def add(
        self,
        name: str,
        *,
        status: str,
        received: datetime,
        organ: str | None = UBND,
        type_name: str | None = "QUYẾT ĐỊNH",
        pages: int = 1,
        signed: bool = True,
        paper_pages: int | None = None,
    ) -> str:
        sha = f"{len(self.ids) + 1:02x}" * 32
        incoming_key = f"{sha[:2]}/{sha}"
        self.store.put_bytes("incoming", incoming_key, name.encode())
        document_id = self.catalog.receive(
            self.batch, filename=f"{name}.jpg", sha256=sha, size_bytes=10, incoming_key=incoming_key
        ).document_id
        self.catalog.start_pages(document_id, "image/jpeg", pages)
        for number in range(1, pages + 1):
            self.catalog.finish_page(document_id, number, status="done")
        key = f"{document_id}/{document_id}.pdf"
        archive = None
        if status == "archived":
            stored = self.store.put_bytes("archive", key, b"%PDF-1.7 " + name.encode())
            for ext in (".json", ".xml"):
                self.store.put_bytes("archive", key.replace(".pdf", ext), b"{}")
            signed_at = "2024-02-01T10:00:00+07:00" if signed else None
            archive = {"bucket": "archive", "key": key, "pdf_sha256": stored.sha256, "signed_at": signed_at}
        record = {
            "id": document_id,
            "status": status,
            "metadata": {"organ_name": organ, "type_name": type_name, "page_amount": pages},
            "archive": archive,
        }
        with self.catalog.session() as s:
            s.execute(
                update(Document)
                .where(Document.id == document_id)
                .values(
                    status=status,
                    record=record,
                    received_at=received,
                    updated_at=received,
                    finished_at=received if status not in ("received", "processing", "assembling") else None,
                    intake={"paper_pages": paper_pages} if paper_pages else None,
                )
            )
            s.execute(update(Receipt).where(Receipt.document_id == document_id).values(received_at=received))
            s.execute(update(Page).where(Page.document_id == document_id).values(updated_at=received))
        self.ids[name] = document_id
        return document_id

    def receive_again(self, name: str, at: datetime) -> None:
        """The same file once more: a duplicate receipt of the existing document."""
        sha = self.catalog.document(self.ids[name]).sha256
        self.catalog.receive(self.batch, filename=f"{name}-again.jpg", sha256=sha, size_bytes=10, incoming_key=sha)
        with self.catalog.session() as s:
            s.execute(update(Receipt).where(Receipt.duplicate.is_(True)).values(received_at=at))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def archive(catalog: Catalog, store: LocalFolderStore) -> Archive:
    """Five documents over January and February 2024 (Vietnam time), one received twice in March."""
    a = Archive(catalog, store, catalog.create_batch(), {})
    a.add("jan", status="archived", received=utc(2024, 1, 15, 3), pages=2)
    # 18:00 UTC on 31 January is 01:00 on 1 February in Vietnam: a February document.
    a.add("feb1", status="archived", received=utc(2024, 1, 31, 18), organ=SO_XD, type_name="GIẤY PHÉP XÂY DỰNG")
    a.add("review", status="needs_review", received=utc(2024, 2, 10, 2), organ=None, pages=3)
    a.add("bad", status="rejected", received=utc(2024, 2, 11, 2), pages=1)
    a.add("broken", status="failed", received=utc(2024, 2, 12, 2), organ=SO_XD, pages=2)
    a.receive_again("jan", utc(2024, 3, 1, 2))
    return a


def counts(row, *names: str) -> tuple[int, ...]:
    return tuple(row.counts[name] for name in names)


def test_monthly_counts_follow_vietnam_time_and_add_up(archive: Archive):
    report = build_report(archive.catalog, ReportQuery(by="month"))
    assert [row.key for row in report.rows] == ["2024-01", "2024-02", "2024-03"]
    jan, feb, mar = report.rows
    names = ("files_received", "documents", "pages", "archived", "signed", "needs_review", "rejected", "failed")
    assert counts(jan, *names) == (1, 1, 2, 1, 1, 0, 0, 0)
    assert counts(feb, *names) == (4, 4, 7, 1, 1, 1, 1, 1)
    assert counts(mar, "files_received", "duplicates", "documents") == (1, 1, 0)
    assert counts(report.total, *names) == (6, 5, 9, 2, 2, 1, 1, 1)
    assert report.total.counts["pages_archived"] == 3
    assert report.total.document_ids["archived"] == {archive.ids["jan"], archive.ids["feb1"]}


def test_a_date_range_is_inclusive_in_local_days(archive: Archive):
    february = ReportQuery(by="day", since=date(2024, 2, 1), until=date(2024, 2, 10))
    report = build_report(archive.catalog, february)
    assert [(row.key, row.counts["documents"]) for row in report.rows] == [("2024-02-01", 1), ("2024-02-10", 1)]
    assert report.total.document_ids["documents"] == {archive.ids["feb1"], archive.ids["review"]}
    assert local_day(utc(2024, 1, 31, 18)) == date(2024, 2, 1)


def test_grouping_and_filters_by_agency_type_and_status(archive: Archive):
    by_agency = build_report(archive.catalog, ReportQuery(by="agency"))
    assert [(row.key, row.counts["documents"]) for row in by_agency.rows] == [(SO_XD, 2), (UBND, 2), (None, 1)]
    by_type = build_report(archive.catalog, ReportQuery(by="type", agency=SO_XD))
    assert [(row.key, row.counts["archived"], row.counts["failed"]) for row in by_type.rows] == [
        ("GIẤY PHÉP XÂY DỰNG", 1, 0),
        ("QUYẾT ĐỊNH", 0, 1),
    ]
    by_status = build_report(archive.catalog, ReportQuery(by="status", status="archived"))
    assert [(row.key, row.counts["files_received"]) for row in by_status.rows] == [("archived", 3)]
    assert report_choices(archive.catalog) == ([SO_XD, UBND], ["GIẤY PHÉP XÂY DỰNG", "QUYẾT ĐỊNH"])


def test_reuse_counts_documents_viewed_or_downloaded_by_officers(archive: Archive):
    audit = AuditLog(archive.catalog)
    jan, feb1, review = archive.ids["jan"], archive.ids["feb1"], archive.ids["review"]
    audit.append("view", actor="officer1", role="officer", document_id=jan)
    audit.append("download", actor="officer2", role="officer", document_id=jan)  # the same document: once
    audit.append("download", actor="admin1", role="admin", document_id=feb1)
    audit.append("view", actor="auditor1", role="auditor", document_id=review)  # auditors do not reuse
    audit.append("view", actor="staff1", role="staff", document_id=review)  # nor do archive staff
    audit.append("search", actor="officer1", role="officer", details={"q": "giấy phép"})
    report = build_report(archive.catalog, ReportQuery(by="month"))
    this_month = local_day(datetime.now(UTC)).strftime("%Y-%m")
    assert report.rows[-1].key == this_month and report.rows[-1].counts["reused"] == 2
    assert report.total.counts["reused"] == 2 and report.total.document_ids["reused"] == {jan, feb1}
    past = build_report(archive.catalog, ReportQuery(since=date(2024, 1, 1), until=date(2024, 12, 31)))
    assert past.total.counts["reused"] == 0
    by_type = build_report(archive.catalog, ReportQuery(by="type"))
    assert {row.key: row.counts["reused"] for row in by_type.rows} == {"GIẤY PHÉP XÂY DỰNG": 1, "QUYẾT ĐỊNH": 1}


def test_the_json_form_traces_counts_to_documents(archive: Archive):
    data = build_report(archive.catalog, ReportQuery(by="status")).to_json(with_ids=True)
    assert [row["key"] for row in data["rows"]] == ["archived", "needs_review", "rejected", "failed"]
    assert data["total"]["files_received"] == 6
    assert data["rows"][0]["document_ids"]["signed"] == sorted([archive.ids["jan"], archive.ids["feb1"]])
    assert "document_ids" not in build_report(archive.catalog, ReportQuery()).to_json()["total"]


def test_bad_queries_are_refused():
    with pytest.raises(ReportError):
        ReportQuery(by="week")
    with pytest.raises(ReportError):
        ReportQuery(status="lost")
    with pytest.raises(ReportError):
        ReportQuery(since=date(2024, 2, 1), until=date(2024, 1, 1))


def test_a_consistent_archive_reconciles(archive: Archive):
    result = reconcile(archive.catalog, archive.store, now=utc(2024, 2, 13))
    assert result.ok, [i.to_json() for i in result.issues if i.severity == "error"]
    assert all(b.ok for b in result.balances)
    totals = result.totals
    assert (totals["files_received"], totals["duplicates"], totals["documents"]) == (6, 1, 5)
    assert (totals["pages_declared"], totals["page_rows"]) == (9, 9)
    assert (totals["archived"], totals["archived_pdfs_in_store"], totals["archive_objects"]) == (2, 2, 6)
    assert {(i.kind, i.document_id) for i in result.issues} == {
        ("needs_review", archive.ids["review"]),
        ("rejected", archive.ids["bad"]),
        ("failed", archive.ids["broken"]),
    }
    assert result.audit_chain is not None and result.audit_chain.ok


def test_reconciliation_names_the_documents_behind_each_difference(archive: Archive):
    jan, feb1, review, bad = (archive.ids[n] for n in ("jan", "feb1", "review", "bad"))
    store = archive.store
    (store.root / "archive" / jan / f"{jan}.pdf").unlink()  # lost from the store
    (store.root / "archive" / feb1 / f"{feb1}.xml").unlink()
    store.put_bytes("archive", f"{review}/{review}.pdf", b"%PDF stray")  # stored, but not archived
    store.put_bytes("archive", "zz/unknown.pdf", b"%PDF nobody")
    store.delete("incoming", archive.catalog.document(bad).incoming_key)
    with archive.catalog.session() as s:
        s.execute(delete(Page).where(Page.document_id == review, Page.number == 3))
    stuck = archive.add("stuck", status="processing", received=utc(2024, 2, 12, 3))

    result = reconcile(archive.catalog, store, now=utc(2024, 3, 1), stale_after=timedelta(days=7))
    found = {(i.kind, i.document_id, i.key) for i in result.issues}
    assert ("missing_object", jan, f"{jan}/{jan}.pdf") in found
    assert ("missing_sidecar", feb1, f"{feb1}/{feb1}.xml") in found
    assert ("orphan_object", review, f"{review}/{review}.pdf") in found
    assert ("orphan_object", "zz", "zz/unknown.pdf") in found
    assert ("missing_original", bad, archive.catalog.document(bad).incoming_key) in found
    assert ("stale_review", review, None) in found  # held since 10 February, more than 7 days
    assert ("stuck", stuck, None) in found
    mismatch = next(i for i in result.issues if i.kind == "page_rows_mismatch")
    assert (mismatch.document_id, mismatch.expected, mismatch.actual) == (review, 3, 2)
    assert not result.ok
    balances = {b.name: b for b in result.balances}
    assert not balances["archived_vs_pdfs_in_store"].ok and balances["archived_vs_pdfs_in_store"].actual == 1
    assert not balances["pages_declared_vs_page_rows"].ok
    assert result.issues[0].severity == "error" and result.issues[-1].severity in ("warning", "info")


def test_differences_are_counted_in_full_and_read_a_page_at_a_time(archive: Archive):
    jan, feb1, review = (archive.ids[n] for n in ("jan", "feb1", "review"))
    (archive.store.root / "archive" / jan / f"{jan}.pdf").unlink()
    (archive.store.root / "archive" / feb1 / f"{feb1}.json").unlink()
    for n in range(3):
        archive.store.put_bytes("archive", f"{review}/stray{n}.pdf", b"%PDF stray")
    now = utc(2024, 3, 1)
    every = reconcile(archive.catalog, archive.store, now=now, check_audit_chain=False).issues
    errors = [i for i in every if i.severity == "error"]
    assert len(errors) == 5 and len(every) == 8  # 1 missing PDF, 1 sidecar, 3 strays; review, rejected, failed
    for severity, wanted in ((None, every), ("error", errors)):
        for offset, limit in ((0, 2), (2, 2), (4, 10), (7, 1), (20, 5)):
            page = IssuePage(severity, offset, limit)
            result = reconcile(archive.catalog, archive.store, now=now, check_audit_chain=False, issues=page)
            assert result.issues == wanted[offset : offset + limit], (severity, offset)
            assert result.count(severity) == len(wanted) and result.count("error") == 5
    assert reconcile(archive.catalog, archive.store, now=now, issues=IssuePage(limit=0)).by_kind == {
        "missing_object": 1,
        "missing_sidecar": 1,
        "orphan_object": 3,
        "stale_review": 1,
        "rejected": 1,
        "failed": 1,
    }


def test_objects_find_their_document_wherever_its_record_puts_them(archive: Archive):
    jan = archive.ids["jan"]
    elsewhere = "2024/ubnd/quyet-dinh-1"  # the record's archive key, outside the document's folder
    with archive.catalog.session() as s:
        record = dict(archive.catalog.document(jan).record or {})
        record["archive"] = {**record["archive"], "key": f"{elsewhere}.pdf"}
        s.execute(update(Document).where(Document.id == jan).values(record=record))
    for ext in ("json", "xml"):  # its sidecars there, found by the key without its extension; its PDF nowhere
        archive.store.put_bytes("archive", f"{elsewhere}.{ext}", b"{}")
        archive.store.delete("archive", f"{jan}/{jan}.{ext}")
    archive.store.delete("archive", f"{jan}/{jan}.pdf")
    archive.store.delete("incoming", archive.catalog.document(jan).incoming_key)

    result = reconcile(archive.catalog, archive.store, now=utc(2024, 3, 1), check_audit_chain=False)
    assert {(i.kind, i.document_id, i.key) for i in result.issues if i.severity == "error"} == {
        ("missing_object", jan, f"{elsewhere}.pdf"),
        ("missing_original", jan, archive.catalog.document(jan).incoming_key),
    }
    assert (result.totals["archive_objects"], result.totals["archived_pdfs_in_store"]) == (5, 1)


def test_receipts_whose_document_is_gone_are_found(archive: Archive):
    bad, broken = archive.ids["bad"], archive.ids["broken"]
    archive.receive_again("bad", utc(2024, 3, 2, 2))
    with archive.catalog.engine.connect() as connection:  # foreign keys not enforced: off, or the key dropped
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        else:
            connection.exec_driver_sql("ALTER TABLE receipts DROP CONSTRAINT receipts_document_id_fkey")
        for document_id in (bad, broken):
            connection.execute(delete(Page).where(Page.document_id == document_id))
            connection.execute(delete(Document).where(Document.id == document_id))
        connection.commit()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")

    result = reconcile(archive.catalog, archive.store, now=utc(2024, 3, 3), check_audit_chain=False)
    lost = [(i.document_id, i.expected) for i in result.issues if i.kind == "receipt_without_document"]
    assert sorted(lost) == sorted([(bad, 2), (broken, 1)])  # one difference a document, with its receipts
    assert result.totals["files_received"] == 7 and result.totals["documents"] == 3
    assert reconciliation_counters(archive.catalog) == reconciliation_counts_of_the_rows(archive.catalog)


def test_the_store_finds_its_documents_by_the_indexes(archive: Archive):
    # as many lookups as listed keys, whatever the archive's size: each way from a key to its document has
    # an index, the archive key without its extension too (an expression the engine must match as written)
    dialect = archive.catalog.engine.dialect.name
    with archive.catalog.session() as s:
        reconcile_sql.create_tables(s)
        reconcile_sql.load_keys(s, archive.store.list_keys("archive"), archive.store.list_keys("incoming"))
        if dialect == "postgresql":  # as when the documents far outnumber the keys: each key looked up
            for method in ("seqscan", "bitmapscan", "hashjoin", "mergejoin"):
                s.connection().exec_driver_sql(f"SET LOCAL enable_{method} = off")
        explain = "EXPLAIN" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
        plan = " ".join(str(row) for row in s.execute(text(f"{explain} {reconcile_sql.candidates_sql(dialect)}")))
        reconcile_sql.release_tables(s)
    for index in ("ix_documents_archive_key", "ix_documents_archive_stem", "ix_documents_incoming_key"):
        assert index in plan, plan


def test_hashes_page_counts_and_signatures_are_checked(archive: Archive):
    jan = archive.ids["jan"]
    unsigned = archive.add("unsigned", status="archived", received=utc(2024, 2, 20), signed=False)
    paper = archive.add("paper", status="archived", received=utc(2024, 2, 21), pages=2, paper_pages=3)
    archive.store.put_bytes("archive", f"{jan}/{jan}.pdf", b"%PDF replaced")
    with archive.catalog.session() as s:
        s.execute(update(Document).where(Document.id == paper).values(page_count=1))
    assert "hash_mismatch" not in reconcile(archive.catalog, archive.store).by_kind  # hashes only when asked
    result = reconcile(archive.catalog, archive.store, check_hashes=True, now=utc(2024, 3, 1))
    kinds = {(i.kind, i.document_id) for i in result.issues}
    assert ("hash_mismatch", jan) in kinds
    assert ("unsigned_archived", unsigned) in kinds
    assert {("page_rows_mismatch", paper), ("record_pages_mismatch", paper), ("paper_pages_mismatch", paper)} <= kinds


def test_the_audit_chain_check_finds_an_edited_event_and_a_truncated_tail(catalog: Catalog, tmp_path: Path):
    store = LocalFolderStore(tmp_path / "objects")
    audit = AuditLog(catalog)
    ids = [audit.append("view", actor="officer1", role="officer", document_id=f"doc{n}") for n in range(5)]
    assert verify_audit_chain(catalog, store, "archive", chunk=2).ok
    assert verify_audit_chain(catalog, store, "archive").events == 5
    write_anchor(catalog, store, "archive")
    with catalog.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[2]).values(actor="someone-else"))
    check = verify_audit_chain(catalog, store, "archive", chunk=2)
    assert (check.ok, check.broken_at, check.events) == (False, ids[2], 3)
    with catalog.session() as s:  # the tail deleted: what is left is a whole chain, but shorter than anchored
        s.execute(delete(AuditEvent).where(AuditEvent.id >= ids[2]))
    check = verify_audit_chain(catalog, store, "archive")
    assert (check.ok, check.broken_at) == (False, ids[4])
    assert reconcile(catalog, store, now=utc(2024, 3, 1)).audit_chain.ok is False


def test_reconciliation_per_batch_and_per_period(archive: Archive):
    second = archive.catalog.create_batch("web")
    archive.batch = second
    late = archive.add("late", status="archived", received=utc(2024, 2, 20, 2), pages=2)
    (archive.store.root / "archive" / late / f"{late}.xml").unlink()  # one sidecar lost in the second batch

    result = reconcile(archive.catalog, archive.store, now=utc(2024, 3, 1))
    first, web = result.by_batch
    assert (first.origin, web.origin) == ("cli", "web")
    names = ("files_received", "duplicates", "documents", "pages_declared", "page_rows", "archived")
    assert tuple(first.counts[n] for n in names) == (6, 1, 5, 9, 9, 2)
    assert (first.counts["archived_in_store"], first.counts["archive_objects"], first.ok) == (2, 6, True)
    assert tuple(web.counts[n] for n in names) == (1, 0, 1, 2, 2, 1)
    assert web.counts["archive_objects"] == 2 and web.differences == ["archive_objects_vs_archived"]

    months = {row.key: row for row in result.by_period}
    assert list(months) == ["2024-01", "2024-02", "2024-03"]
    assert tuple(months["2024-01"].counts[n] for n in names) == (1, 0, 1, 2, 2, 1)
    assert tuple(months["2024-02"].counts[n] for n in names) == (5, 0, 5, 9, 9, 2)  # feb1 is 1 Feb in Vietnam
    assert tuple(months["2024-03"].counts[n] for n in names) == (1, 1, 0, 0, 0, 0)  # the duplicate receipt only
    assert months["2024-03"].ok and not months["2024-02"].ok and months["2024-01"].ok
    days = reconcile(archive.catalog, archive.store, period="day", check_audit_chain=False).by_period
    assert [row.key for row in days][:2] == ["2024-01-15", "2024-02-01"]
    assert sum(row.counts["files_received"] for row in days) == result.totals["files_received"] == 7
    data = result.to_json()
    assert data["period"] == "month" and data["by_batch"][1]["differences"] == ["archive_objects_vs_archived"]


def _dossier(catalog: Catalog, document_id: str, code: str | None) -> None:
    with catalog.session() as s:
        s.execute(update(Document).where(Document.id == document_id).values(dossier_code=code))


def test_rates_from_supplied_dossier_totals_are_traceable(archive: Archive):
    c, ids = archive.catalog, archive.ids
    feb2 = archive.add("feb2", status="archived", received=utc(2024, 2, 5, 2))
    loose = archive.add("loose", status="archived", received=utc(2024, 2, 6, 2))  # no dossier code
    for name, code in (("jan", "D1"), ("feb1", "D2"), ("review", "D3"), ("broken", "D4")):
        _dossier(c, ids[name], code)
    _dossier(c, feb2, "D2")  # a second result of the same dossier: the dossier counts once
    set_dossier_total(c, Period.parse("2024-01"), 4, supplied_by="admin1")
    set_dossier_total(c, Period.parse("2024-02"), 3, supplied_by="admin1")
    _, previous = set_dossier_total(c, Period.parse("2024-02"), 5, supplied_by="admin2")  # corrected
    assert previous == 3
    set_dossier_total(c, Period.parse("2024-02"), 2, agency=SO_XD, supplied_by="admin1")  # one agency's own
    with pytest.raises(RatesError, match="overlaps"):
        set_dossier_total(c, Period.parse("2024-02-10..2024-03-05"), 9, supplied_by="admin1")
    with pytest.raises(RatesError):
        Period.parse("2024-13")

    rates = compute_rates(c, since=date(2024, 1, 1), until=date(2024, 2, 29))
    jan, feb = rates.rows
    assert (jan.label, jan.dossiers_received, jan.digitized) == ("2024-01", 4, {"D1": [ids["jan"]]})
    assert jan.digitization_rate == 0.25 and jan.reuse_rate == 0.0
    assert feb.supplied is not None and feb.supplied.supplied_by == "admin2"
    assert (feb.dossiers_received, feb.digitized) == (5, {"D2": sorted([ids["feb1"], feb2])})
    assert feb.digitization_rate == 0.2 and feb.without_dossier == [loose]  # shown, never counted
    assert (rates.total.dossiers_received, sorted(rates.total.digitized)) == (9, ["D1", "D2"])
    assert rates.total.digitization_rate == pytest.approx(2 / 9)
    agency = compute_rates(c, agency=SO_XD)
    assert [(r.label, r.dossiers_received, list(r.digitized)) for r in agency.rows] == [("2024-02", 2, ["D2"])]
    assert agency.rows[0].digitized["D2"] == [ids["feb1"]]  # only that agency's documents

    # Reuse: officers' (and admins') views and downloads this month, by dossier
    this_month = local_day(datetime.now(UTC)).strftime("%Y-%m")
    set_dossier_total(c, Period.parse(this_month), 2, supplied_by="admin1")
    audit = AuditLog(c)
    audit.append("view", actor="officer1", role="officer", document_id=ids["jan"])
    audit.append("download", actor="officer1", role="officer", document_id=feb2)
    audit.append("view", actor="admin1", role="admin", document_id=ids["feb1"])
    audit.append("view", actor="officer1", role="officer", document_id=loose)  # no dossier: cannot count
    audit.append("view", actor="auditor1", role="auditor", document_id=ids["review"])  # auditors do not reuse
    now = compute_rates(c, since=Period.parse(this_month).start)
    (row,) = now.rows
    assert row.reused == {"D1": [ids["jan"]], "D2": sorted([ids["feb1"], feb2])}
    assert row.reuse_rate == 1.0 and row.reuse_target_met and row.digitized == {}
    data = now.to_json()
    assert data["rows"][0]["dossiers_reused"] == 2 and data["rows"][0]["reused_dossiers"]["D1"] == [ids["jan"]]
    assert data["total"]["reuse_rate"] == 1.0 and data["reuse_target"] == 0.8


def test_a_dossier_of_several_periods_is_one_dossier_of_the_total_with_each_period_s_documents(archive: Archive):
    c = archive.catalog
    january = archive.add("d5-jan", status="archived", received=utc(2024, 1, 20, 2))
    february = archive.add("d5-feb", status="archived", received=utc(2024, 2, 20, 2))
    later = archive.add("d6-feb", status="archived", received=utc(2024, 2, 21, 2))
    for document_id, code in ((january, "D5"), (february, "D5"), (later, "D6")):
        _dossier(c, document_id, code)
    for month in ("2024-01", "2024-02"):
        set_dossier_total(c, Period.parse(month), 10, supplied_by="admin1")
    rates = compute_rates(c, since=date(2024, 1, 1), until=date(2024, 2, 29))
    assert [row.digitized for row in rates.rows] == [{"D5": [january]}, {"D5": [february], "D6": [later]}]
    assert rates.total.digitized == {"D5": sorted([january, february]), "D6": [later]}
    assert rates.rows[0].digitized == {"D5": [january]}  # the total's merge left the period's list alone
    assert rates.total.to_json()["dossiers_digitized"] == 2 and rates.total.digitization_rate == 2 / 20
    loose = [row.without_dossier for row in rates.rows]  # the fixture's archived documents, of either month
    assert all(loose) and rates.total.without_dossier == sorted(loose[0] + loose[1])


def test_counts_added_up_by_the_database_are_the_traced_counts(archive: Archive):
    audit = AuditLog(archive.catalog)
    audit.append("view", actor="officer1", role="officer", document_id=archive.ids["jan"])
    audit.append("download", actor="officer2", role="officer", document_id=archive.ids["jan"])
    audit.append("view", actor="admin1", role="admin", document_id=archive.ids["feb1"])
    queries = [ReportQuery(by=by) for by in GROUPINGS] + [
        ReportQuery(by="day", since=date(2024, 2, 1), until=date(2024, 2, 10)),
        ReportQuery(by="type", agency=SO_XD),
        ReportQuery(by="month", status="archived"),
        ReportQuery(by="agency", type_name="QUYẾT ĐỊNH"),
    ]
    for query in queries:
        traced, summed = (build_report(archive.catalog, query, with_ids=ids) for ids in (True, False))
        assert [(r.key, r.counts) for r in summed.rows] == [(r.key, r.counts) for r in traced.rows], query
        assert summed.total.counts == traced.total.counts, query
