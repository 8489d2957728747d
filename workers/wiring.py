"""The one place a process is wired: runtime, broker with sohoa's actors, and an in-process worker if asked.

Every entry point (the command line, `sohoa watch`, the web app, `sohoa worker`) opens its runtime with
`open_runtime` and gets the same order on the way out: the worker stops, then the broker closes, then the
catalog. `running_worker` starts a dramatiq worker for a part of the work only (one batch) and stops it after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dramatiq import Broker, Worker

from schemas.settings import Settings
from workers import runtime
from workers.broker import build_broker, install_broker
from workers.runtime import Runtime, build_runtime

#: How long a worker thread waits for a message before looking again (ms): short, so a stop is quick.
WORKER_POLL_MS = 100


@dataclass(frozen=True)
class Opened:
    """What a process has once wired: the runtime and the broker its messages go through."""

    rt: Runtime
    broker: Broker


@contextmanager
def running_worker(
    broker: Broker, threads: int, *, poll_ms: int = WORKER_POLL_MS, stop_timeout_ms: int | None = None
) -> Iterator[Worker | None]:
    """A dramatiq worker of `threads` threads on `broker` for the block (none when `threads` is 0)."""
    if threads <= 0:
        yield None
        return
    worker = Worker(broker, worker_threads=threads, worker_timeout=poll_ms)
    worker.start()
    try:
        yield worker
    finally:
        if stop_timeout_ms is None:
            worker.stop()
        else:
            worker.stop(timeout=stop_timeout_ms)


@contextmanager
def open_runtime(
    settings: Settings, *, worker_threads: int = 0, poll_ms: int = WORKER_POLL_MS, stop_timeout_ms: int | None = None
) -> Iterator[Opened]:
    """Build and install the runtime and the broker; with `worker_threads`, run a worker here; close all in order."""
    rt = build_runtime(settings)
    runtime.install(rt)
    try:
        broker = install_broker(build_broker(settings.broker_url), settings, rt.catalog)
        try:
            with running_worker(broker, worker_threads, poll_ms=poll_ms, stop_timeout_ms=stop_timeout_ms):
                yield Opened(rt, broker)
        finally:
            broker.close()
    finally:
        rt.catalog.close()
