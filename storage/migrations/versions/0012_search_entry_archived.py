"""A search entry says whether its document is archived, kept so by the database.

Search shows archived documents only, and until now it joined every match to `documents` to check: on
PostgreSQL, at 100,000 documents, that join cost a common word's count more than the index lookup itself.
`search_entries.archived` holds the answer beside the words, so counting reads the full-text index alone.
On PostgreSQL an index of the entries newest first lets a query with many matches take its newest ones
without sorting them all.

Triggers keep it, whoever writes the rows: an entry written takes its document's status as it is then (an
entry written just before archiving finishes is not archived yet), and a document whose status changes
updates its entry. The column is filled from the documents already there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: PostgreSQL only: SQLite's indexes cannot say NULLS LAST, and its full-text index has an order of its own.
NEWEST_INDEX = "ix_search_entries_newest"
IS_ARCHIVED = "EXISTS (SELECT 1 FROM documents d WHERE d.id = {id} AND d.status = 'archived')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if "archived" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("search_entries")}:
        op.add_column("search_entries", sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(f"UPDATE search_entries SET archived = {IS_ARCHIVED.format(id='search_entries.document_id')}")
    follows_status = "UPDATE search_entries SET archived = (NEW.status = 'archived') WHERE document_id = NEW.id"
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER search_entries_archived_insert AFTER INSERT ON search_entries BEGIN "
            f"UPDATE search_entries SET archived = {IS_ARCHIVED.format(id='NEW.document_id')} WHERE id = NEW.id; END"
        )
        op.execute(
            "CREATE TRIGGER search_entries_archived_status AFTER UPDATE OF status ON documents "
            f"WHEN OLD.status IS NOT NEW.status BEGIN {follows_status}; END"
        )
        return
    # the newest matches of a query with many, walked from the newest entry until enough match
    op.execute(f"CREATE INDEX {NEWEST_INDEX} ON search_entries (issued_date DESC NULLS LAST, document_id)")
    op.execute(
        "CREATE FUNCTION search_entries_archived() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN NEW.archived := {IS_ARCHIVED.format(id='NEW.document_id')}; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER search_entries_archived BEFORE INSERT OR UPDATE OF document_id ON search_entries "
        "FOR EACH ROW EXECUTE FUNCTION search_entries_archived()"
    )
    op.execute(
        "CREATE FUNCTION search_entries_follow_status() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {follows_status}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER search_entries_follow_status AFTER UPDATE OF status ON documents FOR EACH ROW "
        "WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION search_entries_follow_status()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_entries_archived_insert")
        op.execute("DROP TRIGGER IF EXISTS search_entries_archived_status")
    else:
        op.execute("DROP TRIGGER IF EXISTS search_entries_archived ON search_entries")
        op.execute("DROP FUNCTION IF EXISTS search_entries_archived()")
        op.execute("DROP TRIGGER IF EXISTS search_entries_follow_status ON documents")
        op.execute("DROP FUNCTION IF EXISTS search_entries_follow_status()")
        op.execute(f"DROP INDEX IF EXISTS {NEWEST_INDEX}")
    with op.batch_alter_table("search_entries") as batch:
        batch.drop_column("archived")
