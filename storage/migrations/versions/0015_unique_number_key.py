"""One document per number: `documents.number_key` becomes unique.

Two documents with one number (agency, number, year) assembled at the same instant both passed the
duplicate check, and both were archived. Now a document claims its number in the database before it is
signed, and the unique index lets only one claim succeed; the other waits for review.

Catalogs that already hold two documents with one key (that race, or a duplicate a person confirmed)
keep the key on the earliest finished one; the others keep their records and lose only the marker.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE documents SET number_key = NULL WHERE number_key IS NOT NULL AND id NOT IN ("
            " SELECT id FROM (SELECT id, ROW_NUMBER() OVER ("
            "  PARTITION BY number_key ORDER BY finished_at, id) AS n"
            "  FROM documents WHERE number_key IS NOT NULL) AS ranked WHERE n = 1)"
        )
    )
    op.drop_index("ix_documents_number_key", "documents")
    op.create_index("ix_documents_number_key", "documents", ["number_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_documents_number_key", "documents")
    op.create_index("ix_documents_number_key", "documents", ["number_key"], unique=False)
