"""The audit log in monthly partitions on PostgreSQL gives the answers one SQLite table gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from storage import migrations, partitions
from storage.audit import GENESIS, AuditLog, EventFilter, event_hash
from storage.audit_verify import verify_chain
from storage.catalog import Catalog, sqlalchemy_url
from storage.reports import local_window
from storage.tables import AuditEvent

#: Events spread over fourteen months, and one far back (a clock that was wrong), in id order.
TIMES = [datetime(2026, 11, 30, 17, 30, tzinfo=UTC) + timedelta(days=31 * n, hours=n) for n in range(14)]
TIMES.append(datetime(2019, 5, 1, tzinfo=UTC))


def _write_chain(catalog: Catalog) -> None:
    """The same events, hashed in a chain, with the given times (appends would all be stamped now)."""
    rows, prev = [], GENESIS
    for n, at in enumerate(TIMES):
        details = {"n": n, "q": f"giấy phép {n}"}
        digest = event_hash(prev, at, f"officer{n % 3}", "officer", "search", f"doc{n % 4}", details)
        rows.append(dict(at=at, actor=f"officer{n % 3}", role="officer", action="search", document_id=f"doc{n % 4}",
                         details=details, prev_hash=prev, hash=digest))  # fmt: skip
        prev = digest
    with catalog.session() as s:
        s.execute(insert(AuditEvent), rows)


def _answers(catalog: Catalog) -> dict[str, object]:
    log = AuditLog(catalog)
    december = EventFilter(*(None,) * 3, *local_window(date(2026, 12, 1), date(2026, 12, 31)))
    report = verify_chain(catalog, chunk=4)
    newest = log.events(limit=5)
    return {
        "verified": (report.ok, report.events, report.head_hash),
        "newest": [(e.id, e.hash) for e in newest],
        "older": [e.id for e in log.events(limit=5, before=newest[-1].id)],
        "december": [e.details["n"] for e in log.events(december)],
        "counts": (log.count(), log.count(EventFilter(actor="officer1")), log.count(december)),
        "actions": log.actions(),
        "stream": [row.id for row in log.stream(EventFilter(document_id="doc1"), chunk=2)],
    }


def test_the_audit_log_is_partitioned_by_vietnamese_month_and_answers_as_one_table(postgres_url: str, tmp_path: Path):
    with Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}") as plain:
        _write_chain(plain)
        expected = _answers(plain)
    with Catalog(postgres_url) as catalog:
        _write_chain(catalog)
        assert _answers(catalog) == expected
        with catalog.engine.connect() as connection:
            where = dict(
                connection.execute(
                    text("SELECT details ->> 'n', CAST(tableoid AS regclass)::text FROM audit_events")
                ).all()
            )
    # 30 Nov 17:30 UTC is 1 Dec in Vietnam; the event from 2019 (no partition that old) is kept in the default
    assert where["0"] == "audit_events_2026_12" and where["1"] == "audit_events_2027_01"
    assert where[str(len(TIMES) - 1)] == partitions.DEFAULT_PARTITION


def test_a_catalog_that_opens_makes_next_year_s_partitions_once(postgres_url: str):
    with Catalog(postgres_url) as catalog, catalog.engine.begin() as connection:
        made = partitions.keep_ahead(connection, now=datetime(2031, 6, 15, tzinfo=UTC))
        assert made[0] == "audit_events_2031_06" and made[-1] == "audit_events_2032_06" and len(made) == 13
        assert partitions.keep_ahead(connection, now=datetime(2031, 6, 15, tzinfo=UTC)) == []
        names = partitions.partitions(connection)
        assert names[-1] == partitions.DEFAULT_PARTITION and "audit_events_2032_06" in names


def test_partitioning_and_undoing_it_keep_every_event_and_the_chain(postgres_url: str):
    with Catalog(postgres_url) as catalog:
        _write_chain(catalog)
        before = _answers(catalog)
    engine = create_engine(sqlalchemy_url(postgres_url))
    try:
        migrations.downgrade(engine, "0007")
        with engine.connect() as connection:
            assert partitions.partitions(connection) == []  # one plain table again
        migrations.upgrade(engine)
        with engine.connect() as connection:  # months from the oldest event's (2019) on
            assert "audit_events_2019_05" in partitions.partitions(connection)
    finally:
        engine.dispose()
    with Catalog(postgres_url) as catalog:
        assert _answers(catalog) == before
        next_id = AuditLog(catalog).append("login", actor="officer1")  # the id sequence goes on
        assert next_id > max(before["newest"])[0]


def _pages_answers(catalog: Catalog) -> dict[str, object]:
    """Thirty documents' pages through the catalog's calls; what they give back."""
    batch = catalog.create_batch()
    ids = []
    for n in range(30):
        sha = f"{n:02d}" * 32
        ids.append(catalog.receive(batch, filename=f"{n}.pdf", sha256=sha, size_bytes=1, incoming_key=sha).document_id)
        catalog.start_pages(ids[-1], "application/pdf", n % 4 + 1)
        for number in range(1, n % 4 + 1, 2):
            catalog.finish_page(ids[-1], number, status="done", info={"text": f"trang {number} của {n}"})
    return {
        "pages": [[(p.number, p.status, p.info) for p in catalog.pages(i)] for i in ids],
        "statuses": [catalog.page_status(i, 2) for i in ids],
        "progress": catalog.batch_progress(batch),
        "by_document": sorted(catalog.batch_pages(batch).values()),
    }


def test_pages_are_in_hash_partitions_and_answer_as_one_table(postgres_url: str, tmp_path: Path):
    with Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}") as plain:
        expected = _pages_answers(plain)
    with Catalog(postgres_url) as catalog:
        assert _pages_answers(catalog) == expected
        with catalog.engine.connect() as connection:
            spread = connection.execute(text("SELECT DISTINCT CAST(tableoid AS regclass)::text FROM pages")).scalars()
            some_id = connection.execute(text("SELECT min(document_id) FROM pages")).scalar_one()
            plan = connection.execute(
                text("EXPLAIN SELECT * FROM pages WHERE document_id = :id"), {"id": some_id}
            ).scalars()
            scanned = [line for line in plan if "pages_part_" in line]
    assert len(set(spread)) > 4 and all(name.startswith("pages_part_") for name in spread)
    assert len(scanned) == 1, scanned  # one document's pages: one partition read
