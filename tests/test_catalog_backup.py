"""Catalog backup, restore and rebuild from the archive's sidecars, on SQLite and on this machine's PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from sohoa.cli import main
from storage.audit import AuditLog
from storage.backup import BackupError, backup_catalog, restore_catalog
from storage.catalog import Catalog, sqlalchemy_url
from storage.local_store import LocalFolderStore
from storage.rates import Period, set_dossier_total
from storage.reconcile import reconcile
from storage.reports import ReportQuery, build_report
from storage.search import SearchQuery, search
from storage.search_index import indexed_ids
from storage.tables import Base
from tests.web.conftest import ARCHIVED, HELD, Corpus, corpus  # noqa: F401  (the digitized sample archive)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")  # an unreachable server fails, as everywhere else
    return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"


def table_counts(url: str) -> dict[str, int]:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as c:
            return {name: c.scalar(select(func.count()).select_from(t)) for name, t in Base.metadata.tables.items()}
    finally:
        engine.dispose()


def fill(catalog: Catalog, documents: int = 3) -> None:
    batch = catalog.create_batch()
    for n in range(documents):
        sha = f"{n + 1:02x}" * 32
        received = catalog.receive(batch, filename=f"scan{n}.jpg", sha256=sha, size_bytes=10, incoming_key=sha)
        catalog.start_pages(received.document_id, "image/jpeg", n + 1)
        AuditLog(catalog).append("view", actor="officer1", role="officer", document_id=received.document_id)
    catalog.receive(batch, filename="again.jpg", sha256="01" * 32, size_bytes=10, incoming_key="x")  # a duplicate
    set_dossier_total(catalog, Period.parse("2026-11"), 1250, supplied_by="admin1")


def wipe(url: str) -> None:
    """Lose the catalog: the SQLite file deleted, or every PostgreSQL table dropped."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(sqlalchemy_url(url))
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def test_backup_then_wipe_then_restore_gives_the_same_rows(url: str, tmp_path: Path):
    with Catalog(url) as catalog:
        fill(catalog)
    before = table_counts(url)
    assert (before["documents"], before["receipts"], before["pages"], before["dossier_totals"]) == (3, 4, 6, 1)
    assert before["audit_events"] >= 3
    backup = tmp_path / "catalog.backup"
    backup_catalog(url, backup)

    with pytest.raises(BackupError, match="not empty"):  # never over a catalog that holds something
        restore_catalog(url, backup)
    wipe(url)
    restored = restore_catalog(url, backup)
    assert restored.rows["documents"] == 3 and table_counts(url) == before
    with Catalog(url) as catalog:
        assert reconcile(catalog, LocalFolderStore(tmp_path / "none"), check_audit_chain=True).audit_chain.ok
        assert restore_catalog(url, backup, force=True).rows == restored.rows  # forced over itself: the same
    assert table_counts(url) == before


def test_a_backup_of_the_wrong_kind_is_refused(url: str, tmp_path: Path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a catalog")
    with pytest.raises(BackupError, match="not a"):
        restore_catalog(url, junk)
    with pytest.raises(BackupError, match="no backup file"):
        restore_catalog(url, tmp_path / "missing")


def test_a_sqlite_backup_is_consistent_while_events_are_written(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    stop = threading.Event()
    with Catalog(url) as catalog:
        fill(catalog)
        log = AuditLog(catalog)

        def write() -> None:
            while not stop.is_set():
                log.append("search", actor="officer1", role="officer")

        writer = threading.Thread(target=write)
        writer.start()
        try:
            for n in range(3):
                backup_catalog(url, tmp_path / f"b{n}.sqlite3")
        finally:
            stop.set()
            writer.join()
        for n in range(3):
            copy = sqlite3.connect(tmp_path / f"b{n}.sqlite3")
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            copy.close()
            with Catalog(f"sqlite:///{tmp_path / f'b{n}.sqlite3'}") as copied:  # a whole, unbroken chain
                assert reconcile(copied, LocalFolderStore(tmp_path / "none")).audit_chain.ok


# --- rebuild from the sidecars ----------------------------------------------------------------------------------
def _numbers(catalog: Catalog) -> dict[str, object]:
    """What must survive: archived documents and their pages, by type and by agency."""
    archived = ReportQuery(status="archived")
    total = build_report(catalog, archived).total.counts
    by = {
        by: {row.key: (row.counts["documents"], row.counts["pages"]) for row in build_report(catalog, q).rows}
        for by, q in (
            ("type", ReportQuery(by="type", status="archived")),
            ("agency", ReportQuery(by="agency", status="archived")),
        )
    }
    keep = ("files_received", "documents", "pages", "archived", "signed", "pages_archived")
    return {"total": {k: total[k] for k in keep}, **by}


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_rebuild_from_sidecars_reproduces_the_archived_counts(
    target: str,
    corpus: Corpus,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
):
    data = tmp_path / "data"
    shutil.copytree(corpus.data, data)
    with Catalog(f"sqlite:///{data / 'catalog.sqlite3'}") as catalog:
        before = _numbers(catalog)
        with catalog.session() as s:
            archived_rows = s.execute(
                text("SELECT id, number_key, dossier_code FROM documents WHERE status = 'archived' ORDER BY id")
            ).all()
    assert before["total"]["archived"] == len(ARCHIVED) == len(archived_rows)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{data / 'catalog.sqlite3'}{suffix}").unlink(missing_ok=True)  # the catalog is lost
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data))
    url = f"sqlite:///{data / 'catalog.sqlite3'}"
    if target == "postgresql":  # rebuilt into the production catalog instead
        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("SOHOA_DATABASE_URL", url)

    assert main(["catalog", "rebuild"]) == 0

    with Catalog(url) as catalog:
        assert _numbers(catalog) == before
        with catalog.session() as s:
            rebuilt_rows = s.execute(
                text("SELECT id, number_key, dossier_code FROM documents WHERE status = 'archived' ORDER BY id")
            ).all()
        assert [tuple(r) for r in rebuilt_rows] == [tuple(r) for r in archived_rows]
        assert catalog.count_with_status("needs_review") == 0  # held documents have no sidecar: not rebuilt
        assert indexed_ids(catalog) == sorted(corpus.id_of(stem) for stem, _, _ in ARCHIVED)
        listed = search(catalog, SearchQuery())  # and searchable: their entries know they are archived
        assert sorted(hit.document_id for hit in listed.hits) == indexed_ids(catalog) and listed.total == 3
        result = reconcile(catalog, LocalFolderStore(data / "objects"))
        assert result.ok, [i.to_json() for i in result.issues if i.severity == "error"]
        assert [(row.origin, row.counts["archived"], row.ok) for row in result.by_batch] == [("rebuilt", 3, True)]
    assert main(["catalog", "rebuild"]) == 2  # never over a catalog that has documents
    assert corpus.id_of(HELD[0]) not in [r[0] for r in rebuilt_rows]


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_rebuild_goes_chunk_by_chunk_and_reports_its_progress(
    target: str,
    corpus: Corpus,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
):
    from storage import rebuild

    objects = LocalFolderStore(corpus.data / "objects")
    sidecars = len(rebuild.sidecar_keys(objects, "archive"))
    # several transactions (on PostgreSQL two at once), a batch met again in a later chunk
    monkeypatch.setattr(rebuild, "CHUNK", 1 if target == "postgresql" else 2)
    seen: list[tuple[int, int]] = []
    url = request.getfixturevalue("postgres_url") if target == "postgresql" else f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with Catalog(url) as catalog:
        result = rebuild.rebuild_catalog(catalog, objects, progress=lambda done, total: seen.append((done, total)))
        assert result.documents == result.indexed == len(ARCHIVED) and not result.skipped
        step = rebuild.CHUNK
        assert seen == [(min(n, sidecars), sidecars) for n in range(step, sidecars + step, step)]
        assert indexed_ids(catalog) == sorted(corpus.id_of(stem) for stem, _, _ in ARCHIVED)
        with catalog.session() as s:  # each batch dates from its earliest receipt, whichever chunk held it
            assert (
                s.execute(
                    text(
                        "SELECT count(*) FROM batches b WHERE created_at != "
                        "(SELECT min(received_at) FROM receipts r WHERE r.batch_id = b.id)"
                    )
                ).scalar_one()
                == 0
            )


def test_a_postgresql_restore_that_fails_leaves_the_catalog_as_it_was(postgres_url: str, tmp_path: Path):
    with Catalog(postgres_url) as catalog:
        fill(catalog)
    before = table_counts(postgres_url)
    backup = tmp_path / "catalog.backup"
    backup_catalog(postgres_url, backup)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])  # the header, half the data
    with pytest.raises(BackupError, match=r"(pg_restore|psql) failed"):
        restore_catalog(postgres_url, truncated, force=True)
    assert table_counts(postgres_url) == before  # the partitioned audit log too: dropped in the same transaction
