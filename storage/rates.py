"""The Decree 45 rates auditors are scored on, from dossier totals supplied per period.

- **Digitization rate** = dossiers with a digitized result ÷ dossiers received. A dossier counts when at least
  one of its documents (same `dossier_code`) was archived — digitized and signed — in the period (by the day it
  was archived, Vietnam time).
- **Reuse rate** = dossiers that reused digitized data ÷ dossiers received (80 % earns full points). A dossier
  counts when an officer (or admin) viewed or downloaded one of its documents in the period (audit events
  `view` and `download`, as `storage.reports` counts reuse).

Dossiers received are not known to sohoa: an admin supplies them per period (a month or a date range),
for the whole office or one issuing agency (`organ_name`), in `dossier_totals`. Documents without a dossier
code cannot count toward a dossier rate; they are counted and listed beside the rates. Every numerator
keeps its dossier codes, and every code its documents, so each number is traceable to rows.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import select

from schemas.errors import UsageError
from schemas.times import as_utc
from storage.catalog import Catalog
from storage.reports import REUSE_ACTIONS, REUSE_ROLES, RecordField, local_window
from storage.tables import AuditEvent, Document, DossierTotal

#: The reuse rate that earns full points (QĐ 766/QĐ-TTg indicator).
REUSE_TARGET = 0.8
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.|/)(\d{4}-\d{2}-\d{2})$")


class RatesError(UsageError):
    """A period or total that cannot be used; `code` says which: "bad_period", "negative" or "overlap"."""

    def __init__(self, message: str, code: str = "bad_period") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Period:
    """An inclusive range of local days: a month ("2026-11") or a range ("2026-11-01..2026-11-15")."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise RatesError("the period ends before it starts")

    @classmethod
    def parse(cls, value: str) -> Period:
        value = value.strip()
        if m := _MONTH.match(value):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise RatesError(f"not a month: {value!r}")
            return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        if m := _RANGE.match(value):
            try:
                return cls(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
            except ValueError:
                raise RatesError(f"not a period: {value!r}") from None
        raise RatesError(f"a period is a month (2026-11) or a range of days (2026-11-01..2026-11-15), not {value!r}")

    @property
    def label(self) -> str:
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        if self.start.day == 1 and self.end == self.start.replace(day=last):
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class SuppliedTotal:
    """One supplied denominator: who gave it, and when."""

    period: Period
    agency: str | None
    dossiers_received: int
    supplied_by: str
    supplied_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "agency": self.agency,
            "dossiers_received": self.dossiers_received,
            "supplied_by": self.supplied_by,
            "supplied_at": self.supplied_at.isoformat(),
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class RateRow:
    """The rates of one supplied period (or the total): numerators with their dossiers, the denominator."""

    label: str
    agency: str | None
    dossiers_received: int
    digitized: dict[str, list[str]] = field(default_factory=dict)  # dossier code → archived document ids
    reused: dict[str, list[str]] = field(default_factory=dict)  # dossier code → reused document ids
    without_dossier: list[str] = field(default_factory=list)  # archived documents that carry no dossier code
    supplied: SuppliedTotal | None = None

    @property
    def digitization_rate(self) -> float | None:
        return _ratio(len(self.digitized), self.dossiers_received)

    @property
    def reuse_rate(self) -> float | None:
        return _ratio(len(self.reused), self.dossiers_received)

    @property
    def reuse_target_met(self) -> bool:
        return self.reuse_rate is not None and self.reuse_rate >= REUSE_TARGET

    def to_json(self, *, with_ids: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "period": self.label,
            "agency": self.agency,
            "dossiers_received": self.dossiers_received,
            "dossiers_digitized": len(self.digitized),
            "digitization_rate": self.digitization_rate,
            "dossiers_reused": len(self.reused),
            "reuse_rate": self.reuse_rate,
            "reuse_target": REUSE_TARGET,
            "reuse_target_met": self.reuse_target_met,
            "archived_without_dossier_code": len(self.without_dossier),
            "supplied": self.supplied.to_json() if self.supplied else None,
        }
        if with_ids:
            out["digitized_dossiers"] = {code: sorted(ids) for code, ids in sorted(self.digitized.items())}
            out["reused_dossiers"] = {code: sorted(ids) for code, ids in sorted(self.reused.items())}
            out["archived_without_dossier_code_ids"] = sorted(self.without_dossier)
        return out


@dataclass
class Rates:
    """One row per supplied period in the range, and their total (over periods of the same agency level)."""

    since: date | None
    until: date | None
    agency: str | None
    rows: list[RateRow]
    total: RateRow
    generated_at: datetime

    def to_json(self, *, with_ids: bool = True) -> dict[str, Any]:
        return {
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "agency": self.agency,
            "generated_at": self.generated_at.isoformat(),
            "reuse_target": REUSE_TARGET,
            "rows": [row.to_json(with_ids=with_ids) for row in self.rows],
            "total": self.total.to_json(with_ids=with_ids),
        }


# --- supplying totals -----------------------------------------------------------------------------------------
def _agency(value: str | None) -> str:
    return (value or "").strip()


def _supplied(row: DossierTotal) -> SuppliedTotal:
    return SuppliedTotal(
        Period(row.period_start, row.period_end),
        row.agency or None,
        row.dossiers_received,
        row.supplied_by,
        as_utc(row.supplied_at),
    )


def set_dossier_total(
    catalog: Catalog, period: Period, dossiers_received: int, *, agency: str | None = None, supplied_by: str
) -> tuple[SuppliedTotal, int | None]:
    """Record the dossiers received in a period (replacing the same period's earlier figure); returns the new
    total and the figure it replaced. A period overlapping another one of the same agency is refused, so that
    totals add up."""
    if dossiers_received < 0:
        raise RatesError("the number of dossiers received cannot be negative", "negative")
    agency_key = _agency(agency)
    with catalog.session() as s:
        same_agency = list(s.scalars(select(DossierTotal).where(DossierTotal.agency == agency_key)))
        existing = next((r for r in same_agency if (r.period_start, r.period_end) == (period.start, period.end)), None)
        for row in same_agency:
            if row is not existing and period.overlaps(Period(row.period_start, row.period_end)):
                label = Period(row.period_start, row.period_end).label
                raise RatesError(
                    f"the period {period.label} overlaps {label}, already supplied for this agency", "overlap"
                )
        previous = existing.dossiers_received if existing else None
        if existing is None:
            existing = DossierTotal(period_start=period.start, period_end=period.end, agency=agency_key)
            s.add(existing)
        existing.dossiers_received, existing.supplied_by = dossiers_received, supplied_by
        existing.supplied_at = datetime.now(UTC)
        s.flush()
        return _supplied(existing), previous


def dossier_totals(
    catalog: Catalog, *, since: date | None = None, until: date | None = None, agency: str | None = None
) -> list[SuppliedTotal]:
    """Supplied totals whose period lies within `since`–`until`, oldest first; one agency's only when given."""
    query = select(DossierTotal).order_by(DossierTotal.period_start, DossierTotal.agency)
    if since:
        query = query.where(DossierTotal.period_start >= since)
    if until:
        query = query.where(DossierTotal.period_end <= until)
    if agency is not None:
        query = query.where(DossierTotal.agency == _agency(agency))
    with catalog.session() as s:
        return [_supplied(row) for row in s.scalars(query)]


# --- computing the rates --------------------------------------------------------------------------------------
def _archived_in(catalog: Catalog, period: Period, agency: str | None) -> list[tuple[str, str | None]]:
    """(document id, dossier code) of documents archived and signed in the period, optionally for one agency."""
    start, end = local_window(period.start, period.end)
    query = select(Document.id, Document.dossier_code).where(
        Document.status == "archived",
        RecordField.signed_at.is_not(None),
        Document.finished_at >= start,
        Document.finished_at < end,
    )
    if agency:
        query = query.where(RecordField.organ == agency)
    with catalog.session() as s:
        return [(i, c) for i, c in s.execute(query)]


def _reused_in(catalog: Catalog, period: Period, agency: str | None) -> list[tuple[str, str | None]]:
    """(document id, dossier code) of documents an officer or admin viewed or downloaded in the period."""
    start, end = local_window(period.start, period.end)
    query = (
        select(Document.id, Document.dossier_code)
        .join(AuditEvent, AuditEvent.document_id == Document.id)
        .where(
            AuditEvent.action.in_(REUSE_ACTIONS),
            AuditEvent.role.in_(REUSE_ROLES),
            AuditEvent.at >= start,
            AuditEvent.at < end,
        )
        .distinct()
    )
    if agency:
        query = query.where(RecordField.organ == agency)
    with catalog.session() as s:
        return [(i, c) for i, c in s.execute(query)]


def _fill(row: RateRow, catalog: Catalog, period: Period, agency: str | None) -> RateRow:
    digitized: dict[str, set[str]] = defaultdict(set)
    for document_id, code in _archived_in(catalog, period, agency):
        if code:
            digitized[code].add(document_id)
        else:
            row.without_dossier.append(document_id)
    reused: dict[str, set[str]] = defaultdict(set)
    for document_id, code in _reused_in(catalog, period, agency):
        if code:
            reused[code].add(document_id)
    row.digitized = {code: sorted(ids) for code, ids in digitized.items()}
    row.reused = {code: sorted(ids) for code, ids in reused.items()}
    row.without_dossier.sort()
    return row


def compute_rates(
    catalog: Catalog, *, since: date | None = None, until: date | None = None, agency: str | None = None
) -> Rates:
    """The rates of every supplied period within `since`–`until` (for one agency, or the whole office), and their
    total."""
    supplied = dossier_totals(catalog, since=since, until=until, agency=agency or "")
    rows = [
        _fill(RateRow(t.period.label, t.agency, t.dossiers_received, supplied=t), catalog, t.period, t.agency)
        for t in supplied
    ]
    return Rates(since, until, agency or None, rows, _total(rows, agency or None), datetime.now(UTC))


def _total(rows: list[RateRow], agency: str | None) -> RateRow:
    """The periods together: supplied figures summed; a dossier counted once however many periods it appears in."""
    total = RateRow("total", agency, sum(row.dossiers_received for row in rows))
    for name in ("digitized", "reused"):
        merged: dict[str, list[str]] = {}
        in_several: set[str] = set()  # most dossiers are of one period: their row's sorted list is shared
        for row in rows:
            for code, ids in getattr(row, name).items():
                if code in merged:
                    merged[code] = [*merged[code], *ids]
                    in_several.add(code)
                else:
                    merged[code] = ids
        for code in in_several:
            merged[code] = sorted(set(merged[code]))
        setattr(total, name, merged)
    # a document is archived once, and the periods of one agency level never overlap: the rows' sorted lists
    # are disjoint runs, which a sort merges
    total.without_dossier = sorted(chain.from_iterable(row.without_dossier for row in rows))
    return total
