"""The report counters: the counts per key, plus the changes the database appended since they were last folded.

Triggers (migration 0009) append a row to `report_count_changes` for every change to a document or a receipt,
in its transaction; they never update a shared row, so workers never wait on each other for a counter.
`fold_changes` moves those rows into `report_counts` (one row per key) a chunk at a time. Each chunk is
deleted and returned in one statement, so two folds running at once never move a change twice (on PostgreSQL
the same statement sums them per key and adds the sums to the counts). Reports read
both tables (`counted`), so a count is right whether or not the changes were folded yet. The lease sweeper
folds every round and a report folds first when many changes are waiting.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import Subquery, Table, delete, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningDelete

from storage.catalog import Catalog
from storage.tables import ReportCount, ReportCountChange

KEY = ("local_day", "organ_name", "type_name", "status", "signed")
MEASURES = ("documents", "pages", "files_received", "duplicates")
#: Changes moved per transaction.
FOLD_CHUNK = 20_000
#: A report folds first when at least this many changes wait (fewer cost less to read than to fold).
FOLD_BEFORE_REPORT = 10_000


def fold_changes(catalog: Catalog, chunk: int = FOLD_CHUNK) -> int:
    """Move the appended changes into the counts per key; returns how many changes were moved."""
    fold = _fold_chunk_in_sql if catalog.engine.dialect.name == "postgresql" else _fold_chunk
    moved = 0
    while True:
        with catalog.session() as s:
            folded = fold(s, chunk)
        moved += folded
        if folded < chunk:
            return moved


def _oldest_deleted(chunk: int) -> ReturningDelete[Any]:
    """Delete the `chunk` oldest changes, returning them."""
    changes = cast(Table, ReportCountChange.__table__)
    oldest = select(changes.c.id).order_by(changes.c.id).limit(chunk).scalar_subquery()
    return delete(changes).where(changes.c.id.in_(oldest)).returning(*(changes.c[n] for n in (*KEY, *MEASURES)))


def _fold_chunk_in_sql(s: Session, chunk: int) -> int:
    """PostgreSQL: one statement deletes a chunk of changes and adds their sums per key to the counts (about
    100,000 changes a second at 700,000 documents, where summing them in Python moved 16,000-18,000)."""
    from sqlalchemy.dialects.postgresql import insert  # here: it loads slowly, and most reports fold nothing

    moved = _oldest_deleted(chunk).cte("moved")
    sums = select(*(moved.c[k] for k in KEY), *(func.sum(moved.c[m]) for m in MEASURES)).group_by(
        *(moved.c[k] for k in KEY)
    )
    added = insert(ReportCount).from_select([*KEY, *MEASURES], sums)
    upsert = added.on_conflict_do_update(
        index_elements=list(KEY), set_={m: getattr(ReportCount, m) + added.excluded[m] for m in MEASURES}
    )
    return int(s.scalar(select(func.count()).select_from(moved).add_cte(upsert.cte("added"))) or 0)


def _fold_chunk(s: Session, chunk: int) -> int:
    """Elsewhere (SQLite, whose WITH holds no DELETE): the chunk's changes summed here, a key at a time."""
    from sqlalchemy.dialects.sqlite import insert  # here: it loads slowly, and most reports fold nothing

    rows = s.execute(_oldest_deleted(chunk)).all()
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for row in rows:
        totals = sums[tuple(row[: len(KEY)])]
        for i, value in enumerate(row[len(KEY) :]):
            totals[i] += value
    for key, totals in sorted(sums.items()):
        values = dict(zip((*KEY, *MEASURES), (*key, *totals), strict=True))
        statement = insert(ReportCount).values(values)
        added = {m: getattr(ReportCount, m) + statement.excluded[m] for m in MEASURES}
        s.execute(statement.on_conflict_do_update(index_elements=list(KEY), set_=added))
    return len(rows)


def changes_waiting(catalog: Catalog, up_to: int) -> int:
    """How many changes wait to be folded, counted no further than `up_to`."""
    with catalog.session() as s:
        waiting = select(literal(1)).select_from(ReportCountChange).limit(up_to).subquery()
        return s.scalar(select(func.count()).select_from(waiting)) or 0


def counted() -> Subquery:
    """Every count, folded or not yet: the rows of both tables (sum them per key)."""
    names = (*KEY, *MEASURES)
    return union_all(
        select(*(getattr(ReportCount, n) for n in names)), select(*(getattr(ReportCountChange, n) for n in names))
    ).subquery("counted")
