"""Every step may run twice: a redelivered assembly re-uses what was archived, and `sohoa recover` finishes
what an interrupted run left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from schemas.settings import Settings
from sohoa.embedded import open_embedded
from storage.audit import AuditLog, EventFilter
from storage.layout import ARCHIVE
from storage.tables import Document, utcnow
from tests.cluster import receive_without_sending, write_scans
from tests.seaweedfs import S3Server
from workers import actors
from workers.intake import run_batch
from workers.runtime import Runtime
from workers.wiring import running_worker

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def test_a_redelivered_assembly_archives_no_second_version_and_keeps_the_record(tmp_path: Path, s3_server: S3Server):
    # Given a document archived on S3 (versioned, object-locked archive bucket)
    scan = write_scans(tmp_path / "scans", (("certificate", 902, 1),))[0]
    settings = Settings(
        data_dir=tmp_path / "data",
        workers=1,
        **s3_server.settings("redeliver-"),
    )
    with open_embedded(settings) as rt:
        result = run_batch(rt, [scan], workers=1)
        (item,) = result.items
        first = rt.catalog.record(item.document_id)
        assert first.status == "archived"

        # When the worker died after storing the archive but before the catalog saw it, and assembly runs again
        with rt.catalog.session() as s:
            s.execute(update(Document).where(Document.id == item.document_id).values(status="assembling", record=None))
        actors.assemble_document.fn(item.document_id)

        # Then the catalog has the same record, and the bucket one version of each object
        again = rt.catalog.record(item.document_id)
        assert again == first
        client = rt.store.client
        versions = list(
            client.list_objects(
                "redeliver-archive", prefix=f"{item.document_id}/", recursive=True, include_version=True
            )
        )
        assert len(versions) == 3, [(v.object_name, v.version_id) for v in versions]
        assert rt.store.stat(ARCHIVE, first.archive.key).sha256 == first.archive.pdf_sha256


@contextmanager
def assembling(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Runtime, str]]:
    """A one-page document whose page was read: its assembly message sent (and waiting in the stub broker)."""
    scan = write_scans(tmp_path / "scans", (("certificate", 902, 1),))[0]
    settings = Settings(data_dir=tmp_path / "data")
    if backend == "postgresql":  # a fresh database; an unreachable server fails, as everywhere else
        settings = Settings(data_dir=tmp_path / "data", database_url=request.getfixturevalue("postgres_url"))
    with open_embedded(settings) as rt:
        document_id = receive_without_sending(rt, scan).document_id
        actors.ingest_document.fn(document_id)
        actors.process_page.fn(document_id, 1)
        assert rt.catalog.document(document_id).status == "assembling"
        yield rt, document_id


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_page_redelivered_after_its_worker_died_before_sending_assembly_gets_the_document_archived(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
):
    # Given a one-page document whose page was read, the worker dying before its assembly message left
    with assembling(backend, tmp_path, request) as (rt, document_id):
        broker = actors.process_page.broker
        broker.flush_all()  # the messages that never left the dead worker

        # When the broker redelivers the page's message, which the dead worker never acknowledged
        with running_worker(broker, 1):
            actors.process_page.send(document_id, 1)
            broker.join("pages")
            broker.join("documents")

        # Then the document is assembled and archived, its page read once
        record = rt.catalog.record(document_id)
        assert record is not None and record.status == "archived", record
        assert record.pages[0].text
        events = [e.action for e in AuditLog(rt.catalog).events(EventFilter(document_id=document_id))]
        assert events.count("page_processed") == 1 and events.count("archived") == 1, events


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_assembly_already_running_elsewhere_is_not_started_twice(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
):
    # Given a document ready for assembly
    with assembling(backend, tmp_path, request) as (rt, document_id):
        # When a second assembly message arrives while another worker holds the document
        with rt.catalog.assembling_alone(document_id) as alone:
            assert alone
            actors.assemble_document.fn(document_id)
            # Then it leaves the document to that worker: nothing is archived twice
            assert rt.catalog.document(document_id).status == "assembling"
            assert rt.store.stat(ARCHIVE, f"{document_id}/{document_id}.pdf") is None

        # And once that worker is gone, the redelivered message archives it
        actors.assemble_document.fn(document_id)
        assert rt.catalog.document(document_id).status == "archived"


def test_recover_in_embedded_mode_finishes_documents_an_interrupted_run_left(tmp_path: Path):
    # Given a document that was received but whose run stopped before any work was done
    scan = write_scans(tmp_path / "scans", (("certificate", 902, 1),))[0]
    data = tmp_path / "data"
    settings = Settings(data_dir=data, workers=1)
    with open_embedded(settings) as rt:
        received = receive_without_sending(rt, scan)
        with rt.catalog.session() as s:
            s.execute(update(Document).values(updated_at=utcnow() - timedelta(minutes=5)))

    # When `sohoa recover` runs
    env = {**os.environ, "SOHOA_DATA_DIR": str(data)}
    done = subprocess.run([SOHOA, "recover"], env=env, capture_output=True, text=True, timeout=300)

    # Then the document was sent to work again and is archived; a second run finds nothing to do
    assert done.returncode == 0, done.stderr
    assert f"{received.document_id}  was received: sent to ingest_document" in done.stdout
    assert f"{received.document_id}  archived" in done.stdout
    again = subprocess.run([SOHOA, "recover"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "nothing to recover" in again.stdout
