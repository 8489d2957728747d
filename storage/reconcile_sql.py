"""The reconciliation's queries: the store's keys beside the catalog, every check in the database.

The keys of the archive and incoming buckets go into temporary tables of the catalog's own session (COPY
on PostgreSQL). One pass then joins each document with those keys into `reconcile_documents`, one narrow
row per document with what every check needs, read from the index of migrations 0020 and 0021 rather than
from the rows: the counts of a document's page rows and receipts are columns the database keeps (0021), and
a file name, which no index holds, is read for the differences shown (`filenames`). The differences are
conditions on that table (`DocumentChecks.conditions`): counted per kind in one scan, and read one
kind at a time (`DocumentChecks.rows`), so a summary never builds a row per difference. The batch and
period tables are `GROUP BY`s of the same table and of the receipts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.reconcile_groups import GROUP_COUNTS
from storage.reports import IN_PROGRESS, local_period_text
from storage.tables import Document, Page, Receipt

_TEMPORARY = MetaData()
#: Temporary tables, which PostgreSQL drops at the end of the transaction (SQLite's go with `release_tables`).
_TEMPORARY_TABLE: dict[str, Any] = {"prefixes": ["TEMPORARY"], "postgresql_on_commit": "DROP"}
archive_objects = Table(
    "reconcile_archive",
    _TEMPORARY,
    Column("key", Text, primary_key=True),
    Column("folder", Text, nullable=False),  # the part before the first "/": a document's id
    Column("stem", Text, nullable=False),  # the key without its last ".extension"
    Column("ext", Text),
    **_TEMPORARY_TABLE,
)
incoming_objects = Table("reconcile_incoming", _TEMPORARY, Column("key", Text, primary_key=True), **_TEMPORARY_TABLE)
hash_mismatches = Table(
    "reconcile_hashes",
    _TEMPORARY,
    Column("document_id", String(32), primary_key=True),
    Column("actual", String(64)),
    **_TEMPORARY_TABLE,
)
checked = Table(
    "reconcile_documents",
    _TEMPORARY,
    # no key: an index on the ids, written in the order of a join, outgrew PostgreSQL's temporary buffers
    # (8 MB) and read and wrote 3.8 GB at 700,000 documents
    Column("id", String(32), nullable=False),
    Column("batch_id", Text),
    Column("status", String(16)),
    Column("page_count", Integer),
    Column("incoming_key", Text),
    Column("received_at", DateTime(timezone=True)),
    Column("archive_key", Text),  # '' when the record names none
    Column("stem", Text),
    Column("archive_sha256", String(64)),
    Column("signed", Integer),
    Column("page_amount", Integer),
    Column("paper_pages", Integer),
    Column("receipts", Integer),  # NULL: no receipt at all
    Column("page_rows", Integer),
    Column("pages_done", Integer),
    Column("finished", DateTime(timezone=True)),  # finished, else last updated
    Column("last_change", DateTime(timezone=True)),  # the document's or one of its pages', the later
    Column("has_original", Integer),
    Column("has_pdf", Integer),  # the record's archive key is in the store
    Column("has_json", Integer),
    Column("has_xml", Integer),
    Column("pdf_in_store", Integer),  # the record's key, else `<id>/<id>.pdf`, is in the store
    Column("objects", Integer),  # archive objects under the document's folder
    **_TEMPORARY_TABLE,
)
SIDECARS = ("json", "xml")
#: What the checks read of each document as it is: all in `ix_documents_reconcile` (migrations 0020, 0021).
_DOCUMENT_VALUES = (
    *("id", "batch_id", "status", "page_count", "incoming_key", "received_at", "archive_sha256", "signed_at"),
    *("page_amount", "paper_pages", "finished_at", "updated_at", "page_rows", "pages_done", "receipt_count"),
)
#: ("batch" or "period", its key, counts by name): a group's counts, a key possibly more than once.
GroupCounts = tuple[str, str, dict[str, int]]
COPY_ROWS = 10_000
WORK_MEM = "64MB"


def create_tables(s: Session) -> None:
    """The temporary tables, empty (PostgreSQL's go at commit; a failed reconciliation on SQLite may have left
    them on its connection, and they are dropped first)."""
    if _dialect(s) == "postgresql":
        # joins and groups of every document in memory rather than in batches on disk; and no compiling of the
        # statements (JIT), which the planner chose at 100,000 documents and which took longer than it saved
        s.connection().exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")
        s.connection().exec_driver_sql("SET LOCAL jit = off")
    else:
        _TEMPORARY.drop_all(s.connection(), checkfirst=True)
    _TEMPORARY.create_all(s.connection())


def release_tables(s: Session) -> None:
    """Drop SQLite's temporary tables, which outlive the transaction (PostgreSQL drops its own at commit). Not
    done when a reconciliation fails: a statement still open would make the drop fail and hide the error."""
    if _dialect(s) == "sqlite":
        _TEMPORARY.drop_all(s.connection(), checkfirst=True)


def load_keys(s: Session, archive_keys: Iterable[str], incoming_keys: Iterable[str]) -> None:
    """The buckets' keys into their tables, with each archive key's folder, stem and extension."""

    def archive_rows() -> Iterator[tuple[str, str, str, str | None]]:
        for key in archive_keys:
            stem, dot, ext = key.rpartition(".")
            yield key, key.split("/", 1)[0], stem if dot else key, ext if dot else None

    _copy(s, archive_objects, archive_rows())
    _copy(s, incoming_objects, ((key,) for key in incoming_keys))


def load_hash_mismatches(s: Session, rows: Iterable[tuple[str, str | None]]) -> None:
    _copy(s, hash_mismatches, rows)


def _copy(s: Session, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
    names = [column.name for column in table.columns]
    if _dialect(s) == "postgresql":
        import psycopg

        cursor = cast(psycopg.Connection, s.connection().connection.driver_connection).cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        s.connection().exec_driver_sql(f"ANALYZE {table.name}")
        return
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(dict(zip(names, row, strict=True)))
        if len(chunk) == COPY_ROWS:
            s.execute(insert(table), chunk)
            chunk = []
    if chunk:
        s.execute(insert(table), chunk)


def check_documents(s: Session) -> None:
    """Fill `reconcile_documents`: each document, with the counts of its page rows and receipts (migration 0021),
    joined once with the store keys."""
    objects = (
        select(archive_objects.c.folder, func.count().label("n")).group_by(archive_objects.c.folder).subquery("objects")
    )
    dialect = _dialect(s)
    key = func.coalesce(Document.archive_key, "")
    stem = _stem(key, dialect)
    # each document's keys, worked out once: the joins below compare them (OFFSET 0 keeps the engine from
    # merging this into the joins, which then evaluated the expressions anew for each of them)
    d = (
        select(
            *(getattr(Document, name) for name in _DOCUMENT_VALUES),
            key.label("archive_key"),
            stem.label("stem"),
            (stem + ".json").label("json_key"),
            (stem + ".xml").label("xml_key"),
            func.coalesce(func.nullif(key, ""), Document.id + "/" + Document.id + ".pdf").label("pdf_key"),
        )
        .offset(0)
        .subquery("keyed")
    ).c
    pdf, json_, xml, default = (archive_objects.alias(name) for name in ("pdf", "json_", "xml", "dflt"))
    original = incoming_objects.alias("original")
    finished = func.coalesce(d.finished_at, d.updated_at)
    later = func.greatest if dialect == "postgresql" else func.max
    last_page_change = select(func.max(Page.updated_at)).where(Page.document_id == d.id).scalar_subquery()
    # the pages are read only for the documents the checks of unfinished work look at
    unfinished = d.status.in_(IN_PROGRESS)
    last_change = case(
        (unfinished, later(d.updated_at, func.coalesce(last_page_change, d.updated_at))), else_=d.updated_at
    )
    rows = (
        select(
            d.id,
            d.batch_id,
            d.status,
            d.page_count,
            d.incoming_key,
            d.received_at,
            d.archive_key,
            d.stem,
            d.archive_sha256,
            case((and_(d.signed_at.is_not(None), d.signed_at != ""), 1), else_=0),
            d.page_amount,
            d.paper_pages,
            func.nullif(d.receipt_count, 0),
            d.page_rows,
            d.pages_done,
            finished,
            last_change,
            _present(original),
            _present(pdf),
            _present(json_),
            _present(xml),
            _present(default),
            func.coalesce(objects.c.n, 0),
        )
        .outerjoin(objects, objects.c.folder == d.id)
        .outerjoin(original, original.c.key == d.incoming_key)
        .outerjoin(pdf, pdf.c.key == d.archive_key)
        .outerjoin(json_, json_.c.key == d.json_key)
        .outerjoin(xml, xml.c.key == d.xml_key)
        .outerjoin(default, default.c.key == d.pdf_key)
    )
    s.execute(insert(checked).from_select([c.name for c in checked.columns], rows))
    if s.scalar(select(archive_objects.c.key).limit(1)) is not None:  # orphans are looked for by these
        for column in ("archive_key", "stem"):
            s.connection().exec_driver_sql(f"CREATE INDEX {checked.name}_{column} ON {checked.name} ({column})")
    if dialect == "postgresql":
        s.connection().exec_driver_sql(f"ANALYZE {checked.name}")


def _present(joined: Any) -> ColumnElement:
    """1 when the outer-joined key table found the key, else 0."""
    return case((joined.c.key.is_not(None), 1), else_=0)


def _stem(key: ColumnElement, dialect: str) -> ColumnElement:
    """`key` without its last ".extension" (`str.rsplit(".", 1)[0]`), in SQL."""
    if dialect == "postgresql":
        return func.regexp_replace(key, r"\.[^.]*$", "")
    up_to_dot = func.rtrim(key, func.replace(key, ".", ""))  # everything up to the last "." (SQLite has no rfind)
    return case((func.instr(key, ".") == 0, key), else_=func.substr(up_to_dot, 1, func.length(up_to_dot) - 1))


class DocumentChecks:
    """The differences as SQL: a condition on `reconcile_documents` per kind, and the rows each one makes."""

    def __init__(self, *, stale_before: datetime, idle_before: datetime) -> None:
        c = checked.c
        archived = c.status == "archived"
        located = _located()
        in_progress = c.status.in_(IN_PROGRESS)
        waiting = c.status == "needs_review"
        mismatched = hash_mismatches.c.document_id.is_not(None)
        #: kind → (condition, key, expected, actual, since)
        self.conditions: dict[str, tuple[ColumnElement, Any, Any, Any, Any]] = {
            "missing_object": (and_(located, c.has_pdf == 0), c.archive_key, None, None, None),
            "hash_mismatch": (
                and_(located, mismatched),
                c.archive_key,
                c.archive_sha256,
                hash_mismatches.c.actual,
                None,
            ),
            "unsigned_archived": (and_(located, c.signed == 0), c.archive_key, None, None, None),
            "archived_without_archive": (and_(archived, c.archive_key == ""), None, None, None, None),
            "missing_original": (c.has_original == 0, c.incoming_key, None, None, None),
            "document_without_receipt": (c.receipts.is_(None), None, None, None, None),
            "page_rows_mismatch": (
                and_(c.page_count.is_not(None), c.page_count != c.page_rows),
                None,
                c.page_count,
                c.page_rows,
                None,
            ),
            "record_pages_mismatch": (
                and_(archived, c.page_amount.is_not(None), or_(c.page_count.is_(None), c.page_amount != c.page_count)),
                None,
                c.page_count,
                c.page_amount,
                None,
            ),
            "paper_pages_mismatch": (
                and_(c.paper_pages.is_not(None), c.page_count.is_not(None), c.paper_pages != c.page_count),
                None,
                c.paper_pages,
                c.page_count,
                None,
            ),
            "failed": (c.status == "failed", None, None, None, c.finished),
            "rejected": (c.status == "rejected", None, None, None, c.finished),
            "stale_review": (and_(waiting, c.finished < stale_before), None, None, None, c.finished),
            "needs_review": (and_(waiting, not_(c.finished < stale_before)), None, None, None, c.finished),
            "stuck": (and_(in_progress, c.last_change < idle_before), None, None, None, c.last_change),
            "in_progress": (and_(in_progress, not_(c.last_change < idle_before)), None, None, None, c.last_change),
        }
        #: "missing_sidecar", one condition per extension
        self.missing_sidecars = {ext: and_(located, getattr(c, f"has_{ext}") == 0) for ext in SIDECARS}

    def counts(self, s: Session, period: str) -> tuple[dict[str, int], dict[str, int], list[GroupCounts]]:
        """How many differences of each kind (kinds with none left out), the documents' totals
        (`_document_totals`) and their counts per batch and per period (`_document_group_counts`), from one
        scan of the documents grouped by batch and period, whose few rows are added up here."""
        sums = [func.sum(case((condition, 1), else_=0)) for condition, *_ in self.conditions.values()]
        missing = self.missing_sidecars.values()
        missing_sidecars = sum((case((condition, 1), else_=0) for condition in missing), start=literal(0))
        totals, groups = _document_totals(), _document_group_counts()
        batch, moment = checked.c.batch_id, local_period_text(checked.c.received_at, period, _dialect(s))
        measures = [*sums, func.sum(missing_sidecars), *totals.values(), *groups.values()]
        kinds = [*self.conditions, "missing_sidecar"]
        found = dict.fromkeys(kinds, 0)
        documents = dict.fromkeys(totals, 0)
        grouped: list[GroupCounts] = []
        for batch_id, period_key, *values in s.execute(
            select(batch, moment, *measures).select_from(_with_hashes()).group_by(batch, moment)
        ):
            numbers = iter(int(n or 0) for n in values)
            for summed in (found, documents):
                for name in summed:
                    summed[name] += next(numbers)
            counts = dict(zip(groups, numbers, strict=True))
            grouped += [("batch", batch_id, counts), ("period", period_key, counts)]
        found["receipt_without_document"] = int(
            s.scalar(select(func.count()).select_from(_receipts_without_document())) or 0
        )
        found["orphan_object"] = int(s.scalar(select(func.count()).select_from(_orphans().subquery())) or 0)
        return {kind: n for kind, n in found.items() if n}, documents, grouped

    def rows(self, kind: str, dialect: str) -> Select:
        """The differences of one kind, ordered by document id and key."""
        c = checked.c
        parts = []
        values: tuple[Any, ...]
        if kind in self.conditions:
            condition, key, expected, actual, since = self.conditions[kind]
            values = (c.id, None, c.status, key, expected, actual, since)
            parts.append(_issue_select(kind, values).select_from(_with_hashes()).where(condition))
        elif kind == "missing_sidecar":
            for ext, missing in self.missing_sidecars.items():
                values = (c.id, None, c.status, c.stem + f".{ext}", None, None, None)
                parts.append(_issue_select(kind, values).where(missing))
        elif kind == "receipt_without_document":
            lost = _receipts_without_document()
            values = (lost.c.document_id, None, None, None, lost.c.n, 0, None)
            parts.append(_issue_select(kind, values))
        elif kind == "orphan_object":
            orphans = _orphans().subquery("orphans")
            owner = func.coalesce(orphans.c.id, orphans.c.folder)
            values = (owner, orphans.c.filename, orphans.c.status, orphans.c.key, None, None, None)
            parts.append(_issue_select(kind, values))
        else:
            raise ValueError(f"unknown kind of difference: {kind!r}")
        rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("differences")
        text_order = (lambda column: column.collate("C")) if dialect == "postgresql" else (lambda column: column)
        return select(rows).order_by(
            text_order(func.coalesce(rows.c.document_id, "")), text_order(func.coalesce(rows.c.key, ""))
        )


def _located() -> ColumnElement:
    """Archived, and the record names where: the documents whose PDF and sidecars the store must hold."""
    return and_(checked.c.status == "archived", checked.c.archive_key != "")


def _with_hashes() -> Any:
    return checked.outerjoin(hash_mismatches, hash_mismatches.c.document_id == checked.c.id)


def _issue_select(kind: str, values: tuple[Any, ...]) -> Select:
    """One kind's rows: kind, document id, file name, status, key, expected and actual values, since."""
    document_id, filename, status, key, expected, actual, since = values
    return select(
        literal(kind).label("kind"),
        _or_null(document_id, Text).label("document_id"),
        _or_null(filename, Text).label("filename"),
        _or_null(status, Text).label("status"),
        _or_null(key, Text).label("key"),
        _value(expected, text=False).label("expected_number"),
        _value(actual, text=False).label("actual_number"),
        _value(expected, text=True).label("expected_text"),
        _value(actual, text=True).label("actual_text"),
        _or_null(since, DateTime(timezone=True)).label("since"),
    )


def _or_null(value: Any, type_: Any) -> Any:
    return null().cast(type_) if value is None else value


def _value(value: Any, *, text: bool) -> Any:
    """A count (a column or a number) or a text (a hash) in its own column; NULL in the other one."""
    if isinstance(value, int) and not text:
        return literal(value, Integer)
    is_text = isinstance(getattr(value, "type", None), String)  # Text is a String
    if value is None or isinstance(value, int) or is_text != text:
        return null().cast(Text if text else Integer)
    return value


def _receipts_without_document() -> Any:
    return (
        select(Receipt.document_id, func.count().label("n"))
        .where(~select(Document.id).where(Document.id == Receipt.document_id).exists())
        .group_by(Receipt.document_id)
        .subquery("lost")
    )


def _orphans() -> Select:
    """Archive objects that no archived document's PDF or sidecar accounts for, with their folder's document."""
    k, c = archive_objects.c, checked.c
    located = _located()
    pdf_of = select(c.id).where(located, c.archive_key == k.key).exists()
    sidecar_of = select(c.id).where(located, c.stem == k.stem, k.ext.in_(SIDECARS)).exists()
    owner = Document.__table__.alias("owner")
    return (
        select(k.key, k.folder, owner.c.id, owner.c.filename, owner.c.status)
        .select_from(archive_objects.outerjoin(owner, owner.c.id == k.folder))
        .where(~pdf_of, ~sidecar_of)  # two anti-joins (an EXISTS under OR would run once per object)
    )


def _document_totals() -> dict[str, ColumnElement]:
    """The whole archive's counts of documents, as sums over `reconcile_documents`."""
    c = checked.c
    statuses = {status: c.status == status for status in ("archived", "needs_review", "rejected", "failed")}
    return {
        "documents": func.count(),
        **{status: func.sum(case((condition, 1), else_=0)) for status, condition in statuses.items()},
        "in_progress": func.sum(case((c.status.in_(IN_PROGRESS), 1), else_=0)),
        "pages_declared": func.sum(func.coalesce(c.page_count, 0)),
        "archived_pdfs_in_store": func.sum(case((and_(c.status == "archived", c.has_pdf == 1), 1), else_=0)),
    }


def totals(s: Session, documents: dict[str, int], receipts: dict[str, int]) -> dict[str, int]:
    """The whole archive's counts on each side (see `storage.reconcile.reconcile`), with the documents' and the
    receipts' (files received, duplicates) as counted already."""
    return {
        "files_received": receipts["files_received"],
        "duplicates": receipts["duplicates"],
        **{name: documents[name] for name in ("documents", "archived", "needs_review", "rejected", "failed")},
        "in_progress": documents["in_progress"],
        "pages_declared": documents["pages_declared"],
        "page_rows": int(s.scalar(select(func.count()).select_from(Page)) or 0),
        "archive_objects": int(s.scalar(select(func.count()).select_from(archive_objects)) or 0),
        "archived_pdfs_in_store": documents["archived_pdfs_in_store"],
        "incoming_objects": int(s.scalar(select(func.count()).select_from(incoming_objects)) or 0),
    }


def receipt_group_counts(s: Session, period: str) -> Iterator[GroupCounts]:
    """("batch" or "period", its key, counts) of the receipts, for every group with some: the table read once
    for both groupings (`GROUPING SETS`) on PostgreSQL, once for each on SQLite."""
    dialect = _dialect(s)
    r = cast(Table, Receipt.__table__).c
    received = (func.count(), func.sum(case((r.duplicate, 1), else_=0)))
    keys = {"batch": r.batch_id, "period": local_period_text(r.received_at, period, dialect)}
    for grouping, key, counts in _grouped(s, keys, received, both_at_once=dialect == "postgresql"):
        yield grouping, key, dict(zip(GROUP_COUNTS[:2], (int(n or 0) for n in counts), strict=True))


def _document_group_counts() -> dict[str, ColumnElement]:
    """A group's counts of documents (`storage.reconcile_groups.GROUP_COUNTS` after the receipts'), as sums
    over `reconcile_documents`."""
    c = checked.c
    archived = c.status == "archived"
    sums = (
        func.count(),
        func.sum(func.coalesce(c.page_count, 0)),
        func.sum(c.page_rows),
        func.sum(c.pages_done),
        func.sum(case((archived, 1), else_=0)),
        func.sum(case((and_(archived, c.pdf_in_store == 1), 1), else_=0)),
        func.sum(c.objects),
    )
    return dict(zip(GROUP_COUNTS[2:], sums, strict=True))


def _grouped(
    s: Session, keys: dict[str, ColumnElement], sums: tuple[ColumnElement, ...], *, both_at_once: bool
) -> Iterator[tuple[str, str, tuple[Any, ...]]]:
    """(grouping, key, sums) of each group of each grouping in `keys` (a key is never NULL)."""
    if not both_at_once:
        for grouping, key in keys.items():
            for value, *sums_of_group in s.execute(select(key, *sums).group_by(key)):
                yield grouping, value, tuple(sums_of_group)
        return
    named = [key.label(grouping) for grouping, key in keys.items()]
    rows = s.execute(select(*named, *sums).group_by(func.grouping_sets(*(literal_column(n.name) for n in named))))
    for row in rows:
        values, counts = row[: len(keys)], tuple(row[len(keys) :])
        grouping, key = next((g, v) for g, v in zip(keys, values, strict=True) if v is not None)
        yield grouping, key, counts


def filenames(s: Session, document_ids: Iterable[str], chunk: int = 1000) -> dict[str, str]:
    """The file name of each of `document_ids` that is a document, `chunk` of them a query."""
    wanted = list(dict.fromkeys(document_ids))
    found: dict[str, str] = {}
    for first in range(0, len(wanted), chunk):
        part = wanted[first : first + chunk]
        rows = s.execute(select(Document.id, Document.filename).where(Document.id.in_(part)))
        found.update((document_id, filename) for document_id, filename in rows)
    return found


def hash_candidates(s: Session) -> list[tuple[str, str, str | None]]:
    """(document id, PDF key, catalog hash) of every archived document whose PDF is in the store."""
    c = checked.c
    stored = select(c.id, c.archive_key, c.archive_sha256).where(_located(), c.has_pdf == 1)
    return [(document_id, key, sha256) for document_id, key, sha256 in s.execute(stored)]


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name
