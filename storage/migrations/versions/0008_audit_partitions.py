"""On PostgreSQL, the audit log in monthly partitions (`storage.partitions`); SQLite is left as it is.

The table is made again as a partitioned one with the same columns, indexes and id sequence; its primary key
becomes (id, at), since a partitioned table's keys include the partition column (ids stay unique: one
sequence gives them). Partitions are made from the oldest event's month to a year ahead, plus a default one,
and the events are copied over in one statement: about a minute per five million events.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = "id, at, actor, role, action, document_id, details, prev_hash, hash"
DEFINITION = (
    "id INTEGER NOT NULL DEFAULT nextval('audit_events_id_seq'), at TIMESTAMP WITH TIME ZONE NOT NULL, "
    "actor VARCHAR(200) NOT NULL, role VARCHAR(16), action VARCHAR(40) NOT NULL, document_id VARCHAR(64), "
    "details JSON NOT NULL, prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL"
)
INDEXED = ("action", "at", "document_id")


def _move_aside(old: str) -> None:
    """Rename the table, its key and its indexes out of the way of the new ones; free the id sequence."""
    op.execute(f"ALTER TABLE audit_events RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT audit_events_pkey TO {old}_pkey")
    for column in INDEXED:
        op.execute(f"ALTER INDEX IF EXISTS ix_audit_events_{column} RENAME TO ix_{old}_{column}")
    op.execute("ALTER SEQUENCE audit_events_id_seq OWNED BY NONE")


def _finish(old: str) -> None:
    """Copy the events, drop the old table, give the sequence to the new one and index it."""
    op.execute(f"INSERT INTO audit_events ({COLUMNS}) SELECT {COLUMNS} FROM {old}")
    op.execute(f"DROP TABLE {old}")
    op.execute("ALTER SEQUENCE audit_events_id_seq OWNED BY audit_events.id")
    for column in INDEXED:
        op.execute(f"CREATE INDEX ix_audit_events_{column} ON audit_events ({column})")


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    from storage import partitions

    oldest = connection.scalar(sa.text("SELECT min(at) FROM audit_events"))
    now = datetime.now(UTC)
    _move_aside("audit_events_unpartitioned")
    op.execute(
        f"CREATE TABLE audit_events ({DEFINITION}, CONSTRAINT audit_events_pkey PRIMARY KEY (id, at)) "
        "PARTITION BY RANGE (at)"
    )
    op.execute(f"CREATE TABLE {partitions.DEFAULT_PARTITION} PARTITION OF audit_events DEFAULT")
    first = partitions.month_of(min(oldest, now) if oldest else now)
    partitions.ensure_months(connection, first, partitions.months_ahead(now, partitions.MONTHS_AHEAD))
    _finish("audit_events_unpartitioned")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _move_aside("audit_events_partitioned")
    op.execute(f"CREATE TABLE audit_events ({DEFINITION}, CONSTRAINT audit_events_pkey PRIMARY KEY (id))")
    _finish("audit_events_partitioned")  # dropping the partitioned table drops its partitions
