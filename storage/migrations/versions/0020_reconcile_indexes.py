"""The reconciliation reads each document and page from an index of what it checks, not from the rows.

A reconciliation reads every document and every page row. The rows carry the record and the page text
(2.6 KB a document, 1.4 KB a page at the bench's fill), which the checks never look at; at 700,000 documents
that was about 4 GB to read for a few hundred megabytes of values. Two indexes now hold exactly the values:

- `ix_documents_reconcile`: a document's batch, status, page counts, keys, hash and times, 250 bytes each;
- `ix_pages_reconcile`: a page's document, status and last change, 40 bytes each.

Either engine may answer the reconciliation from them alone (an index-only scan on PostgreSQL, a covering
index on SQLite); at 700,000 documents PostgreSQL took the pages' index and still chose the documents' table.
The paper original's page count, until now read from the `intake` JSON, gets a column of its own
(`paper_pages`), which triggers fill from `intake` on every insert and every update of it, whoever writes the
row (as revision 0006's do from `record`), and which is filled here for the documents already received. The
file name stays out: it is the sender's, of any length, and an index entry has a size limit; the
reconciliation reads it for the differences it shows.

The reconciliation also shows the last fixity run, the newest `fixity_run` event. The audit log's index of
actions did not order an action's events, so PostgreSQL read the log backwards from its newest event until it
met one: every event when fixity was never run (2.6 s warm, 24 s cold, at 2.2 million events). The index on
the action and the id (`ix_audit_events_action_id`) finds the newest event of an action at once, and serves
every lookup the index of actions alone did, which it replaces.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

DOCUMENT_COLUMNS = [
    "id",
    "batch_id",
    "status",
    "page_count",
    "page_amount",
    "paper_pages",
    "incoming_key",
    "archive_key",
    "archive_sha256",
    "signed_at",
    "received_at",
    "finished_at",
    "updated_at",
]
PAGE_COLUMNS = ["document_id", "status", "updated_at"]


def _paper_pages(intake: str) -> str:
    """The paper page count in `intake` (SQL); NULL when it is not a whole number."""
    if op.get_bind().dialect.name == "sqlite":
        path = "'$.paper_pages'"
        return f"CASE WHEN json_type({intake}, {path}) = 'integer' THEN json_extract({intake}, {path}) END"
    value = f"{intake} -> 'paper_pages'"
    return f"CASE WHEN ({value})::text ~ '^[0-9]{{1,9}}$' THEN ({value})::text::integer END"


def upgrade() -> None:
    # a catalog adopted from `create_all` of the current tables has the column and the indexes already
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("documents")}
    if "paper_pages" not in present:
        op.add_column("documents", sa.Column("paper_pages", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for name, event in (("insert", "INSERT"), ("update", "UPDATE OF intake")):
            op.execute(f"DROP TRIGGER IF EXISTS documents_paper_pages_{name}")
            op.execute(
                f"CREATE TRIGGER documents_paper_pages_{name} AFTER {event} ON documents BEGIN "
                f"UPDATE documents SET paper_pages = {_paper_pages('NEW.intake')} WHERE id = NEW.id; END"
            )
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION documents_paper_pages() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN NEW.paper_pages := {_paper_pages('NEW.intake')}; RETURN NEW; END $$"
        )
        op.execute("DROP TRIGGER IF EXISTS documents_paper_pages ON documents")
        op.execute(
            "CREATE TRIGGER documents_paper_pages BEFORE INSERT OR UPDATE OF intake ON documents "
            "FOR EACH ROW EXECUTE FUNCTION documents_paper_pages()"
        )
    # only the new column: no trigger watches it, so the report counts log no change
    op.execute(f"UPDATE documents SET paper_pages = {_paper_pages('intake')} WHERE intake IS NOT NULL")
    op.create_index("ix_documents_reconcile", "documents", DOCUMENT_COLUMNS, if_not_exists=True)
    op.create_index("ix_pages_reconcile", "pages", PAGE_COLUMNS, if_not_exists=True)
    op.create_index("ix_audit_events_action_id", "audit_events", ["action", "id"], if_not_exists=True)
    op.drop_index("ix_audit_events_action", table_name="audit_events", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_audit_events_action", "audit_events", ["action"], if_not_exists=True)
    op.drop_index("ix_audit_events_action_id", table_name="audit_events", if_exists=True)
    op.drop_index("ix_pages_reconcile", table_name="pages")
    op.drop_index("ix_documents_reconcile", table_name="documents")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS documents_paper_pages_insert")
        op.execute("DROP TRIGGER IF EXISTS documents_paper_pages_update")
    else:
        op.execute("DROP TRIGGER IF EXISTS documents_paper_pages ON documents")
        op.execute("DROP FUNCTION IF EXISTS documents_paper_pages()")
    op.drop_column("documents", "paper_pages")  # ALTER TABLE … DROP COLUMN, as 0017 does
