"""Reindexing, the use case of `sohoa search --reindex`: every archived document indexed again, stale entries dropped.

A record comes from the catalog, or from its sidecar in the archive when the catalog has none; a record without
text gets the text of its signed PDF (`pipeline.pdftext`). The run is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.pdftext import pdf_text
from schemas.record import DocumentRecord
from storage.audit import AuditLog
from storage.catalog import Catalog
from storage.layout import ARCHIVE, ArchivedKeys
from storage.objects import ObjectStore
from storage.search_index import indexed_ids, remove_from_index, update_index


@dataclass(frozen=True)
class Reindexed:
    """What a reindex did: documents indexed, stale entries removed, and archived documents it could not read."""

    indexed: int
    removed: int
    unreadable: list[str] = field(default_factory=list)


def reindex(catalog: Catalog, store: ObjectStore, *, actor: str) -> Reindexed:
    archived = catalog.archived_ids()
    stale = sorted(set(indexed_ids(catalog)) - set(archived))
    for document_id in stale:
        remove_from_index(catalog, document_id)
    unreadable = []
    for document_id in archived:
        record = archived_record(catalog, store, document_id)
        if record is None or not update_index(catalog, record):
            unreadable.append(document_id)
    done = Reindexed(len(archived) - len(unreadable), len(stale), unreadable)
    details = {"indexed": done.indexed, "removed": done.removed, "unreadable": unreadable}
    AuditLog(catalog).append("search_reindexed", actor=actor, details=details)
    return done


def archived_record(catalog: Catalog, store: ObjectStore, document_id: str) -> DocumentRecord | None:
    """An archived document's record, from the catalog or else its sidecar; its text from the PDF if it has none."""
    record = catalog.record(document_id)
    sidecar_key = ArchivedKeys.of_document(document_id).record
    if record is None and store.stat(ARCHIVE, sidecar_key) is not None:
        record = DocumentRecord.model_validate_json(store.get_bytes(ARCHIVE, sidecar_key))
    if record is None or record.status != "archived":
        return None
    if not record.text.strip() and record.archive is not None:
        with store.local_path(record.archive.bucket, record.archive.key) as path:
            record = record.model_copy(update={"text": pdf_text(path)})
    return record
