"""The scale bench's fast fill: the rows `bench.scale.fill` writes, written a chunk of documents at a time.

`fill` archives each document through the catalog calls the pipeline makes, about 60 statements and 10
commits a document (5-7 documents a second on PostgreSQL). `bulk_fill` writes the same rows for a chunk of
documents (a thousand) in one transaction, with a few batched statements (COPY on PostgreSQL), in the order
the pipeline's calls write them, so that the database's triggers see the same changes:

1. the documents as received, and a receipt each (`Catalog.receive`);
2. the documents processing (`Catalog.start_pages`), their pages done and the documents assembling
   (`Catalog.finish_page`: the pages are written as the last call leaves them);
3. the documents archived, then their final rows (`Catalog.finish`, `write_final`);
4. the audit events, eight a document, in the pipeline's order, chained from the last event already in the
   log under the chain's lock (`storage.audit`).

The report counter changes the triggers append on each change of a document's key are then the pipeline's,
one per change, and the bench's fold of them has as much to do after either fill. The chunk's search entries
(`storage.search_index.index_archived`, with which a rebuild indexes) follow in a transaction of their own, on
another connection, while the next chunk is written, and a thread makes the next chunk's rows meanwhile: the
database's work (its words' `to_tsvector` above all) and Python's then overlap on two cores. So a chunk's
documents are archived a moment before they are searchable (the pipeline indexes just before it archives): a
fill interrupted in between leaves them unsearchable, as it leaves the catalog half filled anyway.

Wall-clock times and the batch's random id are the moment's, as they are for `fill`;
`tests/test_scale_fill.py` checks every other column of every table against `fill`'s. The documents must be
new to the catalog: a chunk holding one already there fails whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from sqlalchemy import JSON, Column, ColumnDefault, Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from bench.scale import document_record
from schemas.record import DocumentRecord, PageInfo
from storage.audit import ADVISORY_LOCK_KEY, GENESIS, SYSTEM, event_hash, nfc
from storage.catalog import Catalog
from storage.catalog_base import outcome_details
from storage.record_text import stored_form
from storage.search_index import index_archived
from storage.tables import AuditEvent, Document, Page, Receipt, canonical_json, utcnow

DOCUMENTS = cast(Table, Document.__table__)
RECEIPTS = cast(Table, Receipt.__table__)
PAGES = cast(Table, Page.__table__)
AUDIT_EVENTS = cast(Table, AuditEvent.__table__)
#: What `bench.scale.fill` tells the catalog of every file: its media type and size.
MEDIA_TYPE = "application/pdf"
RECEIVED_SIZE = 1
#: The one final status of the bench's documents (`bench.scale.document_record`).
ARCHIVED = "archived"

Row = dict[str, Any]


@dataclass(frozen=True)
class PlannedEvent:
    """An audit event to append, its details as `storage.audit` records them; the actor is the system."""

    action: str
    document_id: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Chunk:
    """Documents of the bench and every row the pipeline writes for them, made before any is written."""

    records: list[DocumentRecord]
    received: list[Row]
    receipts: list[Row]
    started: list[Row]
    pages: list[Row]
    finals: list[Row]
    events: list[PlannedEvent]

    @property
    def ids(self) -> list[str]:
        return [record.id for record in self.records]


def bulk_fill(catalog: Catalog, start: int, stop: int, seed: int, chunk: int = 1000) -> None:
    """Archive documents `start` to `stop` as `bench.scale.fill` does, in one batch, `chunk` documents a
    transaction; each chunk's search entries in a transaction of their own, written while the next chunk is."""
    batch_id = catalog.create_batch(origin="bench")
    parts = [range(first, min(first + chunk, stop)) for first in range(start, stop, chunk)]
    indexing: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1) as maker, ThreadPoolExecutor(max_workers=1) as indexer:
        for made in made_ahead(maker, batch_id, parts, seed):
            with catalog.session() as s:
                write_chunk(s, made)
            if indexing is not None:
                indexing.result()  # the chunk before, indexed while this one was written
            indexing = indexer.submit(index_chunk, catalog, made.records)
        if indexing is not None:
            indexing.result()


def made_ahead(maker: ThreadPoolExecutor, batch_id: str, parts: list[range], seed: int) -> Iterator[Chunk]:
    """The chunk of each range of documents in turn; the next one is made by `maker` while the caller writes
    this one (the database's work and Python's then overlap)."""
    following: Future[Chunk] | None = maker.submit(make_chunk, batch_id, parts[0], seed) if parts else None
    for after in [*parts[1:], None]:
        assert following is not None
        made = following.result()
        following = maker.submit(make_chunk, batch_id, after, seed) if after is not None else None
        yield made


# --- the rows ---------------------------------------------------------------------------------------------------------
def make_chunk(batch_id: str, indexes: range, seed: int) -> Chunk:
    """The rows of the bench's documents `indexes`, as `bench.scale.fill` makes the catalog write them."""
    records = [document_record(index, seed) for index in indexes]
    if any(record.status != ARCHIVED or record.error for record in records):
        raise ValueError("bulk_fill writes archived documents only, as bench.scale.document_record makes them")
    return Chunk(
        records=records,
        received=[received_row(batch_id, record) for record in records],
        receipts=[
            {"batch_id": batch_id, "document_id": record.id, "filename": record.source.filename, "duplicate": False}
            for record in records
        ],
        started=[{"document_id": record.id, "pages": len(record.pages)} for record in records],
        pages=[page_row(record, page) for record in records for page in record.pages],
        finals=[final_row(index, record) for index, record in zip(indexes, records, strict=True)],
        events=[event for record in records for event in events_of(batch_id, record)],
    )


def received_row(batch_id: str, record: DocumentRecord) -> Row:
    """A document as received: mirrors the new document of `Catalog.receive` (no intake)."""
    source = record.source
    return {
        "id": record.id,
        "batch_id": batch_id,
        "sha256": source.sha256,
        "filename": source.filename,
        "size_bytes": RECEIVED_SIZE,
        "incoming_key": record.id,
        "intake": None,
        "dossier_code": None,
    }


def page_row(record: DocumentRecord, page: PageInfo) -> Row:
    """A page as `bench.scale.fill`'s `Catalog.finish_page` leaves it."""
    prefix = f"{record.id}/page-{page.number:04d}"
    keys = {"image_key": f"{prefix}.jpg", "words_key": f"{prefix}.words.json"}
    info = page.model_dump(mode="json")
    return {"document_id": record.id, "number": page.number, "status": "done", "info": info, "warnings": [], **keys}


def final_row(index: int, record: DocumentRecord) -> Row:
    """What `storage.catalog_base.write_final` writes of an archived document without an error (mirrored: it
    reads each document's page texts back, one query a document, and they are known here): its number key as
    `bench.scale.fill` gives it, its record in its stored form (without the texts its pages hold), when it
    ended. `error` is left NULL, as the ORM leaves it when set to None again."""
    return {
        "document_id": record.id,
        "final_number_key": f"{record.metadata.document_number}:{index}",
        "final_record": stored_form(record, {page.number: page.text for page in record.pages}),
        "final_finished_at": record.finished_at or utcnow(),
    }


def events_of(batch_id: str, record: DocumentRecord) -> Iterator[PlannedEvent]:
    """The audit events `bench.scale.fill` makes the pipeline append for a document, in order."""
    doc, source, pages = record.id, record.source, len(record.pages)
    # Catalog.receive, for a new document
    received = {"filename": source.filename, "sha256": source.sha256, "size_bytes": RECEIVED_SIZE}
    yield planned("received", doc, {**received, "batch": batch_id, "duplicate": False, "status": "received"})
    # Catalog.start_pages: every page pending
    yield planned("ingest_started", doc, {"media_type": MEDIA_TYPE, "pages": pages, "pending": pages})
    for page in record.pages:  # Catalog.finish_page, the last one claiming the assembly
        yield planned("page_processed", doc, {"page": page.number})
    yield planned("assembly_started", doc, {})
    yield planned("assembled", doc, {"pages": pages})  # bench.scale.fill's own two
    yield planned("signed", doc, {"signer": "TEST"})
    yield planned(ARCHIVED, doc, outcome_details(record))  # Catalog.finish


def planned(action: str, document_id: str, details: dict[str, Any]) -> PlannedEvent:
    """An event with its details as `storage.audit.seal_event_row` records them (mirrored): through JSON, in NFC."""
    return PlannedEvent(action, document_id, nfc(json.loads(json.dumps(details, ensure_ascii=False, default=str))))


# --- writing them ----------------------------------------------------------------------------------------------------
def write_chunk(s: Session, chunk: Chunk) -> None:
    """Every row of the chunk's documents but their search entries, in the open transaction, in the pipeline's
    order; audit events last (the chain's lock is then held only until the commit)."""
    receive(s, chunk)
    process(s, chunk)
    finish(s, chunk)
    append_events(s, chunk.events)


def index_chunk(catalog: Catalog, records: list[DocumentRecord]) -> None:
    """The search entries of archived documents (`storage.search_index.index_archived`), in a transaction of their own:
    another connection's, so that the database computes their words while this one writes the next chunk. The
    entries are written archived, as `Catalog.finish` leaves those `update_index` wrote before it."""
    with catalog.session() as s:
        index_archived(s, records)


def receive(s: Session, chunk: Chunk) -> None:
    """The documents as received, then their receipts (`Catalog.receive`)."""
    insert_rows(s, DOCUMENTS, chunk.received)
    insert_rows(s, RECEIPTS, chunk.receipts)


def process(s: Session, chunk: Chunk) -> None:
    """The documents processing with their page counts (`Catalog.start_pages`), their pages done, then the
    documents assembling (`Catalog.finish_page`, the last page claiming the assembly)."""
    started = update(DOCUMENTS).where(DOCUMENTS.c.id == bindparam("document_id"))
    s.execute(started.values(media_type=MEDIA_TYPE, page_count=bindparam("pages"), status="processing"), chunk.started)
    insert_rows(s, PAGES, chunk.pages)
    s.execute(update(DOCUMENTS).where(DOCUMENTS.c.id.in_(chunk.ids)).values(status="assembling"))


def finish(s: Session, chunk: Chunk) -> None:
    """The documents archived, then their final rows: two writes, as `Catalog.finish` makes them, so the
    triggers see the status change before the agency, type and signing time the record brings."""
    archived = update(DOCUMENTS).where(DOCUMENTS.c.id.in_(chunk.ids), DOCUMENTS.c.status != ARCHIVED)
    s.execute(archived.values(status=ARCHIVED))
    final = update(DOCUMENTS).where(DOCUMENTS.c.id == bindparam("document_id"))
    values = final.values(  # parameters named apart from the columns, which SQLAlchemy keeps for itself
        number_key=bindparam("final_number_key"),
        record=bindparam("final_record"),
        finished_at=bindparam("final_finished_at"),
    )
    s.execute(values, chunk.finals)


def append_events(s: Session, events: list[PlannedEvent]) -> None:
    """Append the events chained from the log's last one, hashed by `storage.audit.event_hash`, inserted in
    order so that ids follow the chain. Mirrors `storage.audit.open_event_row`'s lock: PostgreSQL's advisory lock
    (held to the commit); on SQLite the chunk's first write took the write lock."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    prev_hash = s.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    actor, rows = nfc(SYSTEM), []
    for event in events:
        at = utcnow()
        digest = event_hash(prev_hash, at, actor, None, event.action, event.document_id, event.details)
        rows.append(
            {
                "at": at,
                "actor": actor,
                "role": None,
                "action": event.action,
                "document_id": event.document_id,
                "details": event.details,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    insert_rows(s, AUDIT_EVENTS, rows)


def insert_rows(s: Session, table: Table, rows: list[Row]) -> None:
    """Insert rows in their order (ids follow it): on PostgreSQL by COPY, elsewhere by one executemany INSERT.

    COPY gets the values SQLAlchemy would bind: JSON as the catalog's engine serializes it (`canonical_json`,
    None as JSON null), and each column the rows leave out its model default (called per row when a function);
    the other columns left out are NULL.
    """
    if not rows:
        return
    if s.get_bind().dialect.name != "postgresql":
        s.execute(insert(table), rows)
        return
    given = list(rows[0])
    defaulted = [c for c in table.columns if c.name not in given and c.default is not None]
    names = [*given, *(c.name for c in defaulted)]
    holds_json = [isinstance(table.c[name].type, JSON) for name in names]
    cursor = cast(psycopg.Connection, s.connection().connection.driver_connection).cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            values = [row[name] for name in given] + [model_default(c) for c in defaulted]
            copy.write_row([canonical_json(v) if is_json else v for v, is_json in zip(values, holds_json, strict=True)])


def model_default(column: Column) -> Any:
    """What SQLAlchemy writes in a column an INSERT leaves out: its default, or what its default function
    returns now."""
    default = cast(ColumnDefault, column.default)
    return default.arg(None) if default.is_callable else default.arg
