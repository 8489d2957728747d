"""What a person sees of a batch: a progress bar while it runs, then a summary table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemas.intake import Intake
from storage.catalog import BatchProgress
from workers.intake import BatchResult, run_batch
from workers.runtime import Runtime

STATUS_STYLE = {"archived": "green", "needs_review": "yellow", "rejected": "red", "failed": "bold red"}


def run_with_progress(
    rt: Runtime,
    files: list[Path],
    *,
    workers: int,
    console: Console,
    intake_of: Callable[[Path], Intake | None] = lambda _: None,
) -> BatchResult:
    """Run the batch with a live bar of pages done (on a terminal only) and a line per finished document."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages · {task.fields[docs]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("Digitizing", total=None, docs="")

        def update(p: BatchProgress) -> None:
            docs = f"{p.finished}/{p.documents} documents"
            progress.update(task, total=p.pages_total or None, completed=p.pages_done, docs=docs)

        return run_batch(rt, files, workers=workers, on_progress=update, intake_of=intake_of)


def summary_counts(result: BatchResult) -> dict[str, float | int]:
    pages = result.pages
    return {
        "files": len(result.items),
        "archived": result.count("archived"),
        "needs_review": result.count("needs_review"),
        "rejected": result.count("rejected"),
        "failed": result.count("failed"),
        "duplicates": result.duplicates,
        "page_count_mismatches": _count_warned(result, "page_count_mismatch"),
        "duplicate_numbers": _count_warned(result, "duplicate_number"),
        "pages": pages,
        "seconds": round(result.seconds, 2),
        "seconds_per_page": round(result.seconds / pages, 2) if pages else 0.0,
    }


def _count_warned(result: BatchResult, code: str) -> int:
    """Documents of this batch (not repeated files) whose record carries a warning with `code`."""
    return sum(any(w.code == code for w in result.record_of(i).warnings) for i in result.items if not i.duplicate)


def summary_json(result: BatchResult) -> str:
    documents = [
        {
            "file": str(item.path),
            "id": item.document_id,
            "duplicate": item.duplicate,
            "status": result.record_of(item).status,
            "error": error.model_dump() if (error := result.record_of(item).error) else None,
            "exported": [str(p) for p in result.exported.get(str(item.path), [])],
        }
        for item in result.items
    ]
    return json.dumps(
        {"batch_id": result.batch_id, **summary_counts(result), "documents": documents}, ensure_ascii=False, indent=2
    )


def print_summary(result: BatchResult, *, console: Console, export_dir: Path | None) -> None:
    counts = summary_counts(result)
    table = Table(title=f"Batch {result.batch_id[:8]}", show_header=False, box=None)
    table.add_column(justify="left")
    table.add_column(justify="right")
    for name, value in counts.items():
        style = STATUS_STYLE.get(name) if value else None
        table.add_row(name.replace("_", " "), f"[{style}]{value}[/]" if style else str(value))
    console.print(table)
    for item in result.items:
        record = result.record_of(item)
        if item.duplicate:
            console.print(
                f"  [cyan]duplicate[/] {item.path}: same file as document {item.document_id} ({record.status})"
            )
        elif record.error is not None:
            console.print(
                f"  [{STATUS_STYLE[record.status]}]{record.status}[/] {item.path}: "
                f"{record.error.code}: {record.error.message}"
            )
        for warning in record.warnings if not item.duplicate else []:
            page = f" page {warning.page}" if warning.page else ""
            console.print(f"  [yellow]warning[/] {item.path}{page}: {warning.message}")
    if export_dir is not None:
        console.print(f"Exported records, XML and PDFs to {export_dir}/")
