"""The audit log in monthly partitions on PostgreSQL (migration 0008); SQLite keeps one table.

A province writes ten million audit events in a few years. In monthly partitions, each month's events and
indexes stay a size that fits in memory, a month is read or exported from its own partition (the planner
skips the others for a time range), and an archive may later detach and keep old months apart without a
`DELETE` over millions of rows. Ids stay unique across partitions (one sequence) and the hash chain runs
across them, so nothing that reads the log knows it is partitioned.

Months begin at midnight Vietnam time (UTC+7), like the reports' months, so a monthly report's range reads
whole partitions. The partitions are made ahead of time (`MONTHS_AHEAD` months) by the migration and by every
catalog that opens when fewer than `MONTHS_KEPT_AHEAD` are left; an event with a time outside them (a clock
far off) lands in the default partition, never lost.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

from schemas.times import VIETNAM

PARENT = "audit_events"
#: Every table partitioned on PostgreSQL: the audit log here, the pages by a hash of their document (migration
#: 0011). A restore drops them whole first (`storage.backup`).
PARTITIONED_TABLES = (PARENT, "pages")
DEFAULT_PARTITION = "audit_events_default"
#: Months made ahead of the current one, and how few left make a catalog that opens make more.
MONTHS_AHEAD = 12
MONTHS_KEPT_AHEAD = 3
_LOCK = zlib.crc32(b"sohoa audit partitions")


def month_of(moment: datetime) -> date:
    """The first day of the Vietnamese month a moment falls in."""
    return moment.astimezone(VIETNAM).date().replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{PARENT}_{month:%Y_%m}"


def partitions(connection: Connection) -> list[str]:
    """The names of the audit log's partitions, sorted (the default one last)."""
    query = text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = CAST(:parent AS regclass)"
    )
    names = sorted(connection.scalars(query, {"parent": PARENT}))
    return [n for n in names if n != DEFAULT_PARTITION] + [n for n in names if n == DEFAULT_PARTITION]


def create_month(connection: Connection, month: date) -> None:
    """The partition of one month, from its first midnight in Vietnam to the next month's."""
    bounds = [f"{day.isoformat()} 00:00:00+07" for day in (month, next_month(month))]
    connection.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {PARENT} "
            f"FOR VALUES FROM ('{bounds[0]}') TO ('{bounds[1]}')"
        )
    )


def ensure_months(connection: Connection, first: date, last: date) -> list[str]:
    """Make the missing monthly partitions from `first`'s month to `last`'s; returns the names made. Serialized
    by an advisory lock, so catalogs opening together do not make the same partition twice."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    present, made = set(partitions(connection)), []
    month = first.replace(day=1)
    while month <= last:
        if partition_name(month) not in present:
            create_month(connection, month)
            made.append(partition_name(month))
        month = next_month(month)
    return made


def months_ahead(now: datetime, months: int) -> date:
    month = month_of(now)
    for _ in range(months):
        month = next_month(month)
    return month


def keep_ahead(connection: Connection, now: datetime | None = None) -> list[str]:
    """Make next year's partitions when fewer than `MONTHS_KEPT_AHEAD` months are left; a catalog that is not
    partitioned (SQLite, or a PostgreSQL log from before 0008) is left alone."""
    if connection.dialect.name != "postgresql":
        return []
    now = now or datetime.now(UTC)
    monthly = [n for n in partitions(connection) if n != DEFAULT_PARTITION]
    if not monthly or monthly[-1] >= partition_name(months_ahead(now, MONTHS_KEPT_AHEAD)):
        return []
    return ensure_months(connection, month_of(now), months_ahead(now, MONTHS_AHEAD))
