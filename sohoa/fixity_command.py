"""`sohoa fixity`: re-hash archived objects and re-verify signatures; exit 1 on any mismatch."""

from __future__ import annotations

import getpass
import json

from rich.console import Console

from pipeline.signing_setup import trust_roots
from schemas.settings import Settings
from workers.fixity import FixityRun, run_fixity
from workers.runtime import open_catalog, open_store

PROGRESS_EVERY = 50  # lines of progress on a non-terminal stderr


def run_fixity_command(
    settings: Settings, sample_percent: float | None, as_json: bool, console: Console, err: Console
) -> int:
    """Check the archive (or a sample), print a line per failed document and a summary; 0 when all is intact."""
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
        run = run_fixity(
            catalog, store, roots, actor=f"cli:{getpass.getuser()}", sample_percent=sample_percent, progress=progress
        )
    finally:
        catalog.close()
    if as_json:
        print(json.dumps(run.to_json(), ensure_ascii=False, indent=2))
    else:
        _print(run, console)
    return 0 if run.ok else 1


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
