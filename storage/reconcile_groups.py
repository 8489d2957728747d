"""Reconciliation per batch and per period (day or month): the same sides as the whole-archive balances.

For each batch (the one a file was received in; a document belongs to the batch that first received it) and
each period (the local day or month a file or document was received, Vietnam time):

- `files_received`, `duplicates`: receipts, and those of a file received before;
- `documents`: catalog rows of documents; `pages_declared`: their page counts;
- `page_rows`: catalog rows of their pages, `pages_scanned` those done;
- `archived`: documents archived; `archived_in_store`: those whose PDF is in the archive bucket;
- `archive_objects`: objects in the archive bucket under those documents (PDF, JSON and XML each).

A group is `ok` when files received − duplicates = documents, pages declared = page rows, archived =
archived PDFs in the store, and archive objects = 3 × archived; `differences` names the checks that fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.times import as_utc
from storage.tables import Batch

PERIODS = ("day", "month")
#: The counts of a group, in display order.
GROUP_COUNTS = (
    "files_received",
    "duplicates",
    "documents",
    "pages_declared",
    "page_rows",
    "pages_scanned",
    "archived",
    "archived_in_store",
    "archive_objects",
)
OBJECTS_PER_ARCHIVED = 3  # the signed PDF, the record JSON and the metadata XML


@dataclass
class GroupRow:
    """One batch or period: its counts, whether they add up, and (for batches) where the batch came from."""

    key: str
    counts: Counter = field(default_factory=Counter)
    origin: str | None = None
    created_at: datetime | None = None

    @property
    def differences(self) -> list[str]:
        c = self.counts
        checks = {
            "first_receipts_vs_documents": c["files_received"] - c["duplicates"] == c["documents"],
            "pages_declared_vs_page_rows": c["pages_declared"] == c["page_rows"],
            "archived_vs_pdfs_in_store": c["archived"] == c["archived_in_store"],
            "archive_objects_vs_archived": c["archive_objects"] == OBJECTS_PER_ARCHIVED * c["archived"],
        }
        return [name for name, ok in checks.items() if not ok]

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, **{name: self.counts[name] for name in GROUP_COUNTS}}
        if self.origin is not None:
            out["origin"] = self.origin
            out["created_at"] = self.created_at.isoformat() if self.created_at else None
        return {**out, "ok": self.ok, "differences": self.differences}


def read_batches(s: Session) -> dict[str, tuple[str, datetime | None]]:
    """Every batch's origin and creation time."""
    return {b.id: (b.origin, as_utc(b.created_at)) for b in s.scalars(select(Batch))}


def group_rows(
    counts: Iterable[tuple[str, str, dict[str, int]]], batches: dict[str, tuple[str, datetime | None]]
) -> tuple[list[GroupRow], list[GroupRow]]:
    """The per-batch rows (oldest batch first) and the per-period rows (in order), from the counts the catalog
    added up (`storage.reconcile_sql.counts`): ("batch" or
    "period", key, counts), a key more than once."""
    by_batch: dict[str, GroupRow] = {}
    by_period: dict[str, GroupRow] = {}
    for grouping, key, values in counts:
        if grouping == "batch":
            if key not in by_batch:
                origin, created = batches.get(key, ("(unknown)", None))
                by_batch[key] = GroupRow(key, origin=origin, created_at=created)
            row = by_batch[key]
        else:
            row = by_period.setdefault(key, GroupRow(key))
        row.counts.update(values)
    batch_rows = sorted(by_batch.values(), key=lambda r: (r.created_at is None, r.created_at or datetime.min, r.key))
    return batch_rows, sorted(by_period.values(), key=lambda r: r.key)
