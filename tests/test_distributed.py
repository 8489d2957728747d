"""Distributed mode under faults: real `sohoa worker` processes, RabbitMQ or Redis, PostgreSQL, S3 on moto.

Nothing is lost and nothing is done twice when a worker is killed, the broker cuts its connections,
the object store goes away for 30 s, or a message is malformed or names an unknown document.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pika
import pytest
import redis
from minio import Minio
from moto.server import ThreadedMotoServer

from schemas.settings import Settings
from sohoa.embedded import open_embedded
from storage.catalog import Catalog
from storage.objects import sha256_file
from storage.s3 import S3Store
from tests.cluster import (
    cluster,
    finish,
    message,
    pages_done,
    receive_without_sending,
    sending_broker,
    statuses,
    wait_until,
    write_scans,
)


def _s3_env(endpoint: str, prefix: str) -> dict[str, str]:
    return {
        "SOHOA_S3_ENDPOINT": endpoint,
        "SOHOA_S3_ACCESS_KEY": "testing",
        "SOHOA_S3_SECRET_KEY": "testing",
        "SOHOA_S3_SECURE": "false",
        "SOHOA_S3_BUCKET_PREFIX": prefix,
    }


def _assert_archived_once(catalog: Catalog, store: S3Store, client: Minio, bucket: str, expected: int) -> None:
    """Exactly `expected` documents archived, each with one version of its PDF and sidecars, hashes matching."""
    assert statuses(catalog) == {"archived": expected}
    for document_id in catalog.archived_ids():
        record = catalog.record(document_id)
        pdf = store.get_bytes(record.archive.bucket, record.archive.key)
        assert hashlib.sha256(pdf).hexdigest() == record.archive.pdf_sha256
        versions = list(client.list_objects(bucket, prefix=f"{document_id}/", recursive=True, include_version=True))
        assert sorted(v.object_name for v in versions) == [
            f"{document_id}/{document_id}.{ext}" for ext in ("json", "pdf", "xml")
        ], "a redelivered step archived a second version"
        sidecar = json.loads(store.get_bytes("archive", f"{document_id}/{document_id}.json"))
        assert sidecar["archive"]["pdf_sha256"] == record.archive.pdf_sha256


@pytest.mark.parametrize("broker", ["rabbitmq", "redis"])
def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    broker: str, request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str, s3_endpoint: str
):
    # Given two worker processes on the broker, PostgreSQL and S3, and a batch of three scans
    broker_url = request.getfixturevalue(f"{broker}_url")
    scans = write_scans(tmp_path / "scans")
    prefix = f"kill-{broker}-"
    env = {
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_DATABASE_URL": postgres_url,
        "SOHOA_BROKER_URL": broker_url,
        **_s3_env(s3_endpoint, prefix),
    }
    catalog = Catalog(postgres_url)
    store = S3Store.connect(s3_endpoint, "testing", "testing", secure=False, bucket_prefix=prefix)
    with cluster(env, tmp_path / "logs") as workers:
        victim = workers.start_worker()
        workers.start_worker()

        # When one worker is killed with SIGKILL once the first page is done, and started again
        digitize = workers.digitize(str(tmp_path / "scans"))
        wait_until(lambda: pages_done(catalog) >= 1, timeout=180, what="the first page")
        workers.kill(victim)
        assert pages_done(catalog) < 4 or statuses(catalog).get("archived", 0) < 3, "the kill must land mid-batch"
        workers.start_worker()
        summary = finish(digitize, workers)

        # Then every document is archived exactly once and verifies
        assert summary["files"] == len(scans)
        assert summary["archived"] == len(scans)
        _assert_archived_once(catalog, store, store.client, f"{prefix}archive", len(scans))
        verified = workers.run("verify", "--all")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"{len(scans)} checked, {len(scans)} ok, 0 failed" in verified.stdout
    catalog.close()


def test_the_batch_completes_after_the_broker_cuts_every_connection(
    tmp_path: Path, postgres_url: str, s3_endpoint: str, rabbitmq_url: str
):
    # Given a worker busy with a batch on RabbitMQ
    scans = write_scans(tmp_path / "scans")
    prefix = "cut-"
    env = {
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_DATABASE_URL": postgres_url,
        "SOHOA_BROKER_URL": rabbitmq_url,
        **_s3_env(s3_endpoint, prefix),
    }
    catalog = Catalog(postgres_url)
    store = S3Store.connect(s3_endpoint, "testing", "testing", secure=False, bucket_prefix=prefix)
    vhost = rabbitmq_url.rsplit("/", 1)[1]
    with cluster(env, tmp_path / "logs") as workers:
        workers.start_worker("--threads", "2")
        digitize = workers.digitize(str(tmp_path / "scans"))
        wait_until(lambda: pages_done(catalog) >= 1, timeout=180, what="the first page")

        # When the broker closes every connection of the virtual host mid-batch
        cut = subprocess.run(
            ["rabbitmqctl", "-q", "close_all_connections", "-p", vhost, "sohoa fault test"],
            capture_output=True,
            text=True,
        )
        assert cut.returncode == 0, cut.stderr
        summary = finish(digitize, workers)

        # Then the batch completes once the workers reconnect, each document archived once
        assert summary["archived"] == len(scans)
        _assert_archived_once(catalog, store, store.client, f"{prefix}archive", len(scans))
        assert "Consumer encountered a connection error" in workers.worker_logs()
    catalog.close()


def test_an_object_store_away_for_30_seconds_delays_the_batch_but_loses_nothing(
    tmp_path: Path, postgres_url: str, redis_url: str
):
    # Given an S3 server of its own, and a worker on Redis busy with a batch
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port
    endpoint = f"127.0.0.1:{port}"
    scans = write_scans(tmp_path / "scans")
    prefix = "outage-"
    env = {
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_DATABASE_URL": postgres_url,
        "SOHOA_BROKER_URL": redis_url,
        **_s3_env(endpoint, prefix),
    }
    catalog = Catalog(postgres_url)
    try:
        with cluster(env, tmp_path / "logs") as workers:
            workers.start_worker("--threads", "2")
            digitize = workers.digitize(str(tmp_path / "scans"))
            wait_until(lambda: pages_done(catalog) >= 1, timeout=180, what="the first page")

            # When the object store is unreachable for 30 s mid-batch
            server.stop()
            went_away = time.monotonic()
            time.sleep(30)
            assert statuses(catalog).get("archived", 0) < len(scans), "the outage must land mid-batch"
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            server.start()
            summary = finish(digitize, workers, timeout=400)
            took = time.monotonic() - went_away

            # Then the steps were retried and every document is archived once, bytes intact
            assert summary["archived"] == len(scans), workers.worker_logs()
            store = S3Store.connect(endpoint, "testing", "testing", secure=False, bucket_prefix=prefix)
            _assert_archived_once(catalog, store, store.client, f"{prefix}archive", len(scans))
            for scan in scans:
                sha = sha256_file(scan)
                assert store.stat("incoming", f"{sha[:2]}/{sha}").sha256 == sha
            assert took > 30
    finally:
        server.stop()
        catalog.close()


@pytest.mark.parametrize("broker", ["rabbitmq", "redis"])
def test_malformed_messages_and_unknown_documents_become_dead_letters_and_the_worker_goes_on(
    broker: str, request: pytest.FixtureRequest, tmp_path: Path
):
    # Given a worker on the broker (embedded catalog and store, shared through the data folder)
    broker_url = request.getfixturevalue(f"{broker}_url")
    data = tmp_path / "data"
    env = {"SOHOA_DATA_DIR": str(data), "SOHOA_BROKER_URL": broker_url}
    settings = Settings(data_dir=data, broker_url=broker_url)
    data.mkdir()
    catalog = Catalog(settings.catalog_url)
    with cluster(env, tmp_path / "logs") as workers, sending_broker(settings, catalog) as sender:
        worker = workers.start_worker()

        # When it receives a message for an unknown document, and messages that do not fit their actor
        sender.enqueue(message("ingest_document", "documents", "feedfacefeedfacefeedface"))
        sender.enqueue(message("process_page", "pages", 42, "two"))
        sender.enqueue(message("process_page", "pages", "feedfacefeedfacefeedface"))
        # and bytes that are no message at all
        (_publish_raw if broker == "rabbitmq" else _push_raw)(broker_url, "documents", b"\x00not a message{")
        expected = 4

        # Then each becomes a dead letter with its reason, and the worker is still there
        def listed() -> list[dict]:
            done = workers.run("dlq", "list", "--json")
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        wait_until(lambda: len(listed()) >= expected, timeout=60, what=f"{expected} dead letters", every=1)
        letters = listed()
        reasons = {letter["reason"] for letter in letters}
        assert "UnknownDocument: feedfacefeedfacefeedface" in reasons
        assert any("document_id must be str, not 42" in r for r in reasons)
        assert any("missing a required argument: 'number'" in r for r in reasons)
        assert any(r.startswith("malformed message: cannot be decoded") for r in reasons)
        assert worker.poll() is None, workers.worker_logs()

        # And the same worker still processes a real document afterwards
        scan = write_scans(tmp_path / "scans", (("certificate", 902, 1),))[0]
        summary = finish(workers.digitize(str(scan)), workers)
        assert summary["archived"] == 1

        # And a dead letter sent again with `sohoa dlq retry` is tried again (and fails again, with its reason)
        unknown = next(x for x in letters if x["reason"].startswith("UnknownDocument"))
        retried = workers.run("dlq", "retry", str(unknown["id"]))
        assert retried.returncode == 0, retried.stdout + retried.stderr
        wait_until(
            lambda: (
                sum(x["reason"].startswith("UnknownDocument") for x in listed()) == 1
                and unknown["id"] not in {x["id"] for x in listed()}
            ),
            timeout=60,
            what="the retried message to fail again",
            every=1,
        )
    catalog.close()


def _publish_raw(broker_url: str, queue: str, body: bytes) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    try:
        channel = connection.channel()
        wait_until(lambda: _queue_exists(connection, queue), timeout=60, what=f"queue {queue}")
        channel.basic_publish("", queue, body)
    finally:
        connection.close()


def _push_raw(broker_url: str, queue: str, body: bytes) -> None:
    """Put bytes on a queue as dramatiq's Redis broker keeps messages: an id in the list, the body in a hash."""
    client = redis.Redis.from_url(broker_url)
    try:
        client.hset(f"dramatiq:{queue}.msgs", "not-a-message", body)
        client.rpush(f"dramatiq:{queue}", "not-a-message")
    finally:
        client.close()


def _queue_exists(connection: pika.BlockingConnection, queue: str) -> bool:
    channel = connection.channel()
    try:
        channel.queue_declare(queue, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if channel.is_open:
            channel.close()


def test_the_sweeper_sends_a_document_whose_message_was_lost_back_to_work(tmp_path: Path, rabbitmq_url: str):
    # Given a document received into the catalog whose message never reached the broker
    data = tmp_path / "data"
    env = {"SOHOA_DATA_DIR": str(data), "SOHOA_BROKER_URL": rabbitmq_url, "SOHOA_LEASE_SECONDS": "3"}
    scan = write_scans(tmp_path / "scans", (("certificate", 902, 1),))[0]
    settings = Settings(data_dir=data)
    with open_embedded(settings) as rt:
        received = receive_without_sending(rt, scan)
    catalog = Catalog(settings.catalog_url)

    # When a worker runs with a 3 s lease
    with cluster(env, tmp_path / "logs") as workers:
        workers.start_worker()

        # Then its sweeper finds the idle document and it gets archived
        wait_until(
            lambda: catalog.document(received.document_id).status == "archived",
            timeout=120,
            what="the lost document to be archived",
        )
        assert "sent to ingest_document again" in workers.worker_logs()
    catalog.close()
