"""The actors: ingest a document, process each page, assemble the document. Messages carry ids only."""

from __future__ import annotations

import json
import logging
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker

from pipeline.errors import InputRejected, StageError
from pipeline.load import SourceProbe, load_page, probe_source
from pipeline.page import process_page as run_page_stages
from schemas.record import ErrorInfo
from storage.catalog import UnknownDocument
from storage.layout import INCOMING, WORK, PageKeys
from workers.archive import archive_document, fail_document, reject_document
from workers.broker import MAX_BACKOFF_MS, MIN_BACKOFF_MS, should_retry
from workers.deadletters import MalformedMessage
from workers.runtime import current

log = logging.getLogger(__name__)

# Actors are declared on a placeholder and re-bound by workers.broker.install_broker().
_placeholder = StubBroker()
#: Transient errors are retried with backoff; an unknown document or a malformed message never is.
RETRY: dict[str, Any] = {
    "retry_when": should_retry,
    "min_backoff": MIN_BACKOFF_MS,
    "max_backoff": MAX_BACKOFF_MS,
    "throws": (UnknownDocument, MalformedMessage),
}


@dramatiq.actor(broker=_placeholder, queue_name="documents", priority=0, **RETRY)
def ingest_document(document_id: str) -> None:
    """Check the source file and fan out one message per page still to do."""
    rt = current()
    doc = rt.catalog.document(document_id)
    if doc.status == "assembling":
        assemble_document.send(document_id)  # the sender may have died between claiming assembly and sending
    if doc.status not in ("received", "processing"):
        return
    try:
        with rt.store.local_path(INCOMING, doc.incoming_key) as path:
            probe = probe_source(path, rt.limits)
    except InputRejected as exc:
        reject_document(rt, document_id, ErrorInfo(code=exc.code, message=exc.message, page=exc.page))
        return
    pending = rt.catalog.start_pages(document_id, probe.media_type, probe.page_count)
    for number in pending:
        process_page.send(document_id, number)
    if not pending and rt.catalog.claim_assembly(document_id):
        assemble_document.send(document_id)


@dramatiq.actor(broker=_placeholder, queue_name="pages", priority=10, on_retry_exhausted="page_gave_up", **RETRY)
def process_page(document_id: str, number: int) -> None:
    """Load, orient, deskew, clean and OCR one page; store its image and words; hand on when last."""
    rt = current()
    doc = rt.catalog.document(document_id)
    if doc.status != "processing" or rt.catalog.page_status(document_id, number) != "pending":
        # A redelivered or repeated message: the page is done. The worker that finished it may have died
        # before it sent the document on, so assembly is sent again; it runs once (`assemble_document`).
        if doc.status == "assembling":
            assemble_document.send(document_id)
        return
    try:
        with rt.store.local_path(INCOMING, doc.incoming_key) as path:
            loaded = load_page(path, SourceProbe(doc.media_type or "", doc.page_count or 0), number, rt.limits)
        result = run_page_stages(loaded, number, rt.page_options)
    except StageError as exc:
        if exc.retryable:
            raise
        _page_failed(document_id, number, ErrorInfo(code=exc.code, message=exc.message, page=number))
        return
    keys = PageKeys(document_id, number)
    image = rt.store.put_bytes(WORK, keys.image, result.jpeg)
    words = rt.store.put_bytes(WORK, keys.words, json.dumps([w.__dict__ for w in result.words]).encode())
    done = rt.catalog.finish_page(
        document_id,
        number,
        status="done",
        info=result.info.model_dump(mode="json"),
        warnings=[w.model_dump(mode="json") for w in result.warnings],
        image_key=image.key,
        words_key=words.key,
        tesseract_seconds=sum(c.seconds for c in result.tesseract_calls),
        tesseract_cpu_seconds=sum(c.cpu_seconds for c in result.tesseract_calls),
        header_text=result.header_text,
    )
    if done:
        assemble_document.send(document_id)


@dramatiq.actor(broker=_placeholder, queue_name="documents", priority=0, max_retries=0)
def page_gave_up(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """Retries are exhausted for a page: record why, so its document can finish as failed."""
    document_id, number = message["args"]
    attempts = retry_info.get("retries", 0) + 1
    error = ErrorInfo(
        code="page_failed",
        page=number,
        message=f"page {number} failed after {attempts} attempts: {_last_line(message)}",
    )
    _page_failed(document_id, number, error)


def _last_line(message: dict[str, Any]) -> str:
    trace = (message.get("options", {}).get("traceback") or "").strip().splitlines()
    return trace[-1] if trace else "unknown error"


def _page_failed(document_id: str, number: int, error: ErrorInfo) -> None:
    catalog = current().catalog
    completed = catalog.finish_page(document_id, number, status="failed", error=error.model_dump())
    # a repeated outcome sends assembly again too: the first sender may have died before it did
    if completed or catalog.document(document_id).status == "assembling":
        assemble_document.send(document_id)


@dramatiq.actor(broker=_placeholder, queue_name="documents", priority=0, on_retry_exhausted="document_gave_up", **RETRY)
def assemble_document(document_id: str) -> None:
    """Build the searchable PDF and the record from the finished pages, sign, and archive them."""
    rt = current()
    with rt.catalog.assembling_alone(document_id) as alone:
        # Another worker assembling it now finishes it; if that worker dies, its message comes back.
        if not alone or rt.catalog.document(document_id).status != "assembling":
            return
        try:
            archive_document(rt, document_id)
        except StageError as exc:
            if exc.retryable:
                raise
            fail_document(rt, document_id, ErrorInfo(code=exc.code, message=exc.message))


@dramatiq.actor(broker=_placeholder, queue_name="documents", priority=0, max_retries=0)
def document_gave_up(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """Retries are exhausted for assembly: the document fails with the reason and keeps its pages."""
    (document_id,) = message["args"]
    error = ErrorInfo(code="assembly_failed", message=f"assembly failed: {_last_line(message)}")
    fail_document(current(), document_id, error)


ALL = (ingest_document, process_page, page_gave_up, assemble_document, document_gave_up)
