"""The counters the database keeps: the counts per key, plus the changes it appended since they were last folded.

Two sets: the reports' (migration 0009: per Vietnam day, agency, type, status and signature) and the
reconciliation's (migration 0022: per batch, Vietnam day and status). Triggers append a row of changes for
every change to a document or a receipt, in its transaction; they never update a shared row, so workers never
wait on each other for a counter. `fold_changes` moves those rows into the counts (one row per key) a chunk
at a time. Each chunk is deleted and returned in one statement, so two folds running at once never move a
change twice (on PostgreSQL the same statement sums them per key and adds the sums to the counts). Readers
read both tables (`counted`), so a count is right whether or not the changes were folded yet. The lease
sweeper folds every round, and a report or a reconciliation folds first when many changes are waiting.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple, cast

from sqlalchemy import Subquery, Table, delete, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningDelete

from storage.catalog import Catalog
from storage.tables import ReconcileCount, ReconcileCountChange, ReportCount, ReportCountChange


class Counters(NamedTuple):
    """One set of counters: the folded counts, the changes waiting, the key and what is counted under it."""

    counts: Any
    changes: Any
    key: tuple[str, ...]
    measures: tuple[str, ...]


KEY = ("local_day", "organ_name", "type_name", "status", "signed")
MEASURES = ("documents", "pages", "files_received", "duplicates")
REPORTS = Counters(ReportCount, ReportCountChange, KEY, MEASURES)
RECONCILE_KEY = ("batch_id", "local_day", "status")
RECONCILIATION = Counters(
    ReconcileCount,
    ReconcileCountChange,
    RECONCILE_KEY,
    tuple(c.name for c in cast(Table, ReconcileCount.__table__).columns if c.name not in RECONCILE_KEY),
)
#: Changes moved per transaction.
FOLD_CHUNK = 20_000
#: A report folds first when at least this many changes wait (fewer cost less to read than to fold).
FOLD_BEFORE_REPORT = 10_000


def fold_changes(
    catalog: Catalog, chunk: int = FOLD_CHUNK, counters: tuple[Counters, ...] = (REPORTS, RECONCILIATION)
) -> int:
    """Move the appended changes into the counts per key, of each set; returns how many changes were moved."""
    fold = _fold_chunk_in_sql if catalog.engine.dialect.name == "postgresql" else _fold_chunk
    moved = 0
    for kept in counters:
        while True:
            with catalog.session() as s:
                folded = fold(s, kept, chunk)
            moved += folded
            if folded < chunk:
                break
    return moved


def _oldest_deleted(kept: Counters, chunk: int) -> ReturningDelete[Any]:
    """Delete the `chunk` oldest changes, returning them."""
    changes = cast(Table, kept.changes.__table__)
    oldest = select(changes.c.id).order_by(changes.c.id).limit(chunk).scalar_subquery()
    returned = (changes.c[n] for n in (*kept.key, *kept.measures))
    return delete(changes).where(changes.c.id.in_(oldest)).returning(*returned)


def _fold_chunk_in_sql(s: Session, kept: Counters, chunk: int) -> int:
    """PostgreSQL: one statement deletes a chunk of changes and adds their sums per key to the counts (about
    100,000 changes a second at 700,000 documents, where summing them in Python moved 16,000-18,000)."""
    from sqlalchemy.dialects.postgresql import insert  # here: it loads slowly, and most reports fold nothing

    key, measures = kept.key, kept.measures
    moved = _oldest_deleted(kept, chunk).cte("moved")
    sums = select(*(moved.c[k] for k in key), *(func.sum(moved.c[m]) for m in measures)).group_by(
        *(moved.c[k] for k in key)
    )
    added = insert(kept.counts).from_select([*key, *measures], sums)
    upsert = added.on_conflict_do_update(
        index_elements=list(key), set_={m: getattr(kept.counts, m) + added.excluded[m] for m in measures}
    )
    return int(s.scalar(select(func.count()).select_from(moved).add_cte(upsert.cte("added"))) or 0)


def _fold_chunk(s: Session, kept: Counters, chunk: int) -> int:
    """Elsewhere (SQLite, whose WITH holds no DELETE): the chunk's changes summed here, a key at a time."""
    from sqlalchemy.dialects.sqlite import insert  # here: it loads slowly, and most reports fold nothing

    names, measures = kept.key, kept.measures
    rows = s.execute(_oldest_deleted(kept, chunk)).all()
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(measures))
    for row in rows:
        totals = sums[tuple(row[: len(names)])]
        for i, value in enumerate(row[len(names) :]):
            totals[i] += value
    for key, totals in sorted(sums.items()):
        values = dict(zip((*names, *measures), (*key, *totals), strict=True))
        statement = insert(kept.counts).values(values)
        added = {m: getattr(kept.counts, m) + statement.excluded[m] for m in measures}
        s.execute(statement.on_conflict_do_update(index_elements=list(names), set_=added))
    return len(rows)


def changes_waiting(catalog: Catalog, up_to: int, counters: Counters = REPORTS) -> int:
    """How many changes wait to be folded, counted no further than `up_to`."""
    with catalog.session() as s:
        waiting = select(literal(1)).select_from(counters.changes).limit(up_to).subquery()
        return s.scalar(select(func.count()).select_from(waiting)) or 0


def counted(counters: Counters = REPORTS) -> Subquery:
    """Every count, folded or not yet: the rows of both tables (sum them per key)."""
    names = (*counters.key, *counters.measures)
    return union_all(
        select(*(getattr(counters.counts, n) for n in names)),
        select(*(getattr(counters.changes, n) for n in names)),
    ).subquery("counted")
