"""Review, the use case of `sohoa review` and the web's review pages: correct, confirm, then sign and archive.

A document held for a person (`needs_review`) gets its values corrected and validated here, the same for every
front end, and is then confirmed and archived at once.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import get_args

from pydantic import ValidationError

from pipeline.extract import fields_to_review
from pipeline.sign import check_certificate
from schemas.errors import UsageError
from schemas.record import DocumentRecord, ErrorInfo, ResultMetadata, Warning
from schemas.times import parse_day
from workers import actors
from workers.runtime import Runtime

log = logging.getLogger(__name__)

#: The longest value a person may give a metadata field (the longest, a subject, is cut at 500 anyway).
MAX_VALUE_CHARS = 1000
#: Metadata fields holding a day: typed as 15/04/2024 or 2024-04-15, kept in ISO form.
DAY_FIELDS = frozenset(
    name for name, field in ResultMetadata.model_fields.items() if date in get_args(field.annotation)
)


class ReviewError(UsageError):
    """The review cannot go on as asked (unknown document, bad field or value); `fields` names the bad fields."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


def uncertain_fields(record: DocumentRecord, threshold: float) -> list[str]:
    """Fields a person should look at first: those the document was held for, required ones missing or
    doubtful now, and any read below `threshold`."""
    confidence = record.confidence.model_dump()
    doubtful = set(fields_to_review(record.metadata, confidence, threshold))
    for warning in record.warnings:
        if warning.code == "needs_review":
            doubtful.update(warning.fields)
    for name, value in record.metadata.model_dump().items():
        score = confidence.get(name)
        if value is not None and score is not None and score < threshold:
            doubtful.add(name)
    return [name for name in ResultMetadata.model_fields if name in doubtful]


def apply_changes(metadata: ResultMetadata, assignments: list[str]) -> tuple[ResultMetadata, dict[str, list]]:
    """`field=value` assignments applied and validated; an empty value clears the field."""
    values: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip()
        if not sep or name not in ResultMetadata.model_fields:
            raise ReviewError(
                f"not a field assignment: {assignment!r} (fields: {', '.join(ResultMetadata.model_fields)})"
            )
        values[name] = value
    return apply_values(metadata, values)


def apply_values(
    metadata: ResultMetadata, values: Mapping[str, str | int | None]
) -> tuple[ResultMetadata, dict[str, list]]:
    """Field values applied and validated; `changes` maps each changed field to [before, after].

    Values are compared as text, so a form sending every field back unchanged changes nothing; an empty
    value clears the field.
    """
    current = metadata.model_dump(mode="json")
    changes: dict[str, list] = {}
    for name, value in values.items():
        if name not in current:
            raise ReviewError(f"unknown field: {name!r} (fields: {', '.join(current)})", (name,))
        if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            raise ReviewError(f"{name}: a value has at most {MAX_VALUE_CHARS} characters", (name,))
        new = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value
        new = None if new == "" else new
        if name in DAY_FIELDS and isinstance(new, str):
            new = _iso_day(new)
        before = current[name]
        if (None if before is None else str(before)) != (None if new is None else str(new)):
            changes[name] = [before, new]
            current[name] = new
    try:
        return ResultMetadata.model_validate(current), changes
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fields = tuple(dict.fromkeys(str(e["loc"][0]) for e in exc.errors() if e["loc"]))
        raise ReviewError(f"invalid value: {problems}", fields) from None


def _iso_day(typed: str) -> str:
    """A typed day in ISO form; text that is no day is left for validation to name."""
    try:
        day = parse_day(typed)
    except ValueError:
        return typed
    return day.isoformat() if day else typed


#: The error code of a document a person refused in review.
REJECTED_IN_REVIEW = "rejected_in_review"
MAX_REASON_CHARS = 500


def reject(rt: Runtime, document_id: str, reason: str, *, actor: str, role: str | None = None) -> DocumentRecord:
    """Refuse a held document with a reason: it ends `rejected`, nothing is signed or archived, and it is audited.

    For a scan that is no result at all, or not this office's: the reason is the record's error message.
    """
    reason = unicodedata.normalize("NFC", (reason or "").strip())
    if not reason:
        raise ReviewError("a rejection needs a reason", ("reason",))
    if len(reason) > MAX_REASON_CHARS:
        raise ReviewError(f"a reason has at most {MAX_REASON_CHARS} characters", ("reason",))
    held = rt.catalog.record(document_id)
    if held is None or held.status != "needs_review":
        raise ReviewError(f"document {document_id} is not waiting for review")
    error = ErrorInfo(code=REJECTED_IN_REVIEW, message=reason)
    record = held.model_copy(update={"status": "rejected", "error": error, "finished_at": datetime.now(UTC)})
    try:
        rt.catalog.reject_review(document_id, record, actor=actor, reason=reason, role=role)
    except ValueError as exc:  # decided by someone else meanwhile
        raise ReviewError(str(exc)) from None
    return record


@dataclass(frozen=True)
class ReviewOutcome:
    """What a confirmation led to: the archived record, or the held one and why it is still held."""

    record: DocumentRecord
    changes: dict[str, list]
    error: ErrorInfo | None = None

    @property
    def archived(self) -> bool:
        return self.record.status == "archived"


def confirm_and_archive(
    rt: Runtime,
    document_id: str,
    metadata: ResultMetadata,
    changes: dict[str, list],
    *,
    actor: str,
    role: str | None = None,
) -> ReviewOutcome:
    """Confirm a held document's values (with the person's changes), then sign and archive it at once.

    This is the review step of the CLI and of the web app. The signing certificate is checked first, so a
    key that expired meanwhile raises `SigningError` with nothing changed. When signing or archiving fails
    anyway, the document goes back to the review queue with the reason as a warning; the review event
    stays. The catalog records the confirmation's audit event ("review_confirmed" or "review_corrected", with
    the changes) together with it; the outcome follows as the pipeline's own events ("signed", "archived", or
    "returned_to_review" with the reason).
    """
    held = rt.catalog.record(document_id)
    if held is None or held.status != "needs_review":
        raise ReviewError(f"document {document_id} is not waiting for review")
    check_certificate(rt.signing.signer.signing_cert)
    try:
        rt.catalog.confirm_review(
            document_id, actor=actor, role=role, metadata=metadata.model_dump(mode="json"), changes=changes
        )
    except ValueError as exc:  # confirmed by someone else meanwhile
        raise ReviewError(str(exc)) from None
    try:
        actors.assemble_document(document_id)  # called directly, the actor runs here and now
        record = rt.catalog.record(document_id)
        error = None if record is not None and record.status == "archived" else _why_not(record)
    except Exception as exc:  # whatever stopped it, the document must not stay half-done
        log.exception("archiving %s after review failed", document_id)
        record, error = None, ErrorInfo(code=getattr(exc, "code", "assembly_failed"), message=str(exc) or repr(exc))
    if error is not None:
        kept = [w for w in held.warnings if w.code != error.code]
        record = held.model_copy(update={"warnings": [*kept, Warning(code=error.code, message=error.message)]})
        rt.catalog.return_to_review(document_id, record)
    assert record is not None  # archived, or held again with its reason
    return ReviewOutcome(record, changes, error)


def _why_not(record: DocumentRecord | None) -> ErrorInfo:
    if record is not None and record.error is not None:
        return record.error
    status = record.status if record is not None else "unknown"
    return ErrorInfo(code="assembly_failed", message=f"the document ended {status}, not archived")
