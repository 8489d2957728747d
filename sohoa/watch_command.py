"""`sohoa watch DIR`: run the hot folder (`sohoa.watch`) until stopped, or once with `--once`."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemas.errors import UsageError

if TYPE_CHECKING:
    from schemas.settings import Settings


def add_parser(commands: Any) -> None:
    """The `watch` command, added to the `sohoa` subparsers."""
    watch = commands.add_parser("watch", help="hot folder: digitize the scans dropped into DIR as they arrive")
    watch.add_argument("dir", type=Path, metavar="DIR", help="the folder scanner stations drop files into")
    watch.add_argument("--once", action="store_true", help="take what is there, wait for it to finish, then exit")
    watch.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help="look every SECONDS (default: 2)")
    watch.add_argument(
        "--stable-seconds",
        type=float,
        metavar="SECONDS",
        help="take a file unchanged for this long (default: SOHOA_WATCH_STABLE_SECONDS, 5); NAME.done: at once",
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa watch`; see `run_watch`."""
    if args.poll <= 0 or (args.stable_seconds is not None and args.stable_seconds < 0):
        raise UsageError("--poll must be positive and --stable-seconds not negative")
    return run_watch(settings, args.dir, once=args.once, poll=args.poll, stable_seconds=args.stable_seconds)


def run_watch(
    settings: Settings,
    folder: Path,
    *,
    once: bool,
    poll: float,
    stable_seconds: float | None = None,
) -> int:
    """`sohoa watch`: embedded mode processes in this process; with a broker, `sohoa worker`s do the work.

    Returns 1 with `once` when a document failed (not the input's fault), else 0; runs until interrupted otherwise.
    """
    from pipeline import tesseract
    from pipeline.signing_setup import TEST_WARNING, uses_test_key
    from schemas.settings import redacted_url
    from sohoa.embedded import open_embedded
    from sohoa.watch import DESTINATION, MARKER, HotFolder, WatchError, log_to_stderr, status_words
    from workers import actors
    from workers.runtime import tesseract_config
    from workers.wiring import running_worker

    log = log_to_stderr
    if not folder.is_dir():
        raise WatchError(f"no such folder: {folder}")
    embedded = settings.broker_url is None
    if embedded and settings.workers == 0:
        raise WatchError("SOHOA_WORKERS=0 leaves the work to `sohoa worker` processes, which need SOHOA_BROKER_URL")
    if embedded:
        tesseract.probe(tesseract_config(settings))
    stable = settings.watch_stable_seconds if stable_seconds is None else stable_seconds
    with (
        _terminate_as_interrupt(),
        open_embedded(settings) as rt,
        HotFolder(rt, folder, stable_seconds=stable, log=log) as hot,
    ):
        if uses_test_key(settings):
            log(f"warning: {TEST_WARNING.format(folder=settings.data_dir / 'keys')}")
        broker = actors.ingest_document.broker
        mode = (
            f"{settings.workers} worker thread(s) here"
            if embedded
            else f"workers on {redacted_url(settings.broker_url)}"
        )
        log(f"watching {hot.folder} ({mode}; stable after {stable:g} s or NAME{MARKER})")
        with running_worker(broker, settings.workers if embedded else 0):
            hot.resume()
            if not once:
                hot.run_forever(poll)  # until interrupted
            outcomes = hot.run_once(poll)
    if not outcomes:
        log(f"nothing to take in {folder}")
        return 0
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in DESTINATION}
    log(f"{len(outcomes)} file(s): " + ", ".join(f"{n} {status_words(status)}" for status, n in counts.items() if n))
    return 1 if counts["failed"] else 0


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager stopping us) stops as cleanly as Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
