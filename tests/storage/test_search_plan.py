"""How the database runs a search: the full-text index drives it, so its cost follows the matches, not the archive."""

from __future__ import annotations

import re
from datetime import date

from bench.scale import count_plan, count_statement, fill, search_statements
from storage import migrations
from storage.catalog import Catalog
from storage.search import SearchQuery, search
from tests.storage.test_search import add_document


def test_on_sqlite_the_matches_drive_the_search_not_the_archived_documents(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    try:
        fill(catalog, 0, 30, seed=1)
        for words in ("quyết định", "giay phep xay dung", "thu*"):
            counted = count_statement(catalog, SearchQuery(words))
            with catalog.engine.connect() as connection:
                plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {counted[0]}", counted[1])]
            steps = [step for step in plan if not step.startswith("CO-ROUTINE")]  # the count's capped subquery
            assert steps[0].startswith("SCAN search_fts VIRTUAL TABLE"), plan  # the index first
            assert not any("ix_documents_status" in step or step.startswith("SCAN d") for step in plan), plan
    finally:
        catalog.close()


def test_on_sqlite_a_listing_by_agency_or_date_walks_the_date_index_not_every_archived_document(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    try:
        fill(catalog, 0, 30, seed=1)
        for query in (SearchQuery(agency="ủy ban"), SearchQuery(date_from=date(2021, 1, 1))):
            for statement, parameters in search_statements(catalog, query)[:2]:  # the count, then the page
                with catalog.engine.connect() as connection:
                    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                    plan = [row[-1] for row in rows]
                assert not any("ix_documents_status" in step for step in plan), plan
                if "ORDER BY" in statement and query.date_from:
                    assert any("ix_search_entries_issued_date" in step for step in plan), plan
    finally:
        catalog.close()


def test_on_postgresql_the_gin_index_alone_counts_every_kind_of_query(postgres_url: str):
    """The count reads the GIN index's bitmap and nothing else: no sequential scan (it would decompress every
    tsvector) and no join to the documents (each entry says whether its document is archived)."""
    catalog = Catalog(postgres_url)
    try:
        fill(catalog, 0, 30, seed=1)
        for words in ("quyết định", "giay phep xay dung", "thu*", '"quyền sử dụng đất"'):
            plan = "\n".join(count_plan(catalog, SearchQuery(words), analyze=True))
            assert "Bitmap Index Scan on ix_search_entries_folded_tsv" in plan, plan
            assert "Seq Scan" not in plan and "documents" not in plan, plan
    finally:
        catalog.close()


def test_on_postgresql_a_search_reads_narrow_rows_the_text_and_tsvectors_out_of_line(postgres_url: str):
    """Counting and sorting matches read each row's flag, date and id: the long values live in the TOAST
    table, the short ones a search filters and sorts on stay in the row, uncompressed (migration 0016)."""
    catalog = Catalog(postgres_url)
    try:
        fill(catalog, 0, 40, seed=1)
        with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # only the live rows, packed (the fill's status changes leave old row versions behind)
            connection.exec_driver_sql("VACUUM FULL search_entries")
        with catalog.engine.connect() as connection:
            rows, text_bytes, pages = connection.exec_driver_sql(
                "SELECT count(*), sum(octet_length(content)), pg_relation_size('search_entries') / 8192 "
                "FROM search_entries"
            ).one()
            ids = connection.exec_driver_sql(
                "SELECT pg_column_size(document_id), length(document_id) FROM search_entries"
            )
            assert all(size == chars + 1 for size, chars in ids)  # in line: its characters and a length byte
        assert rows == 40 and text_bytes > 40 * 2000
        assert pages <= 3, pages  # 40 rows of about 200 bytes; with the text in line, 2 KB each: ten pages
    finally:
        catalog.close()


def _entries_with(catalog: Catalog, lexeme: str) -> int:
    with catalog.engine.connect() as connection:
        query = "SELECT count(*) FROM search_entries WHERE folded_tsv @@ CAST(%(lexeme)s AS tsquery)"
        return connection.exec_driver_sql(query, {"lexeme": f"'{lexeme}'"}).scalar_one()


def test_on_postgresql_a_document_number_is_looked_up_by_its_pairs_and_no_other_entry_is_read(postgres_url: str):
    """A number such as 82/TB-UBND is a phrase of words each in many entries. The index holds its pairs with
    a digit as lexemes of their own (migration 0019), so the entries with its words apart are not even tested."""
    catalog = Catalog(postgres_url)
    try:
        number = add_document(catalog, "number", "Thông báo số 82/TB-UBND ngày 3 tháng 5 năm 2024.")
        for n in range(6):  # every word of the number, never in a row
            add_document(catalog, f"apart{n}", f"Thông báo số {n}/TB-UBND về 82 hộ dân, năm 2024.")
        assert [hit.document_id for hit in search(catalog, SearchQuery("82/TB-UBND")).hits] == [number]
        pairs = [_entries_with(catalog, pair) for pair in ("82 tb", "so 82", "tb ubnd")]
        assert pairs == [1, 1, 0]  # "tb ubnd" has no digit: not indexed
        plan = "\n".join(count_plan(catalog, SearchQuery("82/TB-UBND"), analyze=True))
        scan = next(line for line in plan.splitlines() if "Bitmap Index Scan on ix_search_entries_folded_tsv" in line)
        listed = re.search(r"actual time=\S+ rows=(\d+)", scan)
        assert listed and listed[1] == "1", plan  # the one entry with the pair, of seven with the words
        assert "Rows Removed by Index Recheck" not in plan, plan

        # a prefix's last word is not paired, and is still found
        assert [hit.document_id for hit in search(catalog, SearchQuery("82/TB-UBN*")).hits] == [number]

        # And a catalog written before the pairs were indexed gets them from the migration
        migrations.downgrade(catalog.engine, "0018")
        assert _entries_with(catalog, "82 tb") == 0
        migrations.upgrade(catalog.engine)
        assert _entries_with(catalog, "82 tb") == 1
        assert [hit.document_id for hit in search(catalog, SearchQuery("82/TB-UBND")).hits] == [number]
    finally:
        catalog.close()
