"""Catalog migrations, on SQLite (embedded) and on the PostgreSQL server of this machine."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine

from storage import migrations
from storage.catalog import Catalog, sqlalchemy_url
from storage.catalog_base import _sqlite_pragmas
from storage.tables import Base, include_object, utcnow

HEAD = migrations.head_revision()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = create_engine(sqlalchemy_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list:
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object}  # search's FTS parts are not models
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, Base.metadata)


def test_an_empty_database_migrates_to_exactly_the_models(engine: Engine):
    # Given a database with nothing in it
    assert migrations.current_revision(engine) is None

    # When it is migrated
    migrations.upgrade(engine)

    # Then it is at head and its schema is the models', to the index (a model changed without a
    # revision fails here)
    assert migrations.current_revision(engine) == HEAD
    assert schema_differences(engine) == []


def test_a_catalog_made_by_create_all_before_dead_letters_is_adopted_and_keeps_its_rows(engine: Engine):
    # Given a catalog made by the previous version: create_all without dead_letters, no alembic_version,
    # one document in it
    old_tables = [table for name, table in Base.metadata.tables.items() if name in migrations.LEGACY_BASELINES[-1][1]]
    Base.metadata.create_all(engine, tables=old_tables)
    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(Base.metadata.tables["batches"].insert().values(id="b1", created_at=utcnow(), origin="cli"))
        connection.execute(
            Base.metadata.tables["documents"]
            .insert()
            .values(
                id="d" * 24,
                batch_id="b1",
                sha256="d" * 64,
                filename="old.pdf",
                size_bytes=10,
                incoming_key="dd/" + "d" * 64,
                status="archived",
                received_at=utcnow(),
                updated_at=utcnow(),
            )
        )
    with engine.connect() as connection:
        assert migrations.legacy_baseline(connection) == "0001"

    # When the new version opens it
    catalog = Catalog(url)

    # Then it was stamped 0001 and upgraded: dead letters work and the document is still there
    try:
        assert migrations.current_revision(catalog.engine) == HEAD
        assert schema_differences(catalog.engine) == []
        assert catalog.document("d" * 24).filename == "old.pdf"
        assert catalog.archived_ids() == ["d" * 24]
        catalog.add_dead_letter(queue_name="default", body="{}", reason="test")
        assert len(catalog.dead_letters()) == 1
    finally:
        catalog.close()


def test_a_catalog_made_by_create_all_with_dead_letters_is_stamped_head(engine: Engine):
    # the tables create_all made before migrations existed (later tables only ever come from revisions)
    old_tables = [table for name, table in Base.metadata.tables.items() if name in migrations.LEGACY_BASELINES[0][1]]
    Base.metadata.create_all(engine, tables=old_tables)
    with engine.connect() as connection:
        assert migrations.legacy_baseline(connection) == "0002"
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == HEAD
    assert schema_differences(engine) == []


def test_a_database_with_only_some_catalog_tables_is_refused(engine: Engine):
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["batches"]])
    with pytest.raises(migrations.UnknownCatalogSchema, match="documents"):
        migrations.upgrade(engine)
    assert migrations.current_revision(engine) is None


def _open_catalog(url: str, barrier, results) -> None:
    """One worker starting: wait for the others, open the catalog, report its revision or the error."""
    try:
        barrier.wait(timeout=60)
        catalog = Catalog(url)
        results.put(migrations.current_revision(catalog.engine))
        catalog.close()
    except BaseException as exc:
        results.put(repr(exc))


@pytest.mark.parametrize("workers", ["processes", "threads"])
def test_four_openers_at_once_on_a_fresh_database_migrate_it_once(url: str, workers: str):
    # Given a fresh database and four workers (processes, as `sohoa worker` starts them, or threads of one
    # process) starting together
    if workers == "processes":
        context = multiprocessing.get_context("spawn")
        barrier, results = context.Barrier(4), context.Queue()
        starters = [context.Process(target=_open_catalog, args=(url, barrier, results)) for _ in range(4)]
    else:
        barrier, results = threading.Barrier(4), queue.Queue()
        starters = [threading.Thread(target=_open_catalog, args=(url, barrier, results)) for _ in range(4)]

    # When they all open the catalog
    for starter in starters:
        starter.start()
    reports = [results.get(timeout=120) for _ in starters]
    for starter in starters:
        starter.join(timeout=60)

    # Then every one succeeded, and the catalog is at head, migrated once
    assert reports == [HEAD] * 4
    catalog = Catalog(url)
    try:
        with catalog.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [(HEAD,)]
        assert schema_differences(catalog.engine) == []
    finally:
        catalog.close()


def test_downgrade_to_the_baseline_and_upgrade_again(engine: Engine):
    # Given a migrated catalog with a document
    migrations.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(Base.metadata.tables["batches"].insert().values(id="b1", created_at=utcnow(), origin="cli"))

    # When it goes back to 0001
    migrations.downgrade(engine, "0001")

    # Then dead_letters is gone and the rest is kept
    assert migrations.current_revision(engine) == "0001"
    assert "dead_letters" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(select(Base.metadata.tables["batches"].c.id)).scalars().all() == ["b1"]

    # And upgrading again restores the head schema
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == HEAD
    assert schema_differences(engine) == []


def test_opening_a_catalog_at_head_runs_no_migration(url: str, monkeypatch: pytest.MonkeyPatch):
    Catalog(url).close()

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a catalog at head was migrated again")

    import alembic.command

    monkeypatch.setattr(alembic.command, "upgrade", must_not_run)
    monkeypatch.setattr(migrations, "_migration_lock", must_not_run)
    catalog = Catalog(url)
    try:
        assert catalog.ids_with_status("archived") == []
    finally:
        catalog.close()


def test_a_catalog_migrated_by_a_newer_sohoa_is_refused_with_a_clear_error(engine: Engine):
    migrations.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(migrations.UnknownCatalogSchema, match=r"9999.*newer sohoa"):
        migrations.upgrade(engine)


def test_sqlite_foreign_keys_are_enforced_again_after_a_migration(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'catalog.sqlite3'}", pool_size=1, max_overflow=0)
    event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrations.upgrade(engine)
        migrations.downgrade(engine, "0001")
        with engine.connect() as connection:  # the pool's only connection: the one that migrated
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_the_head_read_from_the_file_names_is_alembic_s_head():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrations.alembic_config()).get_current_head() == HEAD


def test_a_catalog_at_the_newest_revision_opens_without_loading_alembic(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    Catalog(url).close()  # made and migrated
    probe = f"import sys\nfrom storage.catalog import Catalog\nCatalog({url!r}).close()\n"
    probe += "print('alembic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False"


def test_a_record_s_agency_type_signing_and_archive_fields_are_kept_in_columns_whoever_writes_it(
    url: str, engine: Engine
):
    from sqlalchemy import update

    from storage.tables import Document

    catalog = Catalog(url)
    try:
        batch = catalog.create_batch()
        doc = catalog.receive(batch, filename="a.pdf", sha256="ab" * 32, size_bytes=1, incoming_key="k").document_id
        odd = catalog.receive(batch, filename="b.pdf", sha256="cd" * 32, size_bytes=1, incoming_key="l").document_id
        record = {
            "metadata": {"organ_name": "SỞ NỘI VỤ", "type_name": "QUYẾT ĐỊNH", "page_amount": 3},
            "archive": {"signed_at": "t", "key": "d/d.pdf", "pdf_sha256": "ef" * 32},
        }
        with catalog.session() as s:  # a plain UPDATE, as an operator's script or a test would write it
            s.execute(update(Document).where(Document.id == doc).values(record=record))
            s.execute(update(Document).where(Document.id == odd).values(record={"metadata": {"page_amount": "many"}}))
        columns = (Document.organ_name, Document.type_name, Document.signed_at, Document.archive_key)
        fields = select(*columns, Document.archive_sha256, Document.page_amount).order_by(Document.filename)
        expected = [("SỞ NỘI VỤ", "QUYẾT ĐỊNH", "t", "d/d.pdf", "ef" * 32, 3), (None, None, None, None, None, None)]
        with catalog.session() as s:  # a page count that is not a number leaves the column empty
            assert [tuple(row) for row in s.execute(fields)] == expected
    finally:
        catalog.close()
    # a catalog from before the columns gets them filled from the records it holds
    for before in ("0005", "0016"):
        migrations.downgrade(engine, before)
        migrations.upgrade(engine)
        with engine.connect() as connection:
            assert [tuple(row) for row in connection.execute(fields)] == expected


def test_the_paper_page_count_is_kept_in_a_column_whoever_writes_the_intake(url: str, engine: Engine):
    from sqlalchemy import update

    from schemas.intake import Intake
    from storage.tables import Document

    catalog = Catalog(url)
    try:
        batch = catalog.create_batch()
        received = [
            catalog.receive(
                batch, filename=f"{n}.pdf", sha256=f"{n}" * 64, size_bytes=1, incoming_key=f"k{n}", intake=i
            )
            for n, i in enumerate([Intake(paper_pages=4), Intake(dossier_code="H1"), None, Intake(paper_pages=2)])
        ]
        with catalog.session() as s:  # a plain UPDATE, as an operator's script would write it
            s.execute(
                update(Document).where(Document.id == received[3].document_id).values(intake={"paper_pages": "x"})
            )
        pages = select(Document.paper_pages).order_by(Document.filename)
        with catalog.session() as s:  # a count that is not a whole number leaves the column empty
            assert list(s.scalars(pages)) == [4, None, None, None]
    finally:
        catalog.close()
    # a catalog from before the column gets it filled from the intakes it holds
    migrations.downgrade(engine, "0019")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE documents SET intake = :intake WHERE filename = '3.pdf'"), {"intake": '{"paper_pages": 7}'}
        )
    migrations.upgrade(engine)
    with engine.connect() as connection:
        assert list(connection.scalars(pages)) == [4, None, None, 7]
        assert {"ix_documents_reconcile"} <= {index["name"] for index in inspect(connection).get_indexes("documents")}


def test_each_document_counts_its_page_rows_and_receipts_whoever_writes_them(url: str, engine: Engine):
    catalog = Catalog(url)
    try:
        batch = catalog.create_batch()
        first, second = (
            catalog.receive(batch, filename=f"{n}.pdf", sha256=f"{n}" * 64, size_bytes=1, incoming_key=f"k{n}")
            for n in (1, 2)
        )
        catalog.receive(batch, filename="again.pdf", sha256="1" * 64, size_bytes=1, incoming_key="k1")  # a duplicate
        catalog.start_pages(first.document_id, "application/pdf", 3)
        catalog.finish_page(first.document_id, 1, status="done")
        catalog.finish_page(first.document_id, 2, status="failed")
        catalog.finish_page(first.document_id, 2, status="done")  # a page done again
        _assert_counts(engine, {first.document_id: (3, 2, 2), second.document_id: (0, 0, 1)})
        with engine.begin() as connection:  # as an operator's script would: a page removed, moved, undone
            connection.execute(
                text("DELETE FROM pages WHERE document_id = :d AND number = 3"), {"d": first.document_id}
            )
            connection.execute(
                text("UPDATE pages SET document_id = :to, status = 'done' WHERE document_id = :d AND number = 2"),
                {"d": first.document_id, "to": second.document_id},
            )
            connection.execute(text("UPDATE pages SET status = 'pending' WHERE number = 1"))
            connection.execute(
                text("UPDATE receipts SET document_id = :to WHERE filename = 'again.pdf'"), {"to": second.document_id}
            )
            connection.execute(text("DELETE FROM receipts WHERE filename = '2.pdf'"))
        _assert_counts(engine, {first.document_id: (1, 0, 1), second.document_id: (1, 1, 1)})
    finally:
        catalog.close()
    # a catalog from before the counts gets them from its rows, and a document added after its rows starts from them
    migrations.downgrade(engine, "0020")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM receipts WHERE document_id = :d"), {"d": first.document_id})
    migrations.upgrade(engine)
    _assert_counts(engine, {first.document_id: (1, 0, 0), second.document_id: (1, 1, 1)})
    if engine.dialect.name == "sqlite":  # a shell without foreign keys (SQLite's default) may write a receipt first
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(
                text(
                    "INSERT INTO receipts (batch_id, document_id, filename, duplicate, received_at) "
                    "SELECT batch_id, 'later', 'later.pdf', 0, received_at FROM documents LIMIT 1"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO documents (id, batch_id, sha256, filename, size_bytes, incoming_key, status, "
                    "updated_at, received_at) SELECT 'later', batch_id, :sha, 'later.pdf', 1, 'k3', 'received', "
                    "updated_at, received_at FROM documents LIMIT 1"
                ),
                {"sha": "3" * 64},
            )
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        assert _counts(engine)["later"] == (0, 0, 1)


def _assert_counts(engine: Engine, expected: dict[str, tuple[int, int, int]]) -> None:
    """Each document's counts are `expected`, and what its rows say."""
    pages = "FROM pages p WHERE p.document_id = d.id"
    counted = _per_document(
        engine,
        f"SELECT d.id, (SELECT count(*) {pages}), (SELECT count(*) {pages} AND p.status = 'done'), "
        "(SELECT count(*) FROM receipts r WHERE r.document_id = d.id) FROM documents d",
    )
    assert _counts(engine) == counted == expected


def _counts(engine: Engine) -> dict[str, tuple[int, int, int]]:
    return _per_document(engine, "SELECT id, page_rows, pages_done, receipt_count FROM documents")


def _per_document(engine: Engine, query: str) -> dict[str, tuple[int, int, int]]:
    """document id → page rows, pages done and receipts, as `query` reads them."""
    with engine.connect() as connection:
        return {document_id: tuple(counts) for document_id, *counts in connection.execute(text(query))}


def test_a_search_index_from_before_the_text_was_kept_once_is_filled_again(url: str, engine: Engine):
    from storage.search import SearchQuery, search
    from tests.storage.test_search import add_document

    catalog = Catalog(url)
    try:
        document_id = add_document(catalog, "doc", "Giấy phép xây dựng nhà ở riêng lẻ.", type_name="GIẤY PHÉP")
    finally:
        catalog.close()
    migrations.downgrade(engine, "0006")  # the entry gets its folded copy back, and SQLite an index with content
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT folded FROM search_entries")).startswith("giay phep")
    migrations.upgrade(engine)
    catalog = Catalog(url)
    try:
        assert [h.document_id for h in search(catalog, SearchQuery("giay phep xay dung")).hits] == [document_id]
    finally:
        catalog.close()


def test_api_tokens_from_before_expiry_get_the_default_lifetime_and_keep_working(url: str, engine: Engine):
    from datetime import timedelta

    from schemas.times import as_utc
    from storage.accounts import Accounts
    from storage.tables import ApiToken

    catalog = Catalog(url)
    try:
        accounts = Accounts(catalog)
        accounts.add_user("script", "mật-khẩu-dài-đủ", "officer")
        token = accounts.issue_token("script", "nightly").token
    finally:
        catalog.close()
    migrations.downgrade(engine, "0013")  # the token loses its end, as tokens had none
    assert "expires_at" not in {c["name"] for c in inspect(engine).get_columns("api_tokens")}
    migrations.upgrade(engine)
    catalog = Catalog(url)
    try:
        assert Accounts(catalog).token_account(token).username == "script"
        with catalog.session() as s:
            left = as_utc(s.scalar(select(ApiToken.expires_at))) - utcnow()
        assert timedelta(days=89) < left <= timedelta(days=90)
    finally:
        catalog.close()


def test_documents_sharing_a_number_before_it_was_unique_leave_it_to_the_first_finished(url: str, engine: Engine):
    from datetime import timedelta

    from sqlalchemy import update

    from storage.tables import Document

    catalog = Catalog(url)
    try:
        batch = catalog.create_batch()
        ids = [
            catalog.receive(batch, filename=f"{n}.pdf", sha256=f"{n}" * 64, size_bytes=1, incoming_key="k").document_id
            for n in range(3)
        ]
    finally:
        catalog.close()
    migrations.downgrade(engine, "0014")
    finished = utcnow()
    with engine.begin() as connection:  # as the race left them: one number, three documents
        for order, document_id in zip((2, 0, 1), ids, strict=True):
            values = {"number_key": "so noi vu|7/qd-snv|2026", "finished_at": finished + timedelta(minutes=order)}
            connection.execute(update(Document).where(Document.id == document_id).values(**values))
    migrations.upgrade(engine)
    with engine.connect() as connection:
        keys = dict(connection.execute(select(Document.id, Document.number_key)).all())
    assert keys == {ids[0]: None, ids[1]: "so noi vu|7/qd-snv|2026", ids[2]: None}
