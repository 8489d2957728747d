"""The reconciliation's queries: the store's keys beside the catalog, every check in the database.

The catalog's side is counted by the database as it changes (migration 0022's counters per batch, Vietnam day
and status, `storage.report_counts.RECONCILIATION`): the documents, their pages, the receipts and each
difference the catalog alone decides. The store's side is worked out from the listed keys, not from every
document: the keys of the archive and incoming buckets go into temporary tables of the catalog's own session
(COPY on PostgreSQL), the documents some key belongs to are found by the indexes of migration 0022 (by its
folder, its archive key, its archive key without the extension, its incoming key), and what the store holds
of each of them goes into `reconcile_documents`; every other document has nothing in the store. So a summary
costs the number of objects listed and the counters' rows, not the archive's size.

The differences shown are read from `documents` with what the store holds of each (`every_document`), a kind
at a time, each kind a condition on those columns (`DocumentChecks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Subquery,
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
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import DateTime

from storage.report_counts import RECONCILIATION, counted
from storage.reports import IN_PROGRESS, has_signing_time, local_period_text
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
candidates = Table("reconcile_candidates", _TEMPORARY, Column("id", String(32), primary_key=True), **_TEMPORARY_TABLE)
in_store = Table(
    "reconcile_documents",
    _TEMPORARY,
    # what the store holds of each candidate (a document some listed key belongs to)
    Column("id", String(32), primary_key=True),
    Column("has_original", Integer, nullable=False),
    Column("has_pdf", Integer, nullable=False),  # the record's archive key is in the store
    Column("has_json", Integer, nullable=False),
    Column("has_xml", Integer, nullable=False),
    Column("pdf_in_store", Integer, nullable=False),  # the record's key, else `<id>/<id>.pdf`, is in the store
    Column("objects", Integer, nullable=False),  # archive objects under the document's folder
    **_TEMPORARY_TABLE,
)
SIDECARS = ("json", "xml")
STORE_FACTS = ("has_original", "has_pdf", "has_json", "has_xml", "pdf_in_store", "objects")
#: ("batch" or "period", its key, counts by name): a group's counts, a key possibly more than once.
GroupCounts = tuple[str, str, dict[str, int]]
COPY_ROWS = 10_000
WORK_MEM = "64MB"


def create_tables(s: Session) -> None:
    """The temporary tables, empty (PostgreSQL's go at commit; a failed reconciliation on SQLite may have left
    them on its connection, and they are dropped first)."""
    if _dialect(s) == "postgresql":
        # joins and groups in memory rather than in batches on disk; and no compiling of the statements (JIT),
        # which the planner chose at 100,000 documents and which took longer than it saved
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


def archive_stem(dialect: str, table: str = "documents") -> str:
    """The SQL of the archive key of `table`'s document without its last ".extension" (`str.rpartition`), as
    migration 0022's `ix_documents_archive_stem` holds it: the expression on PostgreSQL, written out alike so
    that the engine uses the index; on SQLite the virtual column of that expression."""
    if dialect == "sqlite":
        return f"{table}.archive_stem"
    return rf"regexp_replace(COALESCE({table}.archive_key, ''), '\.[^.]*$', '')"


def candidates_sql(dialect: str) -> str:
    """The ids of the documents some listed key belongs to: by the key's folder, the record's archive key, the
    archive key without its extension (a sidecar's) and the incoming key. On SQLite,
    whose planner knows nothing of the temporary tables and would scan every document for each way, CROSS JOIN
    makes it walk the keys and look each one up."""
    join = "CROSS JOIN" if dialect == "sqlite" else "JOIN"
    archive, incoming = f"{archive_objects.name} k {join} documents d", f"{incoming_objects.name} k {join} documents d"
    return (
        f"SELECT d.id FROM {archive} ON d.id = k.folder "
        f"UNION SELECT d.id FROM {archive} ON d.archive_key = k.key "
        f"UNION SELECT d.id FROM {archive} ON {archive_stem(dialect, 'd')} = k.stem "
        f"WHERE k.ext IN ('json', 'xml') AND k.stem <> '' "
        f"UNION SELECT d.id FROM {incoming} ON d.incoming_key = k.key"
    )


def check_store(s: Session) -> None:
    """Fill `reconcile_documents`: the documents some listed key belongs to, found by migration 0022's indexes
    (so as many lookups as keys, whatever the archive's size), each with what the store holds of it."""
    s.execute(text(f"INSERT INTO {candidates.name} (id) {candidates_sql(_dialect(s))}"))
    objects = (
        select(archive_objects.c.folder, func.count().label("n")).group_by(archive_objects.c.folder).subquery("objects")
    )
    key = func.coalesce(Document.archive_key, "")
    stem: ColumnElement[str] = literal_column(archive_stem(_dialect(s)), Text)
    # each candidate's keys, worked out once: the joins below compare them (OFFSET 0 keeps the engine from
    # merging this into the joins, which then evaluated the expressions anew for each of them)
    d = (
        select(
            Document.id,
            Document.incoming_key,
            key.label("archive_key"),
            (stem + ".json").label("json_key"),
            (stem + ".xml").label("xml_key"),
            func.coalesce(func.nullif(key, ""), Document.id + "/" + Document.id + ".pdf").label("pdf_key"),
        )
        .where(Document.id.in_(select(candidates.c.id)))
        .offset(0)
        .subquery("keyed")
    ).c
    pdf, json_, xml, default = (archive_objects.alias(name) for name in ("pdf", "json_", "xml", "dflt"))
    original = incoming_objects.alias("original")
    rows = (
        select(
            d.id,
            *(_present(joined) for joined in (original, pdf, json_, xml, default)),
            func.coalesce(objects.c.n, 0),
        )
        .outerjoin(objects, objects.c.folder == d.id)
        .outerjoin(original, original.c.key == d.incoming_key)
        .outerjoin(pdf, pdf.c.key == d.archive_key)
        .outerjoin(json_, json_.c.key == d.json_key)
        .outerjoin(xml, xml.c.key == d.xml_key)
        .outerjoin(default, default.c.key == d.pdf_key)
    )
    s.execute(insert(in_store).from_select([c.name for c in in_store.columns], rows))
    if _dialect(s) == "postgresql":
        s.connection().exec_driver_sql(f"ANALYZE {in_store.name}")


def _present(joined: Any) -> ColumnElement:
    """1 when the outer-joined key table found the key, else 0."""
    return case((joined.c.key.is_not(None), 1), else_=0)


def every_document(dialect: str, store: str | None = "outer") -> Subquery:
    """Each document as the checks read it: its own values, and what the store holds of it (`store`: "outer"
    for every document, nothing held by those the store has nothing of; "inner" for only those it has
    something of; None: the store left out, every fact 0)."""
    d = Document
    key = func.coalesce(d.archive_key, "")
    later = func.greatest if dialect == "postgresql" else func.max
    last_page_change = select(func.max(Page.updated_at)).where(Page.document_id == d.id).scalar_subquery()
    # the pages are read only for the documents the checks of unfinished work look at
    last_change = case(
        (d.status.in_(IN_PROGRESS), later(d.updated_at, func.coalesce(last_page_change, d.updated_at))),
        else_=d.updated_at,
    )
    facts = [(func.coalesce(getattr(in_store.c, name), 0) if store else literal(0)).label(name) for name in STORE_FACTS]
    columns: list[Any] = [
        d.id,
        d.filename,
        d.batch_id,
        d.status,
        d.page_count,
        d.incoming_key,
        d.received_at,
        key.label("archive_key"),
        literal_column(archive_stem(dialect), Text).label("stem"),
        d.archive_sha256,
        case((has_signing_time(d.signed_at), 1), else_=0).label("signed"),
        d.page_amount,
        d.paper_pages,
        func.nullif(d.receipt_count, 0).label("receipts"),
        d.page_rows,
        d.pages_done,
        func.coalesce(d.finished_at, d.updated_at).label("finished"),  # finished, else last updated
        last_change.label("last_change"),  # the document's or one of its pages', the later
        *facts,
    ]
    query = select(*columns)
    if store == "outer":
        query = query.outerjoin(in_store, in_store.c.id == d.id)
    elif store == "inner":
        query = query.join(in_store, in_store.c.id == d.id)
    return query.subquery("checked")


class DocumentChecks:
    """The differences as SQL: a condition per kind on `every_document`'s columns, and the rows each one makes."""

    def __init__(self, dialect: str, *, stale_before: datetime, idle_before: datetime) -> None:
        self.dialect = dialect
        self.stale_before, self.idle_before = stale_before, idle_before
        self.documents = every_document(dialect)
        c = self.documents.c
        archived = c.status == "archived"
        located = _located(c)
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
            **{kind: (condition, None, None, None, since) for kind, (condition, since) in self._unfinished(c).items()},
        }
        #: "missing_sidecar", one condition per extension
        self.missing_sidecars = {ext: and_(located, getattr(c, f"has_{ext}") == 0) for ext in SIDECARS}

    def _unfinished(self, c: Any) -> dict[str, tuple[ColumnElement, Any]]:
        """kind → (condition, since) of the documents waiting for review or in progress, on the columns `c`."""
        waiting, in_progress = c.status == "needs_review", c.status.in_(IN_PROGRESS)
        stale, idle = c.finished < self.stale_before, c.last_change < self.idle_before
        return {
            "stale_review": (and_(waiting, stale), c.finished),
            "needs_review": (and_(waiting, not_(stale)), c.finished),
            "stuck": (and_(in_progress, idle), c.last_change),
            "in_progress": (and_(in_progress, not_(idle)), c.last_change),
        }

    def unfinished_counts(self, s: Session) -> dict[str, int]:
        """How many documents wait for review (stale or not) and are in progress (stuck or not): read from the
        unfinished documents only (the status index), with their pages' last change; the store left out."""
        unfinished = every_document(self.dialect, store=None)
        kinds = self._unfinished(unfinished.c)
        sums = [func.sum(case((condition, 1), else_=0)) for condition, _ in kinds.values()]
        query = select(*sums).where(unfinished.c.status.in_(("needs_review", *IN_PROGRESS)))
        return dict(zip(kinds, (int(n or 0) for n in s.execute(query).one()), strict=True))

    def rows(self, kind: str, offset: int = 0, limit: int | None = None) -> Select:
        """The differences of one kind, ordered by document id and key, from `offset`, at most `limit`. The
        documents' file names are read for those rows only (the checks read what the indexes hold)."""
        c = self.documents.c
        parts = []
        values: tuple[Any, ...]
        if kind in self.conditions:
            condition, key, expected, actual, since = self.conditions[kind]
            values = (c.id, None, c.status, key, expected, actual, since)
            parts.append(_issue_select(kind, values).select_from(self._with_hashes()).where(condition))
        elif kind == "missing_sidecar":
            for ext, missing in self.missing_sidecars.items():
                values = (c.id, None, c.status, c.stem + f".{ext}", None, None, None)
                parts.append(_issue_select(kind, values).select_from(self.documents).where(missing))
        elif kind == "receipt_without_document":
            lost = _receipts_without_document()
            values = (lost.c.document_id, None, None, None, lost.c.n, 0, None)
            parts.append(_issue_select(kind, values))
        elif kind == "orphan_object":
            orphans = _orphans(self.dialect).subquery("orphans")
            owner = func.coalesce(orphans.c.id, orphans.c.folder)
            values = (owner, orphans.c.filename, orphans.c.status, orphans.c.key, None, None, None)
            parts.append(_issue_select(kind, values))
        else:
            raise ValueError(f"unknown kind of difference: {kind!r}")
        rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("differences")
        of_documents = kind not in ("receipt_without_document", "orphan_object")
        page = select(rows).order_by(*self._order(rows, of_documents)).offset(offset).limit(limit).subquery("page")
        named = Document.__table__.alias("named")
        filename = func.coalesce(page.c.filename, named.c.filename).label("filename")
        columns = [filename if column.name == "filename" else column for column in page.c]
        query = select(*columns).outerjoin(named, named.c.id == page.c.document_id)
        return query.order_by(*self._order(page, of_documents))

    def _order(self, rows: Any, of_documents: bool) -> list[ColumnElement]:
        """By document id, then key, in byte order. A document's id (`storage.catalog.document_id_for`: 24
        lowercase hex digits) is in that order in any collation, so the differences of documents are sorted
        by the column as it is, which the engine reads in order from its index and stops at the page's end;
        the others (a folder's name, a receipt's document) in byte order on PostgreSQL too."""
        in_order = (lambda column: column.collate("C")) if self.dialect == "postgresql" else (lambda column: column)
        document = rows.c.document_id if of_documents else in_order(func.coalesce(rows.c.document_id, ""))
        return [document, in_order(func.coalesce(rows.c.key, ""))]

    def _with_hashes(self) -> Any:
        return self.documents.outerjoin(hash_mismatches, hash_mismatches.c.document_id == self.documents.c.id)


def _located(c: Any) -> ColumnElement:
    """Archived, and the record names where: the documents whose PDF and sidecars the store must hold."""
    return and_(c.status == "archived", c.archive_key != "")


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


def _orphans(dialect: str) -> Select:
    """Archive objects that no archived document's PDF or sidecar accounts for, with their folder's document:
    each looked up by migration 0022's indexes on the archive key and on the key without its extension."""
    k = archive_objects.c
    d = Document.__table__.alias("d")
    located = and_(d.c.status == "archived", func.coalesce(d.c.archive_key, "") != "")
    pdf_of = select(d.c.id).where(located, d.c.archive_key == k.key).exists()
    stem: ColumnElement[str] = literal_column(archive_stem(dialect, "d"), Text)
    sidecar_of = select(d.c.id).where(located, stem == k.stem, k.ext.in_(SIDECARS)).exists()
    owner = Document.__table__.alias("owner")
    return (
        select(k.key, k.folder, owner.c.id, owner.c.filename, owner.c.status)
        .select_from(archive_objects.outerjoin(owner, owner.c.id == k.folder))
        .where(~pdf_of, ~sidecar_of)  # two anti-joins (an EXISTS under OR would run once per object)
    )


def counts(s: Session, checks: DocumentChecks, period: str) -> tuple[dict[str, int], dict[str, int], list[GroupCounts]]:
    """How many differences of each kind (kinds with none left out), the whole archive's totals of documents
    and receipts, and the counts per batch and per period: the catalog's side from the counters, the store's
    from the documents it holds something of, the unfinished documents from the status index."""
    counters = counted(RECONCILIATION)
    measures = RECONCILIATION.measures
    keys = (counters.c.batch_id, counters.c.local_day, counters.c.status)
    summed = select(*keys, *(func.sum(counters.c[m]) for m in measures)).group_by(*keys)
    kinds: dict[str, int] = dict.fromkeys(checks.conditions, 0) | {"missing_sidecar": 0}
    totals: dict[str, int] = dict.fromkeys(_TOTALS, 0)
    grouped: list[GroupCounts] = []
    lost_receipts = 0
    for batch_id, day, status, *values in s.execute(summed):
        n = dict(zip(measures, (int(v or 0) for v in values), strict=True))
        if not any(n.values()):
            continue
        lost_receipts += n["lost_receipts"]
        for kind, measure in _COUNTED_KINDS.items():
            kinds[kind] += n[measure]
        kinds["missing_object"] += n["located"]
        kinds["missing_sidecar"] += len(SIDECARS) * n["located"]
        kinds["missing_original"] += n["documents"]
        if status in ("failed", "rejected"):
            kinds[status] += n["documents"]
        _add_totals(totals, status, n)
        group = {
            "files_received": n["files_received"],
            "duplicates": n["duplicates"],
            "documents": n["documents"],
            "pages_declared": n["pages_declared"],
            "page_rows": n["page_rows"],
            "pages_scanned": n["pages_done"],
            "archived": n["documents"] if status == "archived" else 0,
        }
        grouped += _both_groupings(batch_id, _period_key(day, period), group)
    kinds.update(checks.unfinished_counts(s))
    grouped += _store_side(s, checks, period, kinds, totals)
    if lost_receipts:  # the documents they name, looked for only when the counters say there are some
        kinds["receipt_without_document"] = int(
            s.scalar(select(func.count()).select_from(_receipts_without_document())) or 0
        )
    kinds["orphan_object"] = int(s.scalar(select(func.count()).select_from(_orphans(checks.dialect).subquery())) or 0)
    return {kind: n for kind, n in kinds.items() if n}, totals, grouped


#: The kinds the counters count as they are, and the measure that counts each.
_COUNTED_KINDS = {
    "document_without_receipt": "no_receipt",
    "page_rows_mismatch": "page_rows_mismatch",
    "record_pages_mismatch": "record_pages_mismatch",
    "paper_pages_mismatch": "paper_pages_mismatch",
    "archived_without_archive": "archived_without_archive",
    "unsigned_archived": "unsigned_located",
}
_TOTALS = (
    *("files_received", "duplicates", "documents", "archived", "needs_review", "rejected", "failed"),
    *("in_progress", "pages_declared", "archived_pdfs_in_store"),
)


def _add_totals(totals: dict[str, int], status: str, n: dict[str, int]) -> None:
    for name in ("files_received", "duplicates", "documents", "pages_declared"):
        totals[name] += n[name]
    if status in ("archived", "needs_review", "rejected", "failed"):
        totals[status] += n["documents"]
    elif status in IN_PROGRESS:
        totals["in_progress"] += n["documents"]


def _store_side(
    s: Session, checks: DocumentChecks, period: str, kinds: dict[str, int], totals: dict[str, int]
) -> list[GroupCounts]:
    """What the store holds, from the documents it holds something of: taken off the differences that the
    counters counted as if the store held nothing, added to the totals; their counts per batch and period."""
    held = every_document(checks.dialect, store="inner")
    c = held.c
    located, archived = _located(c), c.status == "archived"
    mismatched = hash_mismatches.c.document_id.is_not(None)

    def flagged(condition: ColumnElement) -> ColumnElement:
        return func.sum(case((condition, 1), else_=0))

    sums = {
        "has_pdf": flagged(and_(located, c.has_pdf == 1)),
        "sidecars": func.sum(case((located, c.has_json + c.has_xml), else_=0)),
        "has_original": func.sum(c.has_original),
        "hash_mismatch": flagged(and_(located, mismatched)),
        "archived_pdfs_in_store": flagged(and_(archived, c.has_pdf == 1)),
        "archived_in_store": flagged(and_(archived, c.pdf_in_store == 1)),
        "archive_objects": func.sum(c.objects),
    }
    batch, moment = c.batch_id, local_period_text(c.received_at, period, checks.dialect)
    source = held.outerjoin(hash_mismatches, hash_mismatches.c.document_id == c.id)
    grouped: list[GroupCounts] = []
    for batch_id, period_key, *values in s.execute(
        select(batch, moment, *sums.values()).select_from(source).group_by(batch, moment)
    ):
        n = dict(zip(sums, (int(v or 0) for v in values), strict=True))
        kinds["missing_object"] -= n["has_pdf"]
        kinds["missing_sidecar"] -= n["sidecars"]
        kinds["missing_original"] -= n["has_original"]
        kinds["hash_mismatch"] += n["hash_mismatch"]
        totals["archived_pdfs_in_store"] += n["archived_pdfs_in_store"]
        group = {name: n[name] for name in ("archived_in_store", "archive_objects")}
        grouped += _both_groupings(batch_id, period_key, group)
    return grouped


def _both_groupings(batch_id: str, period_key: str, counts: dict[str, int]) -> list[GroupCounts]:
    return [("batch", batch_id, counts), ("period", period_key, counts)]


def _period_key(day: date | str, period: str) -> str:
    """A counter's Vietnam day as the period it falls in: YYYY-MM-DD or YYYY-MM."""
    text_ = day.isoformat() if isinstance(day, date) else str(day)
    return text_ if period == "day" else text_[:7]


def totals(s: Session, counted_totals: dict[str, int]) -> dict[str, int]:
    """The whole archive's counts on each side (see `storage.reconcile.reconcile`): the catalog's as counted,
    its page rows, and the objects listed in each bucket."""
    return {
        **{name: counted_totals[name] for name in ("files_received", "duplicates", "documents")},
        **{name: counted_totals[name] for name in ("archived", "needs_review", "rejected", "failed", "in_progress")},
        "pages_declared": counted_totals["pages_declared"],
        "page_rows": int(s.scalar(select(func.count()).select_from(Page)) or 0),
        "archive_objects": int(s.scalar(select(func.count()).select_from(archive_objects)) or 0),
        "archived_pdfs_in_store": counted_totals["archived_pdfs_in_store"],
        "incoming_objects": int(s.scalar(select(func.count()).select_from(incoming_objects)) or 0),
    }


def hash_candidates(s: Session) -> list[tuple[str, str, str | None]]:
    """(document id, PDF key, catalog hash) of every archived document whose PDF is in the store."""
    c = every_document(_dialect(s), store="inner").c
    stored = select(c.id, c.archive_key, c.archive_sha256).where(_located(c), c.has_pdf == 1)
    return [(document_id, key, sha256) for document_id, key, sha256 in s.execute(stored)]


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name
