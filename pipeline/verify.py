"""Verify a signed PDF with two independent verifiers, pyHanko and poppler's pdfsig, into one report."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from pipeline import pdfsig
from pipeline.sign import subject_name
from schemas.times import VIETNAM


@dataclass(frozen=True)
class SignatureCheck:
    """pyHanko's verdict on one signature."""

    field: str
    signer: str
    signed_at: str | None
    intact: bool
    trusted: bool
    timestamp: str | None
    covers_whole_file: bool
    modifications: str


@dataclass(frozen=True)
class VerificationReport:
    """Everything checked about one PDF; `ok` only when every check passed."""

    path: str
    sha256: str
    expected_sha256: str | None
    signatures: list[SignatureCheck]
    pdfsig: list[pdfsig.PdfsigSignature] | None
    problems: list[str] = field(default_factory=list)
    document_timestamps: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return f"FAIL {self.path}: " + "; ".join(self.problems)
        last = self.signatures[-1]
        stamp = f", timestamp {last.timestamp}" if last.timestamp else ""
        second = ", pdfsig agrees" if self.pdfsig is not None else ""
        return (
            f"OK   {self.path}: signed by {last.signer} at {last.signed_at}{stamp}; intact, trusted, unmodified{second}"
        )

    def to_json(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def verify_pdf(path: Path, trust_roots: list[Path], *, expected_sha256: str | None = None) -> VerificationReport:
    """Check integrity, signer chain against `trust_roots`, timestamp, changes after signing, and the hash."""
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    problems: list[str] = []
    if expected_sha256 is not None and sha256 != expected_sha256:
        problems.append(f"SHA-256 {sha256[:12]}… differs from the catalog's {expected_sha256[:12]}…")
    checks, timestamp_fields = _pyhanko_checks(path, trust_roots, problems)
    second = pdfsig.run_pdfsig(path, trust_roots) if pdfsig.available() else None
    for result in second or []:
        if result.field in timestamp_fields:
            continue  # pdfsig does not check document timestamps; pyHanko did
        if not result.signature_valid:
            problems.append(f"pdfsig: {result.field}: {result.signature_status}")
        elif pdfsig.checks_trust(trust_roots) and result.certificate_status != "Certificate is Trusted.":
            problems.append(f"pdfsig: {result.field}: {result.certificate_status}")
    if second is not None and len(second) != len(checks) + len(timestamp_fields):
        problems.append(f"pdfsig sees {len(second)} signatures, pyHanko {len(checks) + len(timestamp_fields)}")
    return VerificationReport(str(path), sha256, expected_sha256, checks, second, problems, len(timestamp_fields))


def _pyhanko_checks(path: Path, trust_roots: list[Path], problems: list[str]) -> tuple[list[SignatureCheck], list[str]]:
    """Signature checks, and the fields of document timestamps (PAdES B-LTA), which are checked here too."""
    context_roots = [load_cert_from_pemder(str(p)) for p in trust_roots]
    checks, timestamp_fields = [], []
    try:
        with path.open("rb") as fh:
            signatures = PdfFileReader(fh, strict=False).embedded_signatures
            if not signatures:
                problems.append("the PDF has no signature")
            for embedded in signatures:
                context = ValidationContext(trust_roots=context_roots)
                if embedded.sig_object_type == "/DocTimeStamp":
                    timestamp_fields.append(str(embedded.field_name))
                    stamp = validate_pdf_timestamp(embedded, validation_context=context)
                    if not (stamp.intact and stamp.valid and stamp.trusted):
                        problems.append(f"{embedded.field_name}: the document timestamp does not verify")
                    continue
                checks.append(_check(embedded.field_name, validate_pdf_signature(embedded, context)))
    except Exception as exc:  # a damaged file can fail anywhere in parsing
        problems.append(f"cannot read the signatures: {exc}")
        return checks, timestamp_fields
    for check in checks:
        problems += _problems_of(check, last=check is checks[-1])
    return checks, timestamp_fields


def _check(field_name: str, status: PdfSignatureStatus) -> SignatureCheck:
    timestamp = status.timestamp_validity
    return SignatureCheck(
        field=str(field_name),
        signer=str(subject_name(status.signing_cert)),
        signed_at=status.signer_reported_dt.astimezone(VIETNAM).isoformat() if status.signer_reported_dt else None,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        timestamp=timestamp.timestamp.astimezone(VIETNAM).isoformat() if timestamp and timestamp.intact else None,
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        modifications=status.modification_level.name if status.modification_level is not None else "UNKNOWN",
    )


def _problems_of(check: SignatureCheck, *, last: bool) -> list[str]:
    problems = []
    if not check.intact:
        problems.append(f"{check.field}: the signed bytes were changed (integrity check failed)")
    if not check.trusted:
        problems.append(f"{check.field}: the signer's certificate does not chain to a trusted root")
    if last and not check.covers_whole_file and check.modifications != "LTA_UPDATES":
        problems.append(f"{check.field}: content was added after the last signature")
    if check.modifications not in ("NONE", "LTA_UPDATES", "FORM_FILLING"):
        problems.append(f"{check.field}: modified after signing ({check.modifications})")
    return problems
