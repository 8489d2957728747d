"""The text is kept once: a stored record refers to its pages' text, and reads back whole (SQLite, PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bench.scale import document_record
from schemas.record import DocumentRecord
from storage import migrations
from storage.catalog import Catalog
from storage.tables import Document, Page


def archived(catalog: Catalog, record: DocumentRecord, batch: str) -> None:
    """Through the calls the pipeline makes: each page's info (with its text) first, then the record."""
    source = record.source
    catalog.receive(batch, filename=source.filename, sha256=source.sha256, size_bytes=1, incoming_key=record.id)
    catalog.start_pages(record.id, "application/pdf", len(record.pages))
    for page in record.pages:
        catalog.finish_page(record.id, page.number, status="done", info=page.model_dump(mode="json"))
    catalog.finish(record.id, record)


def stored(catalog: Catalog, document_id: str) -> tuple[dict, int]:
    with catalog.session() as s:
        record = s.scalar(select(Document.record).where(Document.id == document_id))
        size = s.scalar(select(func.length(func.cast(Document.record, Document.filename.type))))
    return record, size


def test_a_record_keeps_no_text_its_pages_hold_and_reads_back_whole(catalog: Catalog):
    record = document_record(0, seed=21)
    archived(catalog, record, catalog.create_batch())

    data, _ = stored(catalog, record.id)
    assert "text" not in data and all("text" not in page for page in data["pages"])
    assert data["metadata"]["organ_name"] == record.metadata.organ_name
    assert catalog.record(record.id) == record
    assert len(record.text) > 2000  # what was left out


def test_a_text_the_pages_do_not_hold_stays_in_the_record(catalog: Catalog):
    record = document_record(1, seed=21)
    edited = record.model_copy(
        update={
            "pages": [record.pages[0].model_copy(update={"text": "Trang đã sửa"}), *record.pages[1:]],
            "text": "Văn bản khác",
        }
    )
    batch = catalog.create_batch()
    archived(catalog, record, batch)  # the page rows hold the first reading
    catalog.finish(record.id, edited.model_copy(update={"status": "needs_review"}))

    data, _ = stored(catalog, record.id)
    assert data["text"] == "Văn bản khác" and data["pages"][0]["text"] == "Trang đã sửa"
    assert "text" not in data["pages"][1]
    assert catalog.record(record.id) == edited.model_copy(update={"status": "needs_review"})


def test_records_stored_whole_before_are_cut_down_and_put_back_by_the_migrations(catalog: Catalog):
    records = [document_record(index, seed=23) for index in range(3)]
    batch = catalog.create_batch()
    for record in records:
        archived(catalog, record, batch)
    migrations.downgrade(catalog.engine, "0009")
    whole = [stored(catalog, record.id) for record in records]
    assert all(data["text"] == record.text for (data, _), record in zip(whole, records, strict=True))

    migrations.upgrade(catalog.engine)

    for record, (_, size_before) in zip(records, whole, strict=True):
        data, size = stored(catalog, record.id)
        assert "text" not in data and size < size_before - 2 * len(record.text)
        assert catalog.record(record.id) == record
    # a page row without its text leaves the record its own copy, and it still reads back whole
    migrations.downgrade(catalog.engine, "0009")
    with catalog.session() as s:
        s.execute(update(Page).where(Page.document_id == records[0].id, Page.number == 1).values(info={}))
    migrations.upgrade(catalog.engine)
    data, _ = stored(catalog, records[0].id)
    assert data["pages"][0]["text"] == records[0].pages[0].text and "text" not in data["pages"][1]
    assert catalog.record(records[0].id) == records[0]
