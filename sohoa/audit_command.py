"""`sohoa audit verify | anchor | export`: check the audit log's hash chain against its latest anchor, anchor
its head in the archive, or write its events as JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from schemas.errors import UsageError
from schemas.times import VIETNAM, as_utc, parse_day

if TYPE_CHECKING:
    from rich.console import Console

    from schemas.settings import Settings

#: An export shows its progress on stderr every this many events.
PROGRESS_EVERY = 10_000
ANCHOR = "anchor"


def add_parser(commands: Any) -> None:
    """The `audit` command and its actions, added to the `sohoa` subparsers."""
    audit = commands.add_parser(
        "audit", help="the audit log: verify its hash chain, anchor its head in the archive, export it as JSON lines"
    )
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="recompute the chain; name edited, missing or reordered rows")
    verify.add_argument("--json", action="store_true", help="the report as JSON on stdout")
    verify.add_argument(
        "--since",
        type=_since,
        metavar="ID|anchor",
        help="verify only the rows after a head trusted from an earlier run, or after the latest anchor",
    )
    verify.add_argument("--head-hash", metavar="HASH", help="with --since ID: the hash that head was trusted with")
    anchor = actions.add_parser("anchor", help="write the log's head into the archive, under its object lock")
    anchor.add_argument("--json", action="store_true", help="the anchor as JSON on stdout")
    export = actions.add_parser("export", help="events as JSON lines (with their hashes), oldest first")
    export.add_argument("--since", type=_moment, metavar="DATE", help="events on or after (YYYY-MM-DD or ISO 8601)")
    export.add_argument("--until", type=_moment_end, metavar="DATE", help="events on or before this day (or before)")
    export.add_argument("--output", type=Path, metavar="FILE", help="write here instead of stdout")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa audit ACTION`; verify exits 1 when the chain is broken (a failing catalog or store too, from
    `sohoa.cli.main`)."""
    from rich.console import Console

    from workers.runtime import open_catalog, open_store

    err = Console(stderr=True, soft_wrap=True)
    with open_catalog(settings) as catalog:
        if args.audit_command == "verify":
            return _verify(catalog, open_store(settings), args, Console(soft_wrap=True), err)
        if args.audit_command == "anchor":
            return _anchor(catalog, open_store(settings), args.json, Console(soft_wrap=True))
        return _export(catalog, args.since, args.until, args.output, err)


def _verify(catalog, store, args: argparse.Namespace, out: Console, err: Console) -> int:
    from rich.markup import escape

    from storage.audit_anchor import check_anchor, latest_anchor
    from storage.audit_verify import UnknownHead, verify_chain
    from storage.layout import ARCHIVE

    anchor = latest_anchor(store, ARCHIVE)
    since, since_hash = args.since, args.head_hash
    if since == ANCHOR:
        if anchor is None:
            raise UsageError("no anchor yet to verify from: run `sohoa audit anchor` first")
        since, since_hash = anchor.event_id, anchor.hash
    try:
        report = verify_chain(catalog, since=since, since_hash=since_hash)
    except UnknownHead as exc:
        raise UsageError(str(exc)) from None
    if anchor is not None:
        check_anchor(catalog, report, anchor)
    if args.json:
        print(
            json.dumps(
                {**report.to_json(), "anchor": anchor.to_json() if anchor else None}, ensure_ascii=False, indent=2
            )
        )
    elif report.ok:
        after = f" after row {since}" if since is not None else ""
        out.print(
            f"[green]audit log intact:[/] {report.events} events{after}; head: row {report.head_id} {report.head_hash}"
        )
        if anchor is None:
            out.print("no anchor yet: `sohoa audit anchor` (or `sohoa fixity`) writes one, so a cut tail shows")
        else:
            out.print(f"holds the anchor of {anchor.at:%Y-%m-%d %H:%M} UTC (row {anchor.event_id})")
    else:
        count = len(report.problems) + report.unlisted
        err.print(f"[red]audit log broken:[/] {count} problem{'s' if count != 1 else ''} in {report.events} events")
        for problem in report.problems:
            err.print(f"  {problem.kind}: {escape(problem.message)}")
        if report.moved:
            err.print(f"  rows out of place: {', '.join(map(str, report.moved))}")
        if report.unlisted:
            err.print(f"  … and {report.unlisted} more")
    return 0 if report.ok else 1


def _anchor(catalog, store, as_json: bool, out: Console) -> int:
    from storage.audit_anchor import write_anchor
    from storage.layout import ARCHIVE

    anchor = write_anchor(catalog, store, ARCHIVE)
    if as_json:
        print(json.dumps(anchor.to_json() if anchor else None, indent=2))
    elif anchor is None:
        out.print("the audit log is empty: nothing to anchor")
    else:
        out.print(f"anchored row {anchor.event_id} ({anchor.hash}) in the archive as {anchor.key}")
    return 0


def _export(catalog, since: datetime | None, until: datetime | None, output: Path | None, err: Console) -> int:
    from rich.markup import escape

    from storage.audit import AuditLog, EventFilter
    from storage.audit_verify import event_json

    audit, where = AuditLog(catalog), EventFilter(since=since, until=until)
    total = audit.count(where)
    part = output.with_name(output.name + ".part") if output else None
    if part is None and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # JSON lines are UTF-8 whatever the locale
    stream: IO[str] = part.open("w", encoding="utf-8", newline="\n") if part else sys.stdout
    written = 0
    try:
        for row in audit.stream(where):
            stream.write(json.dumps(event_json(row), ensure_ascii=False, separators=(",", ":")) + "\n")
            written += 1
            if written % PROGRESS_EVERY == 0:
                err.print(f"exported {written}/{total} events")
    finally:
        if part:
            stream.close()
    if part and output:
        os.replace(part, output)  # a finished file or none: never half an export under the real name
    err.print(f"exported {written} events" + (f" to {escape(str(output))}" if output else ""))
    return 0


def _since(value: str) -> int | str:
    """An event id, or `anchor` (the latest anchor's row)."""
    if value == ANCHOR:
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an event id or 'anchor': {value!r}") from None


def _moment(value: str) -> datetime:
    """A day (its start in Vietnam) or an ISO 8601 time (UTC when it names no zone)."""
    try:
        if len(value) == 10 and (day := parse_day(value)):
            return datetime.combine(day, time(), VIETNAM).astimezone(UTC)
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (15/04/2024 or 2024-04-15) or ISO 8601 time: {value!r}") from None


def _moment_end(value: str) -> datetime:
    """The end of a day (the whole day is included), or an ISO 8601 time (events before it)."""
    moment = _moment(value)
    return moment + timedelta(days=1) if len(value) == 10 else moment
