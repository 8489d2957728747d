"""Documents indexed by status and finishing time together, in place of the status alone.

The Decree 45 rates read the documents archived in each period: `status = 'archived' AND finished_at` in the
period. Revision 0013 indexed `finished_at`, but SQLite, without statistics, took the status index, an
equality it prices above any range, and read every archived document for each period (2.8 s for 17 months
at 100,000 documents). One index on both answers the equality and the range alike, on both engines, and
serves every lookup by status as the old one did.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a catalog made by `create_all` before migrations, and adopted, may have either
    op.create_index("ix_documents_status_finished_at", "documents", ["status", "finished_at"], if_not_exists=True)
    op.drop_index("ix_documents_status", table_name="documents", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_documents_status", "documents", ["status"])
    op.drop_index("ix_documents_status_finished_at", table_name="documents")
