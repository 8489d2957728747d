"""The audit log: append-only events, each row holding the hash of the one before it.

An event's hash covers its own fields and its predecessor's hash, so editing, deleting or reordering a
row breaks the chain from that row on; `verify_chain` walks it and names the rows. Appends are
serialized: PostgreSQL takes a transaction-scoped advisory lock; SQLite takes its write lock with the
insert itself, before the predecessor is read. Text is normalized to NFC when an event is recorded, so
what is exported is exactly what was hashed.

Pipeline steps append their event inside the catalog transaction that makes the change (`append_event`),
so an event commits, or not, with what it records. Call it last in a transaction: on PostgreSQL the
advisory lock is then held only until the commit, and never while waiting for a row lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from sqlalchemy import String, Text, cast, func, select, text, type_coerce
from sqlalchemy.orm import Session

from schemas.times import as_utc
from storage.tables import AuditEvent, canonical_json, utcnow

if TYPE_CHECKING:
    from schemas.settings import Settings
    from storage.catalog import Catalog

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = zlib.crc32(b"sohoa audit chain")
#: The actor of the events the pipeline records by itself.
SYSTEM = "system"
CONFIG_CHANGED = "config_changed"
#: Settings that belong to one machine or process, not to the archive: never a configuration change.
LOCAL_SETTINGS = frozenset({"data_dir", "workers", "web_host", "web_port", "audit_key_file"})
#: Settings whose values are never written to the log (besides every `SecretStr`): URLs may hold passwords.
SENSITIVE_SETTINGS = frozenset({"database_url", "broker_url", "tsa_url", "s3_access_key"})
#: The audit key's file in the data folder, when `audit_key_file` is not set; its shortest acceptable length.
AUDIT_KEY_NAME = "audit-hmac.key"
MIN_KEY_BYTES = 16
#: Problems `verify_chain` keeps in detail; beyond that they are only counted.
MAX_PROBLEMS = 1000


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


def _stored_row_intact(row: Any) -> bool:
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
        fields = _stored_fields(self.catalog.engine.dialect.name) if stored else _EVENT_FIELDS
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


def _stored_fields(dialect: str) -> tuple[Any, ...]:
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
    row = _open_row(s, action, actor=actor, role=role, document_id=document_id)
    _seal(s, row, details)
    return row.id


def _open_row(s: Session, action: str, *, actor: str, role: str | None, document_id: str | None) -> AuditEvent:
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


def _seal(s: Session, row: AuditEvent, details: dict[str, Any] | None) -> None:
    """Give an opened row its details, its predecessor's hash and its own hash."""
    row.details = nfc(json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)))
    prev = s.scalar(select(AuditEvent.hash).where(AuditEvent.id < row.id).order_by(AuditEvent.id.desc()).limit(1))
    row.prev_hash = prev or GENESIS
    row.hash = row_hash(row)


# --- verifying the chain ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainProblem:
    """One break in the chain.

    `edited`: the row's hash is not that of its fields. `missing`: the row's `prev_hash` names no row at
    all, so something between `after_id` and `row_id` was deleted (or `after_id` was rewritten with a new
    hash). `reordered`: the row's `prev_hash` names another row (`linked_id`) than the one before it.
    `truncated` and `anchor_mismatch` (from `storage.audit_anchor`): the anchored row is gone, or changed;
    `explanation` says when it was anchored.
    """

    kind: str
    row_id: int
    after_id: int | None = None
    linked_id: int | None = None
    explanation: str | None = None

    @property
    def message(self) -> str:
        if self.explanation:
            return self.explanation
        if self.kind == "edited":
            return f"row {self.row_id} was edited: its hash does not match its contents"
        if self.kind == "missing":
            where = f"after row {self.after_id}" if self.after_id is not None else "before it, at the start"
            return f"a row is missing {where}: row {self.row_id} names a predecessor that is not in the log" + (
                f" (or row {self.after_id} was rewritten)" if self.after_id is not None else ""
            )
        before = f"row {self.after_id}" if self.after_id is not None else "nothing (it is first)"
        named = f"row {self.linked_id}" if self.linked_id is not None else "the start of the log"
        return f"rows out of order: row {self.row_id} follows {before} but its prev_hash names {named}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "row_id": self.row_id,
            "after_id": self.after_id,
            "linked_id": self.linked_id,
            "message": self.message,
        }


@dataclass
class ChainReport:
    """The outcome of walking the chain: events read, the last one (the head), and every break found."""

    events: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    problems: list[ChainProblem] = field(default_factory=list)
    unlisted: int = 0  # problems beyond MAX_PROBLEMS, counted only
    broken_position: int | None = None  # 1-based place, in id order, of the first row found broken

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unlisted

    @property
    def first_broken_id(self) -> int | None:
        return min((p.row_id for p in self.problems), default=None)

    @property
    def moved(self) -> list[int]:
        """Rows out of place: both the link into them and the link out of them are broken."""
        into = {p.row_id for p in self.problems if p.kind == "reordered"}
        out_of = {p.after_id for p in self.problems if p.kind in ("reordered", "missing")}
        return sorted(into & out_of)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head": {"id": self.head_id, "hash": self.head_hash},
            "problems": [p.to_json() for p in self.problems],
            "unlisted_problems": self.unlisted,
            "moved": self.moved,
        }


class UnknownHead(LookupError):
    """The trusted head to verify from is not in the log, or no longer carries the hash it was trusted with."""


def verify_chain(
    catalog: Catalog, *, chunk: int = 5000, since: int | None = None, since_hash: str | None = None
) -> ChainReport:
    """Walk every event in id order, recompute its hash and check that it links to the row before it.

    Ids may have gaps (a rolled-back transaction on PostgreSQL still uses up its sequence number), so the
    criterion is the `prev_hash` linkage, never contiguous ids. A broken link is then explained: the hash
    it names belongs to another row (reordered) or to none (missing). Memory stays bounded by `chunk` and
    the problems found. Deleting the newest rows leaves a whole chain: compare `head_id`/`head_hash` with
    an earlier export to see that.

    `since` verifies only the rows after a head trusted from an earlier verification (its id, and its hash as
    `since_hash` when it was written down): a large log is then checked in the time its new rows take.
    """
    report = ChainReport()
    if since is not None:
        report.head_id, report.head_hash = since, _trusted_head(catalog, since, since_hash)
    breaks: list[tuple[int, int | None, str]] = []  # (row, the row before it, the hash its prev_hash names)

    def problem(found: ChainProblem) -> None:
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(found)
        else:
            report.unlisted += 1

    for row in AuditLog(catalog).stream(chunk=chunk, after=since or 0, stored=True):
        edited, unlinked = not _stored_row_intact(row), row.prev_hash != report.head_hash
        if (edited or unlinked) and report.broken_position is None:
            report.broken_position = report.events + 1
        if edited:
            problem(ChainProblem("edited", row.id))
        if unlinked:
            if len(breaks) < MAX_PROBLEMS:
                breaks.append((row.id, report.head_id, row.prev_hash))
            else:
                report.unlisted += 1
        report.events, report.head_id, report.head_hash = report.events + 1, row.id, row.hash
    owners = _rows_with_hashes(catalog, {named for _, _, named in breaks})
    for row_id, after_id, named in breaks:
        if named in owners or named == GENESIS:
            problem(ChainProblem("reordered", row_id, after_id, owners.get(named)))
        else:
            problem(ChainProblem("missing", row_id, after_id))
    report.problems.sort(key=lambda p: (p.row_id, p.kind))
    return report


def _trusted_head(catalog: Catalog, row_id: int, expected: str | None) -> str:
    with catalog.session() as s:
        stored = s.scalar(select(AuditEvent.hash).where(AuditEvent.id == row_id))
    if stored is None:
        raise UnknownHead(f"no audit event {row_id} to verify from")
    if expected is not None and stored != expected:
        raise UnknownHead(f"audit event {row_id} no longer carries the hash {expected} it was trusted with")
    return stored


def _rows_with_hashes(catalog: Catalog, hashes: set[str], *, chunk: int = 500) -> dict[str, int]:
    """The id of the row carrying each of these hashes (the lowest, should several)."""
    found: dict[str, int] = {}
    wanted = sorted(hashes - {GENESIS})
    with catalog.session() as s:
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            for row_id, value in s.execute(
                select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.hash.in_(part)).order_by(AuditEvent.id.desc())
            ):
                found[value] = row_id
    return found


# --- exporting -------------------------------------------------------------------------------------------------------
def event_json(row: Any) -> dict[str, Any]:
    """One event as exported: every hashed field (time in ISO 8601 UTC), its `prev_hash` and `hash`."""
    return {
        "id": row.id,
        "at": as_utc(row.at).isoformat(),
        "actor": row.actor,
        "role": row.role,
        "action": row.action,
        "document_id": row.document_id,
        "details": row.details,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def hash_of_exported(event: dict[str, Any]) -> str:
    """Recompute an exported event's hash from its line alone, as an outside archive would."""
    return event_hash(
        event["prev_hash"],
        datetime.fromisoformat(event["at"]),
        event["actor"],
        event["role"],
        event["action"],
        event["document_id"],
        event["details"],
    )


# --- configuration changes -------------------------------------------------------------------------------------------
def audit_key(settings: Settings) -> bytes:
    """The key of the HMAC over secret settings: `audit_key_file`, or `data_dir/audit-hmac.key` made on first use.

    A plain SHA-256 of a password in the log could be guessed back from a list of likely passwords; an HMAC
    with a key that is not in the database cannot. Processes starting together make one key, not one each.
    """
    path = settings.audit_key_file or settings.data_dir / AUDIT_KEY_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            draft.write_text(secrets.token_hex(32))
            draft.chmod(0o600)
            os.link(draft, path)  # atomic: the first process's key wins, whole
        except FileExistsError:
            pass
        finally:
            draft.unlink(missing_ok=True)
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{path}: the audit key has {len(key)} bytes; it needs at least {MIN_KEY_BYTES}")
    return key


def settings_digests(settings: Settings, key: bytes) -> tuple[dict[str, str], set[str]]:
    """A SHA-256 per setting (secrets first through an HMAC with `key`, so no value can be guessed back), and
    the sensitive keys."""
    digests: dict[str, str] = {}
    sensitive = set(SENSITIVE_SETTINGS)
    for name in type(settings).model_fields:
        if name in LOCAL_SETTINGS:
            continue
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            sensitive.add(name)
            value = hmac.new(key, value.get_secret_value().encode(), hashlib.sha256).hexdigest()
        elif name in SENSITIVE_SETTINGS and value is not None:
            value = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
        canonical = json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)
        digests[name] = hashlib.sha256(canonical.encode()).hexdigest()
    return digests, sensitive


def settings_fingerprint(digests: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()


class _Unchanged(Exception):
    """The settings are those of the last `config_changed` event: roll the opened row back."""


def record_config_change(catalog: Catalog, settings: Settings, *, actor: str = SYSTEM) -> int | None:
    """Append a `config_changed` event when the settings differ from the last one recorded; its id, or None.

    The event names the changed keys and, for settings that are not sensitive, their new values; secrets
    appear only as digests. The row is inserted (taking the chain's lock) before the last configuration is
    read, so processes starting together record one change, not one each.
    """
    digests, sensitive = settings_digests(settings, audit_key(settings))
    fingerprint = settings_fingerprint(digests)
    try:
        with catalog.session() as s:
            row = _open_row(s, CONFIG_CHANGED, actor=actor, role=None, document_id=None)
            last = s.scalar(
                select(AuditEvent.details)
                .where(AuditEvent.action == CONFIG_CHANGED, AuditEvent.id < row.id)
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            if last and last.get("fingerprint") == fingerprint:
                raise _Unchanged
            before = (last or {}).get("digests", {})
            changed = sorted(k for k in digests.keys() | before.keys() if digests.get(k) != before.get(k))
            values = {k: getattr(settings, k) for k in changed if k in digests and k not in sensitive}
            details = {
                "fingerprint": fingerprint,
                "changed": changed,
                "values": json.loads(json.dumps(values, default=str)),
                "first": last is None,
                "host": socket.gethostname(),
                "digests": digests,
            }
            _seal(s, row, details)
            return row.id
    except _Unchanged:
        return None
