"""The `sohoa` command line: digitize, work, watch, review, verify, search, serve the web app, manage users.

Each command imports what it needs when it runs, so `sohoa --help`, `search` and `report` start without
loading OCR, imaging and signing libraries.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from schemas.errors import ExitCode, SohoaError, UsageError

if TYPE_CHECKING:
    from schemas.settings import Settings


err = Console(stderr=True, soft_wrap=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sohoa", description="Digitize scanned Vietnamese administrative results.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    digitize = commands.add_parser("digitize", help="OCR scans into searchable PDFs and document records")
    digitize.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders of scans")
    digitize.add_argument("--export", type=Path, metavar="DIR", help="write STEM.json, STEM.xml and STEM.pdf here")
    digitize.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="parallel pages in this process (default: number of cores; 0 with a broker: only sohoa worker processes)",
    )
    digitize.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    digitize.add_argument("--dossier-code", metavar="CODE", help="mã hồ sơ for every file of the batch")
    digitize.add_argument("--procedure-code", metavar="CODE", help="mã TTHC for every file of the batch")
    digitize.add_argument(
        "--manifest",
        type=Path,
        metavar="CSV",
        help="per-file file,dossier_code,procedure_code,paper_pages (overrides the two above)",
    )

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

    verify = commands.add_parser("verify", help="check signatures, integrity and hashes of archived PDFs")
    verify.add_argument("paths", nargs="*", type=Path, metavar="FILE", help="PDF files to check")
    verify.add_argument("--id", dest="ids", action="append", default=[], metavar="ID", help="an archived document")
    verify.add_argument("--all", action="store_true", help="every archived document")
    verify.add_argument("--json", action="store_true", help="machine-readable reports on stdout")

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
    report_commands = report.add_subparsers(dest="report_command", metavar="ACTION")
    dossiers = report_commands.add_parser("dossiers", help="dossiers received per period: the rates' denominators")
    dossier_commands = dossiers.add_subparsers(dest="dossiers_command", required=True, metavar="ACTION")
    dossiers_set = dossier_commands.add_parser("set", help="supply the dossiers received in a period")
    dossiers_set.add_argument("period", metavar="PERIOD", help="a month (2026-11) or days (2026-11-01..2026-11-15)")
    dossiers_set.add_argument("count", type=int, metavar="N", help="dossiers received in the period")
    dossiers_set.add_argument("--agency", help="one issuing agency (organ_name); default: the whole office")
    dossier_commands.add_parser("list", help="the supplied totals, who supplied them and when")

    fixity = commands.add_parser("fixity", help="re-hash archived objects, re-verify signatures; exit 1 on a mismatch")
    fixity.add_argument(
        "--sample", type=float, metavar="P", help="check a random P percent of the archived documents (at least one)"
    )
    fixity.add_argument("--json", action="store_true", help="machine-readable results on stdout")

    hold = commands.add_parser("hold", help="legal holds on a document's archived objects: set, clear, list")
    hold_commands = hold.add_subparsers(dest="hold_command", required=True, metavar="ACTION")
    for action, text in [("set", "put a legal hold on the document's PDF and sidecars"), ("clear", "release it")]:
        sub = hold_commands.add_parser(action, help=text)
        sub.add_argument("id", metavar="ID", help="the archived document")
        sub.add_argument("--reason", required=True, help="why (kept in the audit log)")
    hold_list = hold_commands.add_parser("list", help="documents under legal hold, checked against the store")
    hold_list.add_argument("--json", action="store_true", help="machine-readable list on stdout")

    search = commands.add_parser("search", help="find archived documents (diacritics optional), or --reindex")
    search.add_argument("query", nargs="*", metavar="QUERY", help='words; "a phrase" (one argument); word* a prefix')
    search.add_argument("--type", metavar="TYPE", help="document type, e.g. 'quyet dinh' (whole name)")
    search.add_argument("--agency", metavar="AGENCY", help="part of the issuing agency's name")
    search.add_argument("--from", dest="date_from", metavar="DATE", help="issued on or after (15/04/2024)")
    search.add_argument("--to", dest="date_to", metavar="DATE", help="issued on or before")
    search.add_argument("--holder", metavar="ID", help="the holder's personal id")
    search.add_argument("--page", type=int, default=1, metavar="N", help="page of results (default: 1)")
    search.add_argument("--per-page", type=int, default=20, metavar="N", help="results per page (default: 20)")
    search.add_argument("--json", action="store_true", help="machine-readable results on stdout")
    search.add_argument("--reindex", action="store_true", help="index every archived document again")

    worker = commands.add_parser("worker", help="process documents from the broker (SOHOA_BROKER_URL)")
    worker.add_argument("--processes", type=int, metavar="N", help="worker processes (default: number of cores)")
    worker.add_argument("--threads", type=int, default=1, metavar="N", help="threads per process (default: 1)")
    worker.add_argument("--no-sweep", dest="sweep", action="store_false", help=argparse.SUPPRESS)

    recover = commands.add_parser("recover", help="send documents stuck past their lease back to work")
    recover.add_argument("--lease", type=float, metavar="SECONDS", help="idle time that counts as stuck")

    dlq = commands.add_parser("dlq", help="dead letters: messages no worker could process")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    dlq_list = dlq_commands.add_parser("list", help="list dead letters with their reasons")
    dlq_list.add_argument("--json", action="store_true", help="machine-readable list on stdout")
    dlq_retry = dlq_commands.add_parser("retry", help="send dead letters again")
    dlq_retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead letters to send again")
    dlq_retry.add_argument("--all", action="store_true", help="every waiting dead letter")

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

    serve = commands.add_parser("serve", help="the web app and REST API")
    serve.add_argument("--host", metavar="ADDRESS", help="listen on ADDRESS (default: SOHOA_WEB_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, metavar="PORT", help="listen on PORT (default: SOHOA_WEB_PORT, 8000)")

    user = commands.add_parser("user", help="web accounts: add, list, password, disable, enable, token, revoke")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    user_commands.add_parser("list", help="every account and its role")
    for action, text in [
        ("add", "create an account"),
        ("password", "set a new password (signs the user out everywhere and revokes its API tokens)"),
        ("disable", "lock an account out (signs it out everywhere and revokes its API tokens)"),
        ("enable", "let a locked account in again (with new API tokens only)"),
        ("token", "issue an API token and print it (shown once); it expires"),
        ("revoke", "revoke every API token of the user"),
    ]:
        sub = user_commands.add_parser(action, help=text)
        sub.add_argument("username", metavar="USERNAME")
        if action == "add":
            sub.add_argument("--role", required=True, choices=["admin", "staff", "officer", "auditor"])
        if action in ("add", "token"):
            sub.add_argument("--name", help="full name (add) or what the token is for (token)")
        if action in ("add", "password"):
            sub.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        if action == "token":
            sub.add_argument("--days", type=float, help="days the token works (default: SOHOA_WEB_TOKEN_DAYS, 90)")

    catalog = commands.add_parser("catalog", help="back up, restore, or rebuild the catalog from the archive")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    backup = catalog_commands.add_parser("backup", help="a consistent copy of the catalog (workers may run)")
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = catalog_commands.add_parser("restore", help="put a backup back (refuses a non-empty catalog)")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--force", action="store_true", help="overwrite a catalog that holds documents or users")
    catalog_commands.add_parser("rebuild", help="rebuild an empty catalog from the archive's JSON sidecars")

    from sohoa.audit_command import add_audit_parser

    add_audit_parser(commands)

    schema = commands.add_parser("schema", help="JSON Schema of the document record")
    schema_commands = schema.add_subparsers(dest="schema_command", required=True, metavar="ACTION")
    export = schema_commands.add_parser("export", help="write the JSON Schema files to DIR")
    export.add_argument("dir", type=Path, metavar="DIR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    log_format = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(log_format) if args.verbose else _BriefFormatter(log_format))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    if args.command == "schema":
        from schemas.export import export_schemas

        for path in export_schemas(args.dir):
            print(path)
        return ExitCode.OK
    from schemas.settings import Settings

    try:
        settings = Settings.from_env(workers=getattr(args, "workers", None))
        return _dispatch(settings, args)
    except SohoaError as exc:
        err.print("[red]error:[/]", escape(str(getattr(exc, "message", None) or exc)))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        if note := INTERRUPTED.get(args.command):
            err.print(f"[yellow]interrupted:[/] {note.format(dir=getattr(args, 'dir', ''))}")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if not _service_failure(exc):
            raise
        err.print(f"[red]error:[/] cannot continue: {_storage_problem(exc)}")
        if note := RESUMABLE.get(args.command):
            err.print(note)
        return ExitCode.FAILED


#: What an interrupted command leaves, by command.
INTERRUPTED = {
    "digitize": "finished documents are kept; run the same command again to resume",
    "watch": "files in flight wait in {dir}/.sohoa-inflight; the next start resumes them",
}
#: What a command stopped by a failing disk, database or broker leaves, by command.
RESUMABLE = {
    "digitize": "Finished documents are kept; fix the problem and run the same command again to resume.",
    "watch": "Nothing is lost: run the same command again to resume.",
}


def _service_failure(exc: Exception) -> bool:
    """A failure of the disk, the database or the broker underneath, not of sohoa's own making."""
    from dramatiq.errors import BrokerError  # imported only once something failed: they load slowly
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, OSError | SQLAlchemyError | BrokerError)


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "verify":
        return _verify(settings, args)
    if args.command == "review":
        return _review(settings, args)
    if args.command == "report":
        return _report(settings, args)
    if args.command == "watch":
        return _watch(settings, args)
    if args.command == "search":
        return _search(settings, args)
    if args.command == "audit":
        from sohoa.audit_command import run_audit

        return run_audit(settings, args, err)
    if args.command in ("fixity", "hold"):
        return _archive_integrity(settings, args)
    if args.command == "catalog":
        from sohoa.catalog_command import run_catalog

        return run_catalog(settings, args, Console(soft_wrap=True), err)
    if args.command in ("serve", "user"):
        return _web(settings, args)
    if args.command in ("worker", "recover", "dlq"):
        return _operate(settings, args)
    return _digitize(settings, args)


def _digitize(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import tesseract
    from pipeline.signing_setup import TEST_WARNING, uses_test_key
    from schemas.intake import Intake
    from sohoa.batch_display import print_summary, run_with_progress, summary_json
    from sohoa.embedded import open_embedded
    from sohoa.files import collect_inputs, export_results
    from sohoa.manifest import intake_for, load_manifest
    from workers.runtime import tesseract_config

    skip = [settings.data_dir, *([args.export] if args.export else [])]
    files = collect_inputs(args.paths, skip=skip)
    manifest = load_manifest(args.manifest) if args.manifest else {}
    if settings.workers == 0 and settings.broker_url is None:
        raise UsageError("--workers 0 leaves the work to `sohoa worker` processes, which need SOHOA_BROKER_URL")
    default = Intake(dossier_code=args.dossier_code, procedure_code=args.procedure_code)
    unlisted = [f.name for f in files if manifest and intake_for(f, manifest, default) is default]
    if unlisted:
        err.print(f"[yellow]warning:[/] not in the manifest: {', '.join(unlisted)}")
    tesseract.probe(tesseract_config(settings))  # configuration, found before any document is touched
    with open_embedded(settings) as rt:
        if uses_test_key(settings):
            err.print(f"[yellow]warning:[/] {TEST_WARNING.format(folder=settings.data_dir / 'keys')}")
        result = run_with_progress(
            rt,
            files,
            workers=settings.workers,
            console=err,
            intake_of=lambda path: intake_for(path, manifest, default),
        )
        if args.export:
            export_results(rt, result, args.export)
    if args.json:
        print(summary_json(result))
    print_summary(result, console=err if args.json else Console(soft_wrap=True), export_dir=args.export)
    return ExitCode.FAILED if result.count("failed") else ExitCode.OK


def _review(settings: Settings, args: argparse.Namespace) -> int:
    from sohoa.review_command import list_waiting, reject_document, review_document

    console = Console(soft_wrap=True)
    if args.id is None:
        return list_waiting(settings, console)
    if args.reject is not None:
        if args.assignments:
            raise UsageError("--reject takes no field corrections")
        return reject_document(settings, args.id, args.reject, console=console)
    ask = console.input if sys.stdin.isatty() else None
    return review_document(settings, args.id, args.assignments, confirm=args.confirm, ask=ask, console=console)


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    from sohoa.verify_command import run_verify

    if not (args.paths or args.ids or args.all):
        raise UsageError("name PDF files, --id ID or --all")
    return run_verify(settings, args.paths, args.ids, args.all, args.json)


def _day(value: str) -> date:
    from storage.times import parse_day

    try:
        day = parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if day is None:
        raise argparse.ArgumentTypeError("an empty day")
    return day


def _report(settings: Settings, args: argparse.Namespace) -> int:

    from sohoa.report_command import run_reconcile, run_report
    from storage.reports import ReportQuery

    console = Console(soft_wrap=True)
    if args.report_command == "dossiers" or args.rates:
        from sohoa.report_command import run_dossiers, run_rates

        if args.rates:
            return run_rates(settings, args, console=console)
        return run_dossiers(settings, args, console=console)
    if args.reconcile:
        return run_reconcile(
            settings,
            hashes=args.hashes,
            stale_days=args.stale_days,
            as_json=args.json,
            as_csv=args.csv,
            period=args.period,
            console=console,
        )
    query = ReportQuery(args.by, args.since, args.until, args.agency, args.type_name, args.status)
    return run_report(settings, query, as_csv=args.csv, as_json=args.json, console=console)


def _search(settings: Settings, args: argparse.Namespace) -> int:

    from sohoa.search_command import run_reindex, run_search

    if args.reindex:
        return run_reindex(settings, Console(soft_wrap=True))
    return run_search(settings, args, Console(soft_wrap=True))


def _archive_integrity(settings: Settings, args: argparse.Namespace) -> int:
    """`sohoa fixity` and `sohoa hold`."""

    from sohoa.fixity_command import run_fixity_command
    from sohoa.hold_command import run_hold

    if args.command == "fixity":
        if args.sample is not None and not 0 < args.sample <= 100:
            raise UsageError("--sample takes a percentage above 0 and at most 100")
        return run_fixity_command(settings, args.sample, args.json, Console(soft_wrap=True), err)
    hold_id, reason, as_json = getattr(args, "id", None), getattr(args, "reason", ""), getattr(args, "json", False)
    return run_hold(settings, args.hold_command, hold_id, reason, as_json)


def _operate(settings: Settings, args: argparse.Namespace) -> int:
    """The distributed-mode commands: worker, recover and dlq."""

    from sohoa.operations import run_dlq_list, run_dlq_retry, run_recover
    from workers.service import serve_forever

    console = Console(soft_wrap=True)
    if args.command == "worker":
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


def _watch(settings: Settings, args: argparse.Namespace) -> int:

    from sohoa.watch import run_watch

    if args.poll <= 0 or (args.stable_seconds is not None and args.stable_seconds < 0):
        raise UsageError("--poll must be positive and --stable-seconds not negative")
    return run_watch(settings, args.dir, once=args.once, poll=args.poll, stable_seconds=args.stable_seconds)


def _web(settings: Settings, args: argparse.Namespace) -> int:

    from sohoa.web_commands import run_serve, run_user

    if args.command == "serve":
        return run_serve(settings, args.host, args.port)
    return run_user(settings, args.user_command, args, Console())


class _BriefFormatter(logging.Formatter):
    """Log lines for people: a failure's cause in a few words, its traceback only with `--verbose`.

    A page retried after a full disk or a lost catalog is logged by the worker; the record and the summary
    say what happened to the document, so a screen of traceback adds nothing but alarm.
    """

    def formatException(self, ei: Any) -> str:
        return f"  cause: {_storage_problem(ei[1])}" if ei[1] is not None else ""


def _storage_problem(exc: BaseException) -> str:
    """The root cause of a storage failure in a few words (e.g. "No space left on device")."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]


def run() -> None:
    sys.exit(main())
