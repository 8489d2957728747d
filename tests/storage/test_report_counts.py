"""The counters the database keeps against the rows they count, on SQLite and PostgreSQL: the reports'
(migration 0009) and the reconciliation's (migration 0022).

Each test drives documents through the catalog's own calls and compares the report summed from the counters
with the one traced from every document and receipt row, for every grouping and some filters; the documents
the traced report lists behind each count, and the reconciliation's counters, with the same worked out here
from the rows.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from bench.scale import FIRST_RECEIVED, document_record
from schemas.record import DocumentRecord
from storage import migrations
from storage.catalog import Catalog
from storage.report_counts import RECONCILIATION, changes_waiting, counted, fold_changes
from storage.reports import COUNTS, GROUPINGS, IN_PROGRESS, ReportQuery, build_report
from storage.tables import Document, Page, Receipt, ReportCount

QUERIES = [ReportQuery(by=by) for by in GROUPINGS] + [
    ReportQuery(by="day", since=date(2024, 1, 1), until=date(2024, 1, 1)),
    ReportQuery(by="status", status="archived"),
    ReportQuery(by="month", type_name="QUYẾT ĐỊNH"),
]


def assert_counters_are_the_rows(catalog: Catalog, queries: list[ReportQuery] = QUERIES) -> None:
    """The same counts from the counters as from the rows, with the changes waiting and once they are folded."""
    for folded in (False, True):
        if folded:
            fold_changes(catalog, chunk=7)  # several chunks
            assert changes_waiting(catalog, up_to=1) == 0
            assert changes_waiting(catalog, up_to=1, counters=RECONCILIATION) == 0
        assert reconciliation_counters(catalog) == reconciliation_counts_of_the_rows(catalog)
        for query in queries:
            traced, summed = (build_report(catalog, query, with_ids=ids) for ids in (True, False))
            assert [(r.key, r.counts) for r in summed.rows] == [(r.key, r.counts) for r in traced.rows], query
            assert summed.total.counts == traced.total.counts, query
    # the traced report reads the rows, not the counters: its ids are checked once
    by_status = build_report(catalog, ReportQuery(by="status"), with_ids=True)
    traced_ids = {(r.key, name): ids for r in by_status.rows for name, ids in r.document_ids.items() if ids}
    assert traced_ids == ids_of_the_rows(catalog)
    for name in COUNTS:
        every = set().union(*(ids for (_, counted_name), ids in traced_ids.items() if counted_name == name))
        assert by_status.total.document_ids[name] == every, name


def ids_of_the_rows(catalog: Catalog) -> dict[tuple[str, str], set[str]]:
    """The documents behind each count of a report by status, worked out here from every document and receipt."""
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    with catalog.session() as s:
        for document_id, status, signed_at in s.execute(select(Document.id, Document.status, Document.signed_at)):
            names = ["documents", "pages"]
            if status == "archived":
                names += ["archived", "pages_archived", *(["signed"] if signed_at else [])]
            else:
                names.append("in_progress" if status in IN_PROGRESS else status)
            for name in names:
                ids[status, name].add(document_id)
        receipts = select(Receipt.document_id, Receipt.duplicate, Document.status).join(Document)
        for document_id, duplicate, status in s.execute(receipts):
            ids[status, "files_received"].add(document_id)
            if duplicate:
                ids[status, "duplicates"].add(document_id)
    return dict(ids)


def reconciliation_counters(catalog: Catalog) -> dict[tuple, Counter]:
    """The reconciliation's counters, summed per batch, Vietnam day and status (keys counting nothing left out)."""
    rows = counted(RECONCILIATION)
    key = [rows.c[name] for name in RECONCILIATION.key]
    measures = RECONCILIATION.measures
    with catalog.session() as s:
        summed = s.execute(select(*key, *(func.sum(rows.c[m]) for m in measures)).group_by(*key)).all()
    counts = {
        (batch, str(day), status): Counter(dict(zip(measures, values, strict=True)))
        for batch, day, status, *values in summed
    }
    return _nonzero(counts)


def reconciliation_counts_of_the_rows(catalog: Catalog) -> dict[tuple, Counter]:
    """The same counts, worked out here from every document, page and receipt row."""

    def day(moment) -> str:
        return str((moment + timedelta(hours=7)).date())

    counts: dict[tuple, Counter] = {}
    with catalog.session() as s:
        pages = Counter(s.scalars(select(Page.document_id)))
        done = Counter(s.scalars(select(Page.document_id).where(Page.status == "done")))
        receipts = Counter(s.scalars(select(Receipt.document_id)))
        for d in s.scalars(select(Document)):
            archived, has_key = d.status == "archived", bool(d.archive_key)
            n = counts.setdefault((d.batch_id, day(d.received_at), d.status), Counter())
            n.update(
                documents=1,
                pages_declared=d.page_count or 0,
                page_rows=pages[d.id],
                pages_done=done[d.id],
                located=archived and has_key,
                no_receipt=not receipts[d.id],
                page_rows_mismatch=d.page_count is not None and d.page_count != pages[d.id],
                record_pages_mismatch=archived and d.page_amount is not None and d.page_amount != d.page_count,
                paper_pages_mismatch=None not in (d.paper_pages, d.page_count) and d.paper_pages != d.page_count,
                archived_without_archive=archived and not has_key,
                unsigned_located=archived and has_key and not d.signed_at,
            )
        documents = set(s.scalars(select(Document.id)))
        for r in s.scalars(select(Receipt)):
            counts.setdefault((r.batch_id, day(r.received_at), ""), Counter()).update(
                files_received=1, duplicates=r.duplicate, lost_receipts=r.document_id not in documents
            )
    return _nonzero(counts)


def _nonzero(counts: dict[tuple, Counter]) -> dict[tuple, Counter]:
    """The counts without those that are 0 (a negative one stays), and the keys left with none."""
    kept = {key: Counter({name: int(value) for name, value in n.items() if value}) for key, n in counts.items()}
    return {key: n for key, n in kept.items() if n}


def received(catalog: Catalog, batch: str, record: DocumentRecord, filename: str | None = None) -> None:
    source = record.source
    catalog.receive(
        batch, filename=filename or source.filename, sha256=source.sha256, size_bytes=1, incoming_key=record.id
    )


def processed(catalog: Catalog, record: DocumentRecord) -> None:
    catalog.start_pages(record.id, "application/pdf", len(record.pages))
    for page in record.pages:
        catalog.finish_page(record.id, page.number, status="done")
    assert catalog.claim_assembly(record.id) or catalog.document(record.id).status == "assembling"


def as_status(record: DocumentRecord, status: str) -> DocumentRecord:
    return record.model_copy(update={"status": status})


def test_counters_follow_a_document_through_every_status_it_can_take(catalog: Catalog):
    batch = catalog.create_batch()
    records = [document_record(index, seed=3) for index in range(7)]
    for record in records:
        received(catalog, batch, record)
    archived, held, failed, rejected, in_progress, confirmed, restarted = records
    for record in (archived, held, failed, rejected, confirmed, restarted):
        processed(catalog, record)
    catalog.start_pages(in_progress.id, "application/pdf", 2)
    catalog.finish(archived.id, archived)
    catalog.finish(held.id, as_status(held, "needs_review"))
    catalog.finish(failed.id, as_status(failed, "failed"))
    catalog.finish(rejected.id, as_status(rejected, "rejected"))
    # held, confirmed, then archived; another held, confirmed, returned to review
    catalog.finish(confirmed.id, as_status(confirmed, "needs_review"))
    catalog.confirm_review(confirmed.id, actor="staff", metadata={}, changes={})
    catalog.finish(confirmed.id, confirmed)
    catalog.confirm_review(held.id, actor="staff", metadata={}, changes={"organ_name": "UBND"})
    assert catalog.return_to_review(held.id, as_status(held, "needs_review"))
    # failed, started again from the beginning
    catalog.finish(restarted.id, as_status(restarted, "failed"))
    catalog.restart(restarted.id)
    # the same files received again
    received(catalog, batch, archived, "again.pdf")
    received(catalog, batch, failed, "again.pdf")
    received(catalog, batch, archived, "once-more.pdf")

    assert_counters_are_the_rows(catalog)
    total = build_report(catalog, ReportQuery(), with_ids=False).total.counts
    assert (total["documents"], total["files_received"], total["duplicates"]) == (7, 10, 3)
    assert (total["archived"], total["needs_review"], total["failed"], total["rejected"]) == (2, 1, 1, 1)
    assert total["in_progress"] == 2 and total["pages"] == 14


def filled(catalog: Catalog, seed: int, count: int, held: Callable[[DocumentRecord], bool]) -> list[DocumentRecord]:
    """`count` documents received, read and finished: archived, or held for review when `held` says so; the
    first one's file received a second time."""
    batch = catalog.create_batch()
    records = [document_record(index, seed=seed) for index in range(count)]
    for record in records:
        received(catalog, batch, record)
        processed(catalog, record)
        catalog.finish(record.id, as_status(record, "needs_review") if held(record) else record)
    received(catalog, batch, records[0], "again.pdf")
    return records


def test_counters_follow_rows_changed_by_hand_and_deleted(catalog: Catalog):
    records = filled(catalog, seed=5, count=4, held=lambda record: False)
    with catalog.session() as s:  # a document moved to another day, agency and type; a receipt to another day
        s.execute(
            update(Document)
            .where(Document.id == records[1].id)
            .values(received_at=FIRST_RECEIVED.replace(year=2023), record={"metadata": {"organ_name": "SỞ Y TẾ"}})
        )
        s.execute(update(Receipt).where(Receipt.duplicate.is_(True)).values(received_at=FIRST_RECEIVED))
    assert_counters_are_the_rows(catalog)

    with catalog.session() as s:  # a document's receipts and pages, then the document
        s.execute(delete(Receipt).where(Receipt.document_id == records[2].id))
        s.execute(delete(Page).where(Page.document_id == records[2].id))
        s.execute(delete(Document).where(Document.id == records[2].id))
    assert_counters_are_the_rows(catalog)
    assert build_report(catalog, ReportQuery(), with_ids=False).total.counts["documents"] == 3


def test_a_catalog_from_before_the_counters_gets_them_filled(catalog: Catalog):
    filled(catalog, seed=11, count=5, held=lambda record: not record.metadata.holder_id)
    migrations.downgrade(catalog.engine, "0008")
    migrations.upgrade(catalog.engine)

    with catalog.session() as s:  # counted per key at once, nothing left to fold
        assert s.scalar(select(func.sum(ReportCount.files_received))) == 6
    assert changes_waiting(catalog, up_to=1) == 0
    assert_counters_are_the_rows(catalog)


def test_counters_stay_right_when_documents_finish_and_changes_are_folded_at_the_same_time(catalog: Catalog):
    batch = catalog.create_batch()
    records = [document_record(index, seed=13) for index in range(24)]
    for record in records:  # all received on one day: every change counts under the same keys
        received(catalog, batch, record)
    finished = threading.Event()

    def archive(record: DocumentRecord) -> None:
        processed(catalog, record)
        catalog.finish(record.id, record)

    def fold() -> int:
        moved = 0
        while not finished.is_set():
            moved += fold_changes(catalog, chunk=5)
        return moved

    with ThreadPoolExecutor(max_workers=6) as pool:
        folders = [pool.submit(fold) for _ in range(2)]
        list(pool.map(archive, records))
        finished.set()
        assert sum(folder.result() for folder in folders) > 0

    assert_counters_are_the_rows(catalog)
    assert build_report(catalog, ReportQuery(), with_ids=False).total.counts["archived"] == 24
