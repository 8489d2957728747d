"""The catalog's leases and dead letters: documents idle too long are found again, refused messages kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from storage.catalog_base import ACTIVE_STATUSES, CatalogBase, rows_changed
from storage.tables import DeadLetter, Document, Page, utcnow


class LeaseParts(CatalogBase):
    """Finding documents idle too long, and keeping messages no worker could process."""

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
