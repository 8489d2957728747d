"""Legal holds on a document's archived objects, the use case of `sohoa hold` (and of any other front end).

A legal hold keeps the signed PDF (the archived version) and its `.json` and `.xml` sidecars from being
deleted, whatever their retention, until it is cleared. Each change is an audit event (`legal_hold_set`,
`legal_hold_cleared`) with the reason and who made it; `hold list` reads the events and checks the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemas.errors import UsageError
from schemas.record import DocumentRecord
from schemas.times import as_utc
from storage.audit import AuditLog, EventFilter
from storage.catalog import Catalog, UnknownDocument
from storage.layout import ArchivedKeys
from storage.objects import ObjectStore, ObjectStoreError

SET_EVENT, CLEARED_EVENT = "legal_hold_set", "legal_hold_cleared"
MAX_EVENTS = 100_000


class HoldError(UsageError):
    """The hold cannot be changed: unknown or unarchived document, no reason, or a store without object lock."""


def archived_objects(record: DocumentRecord) -> list[tuple[str, str, str | None]]:
    """(bucket, key, version) of the archived PDF (its archived version) and its two sidecars (current versions)."""
    archive = record.archive
    if archive is None:
        raise HoldError(f"document {record.id} is not archived")
    return [
        (archive.bucket, archive.key, archive.version_id),
        *((archive.bucket, key, None) for key in ArchivedKeys.of_pdf(archive.key).sidecars),
    ]


def change_hold(
    catalog: Catalog, store: ObjectStore, document_id: str, *, on: bool, reason: str, actor: str
) -> list[str]:
    """Set (or clear) the legal hold on every archived object of the document, then record the event; the keys."""
    if not reason.strip():
        raise HoldError("give the reason with --reason")
    try:
        record = catalog.record(document_id)
    except UnknownDocument:
        raise HoldError(f"no document with id {document_id}") from None
    if record is None:
        raise HoldError(f"document {document_id} is not archived")
    objects = archived_objects(record)
    done: list[str] = []
    try:
        for bucket, key, version in objects:
            store.set_legal_hold(bucket, key, on, version)
            done.append(key)
    except ObjectStoreError as exc:
        if done:  # what was changed is recorded all the same, with what went wrong
            _record(catalog, document_id, on=on, reason=reason, actor=actor, keys=done, error=str(exc))
        raise HoldError(f"cannot {'set' if on else 'clear'} the legal hold of {document_id}: {exc}") from exc
    _record(catalog, document_id, on=on, reason=reason, actor=actor, keys=done)
    return done


def _record(
    catalog: Catalog, document_id: str, *, on: bool, reason: str, actor: str, keys: list[str], error: str | None = None
) -> None:
    details: dict[str, Any] = {"reason": reason.strip(), "keys": keys}
    if error:
        details["error"] = error
    AuditLog(catalog).append(SET_EVENT if on else CLEARED_EVENT, actor=actor, document_id=document_id, details=details)


@dataclass(frozen=True)
class Hold:
    """A document whose last hold event set a hold, with that event, and whether the store still holds its PDF."""

    document_id: str
    filename: str | None
    since: str
    actor: str
    reason: str
    held_in_store: bool | None  # None: the store could not say

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def list_holds(catalog: Catalog, store: ObjectStore) -> list[Hold]:
    """Documents under legal hold: last event `legal_hold_set`, each checked against the store."""
    audit = AuditLog(catalog)
    events = [
        *audit.events(EventFilter(action=SET_EVENT), limit=MAX_EVENTS),
        *audit.events(EventFilter(action=CLEARED_EVENT), limit=MAX_EVENTS),
    ]
    last: dict[str, Any] = {}
    for event in sorted(events, key=lambda e: e.id):
        if event.document_id:
            last[event.document_id] = event
    holds = []
    for document_id, event in sorted(last.items()):
        if event.action != SET_EVENT:
            continue
        try:
            record = catalog.record(document_id)
        except UnknownDocument:
            record = None
        held: bool | None = None
        if record is not None and record.archive is not None:
            try:
                held = store.legal_hold(record.archive.bucket, record.archive.key, record.archive.version_id)
            except ObjectStoreError:
                held = None
        holds.append(
            Hold(
                document_id,
                record.source.filename if record else None,
                as_utc(event.at).isoformat(),
                event.actor,
                (event.details or {}).get("reason", ""),
                held,
            )
        )
    return holds
