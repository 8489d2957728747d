"""Ranking within the index's best candidates: a page is ordered among them, and a far page widens them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from storage import search as search_module
from storage.catalog import Catalog
from storage.search import SearchQuery, search
from tests.storage.test_search import add_document


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, tmp_path) -> Iterator[Catalog]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    catalog = Catalog(url or f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    try:
        yield catalog
    finally:
        catalog.close()


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
