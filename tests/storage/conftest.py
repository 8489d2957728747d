"""The catalog every storage test runs on: SQLite (the embedded default) and this machine's PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.catalog import Catalog


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")  # an unreachable server fails in CI, as everywhere else
    catalog = Catalog(url)
    try:
        yield catalog
    finally:
        catalog.close()
