"""`make bench`: distributed throughput with 1 and 2 `sohoa worker` processes, on RabbitMQ and on Redis,
and the time from a killed worker to the redelivery of its work.

Each run gets a fresh RabbitMQ virtual host or Redis database, a fresh PostgreSQL database and its own
local object store, and processes the same generated batch with `sohoa digitize --workers 0`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from samples.generate import KINDS
from tests.cluster import Cluster, finish, wait_until, write_scans

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_DB = 14


@contextmanager
def fresh_broker(kind: str) -> Iterator[str]:
    if kind == "rabbitmq":
        vhost = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
        subprocess.run(
            ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
        )
        try:
            yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
        finally:
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
    else:
        url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        client = redis.Redis.from_url(url)
        client.flushdb()
        try:
            yield url
        finally:
            client.flushdb()
            client.close()


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def environment(kind: str, work: Path) -> Iterator[dict[str, str]]:
    with fresh_broker(kind) as broker_url, fresh_database() as database_url:
        data = work / f"data-{uuid.uuid4().hex[:6]}"
        yield {"SOHOA_BROKER_URL": broker_url, "SOHOA_DATABASE_URL": database_url, "SOHOA_DATA_DIR": str(data)}


def throughput(kind: str, processes: int, scans: Path, work: Path) -> dict:
    """Pages per minute of one batch with `processes` single-threaded worker processes."""
    with environment(kind, work) as env:
        cluster = Cluster(env, work / f"logs-{kind}-{processes}")
        try:
            cluster.start_worker()  # one process creates the catalog first
            wait_until(lambda: "ready" in cluster.worker_logs(), timeout=60, what="the first worker")
            for _ in range(processes - 1):
                cluster.start_worker()
            time.sleep(3)  # every worker connected before the batch arrives
            started = time.perf_counter()
            summary = finish(cluster.digitize(str(scans)), cluster, timeout=1800)
            seconds = time.perf_counter() - started
        finally:
            cluster.stop()
    return {
        "broker": kind,
        "processes": processes,
        "documents": summary["files"],
        "archived": summary["archived"],
        "pages": summary["pages"],
        "seconds": round(seconds, 2),
        "pages_per_minute": round(60 * summary["pages"] / seconds, 2),
    }


def redelivery(kind: str, work: Path) -> dict:
    """Seconds from SIGKILL of the worker running OCR on a page to another worker running OCR on it again.

    The second worker is started only after the kill, so the figure includes its start-up; that part is
    reported too.
    """
    scan_dir = work / f"redelivery-{kind}"
    write_scans(scan_dir, (("decision", 77, 1),))
    with environment(kind, work) as env:
        cluster = Cluster(env, work / f"logs-redelivery-{kind}")
        try:
            victim = cluster.start_worker()
            wait_until(lambda: "ready" in cluster.worker_logs(), timeout=60, what="the worker")
            digitize = cluster.digitize(str(scan_dir))
            wait_until(lambda: _running_ocr(victim.pid), timeout=120, what="OCR in the first worker", every=0.05)
            killed = time.perf_counter()
            cluster.kill(victim)
            survivor = cluster.start_worker()
            wait_until(lambda: cluster.worker_logs().count("ready") >= 2, timeout=60, what="the second worker")
            started = time.perf_counter() - killed
            wait_until(lambda: _running_ocr(survivor.pid), timeout=300, what="the redelivered page", every=0.05)
            redelivered = time.perf_counter() - killed
            summary = finish(digitize, cluster)
        finally:
            cluster.stop()
    return {
        "broker": kind,
        "kill_to_ocr_again_s": round(redelivered, 2),
        "of_which_worker_start_s": round(started, 2),
        "archived": summary["archived"],
    }


def _running_ocr(pid: int) -> bool:
    return subprocess.run(["pgrep", "-P", str(pid), "tesseract"], capture_output=True).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=16, help="one-page documents in the batch")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-workers-") as tmp:
        work = Path(tmp)
        scans = work / "scans"
        write_scans(scans, tuple((KINDS[i % len(KINDS)], 500 + i, 1) for i in range(args.documents)))
        results: dict[str, list[dict]] = {"throughput": [], "redelivery": []}
        for kind in ("rabbitmq", "redis"):
            for processes in (1, 2):
                row = throughput(kind, processes, scans, work)
                results["throughput"].append(row)
                print(json.dumps(row), flush=True)
            one, two = results["throughput"][-2:]
            print(f"{kind}: 2 processes / 1 process = {two['pages_per_minute'] / one['pages_per_minute']:.2f}×")
            row = redelivery(kind, work)
            results["redelivery"].append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
