"""Fixity runs as audit events: one `fixity_run` summary per run, one `fixity_failed` per bad document.

`workers.fixity` checks the archive and records a run here; reports read the last run back with
`last_fixity_run`, so auditors see when the archive was last re-hashed and which documents failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas.times import as_utc
from storage.audit import AuditLog, EventFilter
from storage.catalog import Catalog

RUN_EVENT = "fixity_run"
FAILED_EVENT = "fixity_failed"
MAX_LISTED = 1000  # failures read back for one run


@dataclass(frozen=True)
class FixityFailure:
    """One document of a run whose objects or signature did not check out, and why."""

    document_id: str
    filename: str | None
    problems: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "filename": self.filename, "problems": self.problems}


@dataclass(frozen=True)
class FixityStatus:
    """The last fixity run as recorded: when, by whom, how many documents checked and which failed."""

    run_id: str
    at: datetime
    actor: str
    checked: int
    failed: int
    archived: int
    sample_percent: float | None
    failures: list[FixityFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "ok": self.ok,
            "checked": self.checked,
            "failed": self.failed,
            "archived": self.archived,
            "sample_percent": self.sample_percent,
            "failures": [f.to_json() for f in self.failures],
        }


def record_run(
    catalog: Catalog,
    *,
    run_id: str,
    actor: str,
    checked: int,
    archived: int,
    sample_percent: float | None,
    started_at: datetime,
    failures: list[FixityFailure],
) -> None:
    """Append one `fixity_failed` event per failure, then the run's `fixity_run` summary."""
    audit = AuditLog(catalog)
    for failure in failures:
        details = {"run_id": run_id, "filename": failure.filename, "problems": failure.problems}
        audit.append(FAILED_EVENT, actor=actor, document_id=failure.document_id, details=details)
    audit.append(
        RUN_EVENT,
        actor=actor,
        details={
            "run_id": run_id,
            "ok": not failures,
            "checked": checked,
            "failed": len(failures),
            "archived": archived,
            "sample_percent": sample_percent,
            "started_at": started_at.isoformat(),
        },
    )


def last_fixity_run(catalog: Catalog) -> FixityStatus | None:
    """The most recent fixity run and its failures, from the audit log; None when none was ever run."""
    audit = AuditLog(catalog)
    runs = audit.events(EventFilter(action=RUN_EVENT), limit=1)
    if not runs:
        return None
    run = runs[0]
    details = run.details or {}
    run_id = details.get("run_id", "")
    failures = [
        FixityFailure(
            e.document_id or "", (e.details or {}).get("filename"), list((e.details or {}).get("problems", []))
        )
        for e in audit.events(EventFilter(action=FAILED_EVENT), limit=MAX_LISTED)  # newest first
        if (e.details or {}).get("run_id") == run_id and e.id < run.id
    ]
    return FixityStatus(
        run_id=run_id,
        at=as_utc(run.at),
        actor=run.actor,
        checked=int(details.get("checked", 0)),
        failed=int(details.get("failed", len(failures))),
        archived=int(details.get("archived", 0)),
        sample_percent=details.get("sample_percent"),
        failures=sorted(failures, key=lambda f: f.document_id),
    )
