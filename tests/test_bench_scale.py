"""The scale bench fills a catalog through the pipeline's catalog calls and measures it, on both backends."""

from __future__ import annotations

import pytest

from bench import scale
from storage.audit import AuditLog, EventFilter
from storage.audit_verify import verify_chain
from storage.catalog import Catalog
from storage.search import SearchQuery, search


def test_filled_documents_are_archived_searchable_and_audited_like_the_pipeline_s(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    try:
        scale.fill(catalog, 0, 12, seed=1)
        assert len(catalog.ids_with_status("archived")) == 12
        record = scale.document_record(3, seed=1)
        assert catalog.record(record.id) == record  # the record as archived, pages and text included
        assert [p.info["text"] for p in catalog.pages(record.id)] == [p.text for p in record.pages]
        found = search(catalog, SearchQuery(str(record.metadata.document_number)))
        assert record.id in [hit.document_id for hit in found.hits]
        actions = [e.action for e in reversed(AuditLog(catalog).events(EventFilter(document_id=record.id)))]
        assert actions[0] == "received" and actions[-1] == "archived" and "signed" in actions
        assert verify_chain(catalog).ok
    finally:
        catalog.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_bench_prints_every_measurement_for_each_size(backend, tmp_path, capsys, request):
    args = ["--documents", "20", "40", "--backend", backend, "--work", str(tmp_path)]
    if backend == "postgresql":  # a fresh database of its own; the server must answer (in CI a failure, not a skip)
        args += ["--postgres-url", request.getfixturevalue("postgres_url")]
    assert scale.main(args) == 0
    out = capsys.readouterr().out
    assert f"{backend}, 20 documents" in out and f"{backend}, 40 documents" in out
    measured = [f"search: {name}" for name in scale.QUERIES]
    measured += ["search: holder id", "report by month", "rates", "reconciliation", "audit verify"]
    for what in [*measured, "CLI: sohoa catalog rebuild"]:
        assert out.count(what) >= 2, what
    assert "intact: True" in out and "catalog bytes per document" in out
    if backend == "postgresql":
        assert out.count("search plan: rare words") == 2 and "search_entries" in out
