"""The catalog contract, run on SQLite (embedded) and on the PostgreSQL server of this machine."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

from schemas.intake import Intake
from schemas.record import DocumentRecord, SourceInfo
from storage.catalog import Catalog


def _receive(catalog: Catalog, batch: str, sha: str, **intake: object):
    return catalog.receive(
        batch,
        filename=f"{sha[:4]}.pdf",
        sha256=sha,
        size_bytes=10,
        incoming_key=sha,
        intake=Intake(**intake) if intake else None,
    )


def test_receiving_the_same_bytes_twice_is_one_document_and_two_receipts(catalog: Catalog):
    batch = catalog.create_batch()
    first, again = _receive(catalog, batch, "a" * 64), _receive(catalog, batch, "a" * 64)
    assert (first.duplicate, again.duplicate, first.document_id) == (False, True, again.document_id)
    assert [r.duplicate for r, _ in catalog.batch_documents(batch)] == [False, True]


def test_dossier_ordinals_count_up(catalog: Catalog):
    batch = catalog.create_batch()
    for n, sha in enumerate(("b" * 64, "c" * 64, "d" * 64), start=1):
        document_id = _receive(catalog, batch, sha, dossier_code="HS-01").document_id
        assert catalog.document(document_id).intake["ordinal"] == n


def test_exactly_one_of_many_pages_finishing_together_hands_the_document_on(catalog: Catalog):
    # Given a 12-page document
    batch = catalog.create_batch()
    document_id = _receive(catalog, batch, "e" * 64).document_id
    assert catalog.start_pages(document_id, "application/pdf", 12) == list(range(1, 13))
    claims: list[bool] = []
    barrier = threading.Barrier(12)

    # When all pages finish at once, from 12 threads
    def finish(number: int) -> None:
        barrier.wait()
        claims.append(catalog.finish_page(document_id, number, status="done"))

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(1, 13)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one of them moved it to assembling
    assert sorted(claims) == [False] * 11 + [True]
    assert catalog.document(document_id).status == "assembling"
    assert catalog.batch_progress(batch).pages_done == 12


def test_final_record_and_number_key(catalog: Catalog):
    batch = catalog.create_batch()
    document_id = _receive(catalog, batch, "f" * 64).document_id
    record = DocumentRecord(
        id=document_id,
        source=SourceInfo(filename="f.pdf", sha256="f" * 64, size_bytes=10),
        status="archived",
        text="Quyết định",
        received_at=datetime.now(UTC),
    )
    catalog.finish(document_id, record, number_key="so xay dung|15/qd-sxd|2024")
    assert catalog.record(document_id).text == "Quyết định"
    assert catalog.archived_ids() == [document_id]
    assert catalog.archived_with_number("so xay dung|15/qd-sxd|2024", other_than="x") == document_id
    assert catalog.archived_with_number("so xay dung|15/qd-sxd|2024", other_than=document_id) is None


def test_of_documents_claiming_one_number_at_once_exactly_one_gets_it(catalog: Catalog):
    batch = catalog.create_batch()
    documents = [_receive(catalog, batch, f"{n:x}" * 64).document_id for n in range(6)]
    key = "ubnd tinh ninh binh|120/qd-ubnd|2026"
    barrier = threading.Barrier(len(documents))
    claims: dict[str, bool] = {}

    def claim(document_id: str) -> None:
        barrier.wait()
        claims[document_id] = catalog.claim_number(document_id, key)

    threads = [threading.Thread(target=claim, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (winner,) = [d for d, won in claims.items() if won]
    assert catalog.archived_with_number(key, other_than="x") == winner
    assert catalog.claim_number(winner, key)  # claiming again what it holds (a retried assembly) is fine
    assert [catalog.document(d).number_key for d in documents].count(key) == 1


def test_an_embedded_catalog_keeps_the_planner_s_statistics_of_the_tables_it_used(tmp_path):
    """Closing a SQLite catalog runs `PRAGMA optimize`: the tables its queries used get statistics."""
    path = tmp_path / "catalog.sqlite3"
    catalog = Catalog(f"sqlite:///{path}")

    def statistics() -> list[str]:
        with sqlite3.connect(path) as connection:
            if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                return []
            return [table for (table,) in connection.execute("SELECT DISTINCT tbl FROM sqlite_stat1")]

    batch = catalog.create_batch()
    for n in range(40):
        _receive(catalog, batch, f"{n:064x}")
    assert catalog.count_with_status("archived") == 0 and statistics() == []
    catalog.close()
    assert "documents" in statistics()


def test_the_documents_archived_in_a_period_are_read_from_that_period_alone(tmp_path):
    """The rates' question, "archived in this period", goes to the index on status and finishing time, range
    included, even on a SQLite catalog without statistics (with the status index alone it read every archived
    document for every period)."""
    path = tmp_path / "catalog.sqlite3"
    Catalog(f"sqlite:///{path}").engine.dispose()  # migrated, no statistics
    with sqlite3.connect(path) as connection:
        plan = " ".join(
            str(row[-1])
            for row in connection.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM documents WHERE status = 'archived' AND signed_at IS NOT NULL"
                " AND finished_at >= '2024-01-01' AND finished_at < '2024-02-01'"
            )
        )
    assert "ix_documents_status_finished_at (status=? AND finished_at>? AND finished_at<?)" in plan
