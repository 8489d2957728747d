"""`sohoa fixity`: re-hash archived objects and re-verify signatures; exit 1 on any mismatch."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import TYPE_CHECKING, Any

from schemas.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from schemas.settings import Settings
    from workers.fixity import FixityRun

PROGRESS_EVERY = 50  # lines of progress on a non-terminal stderr


def add_parser(commands: Any) -> None:
    """The `fixity` command, added to the `sohoa` subparsers."""
    fixity = commands.add_parser("fixity", help="re-hash archived objects, re-verify signatures; exit 1 on a mismatch")
    fixity.add_argument(
        "--sample", type=float, metavar="P", help="check a random P percent of the archived documents (at least one)"
    )
    fixity.add_argument("--json", action="store_true", help="machine-readable results on stdout")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Check the archive (or a sample), print a line per failed document and a summary; 0 when all is intact."""
    from rich.console import Console

    from pipeline.signing_setup import trust_roots
    from workers.fixity import run_fixity
    from workers.runtime import open_catalog, open_store

    sample_percent = args.sample
    if sample_percent is not None and not 0 < sample_percent <= 100:
        raise UsageError("--sample takes a percentage above 0 and at most 100")
    err = Console(stderr=True, soft_wrap=True)
    roots = trust_roots(settings)
    catalog, store = open_catalog(settings), open_store(settings)

    def progress(done: int, total: int, document_id: str) -> None:
        if err.is_terminal or done == total or done % PROGRESS_EVERY == 0:
            err.print(
                f"fixity: {done}/{total} checked ({document_id})",
                markup=False,
                highlight=False,
                end="\r" if err.is_terminal and done < total else "\n",
            )

    try:
        checked = run_fixity(
            catalog, store, roots, actor=f"cli:{getpass.getuser()}", sample_percent=sample_percent, progress=progress
        )
    finally:
        catalog.close()
    if args.json:
        print(json.dumps(checked.to_json(), ensure_ascii=False, indent=2))
    else:
        _print(checked, Console(soft_wrap=True))
    return 0 if checked.ok else 1


def _print(run: FixityRun, console: Console) -> None:
    for result in run.failures:
        console.print(f"FAIL {result.document_id} ({result.filename}):", style="red", markup=False, highlight=False)
        for problem in result.problems:
            console.print(f"     {problem}", markup=False, highlight=False)
    scope = "all" if run.sample_percent is None else f"a {run.sample_percent:g}% sample"
    console.print(
        f"{len(run.results)} of {run.archived} archived documents checked ({scope}): "
        f"{len(run.results) - len(run.failures)} intact, {len(run.failures)} failed",
        style="green" if run.ok else "red",
        markup=False,
        highlight=False,
    )
