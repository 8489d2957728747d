"""`sohoa review`: list documents waiting for a person, show their fields, confirm, correct or reject them
(`workers.review`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from schemas.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from schemas.record import DocumentRecord, ResultMetadata
    from schemas.settings import Settings
    from workers.runtime import Runtime


def add_parser(commands: Any) -> None:
    """The `review` command, added to the `sohoa` subparsers."""
    review = commands.add_parser("review", help="list documents needing review, or confirm/correct one")
    review.add_argument("id", nargs="?", metavar="ID", help="the document to review (omit to list them)")
    review.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="correct a field (repeatable); an empty value clears it",
    )
    decide = review.add_mutually_exclusive_group()
    decide.add_argument("--confirm", action="store_true", help="confirm without asking, then sign and archive")
    decide.add_argument(
        "--reject", metavar="REASON", help="refuse the document with this reason: it ends rejected, not archived"
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa review`: the list without an id; 1 when a confirmed document could not be archived."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    if args.id is None:
        return list_waiting(settings, console)
    if args.reject is not None:
        if args.assignments:
            raise UsageError("--reject takes no field corrections")
        return reject_document(settings, args.id, args.reject, console=console)
    ask = console.input if sys.stdin.isatty() else None
    return review_document(settings, args.id, args.assignments, confirm=args.confirm, ask=ask, console=console)


def list_waiting(settings: Settings, console: Console) -> int:
    from rich.table import Table

    from workers.runtime import open_catalog

    catalog = open_catalog(settings)
    try:
        ids = catalog.ids_with_status("needs_review")
        table = Table("id", "file", "to check", title=f"Waiting for review: {len(ids)}", box=None)
        for document_id in ids:
            record = catalog.record(document_id)
            if record is None:
                continue
            fields = [", ".join(w.fields) for w in record.warnings if w.code == "needs_review"]
            table.add_row(document_id, record.source.filename, "; ".join(fields))
    finally:
        catalog.close()
    console.print(table)
    return 0


def show(record: DocumentRecord, console: Console) -> None:
    from rich.table import Table

    from pipeline.extract import REQUIRED_FIELDS

    table = Table("field", "value", "confidence", title=f"{record.id} ({record.source.filename})", box=None)
    confidence = record.confidence.model_dump()
    for name, value in record.metadata.model_dump(mode="json").items():
        score = confidence.get(name)
        style = "bold yellow" if name in REQUIRED_FIELDS and (value is None or (score or 0) < 0.7) else None
        table.add_row(name, "" if value is None else str(value), "" if score is None else f"{score:.2f}", style=style)
    console.print(table)


def review_document(
    settings: Settings,
    document_id: str,
    assignments: list[str],
    *,
    confirm: bool,
    ask: Callable[[str], str] | None,
    console: Console,
) -> int:
    """Show, correct and (on confirmation) sign and archive one document; returns the exit status."""
    from sohoa.embedded import open_embedded
    from workers.review import ReviewError, apply_changes

    with open_embedded(settings) as rt:
        record = rt.catalog.record(document_id)
        if record is None or record.status != "needs_review":
            raise ReviewError(f"document {document_id} is not waiting for review")
        show(record, console)
        metadata, changes = apply_changes(record.metadata, assignments)
        if ask is not None and not confirm:
            metadata, changes = _interactive(metadata, changes, ask, console)
            confirm = ask("Confirm these values, then sign and archive? \\[y/N] ").strip().lower() in (
                "y",
                "yes",
                "c",
                "co",
            )
        if not confirm:
            console.print("Nothing confirmed; the document still waits for review.")
            return 0
        return _confirm(rt, document_id, metadata, changes, console)


def reject_document(settings: Settings, document_id: str, reason: str, *, console: Console) -> int:
    """Refuse a held document with a reason (`workers.review.reject`); it ends rejected."""
    from sohoa.embedded import open_embedded
    from workers.review import reject

    with open_embedded(settings) as rt:
        record = reject(rt, document_id, reason, actor=getpass.getuser())
    console.print(f"[yellow]rejected[/] {document_id} ({record.source.filename}): {reason.strip()}", highlight=False)
    return 0


def _interactive(
    metadata: ResultMetadata, changes: dict[str, list], ask: Callable[[str], str], console: Console
) -> tuple[ResultMetadata, dict[str, list]]:
    from workers.review import ReviewError, apply_changes

    console.print("Type field=value to correct a field, or press Enter when done.")
    while line := ask("> ").strip():
        try:
            metadata, more = apply_changes(metadata, [line])
        except ReviewError as exc:
            console.print(f"[red]{exc}[/]")
            continue
        changes.update(more)
    return metadata, changes


def _confirm(
    rt: Runtime, document_id: str, metadata: ResultMetadata, changes: dict[str, list], console: Console
) -> int:
    from workers.review import confirm_and_archive

    outcome = confirm_and_archive(rt, document_id, metadata, changes, actor=getpass.getuser())
    archive = outcome.record.archive
    if not outcome.archived or archive is None:
        reason = outcome.error.message if outcome.error else "not archived"
        console.print(f"[red]not archived:[/] {reason}; the document still waits for review")
        return 1
    console.print(f"[green]archived[/] {document_id}: signed by {archive.signer} at {archive.signed_at}")
    return 0
