"""The catalog: the source of truth for every document's state (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, Result, create_engine, event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from schemas.intake import Intake
from schemas.record import FINAL_STATUSES, DocumentRecord
from storage import migrations
from storage.audit import SYSTEM, append_event
from storage.record_text import full_record, stored_form
from storage.tables import (
    AuditEvent,
    Batch,
    DeadLetter,
    Document,
    Page,
    Receipt,
    ReviewEvent,
    canonical_json,
    utcnow,
)
from storage.times import as_utc

ACTIVE_STATUSES = ("received", "processing", "assembling")
#: The audit action recording a file refused at upload, before it became a document.
UPLOAD_REFUSED = "upload_refused"


class UnknownDocument(LookupError):
    """No document with that id in the catalog."""


@dataclass(frozen=True)
class Received:
    """The outcome of receiving a file: its document, and whether the file had been received before."""

    document_id: str
    duplicate: bool
    status: str


@dataclass(frozen=True)
class BatchProgress:
    """Counts for a progress bar: documents by status, pages done and known."""

    documents: int
    finished: int
    pages_total: int
    pages_done: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class BatchSummary:
    """One batch for a list: where it came from, its files, and its documents by status."""

    id: str
    origin: str
    created_at: datetime
    files: int
    duplicates: int
    by_status: dict[str, int]


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` as people write it, with the psycopg 3 driver sohoa installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def document_id_for(sha256: str) -> str:
    """A document's id is derived from its content, so receiving the same bytes twice finds one document."""
    return sha256[:24]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


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


class Catalog:
    """All reads and writes of document state, each in its own short transaction."""

    def __init__(self, url: str) -> None:
        self.url = sqlalchemy_url(url)
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True, json_serializer=canonical_json)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
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

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- receiving -------------------------------------------------------------------------------
    def create_batch(self, origin: str = "cli") -> str:
        batch_id = uuid.uuid4().hex
        with self.session() as s:
            s.add(Batch(id=batch_id, origin=origin))
        return batch_id

    def receive(
        self,
        batch_id: str,
        *,
        filename: str,
        sha256: str,
        size_bytes: int,
        incoming_key: str,
        intake: Intake | None = None,
        actor: str = SYSTEM,
    ) -> Received:
        """Record a received file; a file already known (same SHA-256) is a duplicate, not a new document.

        A new document with a dossier code gets the next ordinal in that dossier (the n of its result code).
        Every file, duplicates too, gets a `received` audit event.
        """
        document_id = document_id_for(sha256)
        with self.session() as s:
            existing = s.get(Document, document_id, with_for_update=True)
            duplicate = existing is not None
            if existing is None:
                intake = _numbered(s, intake) if intake is not None else None
                s.add(
                    Document(
                        id=document_id,
                        batch_id=batch_id,
                        sha256=sha256,
                        filename=filename,
                        size_bytes=size_bytes,
                        incoming_key=incoming_key,
                        intake=intake.model_dump() if intake else None,
                        dossier_code=intake.dossier_code if intake else None,
                    )
                )
                s.flush()
                status = "received"
            else:
                status = existing.status
            s.add(Receipt(batch_id=batch_id, document_id=document_id, filename=filename, duplicate=duplicate))
            details = {"filename": filename, "sha256": sha256, "size_bytes": size_bytes, "batch": batch_id}
            details.update(duplicate=duplicate, status=status)
            append_event(s, "received", actor=actor, document_id=document_id, details=details)
        return Received(document_id, duplicate, status)

    def restart(self, document_id: str) -> None:
        """Send a failed document back to the start; pages already done are kept."""
        with self.session() as s:
            restarted = s.execute(
                update(Document)
                .where(Document.id == document_id, Document.status == "failed")
                .values(status="received", error=None, record=None, finished_at=None)
            )
            s.execute(
                update(Page)
                .where(Page.document_id == document_id, Page.status == "failed")
                .values(status="pending", error=None)
            )
            if rows_changed(restarted):  # last, so the chain's lock is never held while waiting for a row
                append_event(s, "restarted", actor=SYSTEM, document_id=document_id)

    # --- processing ------------------------------------------------------------------------------
    def document(self, document_id: str) -> Document:
        with self.session() as s:
            row = s.get(Document, document_id)
            if row is None:
                raise UnknownDocument(document_id)
            s.expunge(row)
            return row

    def start_pages(self, document_id: str, media_type: str, page_count: int) -> list[int]:
        """Create the page rows (once) and move the document to processing; returns pages still pending."""
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise UnknownDocument(document_id)
            started = doc.status == "received"
            if started:
                doc.media_type, doc.page_count, doc.status = media_type, page_count, "processing"
                known = set(s.scalars(select(Page.number).where(Page.document_id == document_id)))
                s.add_all(Page(document_id=document_id, number=n) for n in range(1, page_count + 1) if n not in known)
            s.flush()
            pending = list(
                s.scalars(
                    select(Page.number)
                    .where(Page.document_id == document_id, Page.status == "pending")
                    .order_by(Page.number)
                )
            )
            if started:
                details = {"media_type": media_type, "pages": page_count, "pending": len(pending)}
                append_event(s, "ingest_started", actor=SYSTEM, document_id=document_id, details=details)
            return pending

    def finish_page(self, document_id: str, number: int, **values: object) -> bool:
        """Store a page's outcome; True when this call completed the document's last page.

        The document row is locked first, so of two pages finishing together exactly one sees
        the document complete and hands it on to assembly.
        """
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise UnknownDocument(document_id)
            where = (Page.document_id == document_id, Page.number == number)
            # the first write takes SQLite's write lock, so of two repeated outcomes only one finds the page pending
            first = rows_changed(s.execute(update(Page).where(*where, Page.status == "pending").values(**values))) == 1
            if not first:
                s.execute(update(Page).where(*where).values(**values))
            claimed = self._claim_assembly(s, doc, log=False)
            if first and values.get("status") in ("done", "failed"):  # a repeated outcome is not logged again
                details = {"page": number, **({"error": values["error"]} if values.get("error") else {})}
                action = "page_processed" if values["status"] == "done" else "page_failed"
                append_event(s, action, actor=SYSTEM, document_id=document_id, details=details)
            if claimed:
                append_event(s, "assembly_started", actor=SYSTEM, document_id=document_id)
            return claimed

    def claim_assembly(self, document_id: str) -> bool:
        """Move a processing document whose pages are all finished to assembling; True if this call did."""
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            return doc is not None and self._claim_assembly(s, doc)

    @staticmethod
    def _claim_assembly(s: Session, doc: Document, *, log: bool = True) -> bool:
        pending = s.scalar(
            select(func.count()).select_from(Page).where(Page.document_id == doc.id, Page.status == "pending")
        )
        if pending == 0 and doc.status == "processing":
            doc.status = "assembling"
            if log:
                append_event(s, "assembly_started", actor=SYSTEM, document_id=doc.id)
            return True
        return False

    def pages(self, document_id: str) -> list[Page]:
        with self.session() as s:
            rows = list(s.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)))
            s.expunge_all()
            return rows

    def finish(self, document_id: str, record: DocumentRecord, *, number_key: str | None = None) -> None:
        """Write the final record and status in one transaction; `number_key` marks an archived result's number."""
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise UnknownDocument(document_id)
            # a repeated step finds the status already written (the update takes SQLite's write lock)
            changed = (
                rows_changed(
                    s.execute(
                        update(Document)
                        .where(Document.id == document_id, Document.status != record.status)
                        .values(status=record.status)
                    )
                )
                == 1
            )
            doc.status = record.status
            doc.number_key = number_key if record.status == "archived" else None
            doc.error = record.error.model_dump() if record.error else None
            doc.record = stored_form(record, _page_texts(s, document_id))
            doc.finished_at = record.finished_at or utcnow()
            if changed:
                append_event(s, record.status, actor=SYSTEM, document_id=document_id, details=_outcome(record))

    # --- review ----------------------------------------------------------------------------------
    def confirm_review(
        self, document_id: str, *, actor: str, metadata: dict, changes: dict, role: str | None = None
    ) -> None:
        """Keep the person's confirmed metadata and an event with what they changed; send the document on.

        The event holds the extraction as it was, so corrections never erase what the machine read. The
        audit event (`review_confirmed`, or `review_corrected` with the changes) commits with it: one per
        confirmation, whoever confirms (`sohoa review` or the web app).
        """
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise UnknownDocument(document_id)
            if doc.status != "needs_review":
                raise ValueError(f"document {document_id} is {doc.status}, not waiting for review")
            extracted = (doc.record or {}).get("metadata", {})
            action = "correct" if changes else "confirm"
            s.add(
                ReviewEvent(document_id=document_id, actor=actor, action=action, changes=changes, extracted=extracted)
            )
            doc.confirmed_metadata, doc.status, doc.finished_at = metadata, "assembling", None
            append_event(
                s,
                "review_corrected" if changes else "review_confirmed",
                actor=actor,
                role=role,
                document_id=document_id,
                details={"changes": changes},
            )

    def reject_review(
        self, document_id: str, record: DocumentRecord, *, actor: str, reason: str, role: str | None = None
    ) -> None:
        """A person refuses a held document: it ends rejected (`record`, with the reason as its error).

        A review event keeps what the machine read; the audit event `review_rejected` names the person and the
        reason, and commits with the status change.
        """
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise UnknownDocument(document_id)
            if doc.status != "needs_review":
                raise ValueError(f"document {document_id} is {doc.status}, not waiting for review")
            extracted = (doc.record or {}).get("metadata", {})
            s.add(ReviewEvent(document_id=document_id, actor=actor, action="reject", changes={}, extracted=extracted))
            doc.status, doc.number_key = record.status, None
            doc.error = record.error.model_dump() if record.error else None
            doc.record = stored_form(record, _page_texts(s, document_id))
            doc.finished_at = record.finished_at or utcnow()
            details = {"reason": reason, **_outcome(record)}
            append_event(s, "review_rejected", actor=actor, role=role, document_id=document_id, details=details)

    def return_to_review(self, document_id: str, record: DocumentRecord) -> bool:
        """Hold a confirmed document for review again when its signing or archiving did not succeed.

        `record` is the held record (status needs_review, with the reason it is back). The confirmed values
        are dropped, the review event stays; True if the document was indeed unfinished or failed.
        """
        with self.session() as s:
            doc = s.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise UnknownDocument(document_id)
            if doc.status not in ("assembling", "failed"):
                return False
            doc.status, doc.error, doc.number_key, doc.confirmed_metadata = "needs_review", None, None, None
            doc.record = stored_form(record, _page_texts(s, document_id))
            doc.finished_at = utcnow()
            reason = record.warnings[-1].model_dump(mode="json") if record.warnings else None
            append_event(s, "returned_to_review", actor=SYSTEM, document_id=document_id, details={"reason": reason})
            return True

    def review_events(self, document_id: str) -> list[ReviewEvent]:
        with self.session() as s:
            rows = list(
                s.scalars(select(ReviewEvent).where(ReviewEvent.document_id == document_id).order_by(ReviewEvent.id))
            )
            s.expunge_all()
            return rows

    def ids_with_status(self, status: str) -> list[str]:
        with self.session() as s:
            return list(s.scalars(select(Document.id).where(Document.status == status).order_by(Document.received_at)))

    def documents_with_status(self, status: str, *, limit: int = 100, offset: int = 0) -> list[Document]:
        """Documents with this status, oldest received first (the order of a work queue)."""
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(Document)
                    .where(Document.status == status)
                    .order_by(Document.received_at, Document.id)
                    .limit(limit)
                    .offset(offset)
                )
            )
            s.expunge_all()
            return rows

    def count_with_status(self, status: str) -> int:
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(Document).where(Document.status == status)) or 0

    # --- reading ---------------------------------------------------------------------------------
    def record(self, document_id: str) -> DocumentRecord | None:
        with self.session() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UnknownDocument(document_id)
            return full_record(doc.record, _page_texts(s, document_id)) if doc.record else None

    def claim_number(self, document_id: str, key: str) -> bool:
        """Give the document this number key, unless another document holds it (False): a unique index decides,
        so of two documents claiming one number at once exactly one gets it."""
        try:
            with self.session() as s:
                s.execute(update(Document).where(Document.id == document_id).values(number_key=key))
        except IntegrityError:
            return False
        return True

    def archived_with_number(self, key: str, *, other_than: str) -> str | None:
        """The id of a document, other than `other_than`, holding the number key `key` (archived, or claimed by
        a document being archived)."""
        with self.session() as s:
            return s.scalar(select(Document.id).where(Document.number_key == key, Document.id != other_than).limit(1))

    def archived_ids(self) -> list[str]:
        return self.ids_with_status("archived")

    # --- leases ----------------------------------------------------------------------------------
    def stuck_documents(self, idle_seconds: float) -> list[tuple[str, str]]:
        """(id, status) of unfinished documents with no progress, on the document or its pages, for that long."""
        cutoff = utcnow() - timedelta(seconds=idle_seconds)
        last_page = (
            select(Page.document_id, func.max(Page.updated_at).label("at")).group_by(Page.document_id).subquery()
        )
        with self.session() as s:
            rows = s.execute(
                select(Document.id, Document.status)
                .outerjoin(last_page, last_page.c.document_id == Document.id)
                .where(
                    Document.status.in_(ACTIVE_STATUSES),
                    Document.updated_at < cutoff,
                    (last_page.c.at.is_(None)) | (last_page.c.at < cutoff),
                )
                .order_by(Document.updated_at)
            ).all()
        return [(row.id, row.status) for row in rows]

    def renew_lease(self, document_id: str, idle_seconds: float) -> bool:
        """Mark a stuck document as being seen to; of several sweepers, exactly one gets True."""
        cutoff = utcnow() - timedelta(seconds=idle_seconds)
        with self.session() as s:
            done = s.execute(
                update(Document)
                .where(
                    Document.id == document_id,
                    Document.status.in_(ACTIVE_STATUSES),
                    Document.updated_at < cutoff,
                )
                .values(updated_at=utcnow())
            )
            return rows_changed(done) == 1

    def page_status(self, document_id: str, number: int) -> str | None:
        with self.session() as s:
            return s.scalar(select(Page.status).where(Page.document_id == document_id, Page.number == number))

    # --- dead letters ----------------------------------------------------------------------------
    def add_dead_letter(self, **values: object) -> int:
        with self.session() as s:
            row = DeadLetter(**values)
            s.add(row)
            s.flush()
            return row.id

    def dead_letters(self, *, include_retried: bool = False) -> list[DeadLetter]:
        with self.session() as s:
            query = select(DeadLetter).order_by(DeadLetter.id)
            if not include_retried:
                query = query.where(DeadLetter.retried_at.is_(None))
            rows = list(s.scalars(query))
            s.expunge_all()
            return rows

    def has_dead_letter(self, message_id: str) -> bool:
        with self.session() as s:
            return (s.scalar(select(func.count()).where(DeadLetter.message_id == message_id)) or 0) > 0

    def mark_retried(self, dead_letter_id: int) -> None:
        with self.session() as s:
            s.execute(update(DeadLetter).where(DeadLetter.id == dead_letter_id).values(retried_at=utcnow()))

    def batch_documents(self, batch_id: str) -> list[tuple[Receipt, Document]]:
        with self.session() as s:
            rows = s.execute(
                select(Receipt, Document)
                .join(Document, Receipt.document_id == Document.id)
                .where(Receipt.batch_id == batch_id)
                .order_by(Receipt.id)
            ).all()
            s.expunge_all()
            return [(receipt, doc) for receipt, doc in rows]

    def batch_progress(self, batch_id: str) -> BatchProgress:
        with self.session() as s:
            doc_ids = select(Receipt.document_id).where(Receipt.batch_id == batch_id).distinct().scalar_subquery()
            statuses = Counter(
                dict(
                    s.execute(
                        select(Document.status, func.count()).where(Document.id.in_(doc_ids)).group_by(Document.status)
                    ).all()
                )
            )
            page_rows = dict(
                s.execute(
                    select(Page.status, func.count()).where(Page.document_id.in_(doc_ids)).group_by(Page.status)
                ).all()
            )
        documents = sum(statuses.values())
        finished = sum(statuses[s] for s in FINAL_STATUSES)
        pages_total = sum(page_rows.values())
        return BatchProgress(
            documents, finished, pages_total, pages_total - page_rows.get("pending", 0), dict(statuses)
        )

    def batch(self, batch_id: str) -> Batch | None:
        with self.session() as s:
            row = s.get(Batch, batch_id)
            if row is not None:
                s.expunge(row)
            return row

    def batches(self, *, limit: int = 50, offset: int = 0) -> list[BatchSummary]:
        """The newest batches first, each with its files and its documents counted by status."""
        with self.session() as s:
            newest = select(Batch).order_by(Batch.created_at.desc(), Batch.id).limit(limit).offset(offset)
            rows = list(s.scalars(newest))
            ids = [b.id for b in rows]
            files = dict(
                s.execute(
                    select(Receipt.batch_id, func.count()).where(Receipt.batch_id.in_(ids)).group_by(Receipt.batch_id)
                ).all()
            )
            duplicates = dict(
                s.execute(
                    select(Receipt.batch_id, func.count())
                    .where(Receipt.batch_id.in_(ids), Receipt.duplicate.is_(True))
                    .group_by(Receipt.batch_id)
                ).all()
            )
            pairs = select(Receipt.batch_id, Receipt.document_id).where(Receipt.batch_id.in_(ids)).distinct().subquery()
            by_status: dict[str, Counter[str]] = {batch_id: Counter() for batch_id in ids}
            for batch_id, status, count in s.execute(
                select(pairs.c.batch_id, Document.status, func.count())
                .join(Document, Document.id == pairs.c.document_id)
                .group_by(pairs.c.batch_id, Document.status)
            ).all():
                by_status[batch_id][status] = count
        return [
            BatchSummary(
                b.id, b.origin, as_utc(b.created_at), files.get(b.id, 0), duplicates.get(b.id, 0), dict(by_status[b.id])
            )
            for b in rows
        ]

    def count_batches(self) -> int:
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(Batch)) or 0

    def batch_file_count(self, batch_id: str) -> int:
        """Files received into the batch (duplicates included)."""
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(Receipt).where(Receipt.batch_id == batch_id)) or 0

    def batch_pages(self, batch_id: str) -> dict[str, tuple[int, int]]:
        """Pages finished (done or failed) and known, per document of the batch."""
        with self.session() as s:
            doc_ids = select(Receipt.document_id).where(Receipt.batch_id == batch_id).distinct().scalar_subquery()
            rows = s.execute(
                select(Page.document_id, Page.status, func.count())
                .where(Page.document_id.in_(doc_ids))
                .group_by(Page.document_id, Page.status)
            ).all()
        pages: dict[str, tuple[int, int]] = {}
        for document_id, status, count in rows:
            done, total = pages.get(document_id, (0, 0))
            pages[document_id] = (done + (count if status != "pending" else 0), total + count)
        return pages

    def upload_refusals(self, batch_id: str) -> list[AuditEvent]:
        """Files refused at upload for this batch (too large, wrong type...), from the audit events recording them."""
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action == UPLOAD_REFUSED, AuditEvent.details["batch"].as_string() == batch_id)
                    .order_by(AuditEvent.id)
                )
            )
            s.expunge_all()
            return rows


def _page_texts(s: Session, document_id: str) -> dict[int, str | None]:
    """Page number → the text its row holds (`storage.record_text`: the record refers to it)."""
    rows = s.execute(select(Page.number, Page.info["text"].as_string()).where(Page.document_id == document_id))
    return {number: text for number, text in rows}


def _outcome(record: DocumentRecord) -> dict:
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


def _numbered(s: Session, intake: Intake) -> Intake:
    if intake.dossier_code is None or intake.ordinal is not None:
        return intake
    taken = s.scalar(select(func.count()).select_from(Document).where(Document.dossier_code == intake.dossier_code))
    return intake.model_copy(update={"ordinal": (taken or 0) + 1})


def rows_changed(result: Result) -> int:
    """How many rows an UPDATE or DELETE changed (a cursor result's count, which the generic type hides)."""
    return cast(CursorResult, result).rowcount
