"""SeaweedFS on several nodes, every object kept twice: one volume server killed mid-batch loses nothing.

A master with replication 001 (a second copy on another server), three volume servers, a filer and an
S3 gateway, all on loopback; `sohoa worker` processes archive a batch while one volume server is killed
with SIGKILL. Fixity and verification then read every PDF from the copies left, and the node's return
changes nothing.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

from storage.catalog import Catalog
from tests.cluster import (
    Cluster,
    assert_archived_once,
    cluster,
    distributed_env,
    finish,
    pages_done,
    statuses,
    wait_until,
    write_scans,
)
from tests.seaweedfs import Process, store_cluster

SCANS = (("decision", 910, 1), ("decision", 911, 1), ("notice", 920, 2), ("certificate", 921, 1), ("decision", 912, 1))


def _archive_checks_out(workers: Cluster, expected: int) -> None:
    """`sohoa fixity` and `sohoa verify --all` read and check every archived PDF."""
    fixity = workers.run("fixity", "--json")
    assert fixity.returncode == 0, fixity.stdout + fixity.stderr
    result = json.loads(fixity.stdout)
    assert (result["checked"], result["failed"]) == (expected, 0), result
    verified = workers.run("verify", "--all")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{expected} checked, {expected} ok, 0 failed" in verified.stdout


def test_a_volume_server_killed_mid_batch_loses_nothing(tmp_path: Path, postgres_url: str, redis_url: str):
    # Given three volume servers keeping every object twice, and two workers busy with a batch
    scans = write_scans(tmp_path / "scans", SCANS)
    prefix = "replicated-"
    with store_cluster(tmp_path / "seaweedfs", volume_servers=3, replication="001") as storage:
        server, _ = storage.add_gateway()
        env = distributed_env(tmp_path / "data", postgres_url, redis_url, server.env(prefix))
        catalog = Catalog(postgres_url)
        with closing(catalog), cluster(env, tmp_path / "logs") as workers:
            workers.start_worker("--threads", "2")
            workers.start_worker("--threads", "2")
            digitize = workers.digitize(str(tmp_path / "scans"))
            wait_until(lambda: pages_done(catalog) >= 1, timeout=180, what="the first page")

            # When the volume server holding the most copies already is killed mid-batch
            def stored_bytes(volume: Process) -> int:
                return sum(f.stat().st_size for f in (storage.folder / volume.name).glob("*.dat"))

            victim = max(storage.volumes, key=stored_bytes)
            assert stored_bytes(victim) > 0, "every object has two copies, so some server holds data by now"
            victim.kill()
            assert statuses(catalog).get("archived", 0) < len(scans), "the kill must land mid-batch"
            summary = finish(digitize, workers, timeout=400)

            # Then N documents in, N archived once each, and every PDF reads back and checks out
            assert (summary["files"], summary["archived"]) == (len(scans), len(scans)), storage.logs()
            store = server.store(prefix)
            assert_archived_once(catalog, store, len(scans))
            _archive_checks_out(workers, len(scans))

            # And once the node is back, nothing is lost or doubled
            storage.restart(victim)
            assert_archived_once(catalog, store, len(scans))
            _archive_checks_out(workers, len(scans))
