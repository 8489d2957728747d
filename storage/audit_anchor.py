"""Anchors of the audit log: its head written into the archive, under the archive's object lock.

A hash chain shows an edited, missing or reordered row, but deleting the newest rows leaves a shorter
chain that is still whole. An anchor is the head (last id and hash) at a moment, kept outside the
database in the archive bucket (`audit-anchors/<time>-<id>.json`), where the archive's retention keeps
it from being deleted or rewritten. `sohoa audit verify` then checks the log against the latest anchor:
the anchored row must still be there with its hash, so rows deleted from the tail are reported.

Anchors are written by `sohoa audit anchor`, after every `sohoa fixity` run and, by the worker's
sweeper, whenever the latest is a day old. What happened after the latest anchor is covered by the
next one only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.audit_verify import ChainProblem, ChainReport
from storage.catalog import Catalog
from storage.objects import ObjectStore
from storage.tables import AuditEvent

ANCHOR_PREFIX = "audit-anchors/"
#: The sweeper anchors again once the latest anchor is this old.
ANCHOR_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class Anchor:
    """The head of the audit log at `at`: event `event_id` carried `hash`."""

    event_id: int
    hash: str
    at: datetime
    key: str

    def to_json(self) -> dict[str, object]:
        return {"event_id": self.event_id, "hash": self.hash, "at": self.at.isoformat(), "key": self.key}


def write_anchor(catalog: Catalog, store: ObjectStore, bucket: str) -> Anchor | None:
    """Anchor the current head in the archive; None while the log is empty."""
    with catalog.session() as s:
        head = s.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        return None
    at = datetime.now(UTC)
    key = f"{ANCHOR_PREFIX}{at:%Y%m%dT%H%M%S%fZ}-{head.id}.json"
    anchor = Anchor(head.id, head.hash, at, key)
    body = json.dumps({"event_id": anchor.event_id, "hash": anchor.hash, "at": at.isoformat()}).encode()
    store.put_bytes(bucket, key, body, metadata={"audit-event-id": str(head.id)})
    return anchor


def latest_anchor(store: ObjectStore, bucket: str) -> Anchor | None:
    """The newest anchor in the archive (keys sort by time), or None when there is none yet."""
    key = max(store.list_keys(bucket, ANCHOR_PREFIX), default=None)
    if key is None:
        return None
    data = json.loads(store.get_bytes(bucket, key))
    return Anchor(int(data["event_id"]), str(data["hash"]), datetime.fromisoformat(data["at"]), key)


def anchor_if_due(catalog: Catalog, store: ObjectStore, bucket: str, now: datetime | None = None) -> Anchor | None:
    """Write an anchor when the latest is older than `ANCHOR_EVERY` (or there is none); the new one, if any."""
    latest = latest_anchor(store, bucket)
    if latest is not None and (now or datetime.now(UTC)) - latest.at < ANCHOR_EVERY:
        return None
    return write_anchor(catalog, store, bucket)


def check_anchor(catalog: Catalog, report: ChainReport, anchor: Anchor) -> None:
    """Add a problem to `report` when the log no longer holds the anchored row with its hash."""
    with catalog.session() as s:
        stored = s.scalar(select(AuditEvent.hash).where(AuditEvent.id == anchor.event_id))
    when = f"{anchor.at:%Y-%m-%d %H:%M} UTC"
    if stored is None:
        head = "is empty" if report.head_id is None else f"ends at row {report.head_id}"
        message = f"the log {head}, but row {anchor.event_id} was anchored on {when}: rows were deleted"
        report.problems.append(ChainProblem("truncated", anchor.event_id, explanation=message))
    elif stored != anchor.hash:
        message = f"row {anchor.event_id} no longer carries the hash it was anchored with on {when}"
        report.problems.append(ChainProblem("anchor_mismatch", anchor.event_id, explanation=message))
