"""An index on the time documents were finished: the Decree 45 rates read the documents archived in each period.

Without it every period read every archived document (1-2 s for 16 months at 100,000 documents, and ten times
that at a province's 700,000); with it each period reads its own.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_finished_at", "documents", ["finished_at"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_documents_finished_at", "documents")
