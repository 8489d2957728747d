"""Helpers for tests that run real `sohoa worker` processes against this machine's services."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dramatiq import Broker, Message
from sqlalchemy import text

from samples.generate import make_document
from schemas.settings import Settings
from storage.catalog import Catalog, Received
from storage.objects import sha256_file
from storage.s3 import S3Store
from tests.processes import end
from workers.broker import build_broker, install_broker
from workers.runtime import Runtime

SOHOA = str(Path(sys.executable).with_name("sohoa"))

#: Three scans that the pipeline archives without review (four pages in all).
SCANS = (("decision", 900, 1), ("notice", 901, 2), ("certificate", 902, 1))


def write_scans(folder: Path, scans: tuple[tuple[str, int, int], ...] = SCANS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, seed, pages in scans:
        doc = make_document(kind, seed=seed, dpi=200, skew_deg=2.0, noise=0.3, pages=pages)
        path = folder / f"{kind}-{seed}.tif"
        doc.pages[0].save(path, save_all=True, append_images=doc.pages[1:], dpi=(200, 200))
        paths.append(path)
    return paths


def receive_without_sending(rt: Runtime, scan: Path) -> Received:
    """A scan stored and received into the catalog, its message never sent: as if it were lost on the way."""
    sha = sha256_file(scan)
    rt.store.put_file("incoming", f"{sha[:2]}/{sha}", scan)
    return rt.catalog.receive(
        rt.catalog.create_batch(),
        filename=scan.name,
        sha256=sha,
        size_bytes=scan.stat().st_size,
        incoming_key=f"{sha[:2]}/{sha}",
    )


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def pages_done(catalog: Catalog) -> int:
    with catalog.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM pages WHERE status = 'done'")).scalar_one()


def statuses(catalog: Catalog) -> dict[str, int]:
    with catalog.engine.connect() as connection:
        rows = connection.execute(text("SELECT status, count(*) FROM documents GROUP BY status")).all()
    return {status: count for status, count in rows}


class Cluster:
    """`sohoa worker` subprocesses sharing one environment; each can be killed and started again."""

    def __init__(self, env: Mapping[str, str], logs: Path) -> None:
        self.env = {**os.environ, **env}
        self.logs = logs
        self.workers: list[subprocess.Popen[bytes]] = []
        self.clients: list[subprocess.Popen[str]] = []
        logs.mkdir(parents=True, exist_ok=True)

    def start_worker(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"worker-{len(self.workers)}.log").open("wb") as log:  # the child keeps its own copy
            worker = subprocess.Popen(
                [SOHOA, "worker", "--processes", "1", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    def digitize(self, *args: str) -> subprocess.Popen[str]:
        """`sohoa digitize` sending work to the workers; ended with them if the test has not waited for it."""
        digitize = subprocess.Popen(
            [SOHOA, "digitize", "--workers", "0", "--json", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.clients.append(digitize)
        return digitize

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([SOHOA, *args], env=self.env, capture_output=True, text=True, timeout=300)

    def stop(self) -> None:
        for client in self.clients:
            end(client)
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()

    def worker_logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.logs.iterdir()))


def distributed_env(data: Path, database_url: str, broker_url: str, s3_env: Mapping[str, str]) -> dict[str, str]:
    """The settings of `sohoa` processes in distributed mode: PostgreSQL, a broker and an S3 store."""
    return {"SOHOA_DATA_DIR": str(data), "SOHOA_DATABASE_URL": database_url, "SOHOA_BROKER_URL": broker_url, **s3_env}


@contextmanager
def cluster(env: Mapping[str, str], logs: Path) -> Iterator[Cluster]:
    running = Cluster(env, logs)
    try:
        yield running
    finally:
        running.stop()


def finish(digitize: subprocess.Popen[str], cluster: Cluster, timeout: float = 300) -> dict:
    try:
        out, err = digitize.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        digitize.kill()
        out, err = digitize.communicate()
        raise AssertionError(f"digitize did not finish\n{err}\n{cluster.worker_logs()}") from None
    assert digitize.returncode == 0, f"{err}\n{cluster.worker_logs()}"
    return json.loads(out)


def assert_archived_once(catalog: Catalog, store: S3Store, expected: int) -> None:
    """Exactly `expected` documents archived, each with one version of its PDF and sidecars, hashes matching."""
    assert statuses(catalog) == {"archived": expected}
    for document_id in catalog.archived_ids():
        record = catalog.record(document_id)
        pdf = store.get_bytes(record.archive.bucket, record.archive.key)
        assert hashlib.sha256(pdf).hexdigest() == record.archive.pdf_sha256
        bucket = f"{store.bucket_prefix}archive"
        versions = list(
            store.client.list_objects(bucket, prefix=f"{document_id}/", recursive=True, include_version=True)
        )
        assert sorted(v.object_name for v in versions) == [
            f"{document_id}/{document_id}.{ext}" for ext in ("json", "pdf", "xml")
        ], "a redelivered step archived a second version"
        sidecar = json.loads(store.get_bytes("archive", f"{document_id}/{document_id}.json"))
        assert sidecar["archive"]["pdf_sha256"] == record.archive.pdf_sha256


@contextmanager
def sending_broker(settings: Settings, catalog: Catalog) -> Iterator[Broker]:
    """A broker in the test process, with sohoa's actors declared, for sending messages by hand."""
    broker = install_broker(build_broker(settings.broker_url), settings, catalog)
    try:
        yield broker
    finally:
        broker.close()


def message(actor_name: str, queue_name: str, *args: object) -> Message:
    return Message(queue_name=queue_name, actor_name=actor_name, args=args, kwargs={}, options={})
