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
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import func, select

from pipeline.extract import number_key
from schemas.record import DocumentRecord
from storage.catalog import Catalog
from storage.objects import ObjectStore
from storage.search import update_index
from storage.tables import Batch, Document, Page, Receipt

REBUILT_ORIGIN = "rebuilt"
_ORDINAL = re.compile(r"-KQ(\d+)$")


class RebuildError(RuntimeError):
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
    keys = []
    for key in store.list_keys(bucket):
        folder, _, name = key.partition("/")
        if name == f"{folder}.json":
            keys.append(key)
    return sorted(keys)


def _document(record: DocumentRecord, batch_id: str) -> Document:
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
        incoming_key=f"{source.sha256[:2]}/{source.sha256}",
        status="archived",
        page_count=len(record.pages),
        record=record.model_dump(mode="json"),
        received_at=record.received_at,
        updated_at=record.finished_at or record.received_at,
        finished_at=record.finished_at or record.received_at,
        intake=intake,
        dossier_code=meta.dossier_code,
        number_key=number_key(meta),
    )


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


def read_records(store: ObjectStore, bucket: str, result: RebuildResult) -> list[DocumentRecord]:
    """The archived records of the bucket's sidecars; unreadable or unarchived ones go to `result.skipped`."""
    records = []
    for key in sidecar_keys(store, bucket):
        try:
            record = DocumentRecord.model_validate_json(store.get_bytes(bucket, key))
        except (ValidationError, ValueError) as exc:
            result.skipped[key] = f"not a document record: {str(exc).splitlines()[0]}"
            continue
        if record.id != key.partition("/")[0]:
            result.skipped[key] = f"the record is of document {record.id}, not of its folder"
        elif record.status != "archived" or record.archive is None:
            result.skipped[key] = f"the record is {record.status}, not archived"
        else:
            records.append(record)
    return records


def rebuild_catalog(catalog: Catalog, store: ObjectStore, *, bucket: str = "archive") -> RebuildResult:
    """Fill an empty catalog from the archive bucket's record sidecars; refuses a catalog that has documents."""
    with catalog.session() as s:
        held = sum(s.scalar(select(func.count()).select_from(t)) or 0 for t in (Document, Receipt, Batch))
    if held:
        raise RebuildError("the catalog already holds documents, receipts or batches: rebuild into an empty one")
    result = RebuildResult()
    records = read_records(store, bucket, result)
    batches: dict[str, list[DocumentRecord]] = {}
    for record in records:
        batches.setdefault(record.batch_id or f"{REBUILT_ORIGIN}-{record.received_at:%Y%m%d}", []).append(record)
    with catalog.session() as s:
        for batch_id, members in sorted(batches.items()):
            s.add(Batch(id=batch_id, origin=REBUILT_ORIGIN, created_at=min(r.received_at for r in members)))
        s.flush()
        for batch_id, members in sorted(batches.items()):
            for record in sorted(members, key=lambda r: (r.received_at, r.id)):
                s.add(_document(record, batch_id))
                s.flush()
                s.add(
                    Receipt(
                        batch_id=batch_id,
                        document_id=record.id,
                        filename=record.source.filename,
                        duplicate=False,
                        received_at=record.received_at,
                    )
                )
                pages = _pages(record)
                s.add_all(pages)
                result.pages += len(pages)
        result.batches, result.documents = len(batches), len(records)
    result.indexed = sum(update_index(catalog, record) for record in records)
    return result
