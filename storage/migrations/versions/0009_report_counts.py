"""Report counters: documents, pages and files received per local day × agency × type × status, kept by the database.

A monthly report grouped the document and receipt rows of the whole range: hundreds of thousands of rows for
a province. `report_counts` holds their sums per Vietnam day, agency, type, status and whether an archived
result is signed, so a report reads a few hundred rows. Triggers record every change in the transaction that
makes it, whoever writes the row: a document's contribution (one document, its pages) is taken from its old
key and given to its new one, and with it its receipts' (files received, duplicates) when its agency, type,
status or signature changes. They only append these changes to `report_count_changes`, never update a shared
row: workers changing documents at the same time then never wait on each other's counters (nor take a lock
the audit chain's order does not expect). `storage.report_counts.fold_changes` moves the changes into
`report_counts` later; reports read both. An unknown agency or type is kept as ''.

Reuse is not counted here: it counts distinct documents, which daily sums cannot give.

A later revision that rebuilds `documents` or `receipts` (SQLite's batch mode) must create the triggers again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEY = ("local_day", "organ_name", "type_name", "status", "signed")
MEASURES = ("documents", "pages", "files_received", "duplicates")
#: Columns that move a document's contribution (`record` too: PostgreSQL fills agency, type and signing time
#: from it in a BEFORE trigger, which does not fire an UPDATE OF them), and those that move its receipts'.
DOCUMENT_COLUMNS = ("status", "record", "organ_name", "type_name", "signed_at", "page_count", "received_at")
RECEIPT_KEY_COLUMNS = ("status", "organ_name", "type_name", "signed_at")


def _local_day(moment: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"date({moment}, '+7 hours')"
    return f"CAST(({moment} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)"


def _side(row: str, dialect: str, day: str, measures: tuple[str, str, str, str], source: str = "") -> str:
    """One SELECT of deltas: a key (a local day and the dimensions of the document `row`) and four measures."""
    signed = f"CASE WHEN {row}.signed_at IS NOT NULL AND {row}.signed_at <> '' THEN 1 ELSE 0 END"
    values = (
        _local_day(day, dialect),
        f"COALESCE({row}.organ_name, '')",
        f"COALESCE({row}.type_name, '')",
        f"{row}.status",
        signed,
        *measures,
    )
    columns = ", ".join(f"{value} AS {name}" for value, name in zip(values, (*KEY, *MEASURES), strict=True))
    return f"SELECT {columns}{source}"


def _document_side(row: str, sign: int, dialect: str, source: str = "") -> str:
    """What the document `row` (NEW, OLD or a table's alias) adds to its key: itself and its pages."""
    measures = (str(sign), f"{sign} * COALESCE({row}.page_count, 0)", "0", "0")
    return _side(row, dialect, f"{row}.received_at", measures, source)


def _receipts_side(row: str, sign: int, dialect: str, moved: str) -> str:
    """What the receipts of the document `row` add to its keys, a day at a time, when `moved` holds."""
    duplicates = f"{sign} * SUM(CASE WHEN r.duplicate THEN 1 ELSE 0 END)"
    source = f" FROM receipts r WHERE r.document_id = {row}.id{moved} GROUP BY {_local_day('r.received_at', dialect)}"
    return _side(row, dialect, "r.received_at", ("0", "0", f"{sign} * COUNT(*)", duplicates), source)


def _receipt_side(row: str, sign: int, dialect: str, source: str = "") -> str:
    """What the receipt `row` adds to its day under its document's key (the document `d`)."""
    duplicates = f"{sign} * CASE WHEN {row}.duplicate THEN 1 ELSE 0 END"
    source = source or f" FROM documents d WHERE d.id = {row}.document_id"
    return _side("d", dialect, f"{row}.received_at", ("0", "0", str(sign), duplicates), source)


def _summed(*sides: str) -> str:
    """The deltas of `sides`, summed per key; keys whose deltas cancel out left out."""
    keys = ", ".join(KEY)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    nonzero = " OR ".join(f"SUM({m}) <> 0" for m in MEASURES)
    return f"SELECT {keys}, {sums} FROM ({' UNION ALL '.join(sides)}) AS deltas GROUP BY {keys} HAVING {nonzero}"


def _add(*sides: str) -> str:
    """Append the summed deltas to the changes."""
    return f"INSERT INTO report_count_changes ({', '.join((*KEY, *MEASURES))}) {_summed(*sides)}"


def _changed(dialect: str) -> str:
    differs = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return " AND (" + " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in RECEIPT_KEY_COLUMNS) + ")"


def _statements(dialect: str) -> dict[tuple[str, str], str]:
    """(table, operation) → the statement that records the change."""
    return {
        ("documents", "INSERT"): _add(_document_side("NEW", 1, dialect)),
        ("documents", "UPDATE"): _add(
            _document_side("OLD", -1, dialect),
            _document_side("NEW", 1, dialect),
            _receipts_side("OLD", -1, dialect, _changed(dialect)),
            _receipts_side("NEW", 1, dialect, _changed(dialect)),
        ),
        ("documents", "DELETE"): _add(_document_side("OLD", -1, dialect)),
        ("receipts", "INSERT"): _add(_receipt_side("NEW", 1, dialect)),
        ("receipts", "UPDATE"): _add(_receipt_side("OLD", -1, dialect), _receipt_side("NEW", 1, dialect)),
        ("receipts", "DELETE"): _add(_receipt_side("OLD", -1, dialect)),
    }


def _watched(table: str) -> str:
    return ", ".join(DOCUMENT_COLUMNS if table == "documents" else ("received_at", "duplicate", "document_id"))


def _create_triggers(dialect: str) -> None:
    statements = _statements(dialect)
    if dialect == "sqlite":
        for (table, operation), statement in statements.items():
            event = f"UPDATE OF {_watched(table)}" if operation == "UPDATE" else operation
            op.execute(
                f"CREATE TRIGGER report_counts_{table}_{operation.lower()} AFTER {event} ON {table} "
                f"BEGIN {statement}; END"
            )
        return
    for table in ("documents", "receipts"):
        branches = " ".join(
            f"{'IF' if i == 0 else 'ELSIF'} TG_OP = '{operation}' THEN {statements[(table, operation)]};"
            for i, operation in enumerate(("INSERT", "UPDATE", "DELETE"))
        )
        op.execute(
            f"CREATE FUNCTION report_counts_{table}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {branches} END IF; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER report_counts_{table} AFTER INSERT OR UPDATE OF {_watched(table)} OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_counts_{table}()"
        )


def _fill(dialect: str) -> None:
    """The counts of the rows already there."""
    op.execute("DELETE FROM report_count_changes")
    op.execute("DELETE FROM report_counts")
    documents = _document_side("d", 1, dialect, " FROM documents d")
    receipts = _receipt_side("r", 1, dialect, " FROM receipts r JOIN documents d ON d.id = r.document_id")
    op.execute(f"INSERT INTO report_counts ({', '.join((*KEY, *MEASURES))}) {_summed(documents, receipts)}")


def _columns() -> list[sa.Column]:
    return [
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("organ_name", sa.Text(), nullable=False),
        sa.Column("type_name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("signed", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # a catalog adopted from `create_all` of the current tables has the table already (see LEGACY_BASELINES)
    tables = sa.inspect(op.get_bind()).get_table_names()
    if "report_counts" not in tables:
        op.create_table("report_counts", *_columns(), sa.PrimaryKeyConstraint(*KEY))
    if "report_count_changes" not in tables:
        op.create_table(
            "report_count_changes", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True), *_columns()
        )
    _create_triggers(dialect)
    _fill(dialect)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("documents", "receipts"):
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS report_counts_{table}_{operation}")
    else:
        for table in ("documents", "receipts"):
            op.execute(f"DROP TRIGGER IF EXISTS report_counts_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS report_counts_{table}()")
    op.drop_table("report_count_changes")
    op.drop_table("report_counts")
