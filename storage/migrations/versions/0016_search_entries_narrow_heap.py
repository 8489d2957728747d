"""PostgreSQL: a search entry's text and tsvectors live out of line, so searches read a narrow table.

A search reads, for every match, the row's `archived` flag, date and id: to count the matches (up to
10,000) and to find the newest. With the text compressed in line (about 2 KB a row), a count at
100,000 documents read 2,300 pages; with every long value in the TOAST table the rows are about 200 bytes
and a search reads a tenth of that. The short columns it filters and sorts on stay in line (`PLAIN`): moved
out, a sort by document id read each one from the TOAST table (0.7 s for 26,000 matches). Rows written from
now on are stored so; `VACUUM FULL search_entries` moves the rows already there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


IN_LINE = ("document_id", "type_name", "organ_name", "type_key", "organ_key", "holder_id")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_entries SET (toast_tuple_target = 128)")
        op.execute(f"ALTER TABLE search_entries {', '.join(f'ALTER COLUMN {c} SET STORAGE PLAIN' for c in IN_LINE)}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_entries RESET (toast_tuple_target)")
        op.execute(f"ALTER TABLE search_entries {', '.join(f'ALTER COLUMN {c} SET STORAGE EXTENDED' for c in IN_LINE)}")
