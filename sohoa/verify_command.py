"""`sohoa verify`: check archived documents or any PDF file, print a line each (or JSON), fail on any problem."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemas.errors import UsageError

if TYPE_CHECKING:
    from pipeline.verify import VerificationReport
    from schemas.settings import Settings


def add_parser(commands: Any) -> None:
    """The `verify` command, added to the `sohoa` subparsers."""
    verify = commands.add_parser("verify", help="check signatures, integrity and hashes of archived PDFs")
    verify.add_argument("paths", nargs="*", type=Path, metavar="FILE", help="PDF files to check")
    verify.add_argument("--id", dest="ids", action="append", default=[], metavar="ID", help="an archived document")
    verify.add_argument("--all", action="store_true", help="every archived document")
    verify.add_argument("--json", action="store_true", help="machine-readable reports on stdout")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa verify`: a line (or a JSON report) per PDF; 0 only when every one checked is valid."""
    from rich.console import Console

    if not (args.paths or args.ids or args.all):
        raise UsageError("name PDF files, --id ID or --all")
    reports = list(verify_targets(settings, args.paths, args.ids, args.all))
    if args.json:
        print(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2, default=str))
    else:
        console = Console(soft_wrap=True)
        for report in reports:
            console.print(report.summary(), style="green" if report.ok else "red", markup=False, highlight=False)
        failed = sum(not r.ok for r in reports)
        console.print(f"{len(reports)} checked, {len(reports) - failed} ok, {failed} failed", markup=False)
    return 0 if reports and all(r.ok for r in reports) else 1


def verify_targets(
    settings: Settings, paths: list[Path], ids: list[str], all_archived: bool
) -> Iterator[VerificationReport]:
    """Reports for files, for documents by id, or for every archived document (hash checked against the catalog)."""
    from pipeline.signing_setup import trust_roots
    from pipeline.verify import VerificationReport, verify_pdf
    from workers.runtime import open_catalog, open_store

    roots = trust_roots(settings)
    for path in paths:
        if not path.is_file():
            yield VerificationReport(str(path), "", None, [], None, ["no such file"])
        else:
            yield verify_pdf(path, roots)
    if not ids and not all_archived:
        return
    catalog, store = open_catalog(settings), open_store(settings)
    try:
        for document_id in catalog.archived_ids() if all_archived else ids:
            yield _verify_document(catalog, store, document_id, roots)
    finally:
        catalog.close()


def _verify_document(catalog, store, document_id: str, roots: list[Path]) -> VerificationReport:
    from pipeline.verify import VerificationReport, verify_pdf
    from storage.catalog import UnknownDocument

    try:
        record = catalog.record(document_id)
    except UnknownDocument:
        record = None
    if record is None or record.archive is None:
        return VerificationReport(document_id, "", None, [], None, [f"no archived document with id {document_id}"])
    with store.local_path(record.archive.bucket, record.archive.key) as path:
        report = verify_pdf(path, roots, expected_sha256=record.archive.pdf_sha256)
    return VerificationReport(
        f"{document_id} ({record.source.filename})",
        report.sha256,
        report.expected_sha256,
        report.signatures,
        report.pdfsig,
        report.problems,
    )
