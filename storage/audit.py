"""The audit log: append-only events, each row holding the hash of the one before it.

An event's hash covers its own fields and its predecessor's hash, so editing, deleting or reordering a
row breaks the chain from that row on. Appends are serialized: PostgreSQL takes a transaction-scoped
advisory lock; SQLite takes its write lock with the insert itself, before the predecessor is read.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storage.catalog import Catalog, as_utc
from storage.tables import AuditEvent, utcnow

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = zlib.crc32(b"sohoa audit chain")


@dataclass(frozen=True)
class EventFilter:
    """Which events to read: every given criterion must hold."""

    action: str | None = None
    actor: str | None = None
    document_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query):
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.actor:
            query = query.where(AuditEvent.actor == self.actor)
        if self.document_id:
            query = query.where(AuditEvent.document_id == self.document_id)
        if self.since:
            query = query.where(AuditEvent.at >= self.since)
        if self.until:
            query = query.where(AuditEvent.at < self.until)
        return query


def event_hash(
    prev_hash: str, at: datetime, actor: str, role: str | None, action: str, document_id: str | None, details: dict
) -> str:
    """SHA-256 of the predecessor's hash and the event's fields, in a canonical JSON form."""
    body = json.dumps(
        [prev_hash, as_utc(at).isoformat(), actor, role, action, document_id, details],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


class AuditLog:
    """Append and read audit events in the catalog database."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def append(
        self,
        action: str,
        *,
        actor: str,
        role: str | None = None,
        document_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Record one event; returns its id."""
        with self.catalog.session() as s:
            return append_event(s, action, actor=actor, role=role, document_id=document_id, details=details)

    def events(self, where: EventFilter = EventFilter(), *, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
        with self.catalog.session() as s:
            rows = list(
                s.scalars(where.apply(select(AuditEvent)).order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
            )
            s.expunge_all()
            return rows

    def count(self, where: EventFilter = EventFilter()) -> int:
        with self.catalog.session() as s:
            return s.scalar(where.apply(select(func.count()).select_from(AuditEvent))) or 0


def append_event(
    s: Session,
    action: str,
    *,
    actor: str,
    role: str | None = None,
    document_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append within an open transaction, so an event commits (or not) with the change it describes."""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    at = utcnow()
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    row = AuditEvent(
        at=at, actor=actor, role=role, action=action, document_id=document_id, details=details, prev_hash="", hash=""
    )
    s.add(row)
    s.flush()  # on SQLite the insert takes the write lock, so no other append reads the same predecessor
    prev = s.scalar(select(AuditEvent.hash).where(AuditEvent.id < row.id).order_by(AuditEvent.id.desc()).limit(1))
    row.prev_hash = prev or GENESIS
    row.hash = event_hash(row.prev_hash, at, actor, role, action, document_id, details)
    return row.id
