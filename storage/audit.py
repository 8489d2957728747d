"""The audit log: append-only events, each row holding the hash of the one before it.

An event's hash covers its own fields and its predecessor's hash, so editing, deleting or reordering a
row breaks the chain from that row on; `storage.audit_verify.verify_chain` walks it and names the rows. Appends are
serialized: PostgreSQL takes a transaction-scoped advisory lock; SQLite takes its write lock with the
insert itself, before the predecessor is read. Text is normalized to NFC when an event is recorded, so
what is exported is exactly what was hashed.

Pipeline steps append their event inside the catalog transaction that makes the change (`append_event`),
so an event commits, or not, with what it records. Call it last in a transaction: on PostgreSQL the
advisory lock is then held only until the commit, and never while waiting for a row lock.

Configuration changes are recorded by `storage.audit_settings`.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, Text, cast, func, select, text, type_coerce
from sqlalchemy.orm import Session

from schemas.times import as_utc
from storage.tables import AuditEvent, canonical_json, utcnow

if TYPE_CHECKING:
    from storage.catalog import Catalog

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = zlib.crc32(b"sohoa audit chain")
#: The actor of the events the pipeline records by itself.
SYSTEM = "system"


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
    body = canonical_json([prev_hash, as_utc(at).isoformat(), actor, role, action, document_id, details])
    return hashlib.sha256(body.encode()).hexdigest()


def _quoted(value: str | None) -> str:
    """A string (or null) exactly as canonical JSON writes it."""
    return "null" if value is None else encode_basestring(value)


def _iso_utc(at: datetime | str) -> str:
    """An event's time as its hash spells it. A stored time is read as `YYYY-MM-DD HH:MM:SS.ffffff` in UTC,
    which becomes the ISO form by two string edits (unless the microseconds are zero: `isoformat` then leaves
    them out)."""
    if isinstance(at, str) and len(at) == 26 and not at.endswith(".000000"):
        return at[:10] + "T" + at[11:] + "+00:00"
    return as_utc(at if isinstance(at, datetime) else datetime.fromisoformat(at)).isoformat()


def stored_row_hash(row: Any) -> str:
    """The hash of a row read by `AuditLog.stream(stored=True)`: as `row_hash`, but with the details spliced in
    as the text the database holds, which is canonical JSON for every event appended by this version. Equal
    to the stored hash only if that text is what was hashed; an unequal one proves nothing (the text may be
    an older, non-canonical spelling of the same details) and `row_hash` decides."""
    _, at, actor, role, action, document_id, details, prev_hash, _ = row
    body = (
        f'["{prev_hash}","{_iso_utc(at)}",{encode_basestring(actor)},{_quoted(role)},{encode_basestring(action)},'
        f"{_quoted(document_id)},{details}]"
    )
    return hashlib.sha256(body.encode()).hexdigest()


def row_hash(row: Any) -> str:
    """The hash a stored row should carry, recomputed from its fields and its stored `prev_hash`."""
    return event_hash(row.prev_hash, row.at, row.actor, row.role, row.action, row.document_id, row.details)


def stored_row_intact(row: Any) -> bool:
    """Whether a row read with `stored=True` carries the hash of its fields: by the stored text when it is
    canonical (fast), else by decoding it."""
    if stored_row_hash(row) == row.hash:
        return True
    moment = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
    details = json.loads(row.details)
    return event_hash(row.prev_hash, moment, row.actor, row.role, row.action, row.document_id, details) == row.hash


def nfc(value: Any) -> Any:
    """Strings (also dictionary keys, at any depth) in Unicode NFC; other values as they are."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc(v) for v in value]
    return value


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

    def events(
        self,
        where: EventFilter = EventFilter(),
        *,
        limit: int = 100,
        offset: int = 0,
        before: int | None = None,
        after: int | None = None,
    ) -> list[AuditEvent]:
        """Matching events, newest first. `before` and `after` (event ids) page by key: the `limit` events just
        older, or just newer, than that id, as fast on the millionth page as on the first, where `offset` reads
        and skips every row before the page."""
        query = where.apply(select(AuditEvent))
        if before is not None:
            query = query.where(AuditEvent.id < before)
        if after is not None:
            query = query.where(AuditEvent.id > after).order_by(AuditEvent.id)
        else:
            query = query.order_by(AuditEvent.id.desc())
        with self.catalog.session() as s:
            rows = list(s.scalars(query.limit(limit).offset(offset)))
            s.expunge_all()
        return rows[::-1] if after is not None else rows

    def actions(self) -> list[str]:
        """The actions found in the log, in order, read from the action index one value at a time (a skip
        scan): `SELECT DISTINCT` would read every event, millions of them in a province's log."""
        skip_scan = text(
            "WITH RECURSIVE seen(action) AS (SELECT min(action) FROM audit_events UNION ALL "
            "SELECT (SELECT min(action) FROM audit_events WHERE action > seen.action) FROM seen "
            "WHERE seen.action IS NOT NULL) SELECT action FROM seen WHERE action IS NOT NULL"
        )
        with self.catalog.session() as s:
            return list(s.scalars(skip_scan))

    def count(self, where: EventFilter = EventFilter(), *, cap: int | None = None) -> int:
        """How many events match; with `cap`, counting stops past it (at most `cap + 1` comes back), so a
        viewer can say "more than 10,000" without reading ten million rows."""
        if cap is None:
            query = where.apply(select(func.count()).select_from(AuditEvent))
        else:
            matching = where.apply(select(AuditEvent.id)).limit(cap + 1).subquery()
            query = select(func.count()).select_from(matching)
        with self.catalog.session() as s:
            return s.scalar(query) or 0

    def stream(
        self, where: EventFilter = EventFilter(), *, chunk: int = 1000, after: int = 0, stored: bool = False
    ) -> Iterator[Any]:
        """Every matching event after the id `after`, in id order, `chunk` rows at a time (nothing else is held in
        memory), as plain rows of its hashed fields: building an ORM object per event took half of a
        verification's time. `stored=True` reads the time and the details as text, undecoded, for
        `stored_row_hash`."""
        fields = stored_fields(self.catalog.engine.dialect.name) if stored else _EVENT_FIELDS
        last_id = after
        while True:
            with self.catalog.engine.connect() as connection:  # plain rows: no ORM session to load them through
                query = where.apply(select(*fields)).where(AuditEvent.id > last_id)
                batch = connection.execute(query.order_by(AuditEvent.id).limit(chunk)).all()
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id


#: The fields of an event that its hash covers, with its id and its links: what a stream reads.
_EVENT_FIELDS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor,
    AuditEvent.role,
    AuditEvent.action,
    AuditEvent.document_id,
    AuditEvent.details,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def stored_fields(dialect: str) -> tuple[Any, ...]:
    """The same, with the time and the details as text (no parsing, no JSON decoding): the details as stored,
    the time in UTC as SQLite stores it (`YYYY-MM-DD HH:MM:SS.ffffff`), which PostgreSQL is asked to spell
    too, so that `_iso_utc` makes the ISO form with two string edits instead of converting a datetime."""
    at = (
        type_coerce(AuditEvent.at, String)
        if dialect == "sqlite"
        else func.to_char(func.timezone("UTC", AuditEvent.at), "YYYY-MM-DD HH24:MI:SS.US")
    )
    return (
        AuditEvent.id,
        at.label("at"),
        AuditEvent.actor,
        AuditEvent.role,
        AuditEvent.action,
        AuditEvent.document_id,
        cast(AuditEvent.details, Text).label("details"),
        AuditEvent.prev_hash,
        AuditEvent.hash,
    )


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
    row = open_event_row(s, action, actor=actor, role=role, document_id=document_id)
    seal_event_row(s, row, details)
    return row.id


def open_event_row(s: Session, action: str, *, actor: str, role: str | None, document_id: str | None) -> AuditEvent:
    """Take the chain's lock and insert the event's row, not yet linked: its place in the chain is now fixed."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    row = AuditEvent(
        at=utcnow(),
        actor=nfc(actor),
        role=role,
        action=action,
        document_id=document_id,
        details={},
        prev_hash="",
        hash="",
    )
    s.add(row)
    s.flush()  # on SQLite the insert takes the write lock, so no other append reads the same predecessor
    return row


def seal_event_row(s: Session, row: AuditEvent, details: dict[str, Any] | None) -> None:
    """Give an opened row its details, its predecessor's hash and its own hash."""
    row.details = nfc(json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)))
    prev = s.scalar(select(AuditEvent.hash).where(AuditEvent.id < row.id).order_by(AuditEvent.id.desc()).limit(1))
    row.prev_hash = prev or GENESIS
    row.hash = row_hash(row)
