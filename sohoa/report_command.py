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
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from storage.layout import ARCHIVE, INCOMING
from storage.spreadsheet import write_csv

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from schemas.settings import Settings
    from storage.rates import Rates
    from storage.reconcile import Reconciliation
    from storage.reports import ReportQuery

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


def add_parser(commands: Any) -> None:
    """The `report` command, its options and its `dossiers` actions, added to the `sohoa` subparsers."""
    report = commands.add_parser("report", help="auditors' counts by day, month, agency, type or status; --reconcile")
    report.add_argument("--from", dest="since", type=_day, metavar="YYYY-MM-DD", help="received on or after this day")
    report.add_argument("--to", dest="until", type=_day, metavar="YYYY-MM-DD", help="received on or before this day")
    report.add_argument("--by", default="month", choices=["day", "month", "agency", "type", "status"])
    report.add_argument("--agency", help="only this issuing agency (organ_name)")
    report.add_argument("--type", dest="type_name", help="only this document type (type_name)")
    report.add_argument("--status", help="only documents with this status")
    report.add_argument("--csv", action="store_true", help="CSV on stdout (UTF-8 with a BOM, for Excel)")
    report.add_argument("--json", action="store_true", help="JSON on stdout")
    report.add_argument(
        "--reconcile", action="store_true", help="compare receipts, catalog and store; exit 1 on a difference"
    )
    report.add_argument("--hashes", action="store_true", help="with --reconcile: compare each archived PDF's SHA-256")
    report.add_argument(
        "--stale-days", type=int, default=7, metavar="N", help="with --reconcile: flag reviews waiting longer (7)"
    )
    report.add_argument(
        "--period", default="month", choices=["day", "month"], help="with --reconcile: per-period table by (month)"
    )
    report.add_argument("--rates", action="store_true", help="digitization and reuse rates of the supplied periods")
    actions = report.add_subparsers(dest="report_command", metavar="ACTION")
    dossiers = actions.add_parser("dossiers", help="dossiers received per period: the rates' denominators")
    dossier_actions = dossiers.add_subparsers(dest="dossiers_command", required=True, metavar="ACTION")
    dossiers_set = dossier_actions.add_parser("set", help="supply the dossiers received in a period")
    dossiers_set.add_argument("period", metavar="PERIOD", help="a month (2026-11) or days (2026-11-01..2026-11-15)")
    dossiers_set.add_argument("count", type=int, metavar="N", help="dossiers received in the period")
    dossiers_set.add_argument("--agency", help="one issuing agency (organ_name); default: the whole office")
    dossier_actions.add_parser("list", help="the supplied totals, who supplied them and when")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa report`: the counts, `--reconcile` (1 on a difference), `--rates` or `dossiers ACTION`."""
    from storage.reports import ReportQuery

    if args.rates:
        return run_rates(settings, args)
    if args.report_command == "dossiers":
        return run_dossiers(settings, args)
    if args.reconcile:
        return run_reconcile(
            settings,
            hashes=args.hashes,
            stale_days=args.stale_days,
            as_json=args.json,
            as_csv=args.csv,
            period=args.period,
        )
    query = ReportQuery(args.by, args.since, args.until, args.agency, args.type_name, args.status)
    return run_report(settings, query, as_csv=args.csv, as_json=args.json)


def _day(value: str) -> date:
    from schemas.times import parse_day

    try:
        day = parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if day is None:
        raise argparse.ArgumentTypeError("an empty day")
    return day


def run_report(settings: Settings, query: ReportQuery, *, as_csv: bool, as_json: bool) -> int:
    """Print the report: a table on the console, or CSV (UTF-8 with a BOM, for Excel) or JSON on stdout."""
    from storage.reports import COUNTS, build_report
    from workers.runtime import open_catalog

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
    from rich.table import Table

    span = f"{query.since or '…'} to {query.until or '…'}"
    table = Table(title=f"Report by {query.by}, received {span}", box=None)
    table.add_column(query.by, min_width=12, overflow="fold")
    for name in COUNTS:
        table.add_column(HEADERS[name], justify="right", no_wrap=True)
    for row in [*report.rows, report.total]:
        name = "total" if row is report.total else (row.key or "(unknown)")
        table.add_row(name, *(str(row.counts[c]) for c in COUNTS), style="bold" if row is report.total else None)
    _print_table(_console(), table)
    return 0


def write_report_csv(report, out: TextIO) -> None:
    """One line per group and a `total` line; the columns are the count names."""
    from storage.reports import COUNTS

    rows = [[row.key or "", *(row.counts[c] for c in COUNTS)] for row in report.rows]
    write_csv(out, [report.query.by, *COUNTS], [*rows, ["total", *(report.total.counts[c] for c in COUNTS)]])


def run_reconcile(
    settings: Settings,
    *,
    hashes: bool,
    stale_days: int,
    as_json: bool,
    as_csv: bool = False,
    period: str = "month",
) -> int:
    """Compare receipts, documents, pages and the stored objects, in all and per batch and period; exit 1 when
    something does not add up. `as_csv` prints the per-batch and per-period tables as CSV."""
    from storage.reconcile import reconcile
    from workers.runtime import open_catalog, open_store

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
    from rich.table import Table

    console = _console()
    totals = Table("total", "count", box=None, title="Reconciliation")
    for name, value in result.totals.items():
        totals.add_row(name, str(value))
    _print_table(console, totals)
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
        _print_table(console, issues)
    for title, rows in (("Per batch", result.by_batch), (f"Per {result.period}", result.by_period)):
        _print_table(console, _group_table(title, rows))
    console.print("[green]everything reconciles[/]" if result.ok else "[red]differences found[/]")
    return 0 if result.ok else 1


def _console() -> Console:
    """The terminal, for tables and lines: made only when one is printed, so JSON and CSV load no rich."""
    from rich.console import Console

    return Console(soft_wrap=True)


#: A width no table reaches, to measure one as wide as its cells.
UNBOUNDED = 100_000


def _print_table(console: Console, table: Table) -> None:
    """A table as wide as its cells: on a narrow terminal, or piped (80 columns), rich would otherwise shrink
    the first column to nothing and print counts without what they count, or fold ids and keys. Lines wider
    than the terminal wrap there."""
    natural = console.measure(table, options=console.options.update_width(UNBOUNDED)).maximum
    console.width = max(console.width, natural)  # rich prints no wider than its console, whatever print asks
    console.print(table)


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
    from rich.table import Table

    from storage.reconcile_groups import GROUP_COUNTS

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
    from storage.reconcile_groups import GROUP_COUNTS

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


def run_rates(settings: Settings, args: argparse.Namespace) -> int:
    """The digitization and reuse rates of every supplied period in --from/--to (one --agency, or the office)."""
    from storage.rates import compute_rates
    from workers.runtime import open_catalog

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
    from rich.table import Table

    console = _console()
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
    _print_table(console, table)
    console.print(
        f"Reuse earns full points from {rates.total.to_json()['reuse_target']:.0%}. "
        "Archived documents without a dossier code cannot count toward the rates; --json lists every "
        "dossier and document behind the numbers."
    )
    return 0


def run_dossiers(settings: Settings, args: argparse.Namespace) -> int:
    """`report dossiers set PERIOD N [--agency A]` (audited) or `report dossiers list`."""
    from rich.table import Table

    from storage.audit import AuditLog
    from storage.rates import Period, dossier_totals, set_dossier_total
    from workers.runtime import open_catalog

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
            _print_table(_console(), table)
            return 0
        actor = f"cli:{getpass.getuser()}"
        total, previous = set_dossier_total(
            catalog, Period.parse(args.period), args.count, agency=args.agency, supplied_by=actor
        )
        AuditLog(catalog).append("dossier_total_set", actor=actor, details={**total.to_json(), "previous": previous})
    was = f" (was {previous})" if previous is not None else ""
    _console().print(
        f"{total.period.label} {total.agency or '(all agencies)'}: {total.dossiers_received} dossiers received{was}"
    )
    return 0
