"""What every part of the catalog shares: the engine and its short transactions, and the schema kept current.

`storage.catalog.Catalog` is made of parts, one module each: the document's way through the pipeline
(`storage.catalog`), review (`storage.catalog_review`), batches (`storage.catalog_batches`), and leases and
dead letters (`storage.catalog_leases`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Self, cast

from sqlalchemy import CursorResult, Result, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import migrations
from storage.record_text import stored_form
from storage.tables import Document, Page, canonical_json, utcnow

if TYPE_CHECKING:
    from schemas.record import DocumentRecord

#: A document on its way: received, its pages being read, or being assembled.
ACTIVE_STATUSES = ("received", "processing", "assembling")


class UnknownDocument(LookupError):
    """No document with that id in the catalog."""


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` as people write it, with the psycopg 3 driver sohoa installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_optimize(dbapi_connection, _record) -> None:
    """SQLite's advice for a connection about to close: the planner's statistics of the tables it used, made
    where they are missing or stale (`PRAGMA optimize`, bounded by `analysis_limit`: milliseconds, and nothing
    once they are fresh). Sampled statistics still misjudge a column of few values such as the status, so the
    indexes are made to be chosen rightly without them (migration 0018)."""
    try:
        dbapi_connection.execute("PRAGMA analysis_limit=400")
        dbapi_connection.execute("PRAGMA optimize")
    except sqlite3.Error:
        pass  # a busy or read-only catalog keeps the statistics it has


def _prepare_schema(engine: Engine) -> None:
    """Bring the catalog to the newest schema revision (Alembic, see `storage.migrations`).

    SQLite: when several connections open a brand-new file at once, each runs `PRAGMA journal_mode=WAL`,
    and one can get "database is locked" at once, without waiting on the busy timeout. The switch takes
    milliseconds and is then a no-op, so that first connection is simply tried again.
    """
    if engine.dialect.name == "sqlite":
        for attempt in range(8):
            try:
                with engine.connect():
                    break
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == 7:
                    raise
                time.sleep(0.02 * 2**attempt)
    migrations.upgrade(engine)
    if engine.dialect.name == "postgresql":
        from storage import partitions  # the audit log's months ahead (`storage.partitions`)

        with engine.begin() as connection:
            partitions.keep_ahead(connection)


class CatalogBase:
    """The engine and its sessions: all reads and writes of document state, each in its own short transaction."""

    def __init__(self, url: str) -> None:
        self.url = sqlalchemy_url(url)
        # A thread assembling a document holds a second connection for its claim (`assembling_alone`), so a
        # PostgreSQL pool may open up to 35: two for each of 17 worker threads, as many as assemble at once.
        pool = {"max_overflow": 30} if self.url.startswith("postgresql") else {}
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True, json_serializer=canonical_json, **pool)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "close", _sqlite_optimize)
        try:
            _prepare_schema(self.engine)
        except BaseException:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def page_texts(s: Session, document_id: str) -> dict[int, str | None]:
    """Page number → the text its row holds (`storage.record_text`: the record refers to it)."""
    rows = s.execute(select(Page.number, Page.info["text"].as_string()).where(Page.document_id == document_id))
    return {number: text for number, text in rows}


def write_final(s: Session, doc: Document, record: DocumentRecord, *, number_key: str | None = None) -> None:
    """A finished document's row: its status, error and record (page texts left to the pages), and when it ended;
    `number_key` is kept for an archived result only."""
    doc.status = record.status
    doc.number_key = number_key if record.status == "archived" else None
    doc.error = record.error.model_dump() if record.error else None
    doc.record = stored_form(record, page_texts(s, doc.id))
    doc.finished_at = record.finished_at or utcnow()


def outcome_details(record: DocumentRecord) -> dict:
    """What a final-status audit event says: where the archived copy is, or why the document is not archived."""
    if record.status == "archived" and record.archive is not None:
        archive = record.archive
        return {"key": archive.key, "version_id": archive.version_id, "pdf_sha256": archive.pdf_sha256}
    if record.error is not None:
        return {"error": record.error.model_dump(mode="json")}
    reasons = [w.model_dump(mode="json") for w in record.warnings if w.code in REVIEW_REASONS]
    return {"reasons": reasons} if reasons else {}


#: Warnings that say why a document waits for review.
REVIEW_REASONS = ("needs_review", "duplicate_number", "page_count_mismatch")


def rows_changed(result: Result) -> int:
    """How many rows an UPDATE or DELETE changed (a cursor result's count, which the generic type hides)."""
    return cast(CursorResult, result).rowcount
