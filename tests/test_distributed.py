"""Distributed mode under faults: real `sohoa worker` processes, RabbitMQ or Redis, PostgreSQL, S3 on SeaweedFS.

Nothing is lost and nothing is done twice when a worker is killed, the broker cuts its connections,
the S3 gateway goes away for 30 s, or a message is malformed or names an unknown document.
"""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pika
import pytest
import redis

from schemas.settings import Settings
from sohoa.embedded import open_embedded
from storage.catalog import Catalog
from storage.objects import sha256_file
from tests.cluster import (
    assert_archived_once,
    cluster,
    distributed_env,
    finish,
    message,
    pages_done,
    receive_without_sending,
    sending_broker,
    statuses,
    wait_until,
    write_scans,
)
from tests.seaweedfs import S3Server, store_cluster


@pytest.mark.parametrize("broker", ["rabbitmq", "redis"])
def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    broker: str, request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str, s3_server: S3Server
):
    # Given two worker processes on the broker, PostgreSQL and S3, and a batch of three scans
    broker_url = request.getfixturevalue(f"{broker}_url")
    scans = write_scans(tmp_path / "scans")
    prefix = f"kill-{broker}-"
    env = distributed_env(tmp_path / "data", postgres_url, broker_url, s3_server.env(prefix))
    catalog = Catalog(postgres_url)
    store = s3_server.store(prefix)
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
        assert_archived_once(catalog, store, len(scans))
        verified = workers.run("verify", "--all")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"{len(scans)} checked, {len(scans)} ok, 0 failed" in verified.stdout
    catalog.close()


def test_the_batch_completes_after_the_broker_cuts_every_connection(
    tmp_path: Path, postgres_url: str, s3_server: S3Server, rabbitmq_url: str
):
    # Given a worker busy with a batch on RabbitMQ
    scans = write_scans(tmp_path / "scans")
    prefix = "cut-"
    env = distributed_env(tmp_path / "data", postgres_url, rabbitmq_url, s3_server.env(prefix))
    catalog = Catalog(postgres_url)
    store = s3_server.store(prefix)
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
        assert_archived_once(catalog, store, len(scans))
        assert "Consumer encountered a connection error" in workers.worker_logs()
    catalog.close()


def test_an_s3_gateway_away_for_30_seconds_delays_the_batch_but_loses_nothing(
    tmp_path: Path, postgres_url: str, redis_url: str
):
    # Given SeaweedFS of its own (master, volume server, filer, S3 gateway), and a worker on Redis busy with a batch
    scans = write_scans(tmp_path / "scans")
    prefix = "outage-"
    with store_cluster(tmp_path / "seaweedfs") as storage:
        server, gateway = storage.add_gateway()
        env = distributed_env(tmp_path / "data", postgres_url, redis_url, server.env(prefix))
        catalog = Catalog(postgres_url)
        with closing(catalog), cluster(env, tmp_path / "logs") as workers:
            workers.start_worker("--threads", "2")
            digitize = workers.digitize(str(tmp_path / "scans"))
            wait_until(lambda: pages_done(catalog) >= 1, timeout=180, what="the first page")

            # When the S3 gateway is stopped for 30 s mid-batch, then started again on the same port
            gateway.stop()
            went_away = time.monotonic()
            time.sleep(30)
            assert statuses(catalog).get("archived", 0) < len(scans), "the outage must land mid-batch"
            gateway.start()
            summary = finish(digitize, workers, timeout=400)
            took = time.monotonic() - went_away

            # Then the steps were retried and every document is archived once, bytes intact
            assert summary["archived"] == len(scans), workers.worker_logs() + storage.logs()
            store = server.store(prefix)
            assert_archived_once(catalog, store, len(scans))
            for scan in scans:
                sha = sha256_file(scan)
                assert store.stat("incoming", f"{sha[:2]}/{sha}").sha256 == sha
            assert took > 30


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
