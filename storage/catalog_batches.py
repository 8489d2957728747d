"""The catalog's batches: what each batch received, how far it is, and what was refused at upload."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from schemas.statuses import FINAL_STATUSES
from schemas.times import as_utc
from storage.catalog_base import CatalogBase
from storage.tables import AuditEvent, Batch, Document, Page, Receipt

#: The audit action recording a file refused at upload, before it became a document.
UPLOAD_REFUSED = "upload_refused"


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


class BatchParts(CatalogBase):
    """A batch's documents, progress and refusals, and the list of batches."""

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
