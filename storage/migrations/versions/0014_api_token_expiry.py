"""API tokens expire: `api_tokens.expires_at`.

Tokens issued before this had no end; they are given the default lifetime (90 days) from the upgrade, so
no script stops working the moment the catalog is upgraded, and none works for ever.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

LIFETIME_OF_EARLIER_TOKENS = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    ends = datetime.now(UTC) + LIFETIME_OF_EARLIER_TOKENS
    ends_param = sa.bindparam("ends", ends, type_=sa.DateTime(timezone=True))
    op.get_bind().execute(sa.text("UPDATE api_tokens SET expires_at = :ends").bindparams(ends_param))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
