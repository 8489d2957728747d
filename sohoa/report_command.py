"""`sohoa report`: the auditors' counts on the command line, as a table, CSV or JSON; `--reconcile` checks the archive
(also per batch and per period); `--rates` gives the Decree 45 rates; `report dossiers set|list` supplies their
denominators (dossiers received per period), each change an audit event by `cli:<user>`.

Not to be confused with `sohoa.batch_display`, the progress bar and summary of a digitize batch.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import timedelta
from typing import TextIO

from rich.console import Console
from rich.table import Table

from schemas.settings import Settings
from storage.audit import AuditLog
from storage.layout import ARCHIVE, INCOMING
from storage.rates import Period, Rates, compute_rates, dossier_totals, set_dossier_total
from storage.reconcile import Reconciliation, reconcile
from storage.reconcile_groups import GROUP_COUNTS
from storage.reports import COUNTS, ReportQuery, build_report
from storage.spreadsheet import write_csv
from workers.runtime import open_catalog, open_store

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
        report = build_report(catalog, query, with_ids=False)
    finally:
        catalog.close()
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    if as_csv:
        write_report_csv(report, sys.stdout)
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


def write_report_csv(report, out: TextIO) -> None:
    """One line per group and a `total` line; the columns are the count names."""
    rows = [[row.key or "", *(row.counts[c] for c in COUNTS)] for row in report.rows]
    write_csv(out, [report.query.by, *COUNTS], [*rows, ["total", *(report.total.counts[c] for c in COUNTS)]])


def run_reconcile(
    settings: Settings,
    *,
    hashes: bool,
    stale_days: int,
    as_json: bool,
    console: Console,
    as_csv: bool = False,
    period: str = "month",
) -> int:
    """Compare receipts, documents, pages and the stored objects, in all and per batch and period; exit 1 when
    something does not add up. `as_csv` prints the per-batch and per-period tables as CSV."""
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
            period=period,
        )
    finally:
        catalog.close()
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0 if result.ok else 1
    if as_csv:
        write_group_csv(result, sys.stdout)
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
    for title, rows in (("Per batch", result.by_batch), (f"Per {result.period}", result.by_period)):
        console.print(_group_table(title, rows))
    console.print("[green]everything reconciles[/]" if result.ok else "[red]differences found[/]")
    return 0 if result.ok else 1


def _cell(value: object) -> str:
    return "" if value is None else str(value)


GROUP_HEADERS = {
    "files_received": "files",
    "duplicates": "dup",
    "documents": "docs",
    "pages_declared": "pages",
    "page_rows": "pg rows",
    "pages_scanned": "scanned",
    "archived": "archived",
    "archived_in_store": "in store",
    "archive_objects": "objects",
}


def _group_table(title: str, rows: list) -> Table:
    table = Table(title=title, box=None)
    table.add_column("batch" if title == "Per batch" else "period", overflow="fold")
    for name in GROUP_COUNTS:
        table.add_column(GROUP_HEADERS[name], justify="right", no_wrap=True)
    table.add_column("differences")
    for row in rows:
        differences = ", ".join(row.differences) or "ok"
        table.add_row(row.key, *(str(row.counts[c]) for c in GROUP_COUNTS), differences)
    return table


def write_group_csv(result: Reconciliation, out: TextIO) -> None:
    """The per-batch then the per-period rows: table, key, the counts, ok and the failed checks."""
    lines = [
        [table, row.key, row.origin or "", *(row.counts[c] for c in GROUP_COUNTS), row.ok, " ".join(row.differences)]
        for table, rows in (("batch", result.by_batch), (result.period, result.by_period))
        for row in rows
    ]
    write_csv(out, ["table", "key", "origin", *GROUP_COUNTS, "ok", "differences"], lines)


# --- rates ---------------------------------------------------------------------------------------------------------
RATE_COLUMNS = (
    "period",
    "agency",
    "dossiers_received",
    "dossiers_digitized",
    "digitization_rate",
    "dossiers_reused",
    "reuse_rate",
    "archived_without_dossier_code",
)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def rate_lines(rates: Rates) -> list[list[object]]:
    """One line per supplied period and the total, in RATE_COLUMNS order (rates as fractions)."""
    return [[row.to_json(with_ids=False)[c] for c in RATE_COLUMNS] for row in (*rates.rows, rates.total)]


def run_rates(settings: Settings, args: argparse.Namespace, *, console: Console) -> int:
    """The digitization and reuse rates of every supplied period in --from/--to (one --agency, or the office)."""
    with open_catalog(settings) as catalog:
        rates = compute_rates(catalog, since=args.since, until=args.until, agency=args.agency)
    if args.json:
        print(json.dumps(rates.to_json(), ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        lines = [
            [*("" if v is None else v for v in line), " ".join(sorted(row.digitized)), " ".join(sorted(row.reused))]
            for line, row in zip(rate_lines(rates), (*rates.rows, rates.total), strict=True)
        ]
        write_csv(sys.stdout, [*RATE_COLUMNS, "digitized_dossier_codes", "reused_dossier_codes"], lines)
        return 0
    if not rates.rows:
        console.print("No dossier totals supplied for this range: `sohoa report dossiers set PERIOD N` first.")
        return 0
    table = Table(title="Decree 45 rates (dossiers with a digitized result, reused; ÷ dossiers received)", box=None)
    for name in ("period", "agency", "received", "digitized", "rate", "reused", "rate", "no dossier code"):
        table.add_column(name, justify="left" if name in ("period", "agency") else "right")
    for row in (*rates.rows, rates.total):
        table.add_row(
            row.label,
            row.agency or "(all)",
            str(row.dossiers_received),
            str(len(row.digitized)),
            _percent(row.digitization_rate),
            str(len(row.reused)),
            _percent(row.reuse_rate) + (" ✓" if row.reuse_target_met else ""),
            str(len(row.without_dossier)),
            style="bold" if row is rates.total else None,
        )
    console.print(table)
    console.print(
        f"Reuse earns full points from {rates.total.to_json()['reuse_target']:.0%}. "
        "Archived documents without a dossier code cannot count toward the rates; --json lists every "
        "dossier and document behind the numbers."
    )
    return 0


def run_dossiers(settings: Settings, args: argparse.Namespace, *, console: Console) -> int:
    """`report dossiers set PERIOD N [--agency A]` (audited) or `report dossiers list`."""
    with open_catalog(settings) as catalog:
        if args.dossiers_command == "list":
            totals = dossier_totals(catalog)
            if args.json:
                print(json.dumps([t.to_json() for t in totals], ensure_ascii=False, indent=2))
                return 0
            table = Table("period", "agency", "dossiers received", "supplied by", "supplied at", box=None)
            for t in totals:
                table.add_row(
                    t.period.label,
                    t.agency or "(all)",
                    str(t.dossiers_received),
                    t.supplied_by,
                    t.supplied_at.isoformat(timespec="seconds"),
                )
            console.print(table)
            return 0
        actor = f"cli:{getpass.getuser()}"
        total, previous = set_dossier_total(
            catalog, Period.parse(args.period), args.count, agency=args.agency, supplied_by=actor
        )
        AuditLog(catalog).append("dossier_total_set", actor=actor, details={**total.to_json(), "previous": previous})
    was = f" (was {previous})" if previous is not None else ""
    console.print(
        f"{total.period.label} {total.agency or '(all agencies)'}: {total.dossiers_received} dossiers received{was}"
    )
    return 0
