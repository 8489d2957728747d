"""`sohoa worker`, `sohoa recover` and `sohoa dlq`: run worker processes, put stuck documents back to work,
list and re-send dead letters."""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from schemas.errors import UsageError
from schemas.times import as_utc

if TYPE_CHECKING:
    from dramatiq import Broker
    from dramatiq.brokers.stub import StubBroker
    from rich.console import Console

    from schemas.settings import Settings
    from workers.runtime import Runtime

POLL_SECONDS = 0.5


def add_parser(commands: Any) -> None:
    """The `worker`, `recover` and `dlq` commands, added to the `sohoa` subparsers."""
    worker = commands.add_parser("worker", help="process documents from the broker (SOHOA_BROKER_URL)")
    worker.add_argument("--processes", type=int, metavar="N", help="worker processes (default: number of cores)")
    worker.add_argument("--threads", type=int, default=1, metavar="N", help="threads per process (default: 1)")
    worker.add_argument("--no-sweep", dest="sweep", action="store_false", help=argparse.SUPPRESS)

    recover = commands.add_parser("recover", help="send documents stuck past their lease back to work")
    recover.add_argument("--lease", type=float, metavar="SECONDS", help="idle time that counts as stuck")

    dlq = commands.add_parser("dlq", help="dead letters: messages no worker could process")
    actions = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list dead letters with their reasons")
    listing.add_argument("--json", action="store_true", help="machine-readable list on stdout")
    retry = actions.add_parser("retry", help="send dead letters again")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead letters to send again")
    retry.add_argument("--all", action="store_true", help="every waiting dead letter")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa worker` (until stopped), `sohoa recover` or `sohoa dlq ACTION`."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    if args.command == "worker":
        from workers.service import serve_forever

        for package in ("workers", "pipeline", "storage", "sohoa"):  # our steps, not every library's chatter
            logging.getLogger(package).setLevel(logging.DEBUG if args.verbose else logging.INFO)
        return serve_forever(
            settings, processes=args.processes or settings.workers, threads=args.threads, sweep=args.sweep
        )
    if args.command == "recover":
        return run_recover(settings, args.lease, console)
    if args.dlq_command == "list":
        return run_dlq_list(settings, args.json, console)
    if not (args.ids or args.all):
        raise UsageError("name dead letters by ID, or use --all")
    return run_dlq_retry(settings, args.ids, args.all, console)


@contextmanager
def connected(settings: Settings) -> Iterator[tuple[Runtime, Broker]]:
    """The runtime and the configured broker, with sohoa's actors declared on it."""
    from workers.wiring import open_runtime

    with open_runtime(settings) as opened:
        yield opened.rt, opened.broker


def run_recover(settings: Settings, lease_seconds: float | None, console: Console) -> int:
    """Re-enqueue stuck documents. Without a broker there are no other workers, so this process finishes them."""
    from workers.sweeper import recover

    embedded = settings.broker_url is None
    lease = lease_seconds if lease_seconds is not None else (0.0 if embedded else settings.lease_seconds)
    with connected(settings) as (rt, broker):
        sent = recover(rt, lease)
        for item in sent:
            console.print(f"{item.document_id}  was {item.status}: sent to {item.step}")
        if not sent:
            console.print(f"nothing to recover: no unfinished document idle for more than {lease:.0f} s")
            return 0
        if embedded:
            _finish_here(rt, broker, [item.document_id for item in sent], console)
        else:
            console.print(f"{len(sent)} document(s) sent to the workers on the broker")
    return 0


def _finish_here(rt: Runtime, broker: Broker, document_ids: list[str], console: Console) -> None:
    from dramatiq.brokers.stub import StubBroker

    from schemas.statuses import FINAL_STATUSES
    from workers.wiring import running_worker

    assert isinstance(broker, StubBroker)
    with running_worker(broker, rt.settings.workers):
        while unfinished := [d for d in document_ids if rt.catalog.document(d).status not in FINAL_STATUSES]:
            console.print(f"{len(document_ids) - len(unfinished)}/{len(document_ids)} finished", end="\r")
            time.sleep(POLL_SECONDS)
    for document_id in document_ids:
        console.print(f"{document_id}  {rt.catalog.document(document_id).status}")


def _process_queued_here(broker: StubBroker, threads: int) -> None:
    from workers.wiring import running_worker

    with running_worker(broker, threads):
        for queue_name in sorted(broker.queues):
            broker.join(queue_name, fail_fast=False)


def run_dlq_list(settings: Settings, as_json: bool, console: Console) -> int:
    from rich.table import Table

    from workers.deadletters import drain_broker

    with connected(settings) as (rt, broker):
        drain_broker(broker, rt.catalog)
        letters = rt.catalog.dead_letters()
    if as_json:
        rows = [
            {
                "id": d.id,
                "failed_at": as_utc(d.failed_at).isoformat(),
                "queue": d.queue_name,
                "actor": d.actor_name,
                "document_id": d.document_id,
                "message_id": d.message_id,
                "reason": d.reason,
            }
            for d in letters
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not letters:
        console.print("no dead letters")
        return 0
    table = Table("id", "failed at (UTC)", "step", "document", "reason")
    for d in letters:
        table.add_row(
            str(d.id),
            d.failed_at.strftime("%Y-%m-%d %H:%M:%S"),
            d.actor_name or d.queue_name,
            d.document_id or "—",
            d.reason,
        )
    console.print(table)
    console.print(f"{len(letters)} dead letter(s); `sohoa dlq retry ID…` or `sohoa dlq retry --all` sends them again")
    return 0


def run_dlq_retry(settings: Settings, ids: list[int], all_letters: bool, console: Console) -> int:
    """Re-send dead letters; exits 1 if any could not be sent."""
    from dramatiq.brokers.stub import StubBroker

    from workers.deadletters import drain_broker, resend

    with connected(settings) as (rt, broker):
        drain_broker(broker, rt.catalog)
        outcomes = resend(broker, rt.catalog, None if all_letters else ids)
        if isinstance(broker, StubBroker) and any(o.sent for o in outcomes):
            _process_queued_here(broker, rt.settings.workers)  # no broker, so no other worker would take them
    missing = set(ids) - {o.dead_letter_id for o in outcomes}
    for outcome in outcomes:
        console.print(f"{outcome.dead_letter_id}  {'sent' if outcome.sent else 'not sent'}: {outcome.note}")
    for dead_letter_id in sorted(missing):
        console.print(f"{dead_letter_id}  not sent: no such dead letter waiting")
    return 1 if missing or not all(o.sent for o in outcomes) else 0
