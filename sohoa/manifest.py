"""Batch manifests: a CSV naming, for each file, its dossier code, procedure code and pages on paper."""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import ValidationError

from schemas.errors import UsageError
from schemas.intake import Intake

COLUMNS = {"file", "dossier_code", "procedure_code", "paper_pages"}


class ManifestError(UsageError):
    """The manifest cannot be used; the message names the line and the problem."""


def load_manifest(path: Path) -> dict[str, Intake]:
    """Intake per file name. Columns: file (required), dossier_code, procedure_code, paper_pages."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
            header = set(rows[0]) if rows else set()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"cannot read the manifest {path}: {exc}") from None
    if "file" not in header or header - COLUMNS:
        raise ManifestError(
            f"{path}: columns must be file and any of dossier_code, procedure_code, paper_pages; "
            f"found {', '.join(sorted(header)) or 'none'}"
        )
    intakes: dict[str, Intake] = {}
    for line, row in enumerate(rows, start=2):
        name = (row.pop("file") or "").strip()
        if not name:
            raise ManifestError(f"{path} line {line}: the file column is empty")
        if name in intakes:
            raise ManifestError(f"{path} line {line}: {name} is listed twice")
        try:
            intakes[name] = Intake.model_validate({k: v.strip() for k, v in row.items() if v and v.strip()})
        except ValidationError as exc:
            problem = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            raise ManifestError(f"{path} line {line} ({name}): {problem}") from None
    return intakes


def intake_for(path: Path, manifest: dict[str, Intake], default: Intake) -> Intake:
    """The manifest's row for a file (by name, or by path as given), over the batch-wide defaults."""
    row = manifest.get(str(path)) or manifest.get(path.name)
    if row is None:
        return default
    return default.model_copy(update=row.model_dump(exclude_none=True))
