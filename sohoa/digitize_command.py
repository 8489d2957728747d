"""`sohoa digitize PATH...`: OCR scans into searchable, signed PDFs and document records, with a progress bar
and a summary (`sohoa.batch_display`); `--export` copies the results out."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemas.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from schemas.settings import Settings


def add_parser(commands: Any) -> None:
    """The `digitize` command, added to the `sohoa` subparsers."""
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


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Digitize every file named or found; 1 when a document failed (not the input's fault), else 0."""
    from rich.console import Console

    from pipeline import tesseract
    from pipeline.signing_setup import TEST_WARNING, uses_test_key
    from schemas.intake import Intake
    from sohoa.batch_display import print_summary, run_with_progress, summary_json
    from sohoa.embedded import open_embedded
    from sohoa.files import collect_inputs, export_results
    from sohoa.manifest import intake_for, load_manifest
    from workers.runtime import tesseract_config

    err = Console(stderr=True, soft_wrap=True)
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
