"""Dead letters: messages no worker could process, kept so they can be sent again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("queue_name", sa.String(100), nullable=False),
        sa.Column("actor_name", sa.String(100), nullable=True),
        sa.Column("document_id", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retried_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_dead_letters_message_id", "dead_letters", ["message_id"])
    op.create_index("ix_dead_letters_document_id", "dead_letters", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_dead_letters_document_id", table_name="dead_letters")
    op.drop_index("ix_dead_letters_message_id", table_name="dead_letters")
    op.drop_table("dead_letters")
