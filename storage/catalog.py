"""The catalog: the source of truth for every document's state (SQLite embedded, PostgreSQL in production).

This module holds a document's way through the pipeline (received, pages, assembled, finished) and reading
records back; `Catalog` also has the parts in `storage.catalog_review`, `storage.catalog_batches` and
`storage.catalog_leases`, on the engine and sessions of `storage.catalog_base`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.audit import SYSTEM, append_event
from storage.catalog_base import (
    ACTIVE_STATUSES,
    UnknownDocument,
    outcome_details,
    page_texts,
    rows_changed,
    sqlalchemy_url,
    write_final,
)
from storage.catalog_batches import UPLOAD_REFUSED, BatchParts, BatchProgress, BatchSummary
from storage.catalog_leases import LeaseParts
from storage.catalog_review import ReviewParts
from storage.record_text import full_record
from storage.tables import (
    Batch,
    Document,
    Page,
    Receipt,
)

if TYPE_CHECKING:  # pydantic models: loaded by the commands that build them, not by a search or a report
    from schemas.intake import Intake
    from schemas.record import DocumentRecord

__all__ = [
    "ACTIVE_STATUSES",
    "UPLOAD_REFUSED",
    "BatchProgress",
    "BatchSummary",
    "Catalog",
    "Received",
    "UnknownDocument",
    "document_id_for",
    "sqlalchemy_url",
]


@dataclass(frozen=True)
class Received:
    """The outcome of receiving a file: its document, and whether the file had been received before."""

    document_id: str
    duplicate: bool
    status: str


def document_id_for(sha256: str) -> str:
    """A document's id is derived from its content, so receiving the same bytes twice finds one document."""
    return sha256[:24]


class Catalog(ReviewParts, BatchParts, LeaseParts):
    """All reads and writes of document state, each in its own short transaction (`storage.catalog_base`)."""

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
            write_final(s, doc, record, number_key=number_key)
            if changed:
                append_event(s, record.status, actor=SYSTEM, document_id=document_id, details=outcome_details(record))

    # --- reading ---------------------------------------------------------------------------------
    def record(self, document_id: str) -> DocumentRecord | None:
        with self.session() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UnknownDocument(document_id)
            return full_record(doc.record, page_texts(s, document_id)) if doc.record else None

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


def _numbered(s: Session, intake: Intake) -> Intake:
    if intake.dossier_code is None or intake.ordinal is not None:
        return intake
    taken = s.scalar(select(func.count()).select_from(Document).where(Document.dossier_code == intake.dossier_code))
    return intake.model_copy(update={"ordinal": (taken or 0) + 1})
