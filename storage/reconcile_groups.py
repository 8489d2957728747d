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
from typing import Any, Protocol

from sqlalchemy import select

from schemas.times import as_utc
from storage.catalog import Catalog
from storage.layout import ArchivedKeys
from storage.reports import local_day
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


class GroupedDocument(Protocol):
    """What grouping needs of a document row (read only)."""

    @property
    def id(self) -> str: ...
    @property
    def batch_id(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def page_count(self) -> int | None: ...


def period_key(moment: datetime, period: str) -> str:
    day = local_day(moment)
    return day.isoformat() if period == "day" else day.strftime("%Y-%m")


def read_batches(catalog: Catalog) -> dict[str, tuple[str, datetime | None]]:
    """Every batch's origin and creation time."""
    with catalog.session() as s:
        return {b.id: (b.origin, as_utc(b.created_at)) for b in s.scalars(select(Batch))}


def group_tables(
    batches: dict[str, tuple[str, datetime | None]],
    receipts: Iterable[tuple[str, datetime, bool]],
    documents: Iterable[GroupedDocument],
    pages: dict[str, tuple[int, int]],
    archive_keys: Iterable[str],
    *,
    period: str = "month",
    archive_key_of: dict[str, str] | None = None,
) -> tuple[list[GroupRow], list[GroupRow]]:
    """The per-batch rows (oldest batch first) and the per-period rows (in order), from the rows reconciliation
    read: receipts as (batch id, received at, duplicate), and page rows per document as (rows, done).

    `archive_key_of` maps archived document ids to their PDF's key (default `<id>/<id>.pdf`).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    archive_key_of = archive_key_of or {}
    objects = Counter(key.split("/", 1)[0] for key in archive_keys)
    stored = set(archive_keys)
    by_batch: dict[str, GroupRow] = {}
    by_period: dict[str, GroupRow] = {}

    def rows_for(batch_id: str, moment: datetime) -> tuple[GroupRow, GroupRow]:
        if batch_id not in by_batch:
            origin, created = batches.get(batch_id, ("(unknown)", None))
            by_batch[batch_id] = GroupRow(batch_id, origin=origin, created_at=created)
        key = period_key(moment, period)
        return by_batch[batch_id], by_period.setdefault(key, GroupRow(key))

    for batch_id, received_at, duplicate in receipts:
        for row in rows_for(batch_id, received_at):
            row.counts["files_received"] += 1
            row.counts["duplicates"] += int(bool(duplicate))
    for doc in documents:
        rows, done = pages.get(doc.id, (0, 0))
        archived = doc.status == "archived"
        pdf = archive_key_of.get(doc.id) or ArchivedKeys.of_document(doc.id).pdf
        for row in rows_for(doc.batch_id, doc.received_at):
            row.counts["documents"] += 1
            row.counts["pages_declared"] += doc.page_count or 0
            row.counts["page_rows"] += rows
            row.counts["pages_scanned"] += done
            row.counts["archived"] += int(archived)
            row.counts["archived_in_store"] += int(archived and pdf in stored)
            row.counts["archive_objects"] += objects.get(doc.id, 0)
    batch_rows = sorted(by_batch.values(), key=lambda r: (r.created_at is None, r.created_at or datetime.min, r.key))
    return batch_rows, sorted(by_period.values(), key=lambda r: r.key)
