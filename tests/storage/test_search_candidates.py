"""Ranking within the index's best candidates: a page is ordered among them, and a far page widens them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy

from storage import search as search_module
from storage.catalog import Catalog
from storage.search import SearchQuery, search
from tests.storage.test_search import add_document


def test_only_the_best_matches_by_the_index_s_rank_are_ordered_yet_every_page_is_reached(catalog, monkeypatch):
    # one document says "giấy phép" three times, the others once; one spells it as typed only once, unmarked
    best = add_document(catalog, "best", "Giấy phép. Giấy phép xây dựng. Cấp giấy phép.", issued_date=date(2020, 1, 1))
    others = [
        add_document(catalog, f"doc{n}", f"Giay phep so {n}, cấp cho hộ {n}.", issued_date=date(2024, 1, n + 1))
        for n in range(6)
    ]
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    first = search(catalog, SearchQuery("giấy phép", per_page=2))
    assert first.total == 7 and first.hits[0].document_id == best  # spelled as typed, and the index ranks it first
    seen = [
        h.document_id
        for page in (1, 2, 3, 4)
        for h in search(catalog, SearchQuery("giấy phép", page=page, per_page=2)).hits
    ]
    assert sorted(seen) == sorted([best, *others])  # the candidates widen to reach each page


def test_matches_are_counted_up_to_the_cap_and_the_results_say_there_are_more(catalog, monkeypatch):
    for n in range(5):
        add_document(catalog, f"doc{n}", f"Biên bản họp số {n}.", issued_date=date(2024, 1, n + 1))
    monkeypatch.setattr(search_module, "TOTAL_CAP", 3)
    results = search(catalog, SearchQuery("bien ban", per_page=2))
    assert (results.total, results.total_capped, results.pages) == (3, True, 2)
    assert len(search(catalog, SearchQuery("bien ban", page=3, per_page=2)).hits) == 1  # the fifth is still there
    exact = search(catalog, SearchQuery("họp số 4"))
    assert (exact.total, exact.total_capped) == (1, False)


def test_candidates_read_from_the_index_s_top_are_those_of_ranking_every_match(tmp_path, monkeypatch):
    """SQLite reads the best candidates from the full-text index's own top ranks and joins only those; the
    rows must be the ones ranking every match gives, also with ties at the end and documents not archived."""
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    try:
        for n in range(12):  # several with the same text, so the same rank: ties broken by date, then by id
            text = "Giấy phép xây dựng nhà ở." if n % 3 else f"Giay phep xay dung so {n}. Giấy phép số {n}."
            add_document(catalog, f"doc{n}", text, issued_date=date(2024, 1, 1 + n % 4) if n % 5 else None)
        add_document(catalog, "held", "Giấy phép xây dựng nhà ở.", status="needs_review")
        monkeypatch.setattr(search_module, "CANDIDATES", 5)
        used: list[bool] = []
        top = search_module._from_the_index_top

        def spy(*args):
            found = top(*args)
            used.append(found is not None)
            return found

        def pages(query: str) -> list[tuple[str, int]]:
            return [
                (hit.document_id, hit.exact)
                for page in (1, 2, 3, 4)
                for hit in search(catalog, SearchQuery(query, page=page, per_page=3)).hits
            ]

        queries = ("giấy phép", "giay phep xay dung", "nhà ở", "xây*")
        for margin in (1, 3, 50):
            monkeypatch.setattr(search_module, "CANDIDATE_MARGIN", margin)
            monkeypatch.setattr(search_module, "_from_the_index_top", spy)
            fast = {query: pages(query) for query in queries}
            monkeypatch.setattr(search_module, "_from_the_index_top", lambda *_: None)
            assert {query: pages(query) for query in queries} == fast, margin
        assert True in used and False in used  # both the index's top and, at a tie, every match were used
    finally:
        catalog.close()


def test_on_postgresql_a_query_with_many_matches_ranks_its_newest_and_lists_the_rest_newest_first(
    postgres_url: str, monkeypatch
):
    """PostgreSQL's index keeps no rank order, so ranking every match of a common word reads them all: beyond
    RANKED_MATCHES, the CANDIDATES newest matches are ordered by exact spellings and relevance, the rest by date."""
    catalog = Catalog(postgres_url)
    try:
        best = add_document(
            catalog, "best", "Giấy phép. Giấy phép xây dựng. Cấp giấy phép.", issued_date=date(2020, 1, 1)
        )
        doc = [
            add_document(
                catalog,
                f"doc{n}",
                f"Giấy phép số {n}." if n == 4 else f"Giay phep so {n}, cấp cho hộ {n}.",
                issued_date=date(2024, 1, n + 1),
            )
            for n in range(6)
        ]

        def pages() -> list[str]:
            results = [search(catalog, SearchQuery("giấy phép", page=page, per_page=2)) for page in (1, 2, 3, 4)]
            assert {r.total for r in results} == {7}
            assert {r.ranked_among_newest for r in results} == {0 if search_module.RANKED_MATCHES >= 7 else 3}
            return [hit.document_id for r in results for hit in r.hits]

        monkeypatch.setattr(search_module, "CANDIDATES", 3)
        assert pages()[:2] == [best, doc[4]]  # seven matches, all ranked: the best first wherever its date
        monkeypatch.setattr(search_module, "RANKED_MATCHES", 6)
        # the three newest ranked (spelled as typed first, then equal relevance by date), then the rest by date
        assert pages() == [doc[4], doc[5], doc[3], doc[2], doc[1], doc[0], best]
    finally:
        catalog.close()


def test_on_postgresql_a_phrase_with_many_matches_lists_only_the_phrase_newest_first(postgres_url: str, monkeypatch):
    """Beyond RANKED_MATCHES, a phrase's words are matched from the index and the phrase tested on the newest
    rows one by one: documents with the words apart are not listed, and every page is reached."""
    catalog = Catalog(postgres_url)
    try:
        phrase = [
            add_document(catalog, f"p{n}", f"Cấp giấy chứng nhận số {n}.", issued_date=date(2024, 1, 2 * n + 1))
            for n in range(5)
        ]
        for n in range(5):  # the same words, not in a row, on dates between the others
            add_document(
                catalog, f"w{n}", f"Giấy số {n} cấp cho người có chứng nhận.", issued_date=date(2024, 1, 2 * n + 2)
            )
        monkeypatch.setattr(search_module, "RANKED_MATCHES", 2)
        monkeypatch.setattr(search_module, "CANDIDATES", 2)
        results = [search(catalog, SearchQuery('"cấp giấy chứng nhận"', page=page, per_page=2)) for page in (1, 2, 3)]
        assert {r.total for r in results} == {5} and {r.ranked_among_newest for r in results} == {2}
        assert [hit.document_id for r in results for hit in r.hits] == phrase[::-1]
    finally:
        catalog.close()


def test_on_postgresql_a_listing_of_more_documents_than_are_ranked_is_the_newest_first(postgres_url: str, monkeypatch):
    """With no words there is nothing to rank: however many documents the filters admit, they are listed
    newest first from the date index, on every page."""
    catalog = Catalog(postgres_url)
    try:
        docs = [
            add_document(
                catalog,
                f"doc{n}",
                f"Quyết định số {n}.",
                issued_date=date(2024, 1, n + 1),
                organ_name="ỦY BAN NHÂN DÂN",
            )
            for n in range(5)
        ]
        monkeypatch.setattr(search_module, "RANKED_MATCHES", 2)
        for query, expected in (
            (SearchQuery(""), docs[::-1]),
            (SearchQuery(agency="ủy ban"), docs[::-1]),
            (SearchQuery(date_from=date(2024, 1, 2)), docs[:0:-1]),
        ):
            pages = [search(catalog, replace(query, page=page, per_page=2)) for page in (1, 2, 3)]
            assert [h.document_id for r in pages for h in r.hits] == expected, query
            assert {r.ranked_among_newest for r in pages} == {0}
    finally:
        catalog.close()


def test_on_postgresql_matches_beyond_the_newest_window_are_found_by_sorting_them_all(postgres_url: str, monkeypatch):
    """Too many matches to rank are first looked for among the newest entries, walked in date order; when
    those hold too few, every match is sorted by date instead, and the pages are the same."""
    catalog = Catalog(postgres_url)
    try:
        matching = [
            add_document(catalog, f"old{n}", f"Giấy phép số {n}.", issued_date=date(2020, 1, n + 1)) for n in range(5)
        ]
        for n in range(8):  # newer, without the words
            add_document(catalog, f"new{n}", f"Biên bản họp số {n}.", issued_date=date(2024, 1, n + 1))
        monkeypatch.setattr(search_module, "RANKED_MATCHES", 2)
        monkeypatch.setattr(search_module, "CANDIDATES", 2)
        sorted_all = search_module._newest_matches
        used: list[str] = []
        monkeypatch.setattr(search_module, "_newest_matches", lambda *a: used.append("sorted") or sorted_all(*a))

        def pages() -> list[str]:
            results = [search(catalog, SearchQuery("giấy phép", page=page, per_page=2)) for page in (1, 2, 3)]
            return [hit.document_id for r in results for hit in r.hits]

        assert pages() == matching[::-1] and not used  # the newest 2,000 entries hold them all
        monkeypatch.setattr(search_module, "NEWEST_WINDOW", 0)  # the window: the 4 newest, none a match
        assert pages() == matching[::-1] and used
    finally:
        catalog.close()


def test_on_postgresql_a_common_query_found_among_the_newest_is_not_counted_and_its_pages_are_the_same(
    postgres_url: str, monkeypatch
):
    """A query the planner expects in many entries takes its candidates from the newest entries; when they hold
    them, its matches are not listed to be counted ("more than" the cap), and every page is what counting them
    gave. When the newest do not hold them, the estimate was wrong: the matches are counted after all."""
    catalog = Catalog(postgres_url)
    listings: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("SELECT e.id FROM search_entries e WHERE"):
            listings.append(statement)

    sqlalchemy.event.listen(catalog.engine, "before_cursor_execute", keep)
    try:
        older = [
            add_document(catalog, f"b{n}", f"Biên bản số {n}.", issued_date=date(2020, 1, n + 1)) for n in range(8)
        ]
        newer = [
            add_document(catalog, f"g{n}", f"Giấy phép số {n}.", issued_date=date(2024, 1, n + 1)) for n in range(12)
        ]
        for name, value in (("RANKED_MATCHES", 2), ("CANDIDATES", 3), ("NEWEST_RANKED", 3), ("TOTAL_CAP", 9)):
            monkeypatch.setattr(search_module, name, value)
        monkeypatch.setattr(search_module, "NEWEST_WINDOW", 0)  # the window: the 6 newest entries
        monkeypatch.setattr(search_module, "COMMON_REACH", 0)  # whatever the share the planner expects

        def pages(words: str, total: tuple[int, bool]) -> list[str]:
            results = [search(catalog, SearchQuery(words, page=page, per_page=2)) for page in range(1, 6)]
            assert {(r.total, r.total_capped) for r in results} == {total}
            return [hit.document_id for r in results for hit in r.hits]

        assert pages("giấy phép", (9, True)) == newer[:1:-1] and pages("biên bản", (8, False)) == older[::-1]
        assert len(listings) == 10
        listings.clear()
        monkeypatch.setattr(search_module, "COMMON_SHARE", 0.0)  # every query is expected to be common
        monkeypatch.setattr(search_module, "COMMON_CAPS", 0)
        assert pages("giấy phép", (9, True)) == newer[:1:-1] and not listings  # the newest hold 3 candidates
        assert pages("biên bản", (8, False)) == older[::-1] and len(listings) == 5  # they hold none: counted
    finally:
        catalog.close()
