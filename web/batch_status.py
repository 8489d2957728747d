"""What staff see of a batch: each file's document and status with its reasons, the totals, the refused files."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from schemas.record import DocumentRecord, ErrorInfo, Warning
from schemas.statuses import FINAL_STATUSES
from schemas.times import as_utc
from storage.catalog import Catalog
from storage.record_text import record_without_text
from web.labels import REVIEW_REASONS, error_text, warning_text
from web.pages import STATUS_NAMES


class DocumentStatus(BaseModel):
    """One received file of the batch and where its document stands."""

    document_id: str
    filename: str
    duplicate: bool
    status: str
    status_name: str
    error: ErrorInfo | None = None
    reasons: list[str] = []
    pages_done: int = 0
    pages_total: int = 0
    received_at: datetime


class Refusal(BaseModel):
    """A file refused at upload: it never became a document."""

    filename: str
    code: str
    reason: str
    at: datetime


class BatchTotals(BaseModel):
    """Counts over the batch: files and refusals, distinct documents by status, pages."""

    files: int
    documents: int
    duplicates: int
    refused: int
    received: int
    processing: int
    needs_review: int
    archived: int
    rejected: int
    failed: int
    pages_done: int
    pages_total: int
    finished: bool


class BatchStatus(BaseModel):
    id: str
    origin: str
    created_at: datetime
    totals: BatchTotals
    documents: list[DocumentStatus]
    refused: list[Refusal]


class BatchOut(BaseModel):
    """A batch in a list."""

    id: str
    origin: str
    created_at: datetime
    files: int
    duplicates: int
    by_status: dict[str, int]


def batch_status(catalog: Catalog, batch_id: str) -> BatchStatus | None:
    """The batch as staff follow it, or None when there is no such batch."""
    batch = catalog.batch(batch_id)
    if batch is None:
        return None
    pages = catalog.batch_pages(batch_id)
    documents = []
    statuses: dict[str, str] = {}
    for receipt, doc in catalog.batch_documents(batch_id):
        statuses[doc.id] = doc.status
        record = record_without_text(doc.record) if doc.record else None
        error = ErrorInfo.model_validate(doc.error) if doc.error else None
        done, total = pages.get(doc.id, (0, doc.page_count or 0))
        documents.append(
            DocumentStatus(
                document_id=doc.id,
                filename=receipt.filename,
                duplicate=receipt.duplicate,
                status=doc.status,
                status_name=STATUS_NAMES.get(doc.status, doc.status),
                error=error,
                reasons=_reasons(doc.status, error, record),
                pages_done=done,
                pages_total=total,
                received_at=as_utc(receipt.received_at),
            )
        )
    refused = [
        Refusal(
            filename=str(event.details.get("filename", "")),
            code=str(event.details.get("code", "")),
            reason=str(event.details.get("reason", "")),
            at=as_utc(event.at),
        )
        for event in catalog.upload_refusals(batch_id)
    ]
    count = list(statuses.values()).count
    totals = BatchTotals(
        files=len(documents),
        documents=len(statuses),
        duplicates=sum(d.duplicate for d in documents),
        refused=len(refused),
        received=count("received"),
        processing=count("processing") + count("assembling"),
        needs_review=count("needs_review"),
        archived=count("archived"),
        rejected=count("rejected"),
        failed=count("failed"),
        pages_done=sum(d.pages_done for d in documents if not d.duplicate),
        pages_total=sum(d.pages_total for d in documents if not d.duplicate),
        finished=all(s in FINAL_STATUSES for s in statuses.values()),
    )
    return BatchStatus(
        id=batch.id,
        origin=batch.origin,
        created_at=as_utc(batch.created_at),
        totals=totals,
        documents=documents,
        refused=refused,
    )


def _reasons(status: str, error: ErrorInfo | None, record: DocumentRecord | None) -> list[str]:
    """Why a document was rejected or failed, or why it waits for review, in Vietnamese."""
    if status in ("rejected", "failed") and error is not None:
        return [error_text(error) or ""]
    if status == "needs_review" and record is not None:
        return [warning_text(w) for w in record.warnings if w.code in REVIEW_REASONS]
    return []


def batch_list(catalog: Catalog, *, limit: int, offset: int) -> list[BatchOut]:
    return [BatchOut(**summary.__dict__) for summary in catalog.batches(limit=limit, offset=offset)]


def review_reasons(record: DocumentRecord) -> list[Warning]:
    """The warnings that explain why a held document waits (fields to check, repeated number...)."""
    return [w for w in record.warnings if w.code in REVIEW_REASONS]
