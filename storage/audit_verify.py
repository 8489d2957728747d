"""Checking the audit log's hash chain: in the catalog (`verify_chain`, streamed in chunks, from the start or
from a head trusted earlier) and in an export (`hash_of_exported`, from a line alone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from schemas.times import as_utc
from storage.audit import GENESIS, AuditLog, event_hash, stored_row_intact
from storage.tables import AuditEvent

if TYPE_CHECKING:
    from storage.catalog import Catalog

#: Problems `verify_chain` keeps in detail; beyond that they are only counted.
MAX_PROBLEMS = 1000


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
        edited, unlinked = not stored_row_intact(row), row.prev_hash != report.head_hash
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
