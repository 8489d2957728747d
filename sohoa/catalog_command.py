"""`sohoa catalog backup FILE | restore FILE [--force] | rebuild`: keep the catalog safe, or get it back.

Each action is recorded in the audit log afterwards (`catalog_backed_up`, `catalog_restored`, `catalog_rebuilt`,
actor `cli:<user>`), so a restored catalog shows when and from what it was restored.
"""

from __future__ import annotations

import argparse
import getpass
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemas.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from schemas.settings import Settings


def add_parser(commands: Any) -> None:
    """The `catalog` command and its actions, added to the `sohoa` subparsers."""
    catalog = commands.add_parser("catalog", help="back up, restore, or rebuild the catalog from the archive")
    actions = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    backup = actions.add_parser("backup", help="a consistent copy of the catalog (workers may run)")
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = actions.add_parser("restore", help="put a backup back (refuses a non-empty catalog)")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--force", action="store_true", help="overwrite a catalog that holds documents or users")
    actions.add_parser("rebuild", help="rebuild an empty catalog from the archive's JSON sidecars")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa catalog ACTION`; a refusal (non-empty catalog, missing tool or file) is a `UsageError`
    (exit 2), a failing disk, database or store exits 1 (both from `sohoa.cli.main`)."""
    from rich.console import Console
    from rich.markup import escape

    from storage.backup import backup_catalog, catalog_counts, restore_catalog
    from workers.runtime import open_catalog

    console, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    url = settings.catalog_url
    if args.catalog_command == "backup":
        if settings.database_url is None:
            open_catalog(settings).close()  # a catalog that was never opened is made, so the copy is valid
        backup_catalog(url, args.file)
        counts = catalog_counts(url).rows
        _audit(settings, "catalog_backed_up", {"file": str(args.file), "rows": counts})
        console.print(f"catalog backed up to {escape(str(args.file))}: {_rows(counts)}", highlight=False)
        return ExitCode.OK
    if args.catalog_command == "restore":
        restored = restore_catalog(url, args.file, force=args.force)
        _audit(settings, "catalog_restored", {"file": str(args.file), "rows": restored.rows, "forced": args.force})
        console.print(f"catalog restored from {escape(str(args.file))}: {_rows(restored.rows)}", highlight=False)
        return ExitCode.OK
    return _rebuild(settings, console, err)


def _rebuild(settings: Settings, console: Console, err: Console) -> int:
    from rich.markup import escape

    from storage.audit import AuditLog
    from storage.layout import ARCHIVE
    from storage.rebuild import rebuild_catalog
    from workers.runtime import open_catalog, open_store

    with open_catalog(settings) as catalog, _progress_bar(err) as progress:
        started = time.monotonic()
        result = rebuild_catalog(catalog, open_store(settings), bucket=ARCHIVE, progress=progress)
        seconds = time.monotonic() - started
        details = {
            "documents": result.documents,
            "pages": result.pages,
            "batches": result.batches,
            "indexed": result.indexed,
            "skipped": result.skipped,
        }
        AuditLog(catalog).append("catalog_rebuilt", actor=f"cli:{getpass.getuser()}", details=details)
    console.print(
        f"catalog rebuilt from the archive: {result.documents} documents, {result.pages} pages, "
        f"{result.batches} batches, {result.indexed} indexed for search "
        f"({seconds:.1f} s, {result.documents / max(seconds, 1e-3):,.0f} documents/s)",
        highlight=False,
    )
    for key, why in result.skipped.items():
        err.print(f"[yellow]skipped[/] {escape(key)}: {escape(why)}")
    console.print(
        "Not rebuilt (no sidecar holds them): the audit log, review events, documents never archived, "
        "duplicate receipts, users and API tokens, dossier totals.",
        highlight=False,
    )
    return ExitCode.OK


@contextmanager
def _progress_bar(console: Console) -> Iterator[Callable[[int, int], None]]:
    """A bar of sidecars read, on a terminal only (on stderr, so the summary on stdout stays clean)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]Rebuilding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("sidecars"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("rebuild", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _audit(settings: Settings, action: str, details: dict) -> None:
    from storage.audit import AuditLog
    from workers.runtime import open_catalog

    with open_catalog(settings) as catalog:
        AuditLog(catalog).append(action, actor=f"cli:{getpass.getuser()}", details=details)


def _rows(rows: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in rows.items()) or "empty"
