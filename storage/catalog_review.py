"""The catalog's review part: a person confirms, corrects or refuses a held document, each an event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.audit import SYSTEM, append_event
from storage.catalog_base import CatalogBase, UnknownDocument, outcome_details, page_texts, write_final
from storage.record_text import stored_form
from storage.tables import Document, ReviewEvent, utcnow

if TYPE_CHECKING:
    from schemas.record import DocumentRecord


class ReviewParts(CatalogBase):
    """Confirming, correcting and refusing held documents, and the review queue."""

    def confirm_review(
        self, document_id: str, *, actor: str, metadata: dict, changes: dict, role: str | None = None
    ) -> None:
        """Keep the person's confirmed metadata and an event with what they changed; send the document on.

        The event holds the extraction as it was, so corrections never erase what the machine read. The
        audit event (`review_confirmed`, or `review_corrected` with the changes) commits with it: one per
        confirmation, whoever confirms (`sohoa review` or the web app).
        """
        with self.session() as s:
            doc = _held(s, document_id)
            action = "correct" if changes else "confirm"
            s.add(_review_event(doc, actor, action, changes))
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
            doc = _held(s, document_id)
            s.add(_review_event(doc, actor, "reject", {}))
            write_final(s, doc, record)
            details = {"reason": reason, **outcome_details(record)}
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
            doc.record = stored_form(record, page_texts(s, document_id))
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


def _held(s: Session, document_id: str) -> Document:
    """The document's row, locked; ValueError unless it waits for review (someone decided it meanwhile)."""
    doc = s.get(Document, document_id, with_for_update=True)
    if doc is None:
        raise UnknownDocument(document_id)
    if doc.status != "needs_review":
        raise ValueError(f"document {document_id} is {doc.status}, not waiting for review")
    return doc


def _review_event(doc: Document, actor: str, action: str, changes: dict) -> ReviewEvent:
    """A person's decision, with what the machine had read, so corrections never erase it."""
    extracted = (doc.record or {}).get("metadata", {})
    return ReviewEvent(document_id=doc.id, actor=actor, action=action, changes=changes, extracted=extracted)
