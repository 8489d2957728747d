"""Fixity: re-read archived objects, re-hash them against the catalog, and verify the PDF signatures again.

For each archived document:
- the signed PDF is read back from the store; its SHA-256 must equal the catalog's `archive.pdf_sha256`
  and the hash the store recorded when it was written, and its signatures must verify (`verify_pdf`:
  pyHanko and pdfsig, against the trust roots);
- the `.json` and `.xml` sidecars are read back; each must hash to what the store recorded at write time
  and equal what the catalog's record gives (the JSON parses to the same record, the XML is the same bytes
  `record_to_xml` makes of it).
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.metadata_xml import record_to_xml
from pipeline.verify import verify_pdf
from schemas.record import DocumentRecord
from storage.audit_anchor import write_anchor
from storage.catalog import Catalog, UnknownDocument
from storage.fixity import FixityFailure, record_run
from storage.layout import ARCHIVE, ArchivedKeys
from storage.objects import ObjectStore, ObjectStoreError

Progress = Callable[[int, int, str], None]  # (done, total, document id)


@dataclass(frozen=True)
class DocumentFixity:
    """What was found for one archived document; `ok` when nothing."""

    document_id: str
    filename: str | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "filename": self.filename, "ok": self.ok, "problems": self.problems}


@dataclass(frozen=True)
class FixityRun:
    """One run: which documents were checked (all, or a sample) and what each showed."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    archived: int
    sample_percent: float | None
    results: list[DocumentFixity]

    @property
    def failures(self) -> list[DocumentFixity]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "ok": self.ok,
            "archived": self.archived,
            "sample_percent": self.sample_percent,
            "checked": len(self.results),
            "failed": len(self.failures),
            "results": [r.to_json() for r in self.results],
        }


def choose_sample(ids: Sequence[str], percent: float | None, rng: random.Random | None = None) -> list[str]:
    """Every id (percent None), or a random `percent` of them, rounded up and at least one."""
    if percent is None or not ids:
        return list(ids)
    if not 0 < percent <= 100:
        raise ValueError(f"the sample must be more than 0 and at most 100 percent, not {percent}")
    count = min(len(ids), max(1, math.ceil(len(ids) * percent / 100)))
    return sorted((rng or random.SystemRandom()).sample(list(ids), count))


def check_document(catalog: Catalog, store: ObjectStore, document_id: str, roots: list[Path]) -> DocumentFixity:
    """Re-read and check the document's PDF and sidecars; every problem is named with its object."""
    try:
        record = catalog.record(document_id)
    except UnknownDocument:
        record = None
    if record is None or record.archive is None:
        return DocumentFixity(document_id, None, [f"no archived record for {document_id} in the catalog"])
    problems: list[str] = []
    archive = record.archive
    try:
        problems += _check_pdf(store, record, roots)
        for key in ArchivedKeys.of_pdf(archive.key).sidecars:
            problems += _check_sidecar(store, archive.bucket, key, record)
    except ObjectStoreError as exc:
        problems.append(f"the store cannot be read: {exc}")
    return DocumentFixity(document_id, record.source.filename, problems)


def _check_pdf(store: ObjectStore, record: DocumentRecord, roots: list[Path]) -> list[str]:
    archive = record.archive
    assert archive is not None
    stored = store.stat(archive.bucket, archive.key)
    if stored is None:
        return [f"{archive.key}: missing from the store"]
    problems = []
    if stored.sha256 != archive.pdf_sha256:
        problems.append(
            f"{archive.key}: the store recorded SHA-256 {stored.sha256[:12]}…, the catalog {archive.pdf_sha256[:12]}…"
        )
    if archive.version_id is not None and stored.version_id != archive.version_id:
        problems.append(
            f"{archive.key}: version {stored.version_id} replaced the archived version {archive.version_id}"
        )
    with store.local_path(archive.bucket, archive.key) as path:
        report = verify_pdf(path, roots, expected_sha256=archive.pdf_sha256)
    problems += [f"{archive.key}: {problem}" for problem in report.problems]
    return problems


def _check_sidecar(store: ObjectStore, bucket: str, key: str, record: DocumentRecord) -> list[str]:
    stored = store.stat(bucket, key)
    if stored is None:
        return [f"{key}: missing from the store"]
    data = store.get_bytes(bucket, key)
    actual = hashlib.sha256(data).hexdigest()
    problems = []
    if actual != stored.sha256:
        problems.append(
            f"{key}: SHA-256 {actual[:12]}… differs from the {stored.sha256[:12] or 'missing'}… recorded at write"
        )
    if key.endswith(".json"):
        try:
            same = DocumentRecord.model_validate_json(data) == record
        except ValidationError:
            same = False
        if not same:
            problems.append(f"{key}: not the catalog's record")
    elif data != record_to_xml(record):
        problems.append(f"{key}: not the metadata XML of the catalog's record")
    return problems


def run_fixity(
    catalog: Catalog,
    store: ObjectStore,
    roots: list[Path],
    *,
    actor: str,
    sample_percent: float | None = None,
    rng: random.Random | None = None,
    progress: Progress | None = None,
    anchor_bucket: str = ARCHIVE,
) -> FixityRun:
    """Check every archived document (or a sample), then record the run and its failures as audit events, and
    anchor the audit log's head in `anchor_bucket` (`storage.audit_anchor`)."""
    started = datetime.now(UTC)
    archived = catalog.archived_ids()
    chosen = choose_sample(archived, sample_percent, rng)
    results = []
    for done, document_id in enumerate(chosen, 1):
        results.append(check_document(catalog, store, document_id, roots))
        if progress is not None:
            progress(done, len(chosen), document_id)
    run = FixityRun(uuid.uuid4().hex, started, datetime.now(UTC), len(archived), sample_percent, results)
    record_run(
        catalog,
        run_id=run.run_id,
        actor=actor,
        checked=len(results),
        archived=len(archived),
        sample_percent=sample_percent,
        started_at=started,
        failures=[FixityFailure(r.document_id, r.filename, r.problems) for r in run.failures],
    )
    write_anchor(catalog, store, anchor_bucket)  # the run's own event included
    return run
