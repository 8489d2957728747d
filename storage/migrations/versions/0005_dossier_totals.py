"""Dossier totals: dossiers received per period (and optionally per agency), the denominator of the rates.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_totals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(length=500), nullable=False),
        sa.Column("dossiers_received", sa.Integer(), nullable=False),
        sa.Column("supplied_by", sa.String(length=200), nullable=False),
        sa.Column("supplied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dossier_totals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_totals_period_start"), ["period_start"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossier_totals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_totals_period_start"))
    op.drop_table("dossier_totals")
