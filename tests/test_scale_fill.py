"""The scale bench's bulk fill writes the rows its pipeline fill writes, on both backends.

Forty documents are filled into one fresh catalog by `bench.scale.fill` and into another by
`bench.scale_fill.bulk_fill`, each in two calls (0-25, then 25-40: the second continues the audit chain and
starts a second batch), the bulk one in chunks of ten. Then every table's rows must be equal, column by
column as the database holds them (each read as text, so JSON `null` is not SQL NULL and JSON is compared
as stored), but for:

- wall-clock times (`WALL_CLOCK`): when a batch was made, a file received, a row last updated, an entry
  indexed, an event appended; and the audit hashes, which cover the event's time: the bulk catalog's chain
  must verify instead, and its events (ids, actions, actors, documents, details) equal the pipeline's in
  order. The report counters' day is that of the receipt, so it is kept: both fills run on the same day
  (Vietnam time) unless a run straddles its midnight, 17:00 UTC;
- the batches' ids, random (`Catalog.create_batch`): each is replaced, wherever it appears, by its batch's
  place in time;
- the ids of the report counter changes (`SURROGATE`): the triggers append the same changes, but the bulk
  fill makes each change for a chunk of documents before the next, where the pipeline makes every change
  of a document before the next document's;
- the reconciliation counters' changes (`NET`), compared by what they add up to per key: the bulk fill
  writes a document's pages done at once, where the pipeline counts each page as it is done.

The full-text index is compared too: PostgreSQL's tsvector columns with the rows, SQLite's FTS5 index
word by word (`fts5vocab`). Search and the monthly report must then answer the same on both catalogs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, Table, Text, cast, column, func, inspect, or_, select

from bench.scale import catalog_holder_id, fill
from bench.scale_fill import bulk_fill
from bench.workers import fresh_database
from storage.audit_verify import verify_chain
from storage.catalog import Catalog
from storage.reports import ReportQuery, build_report
from storage.search import SearchQuery, search
from storage.tables import UNMODELLED_COLUMNS, Base, Batch

SEED = 1
STEPS = ((0, 25), (25, 40))
CHUNK = 10
#: Columns holding the time a row was written (and the audit hashes, which cover it).
WALL_CLOCK = {
    "batches": {"created_at"},
    "receipts": {"received_at"},
    "documents": {"received_at", "updated_at"},
    "pages": {"updated_at"},
    "search_entries": {"indexed_at"},
    "audit_events": {"at", "prev_hash", "hash"},
}
#: Autoincrement ids that legitimately differ: the same changes are appended in another order.
SURROGATE = {"report_count_changes": {"id"}}
#: Changes compared by their sums per key (the key's columns).
NET = {"reconcile_count_changes": ("batch_id", "local_day", "status")}

Rows = list[tuple[str | None, ...]]


@contextmanager
def two_catalogs(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Catalog, Catalog]]:
    """Two fresh, empty catalogs on `backend`: one for the pipeline's fill, one for the bulk fill."""
    if backend == "sqlite":
        urls = [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("pipeline", "bulk")]
        with Catalog(urls[0]) as pipeline, Catalog(urls[1]) as bulk:
            yield pipeline, bulk
        return
    # the fixture's database first: without a server it skips, or fails in CI (`tests.conftest.unavailable`)
    first = request.getfixturevalue("postgres_url")
    with fresh_database() as second, Catalog(first) as pipeline, Catalog(second) as bulk:
        yield pipeline, bulk


def table_rows(catalog: Catalog, table: Table) -> Rows:
    """A table's rows, every compared column as text."""
    if table.name in NET:
        return net_rows(catalog, table, NET[table.name])
    left_out = WALL_CLOCK.get(table.name, set()) | SURROGATE.get(table.name, set())
    columns: list[ColumnElement[Any]] = [table.c[c.name] for c in table.columns if c.name not in left_out]
    # the columns the models do not describe: PostgreSQL's tsvectors, SQLite's archive key without its extension
    present = {c["name"] for c in inspect(catalog.engine).get_columns(table.name)}
    columns += [column(name) for owner, name in sorted(UNMODELLED_COLUMNS) if owner == table.name and name in present]
    with catalog.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(*(cast(c, Text) for c in columns)).select_from(table))]


def net_rows(catalog: Catalog, table: Table, key_names: tuple[str, ...]) -> Rows:
    """The sums of a table of changes per key, as text, for the keys whose changes do not cancel out."""
    key = [table.c[name] for name in key_names]
    sums = [func.sum(c) for c in table.columns if c.name not in (*key_names, "id")]
    query = select(*(cast(c, Text) for c in (*key, *sums))).group_by(*key).having(or_(*(n != 0 for n in sums)))
    with catalog.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def batch_places(catalog: Catalog) -> dict[str, str]:
    """Each batch's random id → its place in time ("batch 1", "batch 2"...)."""
    with catalog.engine.connect() as connection:
        ids = connection.scalars(select(Batch.id).order_by(Batch.created_at)).all()
    return {batch_id: f"batch {place}" for place, batch_id in enumerate(ids, start=1)}


def catalog_rows(catalog: Catalog) -> dict[str, Rows]:
    """Every table's rows, batch ids replaced by their places (in keys, references and audit details alike),
    in a stable order."""
    places = batch_places(catalog)

    def placed(value: str | None) -> str | None:
        for batch_id, place in places.items():
            value = value.replace(batch_id, place) if value else value
        return value

    def in_order(rows: Rows) -> Rows:
        placed_rows = (tuple(placed(value) for value in row) for row in rows)
        return sorted(placed_rows, key=lambda row: [(value is None, value or "") for value in row])

    return {table.name: in_order(table_rows(catalog, table)) for table in Base.metadata.sorted_tables}


def fulltext_words(catalog: Catalog) -> list[tuple[str, int, str, int]]:
    """SQLite's FTS5 index: every word it holds, with its entry, column and place."""
    with catalog.engine.connect() as connection:
        connection.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts_words USING fts5vocab(main, search_fts, instance)")
        words = connection.exec_driver_sql('SELECT term, doc, col, "offset" FROM temp.fts_words ORDER BY 1, 2, 3, 4')
        listed = [(term, doc, col, offset) for term, doc, col, offset in words]
        connection.exec_driver_sql("DROP TABLE temp.fts_words")
    return listed


def answers(catalog: Catalog) -> list[object]:
    """What search and the monthly report say on the catalog."""
    holder = catalog_holder_id(STEPS[-1][1], SEED)
    assert holder is not None
    queries = [SearchQuery("quyết định"), SearchQuery("giay phep"), SearchQuery(holder_id=holder)]
    queries += [SearchQuery('"quyền sử dụng đất"', per_page=100), SearchQuery("thu*", page=2, per_page=5)]
    found = [search(catalog, query) for query in queries]
    report = build_report(catalog, ReportQuery(by="month"), with_ids=False).to_json()
    del report["generated_at"]
    return [[(hit.document_id, hit.exact) for hit in result.hits] + [result.total] for result in found] + [report]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bulk_fill_writes_the_rows_the_pipeline_fill_writes(backend, tmp_path, request):
    with two_catalogs(backend, tmp_path, request) as (pipeline, bulk):
        for start, stop in STEPS:
            fill(pipeline, start, stop, SEED)
            bulk_fill(bulk, start, stop, SEED, chunk=CHUNK)

        assert verify_chain(bulk).ok
        expected, written = catalog_rows(pipeline), catalog_rows(bulk)
        assert len(expected["documents"]) == STEPS[-1][1] and len(expected["audit_events"]) == 8 * STEPS[-1][1]
        assert expected["report_count_changes"] and expected["reconcile_count_changes"] and expected["search_entries"]
        for table, rows in expected.items():
            assert written[table] == rows, f"{table} differs"
        if backend == "sqlite":  # PostgreSQL's full-text index is the search entries' tsvector columns, compared
            words = fulltext_words(pipeline)
            assert words and fulltext_words(bulk) == words
        assert answers(bulk) == answers(pipeline)
