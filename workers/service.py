"""`sohoa worker`: dramatiq worker processes on the configured broker, kept running by a small supervisor.

With one process the worker runs here. With several, this process starts one child per process
(`sohoa worker --processes 1`), restarts a child that dies, and runs the lease sweeper itself; the
children die with it. Tesseract is limited to one thread: pages are the unit of parallel work.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from schemas.settings import Settings, SettingsError, redacted_url
from workers.sweeper import Sweeper
from workers.wiring import Opened, open_runtime

log = logging.getLogger(__name__)

#: How long a stopping worker lets running steps finish before leaving them to redelivery.
SHUTDOWN_TIMEOUT_MS = 30_000
RESTART_DELAY_S = 1.0
PR_SET_PDEATHSIG = 1


def serve_forever(settings: Settings, *, processes: int, threads: int, sweep: bool = True) -> int:
    """Run workers until SIGTERM or SIGINT; returns the exit status."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if settings.broker_url is None:
        raise SettingsError("sohoa worker needs SOHOA_BROKER_URL (amqp://… or redis://…); else use sohoa digitize")
    stop = _stop_on_signals()
    if processes == 1:
        return _run_in_process(settings, threads=threads, sweep=sweep, stop=stop)
    return _supervise(settings, processes=processes, threads=threads, stop=stop)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        log.warning("received %s: stopping after the running steps", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def _run_in_process(settings: Settings, *, threads: int, sweep: bool, stop: threading.Event) -> int:
    wired = open_runtime(settings, worker_threads=threads, poll_ms=1000, stop_timeout_ms=SHUTDOWN_TIMEOUT_MS)
    with wired as opened:
        sweeper = Sweeper(opened.rt, opened.broker, interval=_sweep_interval(settings)) if sweep else None
        if sweeper:
            sweeper.start()
        log.info("worker %d ready: %d thread(s) on %s", os.getpid(), threads, redacted_url(settings.broker_url))
        try:
            stop.wait()
        finally:
            if sweeper:
                sweeper.stop()
    return 0


def _sweep_interval(settings: Settings) -> float:
    return max(1.0, min(60.0, settings.lease_seconds / 4))


def _supervise(settings: Settings, *, processes: int, threads: int, stop: threading.Event) -> int:
    command = [sys.executable, "-m", "sohoa", "worker", "--processes", "1", "--threads", str(threads), "--no-sweep"]
    children = [_spawn(command) for _ in range(processes)]
    with open_runtime(settings) as opened:
        _watch_children(settings, opened, command, children, stop)
    return 0


def _watch_children(
    settings: Settings, opened: Opened, command: list[str], children: list[subprocess.Popen], stop: threading.Event
) -> None:
    """Restart a child that ends, and sweep for stuck documents, until asked to stop; then stop the children."""
    sweeper = Sweeper(opened.rt, opened.broker, interval=_sweep_interval(settings))
    sweeper.start()
    try:
        while not stop.wait(0.5):
            for i, child in enumerate(children):
                if child.poll() is not None:
                    log.error("worker process %d exited with %s; starting another", child.pid, child.returncode)
                    time.sleep(RESTART_DELAY_S)
                    children[i] = _spawn(command)
    finally:
        sweeper.stop()
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=SHUTDOWN_TIMEOUT_MS / 1000 + 5)
            except subprocess.TimeoutExpired:
                child.kill()


def _spawn(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, preexec_fn=_die_with_parent(signal.SIGTERM))


def _die_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """Linux only: the child gets `sig` when the supervisor dies, even by SIGKILL."""

    def set_death_signal() -> None:
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig))

    return set_death_signal
