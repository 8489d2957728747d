"""Reconciliation counters: what each batch, Vietnam day and status holds, kept by the database; and the indexes
that find the documents a stored object belongs to.

A reconciliation's summary joined every document with the store's keys (3.9 s at 700,000 documents) and
grouped the result (1.9 s), however few objects the store listed. The catalog's side of it is now counted as
the reports' is (revision 0009): `reconcile_counts` holds, per batch, Vietnam day of receipt and status, the
documents, their pages declared, page rows and pages done, and how many of them have each difference that
the catalog alone decides (no receipt, page rows or the record's or the paper's page count not the page
count, archived without an archive key, archived unsigned), with the archived ones the store must hold
(`located`); the receipts count there too, under the status '' (a receipt has none), with those whose
document is not in the catalog (`lost_receipts`: a document inserted takes its receipts out of it, one
deleted puts them in; with foreign keys on, always 0, so the summary skips looking for them). Triggers append each
change of a document or a receipt to `reconcile_count_changes` in its transaction, never updating a shared
row, and `storage.report_counts.fold_changes` folds them.

The store's side is then worked out from the listed keys, not from every document: the indexes on a
document's archive key, on that key without its extension (`ix_documents_archive_stem`, the sidecars' way to
their document) and on its incoming key find the documents an object belongs to; every other document has
no object. The key without its extension is an expression index on PostgreSQL; SQLite, which uses no
expression index for a join, indexes a virtual column of the same expression (`archive_stem`, computed when
read, never stored).

A later revision that rebuilds `documents` or `receipts` (SQLite's batch mode) must create the triggers again.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KEY = ("batch_id", "local_day", "status")
MEASURES = (
    *("documents", "pages_declared", "page_rows", "pages_done", "located", "no_receipt", "page_rows_mismatch"),
    *("record_pages_mismatch", "paper_pages_mismatch", "archived_without_archive", "unsigned_located"),
    *("files_received", "duplicates", "lost_receipts"),
)
#: The columns a document's key and measures are made of.
DOCUMENT_COLUMNS = (
    *("batch_id", "received_at", "status", "page_count", "page_rows", "pages_done", "receipt_count"),
    *("page_amount", "paper_pages", "archive_key", "signed_at"),
)
RECEIPT_COLUMNS = ("batch_id", "received_at", "duplicate", "document_id")
STEM_INDEX = "ix_documents_archive_stem"


def archive_stem(dialect: str) -> str:
    """The SQL of an archive key without its last ".extension" (`str.rpartition`), as the index holds it."""
    key = "COALESCE(archive_key, '')"
    if dialect == "postgresql":
        return rf"regexp_replace({key}, '\.[^.]*$', '')"
    up_to_dot = f"rtrim({key}, replace({key}, '.', ''))"  # everything up to the last "." (SQLite has no rfind)
    return f"CASE WHEN instr({key}, '.') = 0 THEN {key} ELSE substr({up_to_dot}, 1, length({up_to_dot}) - 1) END"


def _local_day(moment: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"date({moment}, '+7 hours')"
    return f"CAST(({moment} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _document_side(row: str, sign: int, dialect: str, source: str = "") -> str:
    """One SELECT: the key of the document `row` (NEW, OLD or a table's alias) and what it adds under it."""
    archived = f"{row}.status = 'archived'"
    has_key = f"COALESCE({row}.archive_key, '') <> ''"
    signed = f"({row}.signed_at IS NOT NULL AND {row}.signed_at <> '')"
    page_count = f"{row}.page_count IS NOT NULL"
    measures = {
        "documents": "1",
        "pages_declared": f"COALESCE({row}.page_count, 0)",
        "page_rows": f"{row}.page_rows",
        "pages_done": f"{row}.pages_done",
        "located": _flag(f"{archived} AND {has_key}"),
        "no_receipt": _flag(f"{row}.receipt_count = 0"),
        "page_rows_mismatch": _flag(f"{page_count} AND {row}.page_count <> {row}.page_rows"),
        "record_pages_mismatch": _flag(
            f"{archived} AND {row}.page_amount IS NOT NULL AND ({row}.page_count IS NULL "
            f"OR {row}.page_amount <> {row}.page_count)"
        ),
        "paper_pages_mismatch": _flag(
            f"{row}.paper_pages IS NOT NULL AND {page_count} AND {row}.paper_pages <> {row}.page_count"
        ),
        "archived_without_archive": _flag(f"{archived} AND NOT ({has_key})"),
        "unsigned_located": _flag(f"{archived} AND {has_key} AND NOT {signed}"),
        "files_received": "0",
        "duplicates": "0",
        "lost_receipts": "0",
    }
    key = (f"{row}.batch_id", _local_day(f"{row}.received_at", dialect), f"{row}.status")
    return _select(key, {name: f"{sign} * ({value})" for name, value in measures.items()}, source)


def _receipt_side(row: str, sign: int, dialect: str, source: str = "") -> str:
    """One SELECT: the key of the receipt `row` (its status '') and what it adds under it."""
    measures = dict.fromkeys(MEASURES, "0")
    measures["files_received"] = str(sign)
    measures["duplicates"] = f"{sign} * {_flag(f'{row}.duplicate')}"
    lost = f"NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = {row}.document_id)"
    measures["lost_receipts"] = f"{sign} * {_flag(lost)}"
    return _select((f"{row}.batch_id", _local_day(f"{row}.received_at", dialect), "''"), measures, source)


def _found_receipts_side(row: str, sign: int, dialect: str) -> str:
    """One SELECT per key of the receipts of the document `row`: `sign` × how many, as lost receipts (a
    document inserted finds them, -1; one deleted loses them, +1)."""
    measures = dict.fromkeys(MEASURES, "0")
    measures["lost_receipts"] = f"{sign} * COUNT(*)"
    day = _local_day("r.received_at", dialect)
    source = f" FROM receipts r WHERE r.document_id = {row}.id GROUP BY r.batch_id, {day}"
    return _select(("r.batch_id", day, "''"), measures, source)


def _select(key: tuple[str, str, str], measures: dict[str, str], source: str) -> str:
    values = [*key, *(measures[name] for name in MEASURES)]
    return "SELECT " + ", ".join(f"{v} AS {n}" for v, n in zip(values, (*KEY, *MEASURES), strict=True)) + source


def _summed(*sides: str) -> str:
    """The deltas of `sides`, summed per key; keys whose deltas cancel out left out."""
    keys = ", ".join(KEY)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    nonzero = " OR ".join(f"SUM({m}) <> 0" for m in MEASURES)
    return f"SELECT {keys}, {sums} FROM ({' UNION ALL '.join(sides)}) AS deltas GROUP BY {keys} HAVING {nonzero}"


def _add(*sides: str) -> str:
    return f"INSERT INTO reconcile_count_changes ({', '.join((*KEY, *MEASURES))}) {_summed(*sides)}"


def _statements(dialect: str) -> dict[tuple[str, str], str]:
    """(table, operation) → the statement that records the change."""
    side = {"documents": _document_side, "receipts": _receipt_side}
    statements = {}
    for table, made in side.items():
        statements[(table, "INSERT")] = _add(made("NEW", 1, dialect))
        statements[(table, "UPDATE")] = _add(made("OLD", -1, dialect), made("NEW", 1, dialect))
        statements[(table, "DELETE")] = _add(made("OLD", -1, dialect))
    # a document's receipts are found when it comes, lost when it goes (its id never changes)
    documents = {"INSERT": ("NEW", 1, -1), "DELETE": ("OLD", -1, 1)}
    for operation, (row, sign, found) in documents.items():
        statements[("documents", operation)] = _add(
            _document_side(row, sign, dialect), _found_receipts_side(row, found, dialect)
        )
    return statements


def _watched(table: str) -> tuple[str, ...]:
    return DOCUMENT_COLUMNS if table == "documents" else RECEIPT_COLUMNS


def _create_triggers(dialect: str) -> None:
    statements = _statements(dialect)
    if dialect == "sqlite":
        for (table, operation), statement in statements.items():
            event = f"UPDATE OF {', '.join(_watched(table))}" if operation == "UPDATE" else operation
            op.execute(
                f"CREATE TRIGGER reconcile_counts_{table}_{operation.lower()} AFTER {event} ON {table} "
                f"BEGIN {statement}; END"
            )
        return
    for table in ("documents", "receipts"):
        # every update of a document is seen (the record's fields are set by a BEFORE trigger, which an
        # UPDATE OF does not see), and those that change nothing counted return at once
        unchanged = " AND ".join(f"OLD.{c} IS NOT DISTINCT FROM NEW.{c}" for c in _watched(table))
        update = f"IF {unchanged} THEN RETURN NULL; END IF; {statements[(table, 'UPDATE')]};"
        op.execute(
            f"CREATE FUNCTION reconcile_counts_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {statements[(table, 'INSERT')]}; "
            f"ELSIF TG_OP = 'UPDATE' THEN {update} "
            f"ELSE {statements[(table, 'DELETE')]}; END IF; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER reconcile_counts_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION reconcile_counts_{table}()"
        )


def _fill(dialect: str) -> None:
    """The counts of the rows already there."""
    op.execute("DELETE FROM reconcile_count_changes")
    op.execute("DELETE FROM reconcile_counts")
    documents = _document_side("d", 1, dialect, " FROM documents d")
    receipts = _receipt_side("r", 1, dialect, " FROM receipts r")
    op.execute(f"INSERT INTO reconcile_counts ({', '.join((*KEY, *MEASURES))}) {_summed(documents, receipts)}")


def _columns() -> list[sa.Column]:
    return [
        sa.Column("batch_id", sa.Text(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # a catalog adopted from `create_all` of the current tables has the tables and indexes already
    inspector = sa.inspect(op.get_bind())
    tables = inspector.get_table_names()
    if "reconcile_counts" not in tables:
        op.create_table("reconcile_counts", *_columns(), sa.PrimaryKeyConstraint(*KEY))
    if "reconcile_count_changes" not in tables:
        op.create_table(
            "reconcile_count_changes", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True), *_columns()
        )
    indexes = {index["name"] for index in inspector.get_indexes("documents")}
    for column in ("archive_key", "incoming_key"):
        if f"ix_documents_{column}" not in indexes:
            op.create_index(f"ix_documents_{column}", "documents", [column])
    if dialect == "sqlite":
        if "archive_stem" not in {column["name"] for column in inspector.get_columns("documents")}:
            stem = f"GENERATED ALWAYS AS ({archive_stem(dialect)}) VIRTUAL"
            op.execute(f"ALTER TABLE documents ADD COLUMN archive_stem TEXT {stem}")
        op.execute(f"CREATE INDEX IF NOT EXISTS {STEM_INDEX} ON documents (archive_stem)")
    else:
        op.execute(f"CREATE INDEX IF NOT EXISTS {STEM_INDEX} ON documents (({archive_stem(dialect)}))")
    _create_triggers(dialect)
    _fill(dialect)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in ("documents", "receipts"):
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS reconcile_counts_{table}_{operation}")
    else:
        for table in ("documents", "receipts"):
            op.execute(f"DROP TRIGGER IF EXISTS reconcile_counts_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS reconcile_counts_{table}()")
    op.execute(f"DROP INDEX IF EXISTS {STEM_INDEX}")
    if sqlite:
        op.execute("ALTER TABLE documents DROP COLUMN archive_stem")
    for column in ("archive_key", "incoming_key"):
        op.drop_index(f"ix_documents_{column}", table_name="documents")
    op.drop_table("reconcile_count_changes")
    op.drop_table("reconcile_counts")
