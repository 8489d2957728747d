"""Rebuild a lost catalog from the archive's JSON sidecars.

Every archived document has its record, as it was when archived, in the archive bucket at `<id>/<id>.json`.
From those records an empty catalog gets back: its batches (id, and the earliest receipt as their time; the
origin is unknown, so it is `rebuilt`), one receipt and one document per record (status archived, file name,
SHA-256, size, media type, original's key, dossier and procedure codes, the record itself, its number key),
the page rows (status done, with each page's info and warnings) and the search index.

What cannot come back, because no sidecar holds it: the audit log (so past reuse and the hash chain start
afresh), review events, documents that were never archived (waiting for review, rejected, failed, in
progress), repeated receipts of the same file (duplicates), dead letters, user accounts, sessions and API
tokens, and the dossier totals supplied for the rates. Restore a backup (`storage.backup`) to keep those.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import func, select, update

from pipeline.extract import number_key
from schemas.errors import UsageError
from schemas.record import DocumentRecord
from storage.catalog import Catalog
from storage.layout import ARCHIVE, incoming_key, is_record_sidecar
from storage.objects import ObjectStore
from storage.record_text import stored_form
from storage.search_index import index_archived
from storage.tables import Batch, Document, Page, Receipt

REBUILT_ORIGIN = "rebuilt"
#: Sidecars read and written per transaction.
CHUNK = 250
#: Chunks written at once on PostgreSQL, each on its own connection.
WRITERS = 2
_ORDINAL = re.compile(r"-KQ(\d+)$")


class RebuildError(UsageError):
    """The catalog cannot be rebuilt (it is not empty)."""


@dataclass
class RebuildResult:
    """What was put back, and the sidecars that could not be used (key → why)."""

    documents: int = 0
    pages: int = 0
    batches: int = 0
    indexed: int = 0
    skipped: dict[str, str] = field(default_factory=dict)


def sidecar_keys(store: ObjectStore, bucket: str) -> list[str]:
    """Keys of record sidecars: `<id>/<id>.json` (other JSON objects are not records)."""
    return sorted(key for key in store.list_keys(bucket) if is_record_sidecar(key))


def _document(record: DocumentRecord, batch_id: str, numbers: set[str]) -> Document:
    """The document row; it holds its number key unless an earlier record took it (a duplicate a person confirmed)."""
    meta, source = record.metadata, record.source
    intake = None
    if meta.dossier_code or meta.procedure_code:
        ordinal = _ORDINAL.search(meta.result_code or "")
        intake = {
            "dossier_code": meta.dossier_code,
            "procedure_code": meta.procedure_code,
            "paper_pages": None,  # not in the record
            "ordinal": int(ordinal[1]) if ordinal else None,
        }
    return Document(
        id=record.id,
        batch_id=batch_id,
        sha256=source.sha256,
        filename=source.filename,
        size_bytes=source.size_bytes,
        media_type=source.media_type,
        incoming_key=incoming_key(source.sha256),
        status="archived",
        page_count=len(record.pages),
        record=stored_form(record, {page.number: page.text for page in record.pages}),
        received_at=record.received_at,
        updated_at=record.finished_at or record.received_at,
        finished_at=record.finished_at or record.received_at,
        intake=intake,
        dossier_code=meta.dossier_code,
        number_key=_first_holder(number_key(meta), numbers),
    )


def _first_holder(key: str | None, numbers: set[str]) -> str | None:
    if key is None or key in numbers:
        return None
    numbers.add(key)
    return key


def _pages(record: DocumentRecord) -> list[Page]:
    return [
        Page(
            document_id=record.id,
            number=info.number,
            status="done",
            info=info.model_dump(mode="json"),
            warnings=[w.model_dump(mode="json") for w in record.warnings if w.page == info.number],
            updated_at=record.finished_at or record.received_at,
        )
        for info in record.pages
    ]


def _read_record(store: ObjectStore, bucket: str, key: str, result: RebuildResult) -> DocumentRecord | None:
    """The archived record of one sidecar; an unreadable or unarchived one goes to `result.skipped`."""
    try:
        record = DocumentRecord.model_validate_json(store.get_bytes(bucket, key))
    except (ValidationError, ValueError) as exc:
        result.skipped[key] = f"not a document record: {str(exc).splitlines()[0]}"
        return None
    if record.id != key.partition("/")[0]:
        result.skipped[key] = f"the record is of document {record.id}, not of its folder"
    elif record.status != "archived" or record.archive is None:
        result.skipped[key] = f"the record is {record.status}, not archived"
    else:
        return record
    return None


def _read_ahead(
    store: ObjectStore, bucket: str, keys: list[str], result: RebuildResult
) -> Iterator[tuple[int, list[DocumentRecord]]]:
    """Each chunk's first position and records; the next chunk is read on a thread while the caller writes."""

    def read(start: int) -> list[DocumentRecord]:
        return [r for key in keys[start : start + CHUNK] if (r := _read_record(store, bucket, key, result))]

    starts = range(0, len(keys), CHUNK)
    with ThreadPoolExecutor(1, thread_name_prefix="rebuild-read") as reader:
        pending = reader.submit(read, 0)
        for start in starts:
            records = pending.result()
            if start + CHUNK < len(keys):
                pending = reader.submit(read, start + CHUNK)
            yield start, records


@dataclass
class _Chunk:
    """One chunk's rows, decided in the order of the sidecars (new batches, number keys), written on a thread."""

    records: list[DocumentRecord]
    documents: list[Document]
    receipts: list[Receipt]
    pages: list[Page]


def _chunk(catalog: Catalog, records: list[DocumentRecord], batches: set[str], numbers: set[str]) -> _Chunk:
    """The documents, receipts and pages of one chunk of records; the batches not yet seen are written at once,
    so that a chunk written beside this one can refer to them."""
    members = [(record.batch_id or f"{REBUILT_ORIGIN}-{record.received_at:%Y%m%d}", record) for record in records]
    new_batches = []
    for batch_id, record in members:
        if batch_id not in batches:  # its time is set to its earliest receipt at the end
            batches.add(batch_id)
            new_batches.append(Batch(id=batch_id, origin=REBUILT_ORIGIN, created_at=record.received_at))
    if new_batches:
        with catalog.session() as s:
            s.add_all(new_batches)
    receipts = [
        Receipt(
            batch_id=batch_id,
            document_id=record.id,
            filename=record.source.filename,
            duplicate=False,
            received_at=record.received_at,
        )
        for batch_id, record in members
    ]
    documents = [_document(record, batch_id, numbers) for batch_id, record in members]
    pages = [page for record in records for page in _pages(record)]
    return _Chunk(records, documents, receipts, pages)


def _put_back(catalog: Catalog, chunk: _Chunk) -> int:
    """One chunk in one transaction: documents, receipts, pages and search entries."""
    with catalog.session() as s:
        s.add_all(chunk.documents)
        s.flush()
        s.add_all(chunk.receipts)
        s.add_all(chunk.pages)
        index_archived(s, chunk.records)
    return len(chunk.pages)


def rebuild_catalog(
    catalog: Catalog,
    store: ObjectStore,
    *,
    bucket: str = ARCHIVE,
    progress: Callable[[int, int], None] | None = None,
) -> RebuildResult:
    """Fill an empty catalog from the archive bucket's record sidecars; refuses a catalog that has documents.

    Sidecars are read and written `CHUNK` at a time, one transaction each, so memory holds one chunk of
    records (and the list of keys) however large the archive; an interrupted rebuild leaves the chunks done,
    and is started again on an emptied catalog. `progress(done, total)` follows the sidecars. The next chunk is
    read while this one is written, and on PostgreSQL two chunks are written at once (which batch is new and
    which document keeps a number key are still decided in the sidecars' order), so parsing sidecars and the
    database's indexing overlap on two cores.
    """
    with catalog.session() as s:
        held = sum(s.scalar(select(func.count()).select_from(t)) or 0 for t in (Document, Receipt, Batch))
    if held:
        raise RebuildError(
            "the catalog already holds documents, receipts or batches: rebuild into an empty one "
            "(after an interrupted rebuild, empty it and start again)"
        )
    result = RebuildResult()
    keys = sidecar_keys(store, bucket)
    batches: set[str] = set()
    numbers: set[str] = set()
    # PostgreSQL indexes one chunk's text while the next is prepared; SQLite writes one transaction at a time
    writers = WRITERS if catalog.engine.dialect.name == "postgresql" else 1
    written: deque[tuple[int, int, Future[int]]] = deque()  # (first position, documents, pages written)

    def finish_oldest() -> None:
        start, documents, pages = written.popleft()
        result.pages += pages.result()
        result.documents += documents
        if progress:
            progress(min(start + CHUNK, len(keys)), len(keys))

    with ThreadPoolExecutor(writers, thread_name_prefix="rebuild-write") as writing:
        for start, records in _read_ahead(store, bucket, keys, result):
            chunk = _chunk(catalog, records, batches, numbers)
            written.append((start, len(records), writing.submit(_put_back, catalog, chunk)))
            if len(written) == writers:
                finish_oldest()
        while written:
            finish_oldest()
    with catalog.session() as s:
        earliest = select(func.min(Receipt.received_at)).where(Receipt.batch_id == Batch.id).scalar_subquery()
        s.execute(update(Batch).values(created_at=earliest))
    result.batches, result.indexed = len(batches), result.documents
    return result
