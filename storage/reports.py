"""Counts for auditors: files received, pages, documents archived, signed, held, rejected, failed and reused.

A report covers a date range on when things came in (receipts and documents by their `received_at`,
reuse by the time of the audit event), in Vietnam time, and is grouped by day, month, issuing agency
(`organ_name`), document type (`type_name`) or status. The counts come from the counters the database keeps per
day, agency, type and status (`storage.report_counts`, migration 0009): a report reads a few hundred rows however large
the archive. Reuse is counted from the audit log. With the ids behind every count, each table is read with one
query grouped by the database, which joins each count's ids into one text; a document's agency, type and
signing time come from the columns the database keeps from its record (`RecordField`), so no record is parsed.

Every count is traceable: each row keeps the ids of the documents behind each of its counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from schemas.errors import UsageError
from schemas.times import VIETNAM, as_utc
from storage.catalog import Catalog
from storage.report_counts import FOLD_BEFORE_REPORT, MEASURES, changes_waiting, counted, fold_changes
from storage.tables import AuditEvent, Document, Receipt

GROUPINGS = ("day", "month", "agency", "type", "status")
STATUSES = ("received", "processing", "assembling", "archived", "needs_review", "rejected", "failed")
IN_PROGRESS = ("received", "processing", "assembling")
#: Audit actions that count as reuse of a digitized result, and the roles whose actions count.
REUSE_ACTIONS = ("view", "download")
REUSE_ROLES = ("officer", "admin")

#: The counts of a report row, in display order.
COUNTS = (
    "files_received",  # receipts: every file received, duplicates included
    "duplicates",  # receipts of a file received before
    "documents",  # distinct documents received
    "pages",  # pages of those documents
    "archived",
    "signed",  # archived with a signing time in the record
    "pages_archived",
    "needs_review",
    "rejected",
    "failed",
    "in_progress",
    "reused",  # distinct documents viewed or downloaded by an officer (or admin)
)


class RecordField:
    """Values of a document's record, kept in columns of their own by the database (`storage.tables.Document`)."""

    organ = Document.organ_name
    type_name = Document.type_name
    signed_at = Document.signed_at


class ReportError(UsageError):
    """The report cannot be made as asked (unknown grouping or status, a range that ends before it starts)."""


@dataclass(frozen=True)
class ReportQuery:
    """What to count: a grouping, an inclusive range of local dates, and optional agency, type and status."""

    by: str = "month"
    since: date | None = None
    until: date | None = None
    agency: str | None = None
    type_name: str | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.by not in GROUPINGS:
            raise ReportError(f"group by one of {', '.join(GROUPINGS)}, not {self.by!r}")
        if self.status is not None and self.status not in STATUSES:
            raise ReportError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.since and self.until and self.until < self.since:
            raise ReportError("the period ends before it starts")

    def window(self) -> tuple[datetime | None, datetime | None]:
        return local_window(self.since, self.until)

    def as_params(self) -> dict[str, str]:
        """The query as URL parameters (`from`, `to`, `by`, `agency`, `type`, `status`), empty ones left out."""
        values = {
            "by": self.by,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "agency": self.agency,
            "type": self.type_name,
            "status": self.status,
        }
        return {k: v for k, v in values.items() if v}


_NO_IDS: frozenset[str] = frozenset()


@dataclass
class ReportRow:
    """One group (a day, a month, an agency, a type or a status; None when the field is unknown)."""

    key: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    document_ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def finish(self) -> None:
        """Reuse counts distinct documents, not events."""
        self.counts["reused"] = len(self.document_ids["reused"])

    def to_json(self, *, with_ids: bool = False, listed: dict[int, list[str]] | None = None) -> dict[str, Any]:
        """The counts, and with `with_ids` each count's documents in order; `listed` keeps each set's sorted list
        by the set's identity, so a set shared by several counts or rows is sorted once."""
        out: dict[str, Any] = {"key": self.key, **self.counts}
        if with_ids:
            listed = {} if listed is None else listed
            out["document_ids"] = {}
            for name in COUNTS:
                ids = self.document_ids.get(name, _NO_IDS)
                if id(ids) not in listed:
                    listed[id(ids)] = sorted(ids)
                out["document_ids"][name] = listed[id(ids)]
        return out


@dataclass
class Report:
    """The rows of a report in order, and the total over the whole range (reuse counted once per document)."""

    query: ReportQuery
    rows: list[ReportRow]
    total: ReportRow
    generated_at: datetime

    def to_json(self, *, with_ids: bool = False) -> dict[str, Any]:
        q = self.query
        listed: dict[int, list[str]] = {}  # the rows' and the total's sets share sorted lists
        return {
            "by": q.by,
            "from": q.since.isoformat() if q.since else None,
            "to": q.until.isoformat() if q.until else None,
            "agency": q.agency,
            "type": q.type_name,
            "status": q.status,
            "generated_at": self.generated_at.isoformat(),
            "counts": list(COUNTS),
            "rows": [row.to_json(with_ids=with_ids, listed=listed) for row in self.rows],
            "total": self.total.to_json(with_ids=with_ids, listed=listed),
        }


def local_window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Inclusive local days as UTC instants: from the start of `since` to the end of `until`, Vietnam time."""
    start = datetime.combine(since, time(), VIETNAM).astimezone(UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), VIETNAM).astimezone(UTC) if until else None
    return start, end


def local_day(moment: datetime) -> date:
    """The calendar day in Vietnam of a stored (UTC) moment."""
    return as_utc(moment).astimezone(VIETNAM).date()


def _filtered(query: Select, q: ReportQuery, moment: InstrumentedAttribute) -> Select:
    start, end = q.window()
    if start is not None:
        query = query.where(moment >= start)
    if end is not None:
        query = query.where(moment < end)
    if q.agency:
        query = query.where(RecordField.organ == q.agency)
    if q.type_name:
        query = query.where(RecordField.type_name == q.type_name)
    if q.status:
        query = query.where(Document.status == q.status)
    return query


def _sort_key(q: ReportQuery, row: ReportRow) -> tuple:
    if q.by == "status":
        return (STATUSES.index(row.key) if row.key in STATUSES else len(STATUSES), row.key or "")
    return (row.key is None, row.key or "")


def build_report(catalog: Catalog, q: ReportQuery, *, with_ids: bool = True) -> Report:
    """Count receipts, documents and reuse events for the query.

    With `with_ids`, every receipt, document and reuse event is read and each count keeps the ids of the
    documents behind it. Without, the database sums its counters per day, agency, type and status (a few
    hundred rows however large the archive) and counts reuse, for the pages and files that show counts only;
    `tests/storage/test_report_counts.py` shows both give the same counts.
    """
    return _traced_report(catalog, q) if with_ids else _summed_report(catalog, q)


def _summed_report(catalog: Catalog, q: ReportQuery) -> Report:
    """Documents and files from the counters the database keeps (`storage.report_counts`), reuse from the audit
    log. Many changes waiting are folded first, so the report reads the counts per key rather than them."""
    if changes_waiting(catalog, FOLD_BEFORE_REPORT) >= FOLD_BEFORE_REPORT:
        fold_changes(catalog)
    dialect = catalog.engine.dialect.name
    rows: dict[str | None, ReportRow] = {}
    total = ReportRow(key=None)
    with catalog.session() as s:
        for statement in (_counted(q, dialect), _reuse(q, dialect)):
            for row in s.execute(statement):
                counts = rows.setdefault(row.key, ReportRow(key=row.key)).counts
                for name, value in row._mapping.items():
                    if name != "key":
                        counts[name] += int(value or 0)
                        total.counts[name] += int(value or 0)
        total.counts["reused"] = s.scalar(_reuse(q, dialect, grouped=False)) or 0
    return Report(q, sorted(rows.values(), key=lambda row: _sort_key(q, row)), total, datetime.now(UTC))


#: The statuses counted under their own name (the others are "in_progress").
FINAL_COUNTS = ("needs_review", "rejected", "failed")


def _counted(q: ReportQuery, dialect: str) -> Select:
    """The counters of the query's days and filters, summed by group; groups whose counts are all zero left out."""
    c = counted().c
    archived = c.status == "archived"
    sums = {
        "files_received": func.sum(c.files_received),
        "duplicates": func.sum(c.duplicates),
        "documents": func.sum(c.documents),
        "pages": func.sum(c.pages),
        "archived": func.sum(case((archived, c.documents), else_=0)),
        "signed": func.sum(case((and_(archived, c.signed == 1), c.documents), else_=0)),
        "pages_archived": func.sum(case((archived, c.pages), else_=0)),
        "in_progress": func.sum(case((c.status.in_(IN_PROGRESS), c.documents), else_=0)),
        **{status: func.sum(case((c.status == status, c.documents), else_=0)) for status in FINAL_COUNTS},
    }
    if q.by in ("day", "month"):
        key = _local_date_text(c.local_day, q.by, dialect)
    else:
        key = {"agency": func.nullif(c.organ_name, ""), "type": func.nullif(c.type_name, ""), "status": c.status}[q.by]
    key = key.label("key")
    statement = select(key, *(value.label(name) for name, value in sums.items()))
    if q.since:
        statement = statement.where(c.local_day >= q.since)
    if q.until:
        statement = statement.where(c.local_day <= q.until)
    for column, value in ((c.organ_name, q.agency), (c.type_name, q.type_name), (c.status, q.status)):
        if value:
            statement = statement.where(column == value)
    nonzero = [func.sum(c[measure]) != 0 for measure in MEASURES]
    return statement.group_by(key).having(or_(*nonzero))


def _reuse(q: ReportQuery, dialect: str, *, grouped: bool = True) -> Select:
    """Distinct documents viewed or downloaded by an officer, per group or over the whole range."""
    reused = func.count(func.distinct(AuditEvent.document_id)).label("reused")
    if grouped:
        key = _group_expression(q, AuditEvent.at, dialect).label("key")
        statement = select(key, reused).group_by(key)
    else:
        statement = select(reused)
    statement = (
        statement.select_from(AuditEvent)
        .join(Document, AuditEvent.document_id == Document.id)
        .where(AuditEvent.action.in_(REUSE_ACTIONS), AuditEvent.role.in_(REUSE_ROLES))
    )
    return _filtered(statement, q, AuditEvent.at)


def _local_date_text(moment: Any, by: str, dialect: str) -> Any:
    """A day or month as text (YYYY-MM-DD, YYYY-MM) of a local moment or date."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d" if by == "day" else "%Y-%m", moment)
    return func.to_char(moment, "YYYY-MM-DD" if by == "day" else "YYYY-MM")


def local_period_text(moment: Any, by: str, dialect: str) -> Any:
    """The SQL of a stored (UTC) moment's day or month in Vietnam (UTC+7 all year), as YYYY-MM-DD or YYYY-MM."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d" if by == "day" else "%Y-%m", moment, "+7 hours")
    return _local_date_text(func.timezone("Asia/Ho_Chi_Minh", moment), by, dialect)


def _group_expression(q: ReportQuery, moment: InstrumentedAttribute, dialect: str) -> Any:
    """The SQL of a row's group: its day or month in Vietnam, agency, type or status."""
    if q.by in ("day", "month"):
        return local_period_text(moment, q.by, dialect)
    return {"agency": RecordField.organ, "type": RecordField.type_name, "status": Document.status}[q.by]


def _traced_report(catalog: Catalog, q: ReportQuery) -> Report:
    """The report with the ids of the documents behind every count: three queries grouped by the database,
    each row's ids of each count joined into one text (`_traced_statements`), so 4.2 million ids at 700,000
    documents come back as a few dozen values rather than as millions of rows."""
    dialect = catalog.engine.dialect.name
    rows: dict[str | None, ReportRow] = {}
    with catalog.session() as s:
        for statement in _traced_statements(q, dialect):
            for found in s.execute(statement):
                values = found._mapping
                row = rows.get(found.key) or rows.setdefault(found.key, ReportRow(key=found.key))
                for name in COUNTS:
                    if f"{name}_ids" in values:
                        row.document_ids[name] = _id_set(values[f"{name}_ids"])
                    if name in values:
                        row.counts[name] = int(values[name] or 0)
    total = ReportRow(key=None)
    ordered = sorted(rows.values(), key=lambda row: _sort_key(q, row))
    for name in COUNTS:
        total.counts[name] = sum(row.counts[name] for row in ordered)
        if name not in _SAME_DOCUMENTS:  # those share their documents' set, below
            behind = [ids for row in ordered if (ids := row.document_ids.get(name))]
            total.document_ids[name] = behind[0] if len(behind) == 1 else set().union(*behind)  # one row's, shared
    for row in (*ordered, total):
        for name, same in _SAME_DOCUMENTS.items():
            row.document_ids[name] = row.document_ids[same]
        row.finish()
    return Report(q, ordered, total, datetime.now(UTC))


#: The counts that add the pages of the same documents as another count.
_SAME_DOCUMENTS = {"pages": "documents", "pages_archived": "archived"}


def _traced_statements(q: ReportQuery, dialect: str) -> tuple[Select, Select, Select]:
    """Receipts, documents and reuse events by group: each count of a group as a number (`name`), and its
    documents' ids joined by commas (`name_ids`) but for reuse, whose count is of them, and the pages
    (`_SAME_DOCUMENTS`)."""

    def ids(column: Any, name: str, where: Any = None) -> Any:
        joined = func.aggregate_strings(column, ",")
        return (joined if where is None else joined.filter(where)).label(f"{name}_ids")

    archived = Document.status == "archived"
    receipts = select(
        _traced_key(q, Receipt.received_at, dialect).label("key"),
        func.count().label("files_received"),
        ids(Receipt.document_id, "files_received"),
        func.count().filter(Receipt.duplicate).label("duplicates"),
        ids(Receipt.document_id, "duplicates", Receipt.duplicate),
    ).join(Document, Receipt.document_id == Document.id)
    documents = select(
        _traced_key(q, Document.received_at, dialect).label("key"),
        func.count().label("documents"),
        ids(Document.id, "documents"),
        func.sum(Document.page_count).label("pages"),
        func.count().filter(archived).label("archived"),
        ids(Document.id, "archived", archived),
        func.count().filter(archived, has_signing_time()).label("signed"),
        ids(Document.id, "signed", and_(archived, has_signing_time())),
        func.sum(Document.page_count).filter(archived).label("pages_archived"),
        func.count().filter(Document.status.in_(IN_PROGRESS)).label("in_progress"),
        ids(Document.id, "in_progress", Document.status.in_(IN_PROGRESS)),
        *(func.count().filter(Document.status == status).label(status) for status in FINAL_COUNTS),
        *(ids(Document.id, status, Document.status == status) for status in FINAL_COUNTS),
    )
    uses = (
        select(_traced_key(q, AuditEvent.at, dialect).label("key"), ids(AuditEvent.document_id, "reused"))
        .join(Document, AuditEvent.document_id == Document.id)
        .where(AuditEvent.action.in_(REUSE_ACTIONS), AuditEvent.role.in_(REUSE_ROLES))
    )
    return (
        _filtered(receipts, q, Receipt.received_at).group_by("key"),
        _filtered(documents, q, Document.received_at).group_by("key"),
        _filtered(uses, q, AuditEvent.at).group_by("key"),
    )


def has_signing_time(signed_at: Any = RecordField.signed_at) -> Any:
    """A record with a signing time: the column holds text, and an empty one is no signing time."""
    return and_(signed_at.is_not(None), signed_at != "")


def _id_set(joined: str | None) -> set[str]:
    return set(joined.split(",")) if joined else set()


def _traced_key(q: ReportQuery, moment: InstrumentedAttribute, dialect: str) -> Any:
    """A row's group as the counters keep it: an empty agency or type is an unknown one."""
    key = _group_expression(q, moment, dialect)
    return func.nullif(key, "") if q.by in ("agency", "type") else key


def report_choices(catalog: Catalog) -> tuple[list[str], list[str]]:
    """The issuing agencies and document types found in the catalog, for a report's filters."""
    with catalog.session() as s:
        organs = s.scalars(select(RecordField.organ).distinct().where(RecordField.organ.is_not(None))).all()
        types = s.scalars(select(RecordField.type_name).distinct().where(RecordField.type_name.is_not(None))).all()
    return sorted(o for o in organs if o is not None), sorted(t for t in types if t is not None)
