"""`sohoa review`: list documents waiting for a person, show their fields, confirm or correct (`workers.review`)."""

from __future__ import annotations

import getpass
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from pipeline.extract import REQUIRED_FIELDS
from schemas.record import DocumentRecord, ResultMetadata
from schemas.settings import Settings
from sohoa.embedded import open_embedded
from workers.review import ReviewError, apply_changes, confirm_and_archive, reject
from workers.runtime import Runtime, open_catalog


def list_waiting(settings: Settings, console: Console) -> int:
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
    with open_embedded(settings) as rt:
        record = reject(rt, document_id, reason, actor=getpass.getuser())
    console.print(f"[yellow]rejected[/] {document_id} ({record.source.filename}): {reason.strip()}", highlight=False)
    return 0


def _interactive(
    metadata: ResultMetadata, changes: dict[str, list], ask: Callable[[str], str], console: Console
) -> tuple[ResultMetadata, dict[str, list]]:
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
    outcome = confirm_and_archive(rt, document_id, metadata, changes, actor=getpass.getuser())
    archive = outcome.record.archive
    if not outcome.archived or archive is None:
        reason = outcome.error.message if outcome.error else "not archived"
        console.print(f"[red]not archived:[/] {reason}; the document still waits for review")
        return 1
    console.print(f"[green]archived[/] {document_id}: signed by {archive.signer} at {archive.signed_at}")
    return 0
