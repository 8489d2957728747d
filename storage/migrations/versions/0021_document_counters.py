"""Each document counts its page rows, the pages done and its receipts; the database keeps the counts.

A reconciliation compares each document's page count with its page rows and looks for its receipts: it
grouped every page row and every receipt by document (2.1 million and 700,000 rows at 700,000 documents),
which took about a fifth of its pass. `documents.page_rows`, `pages_done` and `receipt_count` now hold those
counts, kept by triggers in the transaction of each change to `pages` or `receipts` (an insert, a delete, a
page's status or a row moved to another document), whoever writes it. A document inserted after rows that
name it (a restore, a rebuild) starts from what is there. The pipeline already locks a document's row before
it writes its pages, so the triggers take no lock it did not hold. A hand edit of the counts themselves is
not seen: they are the database's, as the report counts of revision 0009 are.

`ix_documents_reconcile` (revision 0020) is made again with the three counts, so that a reconciliation
still reads only the index on SQLite.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

COUNTS = ("page_rows", "pages_done", "receipt_count")
RECONCILE_COLUMNS = [
    *("id", "batch_id", "status", "page_count", "page_amount", "paper_pages", "incoming_key", "archive_key"),
    *("archive_sha256", "signed_at", "received_at", "finished_at", "updated_at"),
]


def _done(row: str) -> str:
    return f"CASE WHEN {row}.status = 'done' THEN 1 ELSE 0 END"


def _counted(document_id: str) -> dict[str, str]:
    """Each count of the document `document_id` as the rows hold it (SQL)."""
    pages = f"FROM pages p WHERE p.document_id = {document_id}"
    return {
        "page_rows": f"(SELECT count(*) {pages})",
        "pages_done": f"(SELECT count(*) {pages} AND p.status = 'done')",
        "receipt_count": f"(SELECT count(*) FROM receipts r WHERE r.document_id = {document_id})",
    }


def _add_page(row: str, sign: str) -> str:
    return (
        f"UPDATE documents SET page_rows = page_rows {sign} 1, pages_done = pages_done {sign} {_done(row)} "
        f"WHERE id = {row}.document_id"
    )


def _add_receipt(row: str, sign: str) -> str:
    return f"UPDATE documents SET receipt_count = receipt_count {sign} 1 WHERE id = {row}.document_id"


def _sqlite_triggers() -> dict[str, str]:
    """name → trigger, on SQLite."""
    moved = "OLD.document_id IS NOT NEW.document_id"
    return {
        "documents_counts_insert": "AFTER INSERT ON documents BEGIN UPDATE documents SET "
        + ", ".join(f"{name} = {count}" for name, count in _counted("NEW.id").items())
        + " WHERE id = NEW.id; END",
        "pages_count_insert": f"AFTER INSERT ON pages BEGIN {_add_page('NEW', '+')}; END",
        "pages_count_delete": f"AFTER DELETE ON pages BEGIN {_add_page('OLD', '-')}; END",
        "pages_count_update": f"AFTER UPDATE OF document_id, status ON pages WHEN {moved} OR {_done('OLD')} <> "
        f"{_done('NEW')} BEGIN {_add_page('OLD', '-')}; {_add_page('NEW', '+')}; END",
        "receipts_count_insert": f"AFTER INSERT ON receipts BEGIN {_add_receipt('NEW', '+')}; END",
        "receipts_count_delete": f"AFTER DELETE ON receipts BEGIN {_add_receipt('OLD', '-')}; END",
        "receipts_count_update": f"AFTER UPDATE OF document_id ON receipts WHEN {moved} "
        f"BEGIN {_add_receipt('OLD', '-')}; {_add_receipt('NEW', '+')}; END",
    }


def _postgresql_functions() -> dict[str, tuple[str, str]]:
    """name → (body, trigger), on PostgreSQL: a function of that name and the trigger that runs it."""
    counted = " ".join(f"NEW.{name} := {count};" for name, count in _counted("NEW.id").items())
    page_done = (
        f"UPDATE documents SET pages_done = pages_done + {_done('NEW')} - {_done('OLD')} WHERE id = NEW.document_id"
    )
    pages = (
        "IF TG_OP = 'UPDATE' AND OLD.document_id = NEW.document_id THEN "
        f"IF ({_done('OLD')}) <> ({_done('NEW')}) THEN {page_done}; END IF; RETURN NULL; END IF; "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_add_page('OLD', '-')}; END IF; "
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_add_page('NEW', '+')}; END IF; RETURN NULL;"
    )
    receipts = (
        "IF TG_OP = 'UPDATE' AND OLD.document_id = NEW.document_id THEN RETURN NULL; END IF; "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_add_receipt('OLD', '-')}; END IF; "
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_add_receipt('NEW', '+')}; END IF; RETURN NULL;"
    )
    return {
        "documents_counts": (f"{counted} RETURN NEW;", "BEFORE INSERT ON documents"),
        "pages_count": (pages, "AFTER INSERT OR DELETE OR UPDATE OF document_id, status ON pages"),
        "receipts_count": (receipts, "AFTER INSERT OR DELETE OR UPDATE OF document_id ON receipts"),
    }


def upgrade() -> None:
    # a catalog adopted from `create_all` of the current tables has the columns already
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("documents")}
    for name in COUNTS:
        if name not in present:
            op.add_column("documents", sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")))
    if op.get_bind().dialect.name == "sqlite":
        for name, trigger in _sqlite_triggers().items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} {trigger}")
    else:
        for name, (body, event) in _postgresql_functions().items():
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
            )
            table = event.rsplit(" ", 1)[1]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW EXECUTE FUNCTION {name}()")
    # only the new columns: no trigger watches them, so the report counts log no change
    op.execute(
        "UPDATE documents SET " + ", ".join(f"{name} = {count}" for name, count in _counted("documents.id").items())
    )
    op.drop_index("ix_documents_reconcile", table_name="documents", if_exists=True)
    op.create_index("ix_documents_reconcile", "documents", [*RECONCILE_COLUMNS, *COUNTS])


def downgrade() -> None:
    op.drop_index("ix_documents_reconcile", table_name="documents")
    op.create_index("ix_documents_reconcile", "documents", RECONCILE_COLUMNS)
    if op.get_bind().dialect.name == "sqlite":
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name, (_, event) in _postgresql_functions().items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {event.rsplit(' ', 1)[1]}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for name in COUNTS:
        op.drop_column("documents", name)  # ALTER TABLE … DROP COLUMN, as 0017 does
