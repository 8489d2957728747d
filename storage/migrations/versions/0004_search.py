"""Search index: one entry per archived document, with its full-text index per dialect.

SQLite: the FTS5 table `search_fts` (rowid = `search_entries.id`), whose columns `folded` and `exact` hold
the folded words and the words as written (lower case). PostgreSQL: the same two as tsvector columns of
`search_entries` ('simple' configuration), the folded one under a GIN index. Entries are written by
`storage.search`; documents archived before this revision are indexed by `sohoa search --reindex`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("type_name", sa.Text(), nullable=True),
        sa.Column("organ_name", sa.Text(), nullable=True),
        sa.Column("type_key", sa.Text(), nullable=True),
        sa.Column("organ_key", sa.Text(), nullable=True),
        sa.Column("issued_date", sa.Date(), nullable=True),
        sa.Column("holder_id", sa.String(length=32), nullable=True),
        sa.Column("metadata_values", sa.JSON(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("body_start", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id"),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_entries_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_entries_issued_date"), ["issued_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_entries_organ_key"), ["organ_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_entries_type_key"), ["type_key"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(folded, exact, tokenize='unicode61 remove_diacritics 0')"
        )
    elif dialect == "postgresql":
        op.add_column("search_entries", sa.Column("folded_tsv", postgresql.TSVECTOR(), nullable=True))
        op.add_column("search_entries", sa.Column("exact_tsv", postgresql.TSVECTOR(), nullable=True))
        op.create_index("ix_search_entries_folded_tsv", "search_entries", ["folded_tsv"], postgresql_using="gin")
    else:
        raise NotImplementedError(f"sohoa's search index supports SQLite and PostgreSQL, not {dialect}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entries_type_key"))
        batch_op.drop_index(batch_op.f("ix_search_entries_organ_key"))
        batch_op.drop_index(batch_op.f("ix_search_entries_issued_date"))
        batch_op.drop_index(batch_op.f("ix_search_entries_holder_id"))
    op.drop_table("search_entries")
