"""`sohoa report`: the auditors' counts on the command line, as a table, CSV or JSON; `--reconcile` checks the archive.

Not to be confused with `sohoa.report`, the progress bar and summary of a digitize batch.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import timedelta
from typing import TextIO

from rich.console import Console
from rich.table import Table

from schemas.settings import Settings
from storage.reconcile import reconcile
from storage.reports import COUNTS, ReportQuery, build_report
from workers.runtime import ARCHIVE, INCOMING, open_catalog, open_store

#: Short column headings for the terminal table (CSV and JSON use the full count names).
HEADERS = {
    "files_received": "files",
    "duplicates": "dup",
    "documents": "docs",
    "pages": "pages",
    "archived": "archived",
    "signed": "signed",
    "pages_archived": "pg arch",
    "needs_review": "review",
    "rejected": "rejected",
    "failed": "failed",
    "in_progress": "active",
    "reused": "reused",
}


def run_report(settings: Settings, query: ReportQuery, *, as_csv: bool, as_json: bool, console: Console) -> int:
    """Print the report: a table on the console, or CSV (UTF-8 with a BOM, for Excel) or JSON on stdout."""
    catalog = open_catalog(settings)
    try:
        report = build_report(catalog, query)
    finally:
        catalog.close()
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    if as_csv:
        write_csv(report, sys.stdout)
        return 0
    span = f"{query.since or '…'} to {query.until or '…'}"
    table = Table(title=f"Report by {query.by}, received {span}", box=None)
    table.add_column(query.by, min_width=12, overflow="fold")
    for name in COUNTS:
        table.add_column(HEADERS[name], justify="right", no_wrap=True)
    for row in [*report.rows, report.total]:
        name = "total" if row is report.total else (row.key or "(unknown)")
        table.add_row(name, *(str(row.counts[c]) for c in COUNTS), style="bold" if row is report.total else None)
    console.print(table)
    return 0


def write_csv(report, out: TextIO) -> None:
    """One line per group and a `total` line; the columns are the count names."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([report.query.by, *COUNTS])
    for row in report.rows:
        writer.writerow([row.key or "", *(row.counts[c] for c in COUNTS)])
    writer.writerow(["total", *(report.total.counts[c] for c in COUNTS)])


def run_reconcile(settings: Settings, *, hashes: bool, stale_days: int, as_json: bool, console: Console) -> int:
    """Compare receipts, documents, pages and the stored objects; exit 1 when something does not add up."""
    catalog = open_catalog(settings)
    try:
        result = reconcile(
            catalog,
            open_store(settings),
            archive_bucket=ARCHIVE,
            incoming_bucket=INCOMING,
            lease_seconds=settings.lease_seconds,
            stale_after=timedelta(days=stale_days),
            check_hashes=hashes,
        )
    finally:
        catalog.close()
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0 if result.ok else 1
    totals = Table("total", "count", box=None, title="Reconciliation")
    for name, value in result.totals.items():
        totals.add_row(name, str(value))
    console.print(totals)
    for balance in result.balances:
        mark = "[green]ok[/]" if balance.ok else "[red]DIFFERS[/]"
        console.print(f"{balance.name}: {balance.expected} vs {balance.actual} {mark}")
    if result.audit_chain is not None:
        chain = result.audit_chain
        state = "[green]intact[/]" if chain.ok else f"[red]broken at event {chain.broken_at}[/]"
        console.print(f"audit chain: {chain.events} events checked, {state}")
    if result.issues:
        issues = Table("severity", "kind", "document", "file", "status", "key", "expected", "actual", box=None)
        for i in result.issues:
            values = (i.severity, i.kind, i.document_id, i.filename, i.status, i.key, i.expected, i.actual)
            issues.add_row(*map(_cell, values))
        console.print(issues)
    console.print("[green]everything reconciles[/]" if result.ok else "[red]differences found[/]")
    return 0 if result.ok else 1


def _cell(value: object) -> str:
    return "" if value is None else str(value)
