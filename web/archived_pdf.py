"""The archived PDF of a document as the web app serves it: checked against the catalog, streamed, verified.

- **Checked.** The object's SHA-256 is computed before anything is sent and compared with the record's
  `archive.pdf_sha256`; a mismatch raises `ArchiveMismatch` and nothing is served. The bytes are hashed
  again while they stream, and a change in between aborts the response (its Content-Length is never met).
- **Streamed.** `store.local_path` gives the object as a file (the local folder store's own file; on S3 a
  temporary download), read in 1 MiB chunks, so a large document never sits in memory and the PDF stays
  same-origin for the Content-Security-Policy on both stores.
- **Verified, with a cache.** `pipeline.verify.verify_pdf` (pyHanko and poppler's pdfsig against the trust
  roots) took 35–50 ms for a one-page 0.9 MB archived PDF here, which is cheap, but it grows with the file
  and the number of signatures. `SignatureCache` keeps each verdict for (document id, SHA-256, trust roots)
  for ten minutes; the SHA-256 is of the bytes just read, so a changed object is never given an old verdict.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from pipeline.verify import verify_pdf
from schemas.record import ArchiveInfo, DocumentRecord
from storage.objects import CHUNK, ObjectStore, content_disposition

log = logging.getLogger(__name__)

#: pyHanko's modification levels that leave a signed document as it was signed (see `pipeline.verify`).
UNMODIFIED = ("NONE", "LTA_UPDATES", "FORM_FILLING")


class ArchiveMismatch(Exception):
    """The archived object's bytes are not the ones the catalog recorded: it is not served."""

    def __init__(self, document_id: str, expected: str, found: str) -> None:
        self.document_id, self.expected, self.found = document_id, expected, found
        super().__init__(
            "Bản PDF trong kho lưu trữ không khớp với mã SHA-256 đã ghi trong danh mục "
            f"(ghi nhận {expected[:12]}…, hiện có {found[:12]}…): tệp có thể đã bị thay đổi nên không được cung cấp. "
            "Hãy báo cho quản trị viên."
        )


@dataclass(frozen=True)
class CheckedPdf:
    """The archived PDF, opened, whose bytes hashed to the record's SHA-256."""

    path: Path
    file: BinaryIO
    size: int
    sha256: str


@contextmanager
def checked_pdf(store: ObjectStore, document_id: str, archive: ArchiveInfo) -> Iterator[CheckedPdf]:
    """The archived PDF opened at its start after its SHA-256 matched; `ArchiveMismatch` otherwise."""
    with store.local_path(archive.bucket, archive.key) as path, path.open("rb") as fh:
        digest, size = hashlib.sha256(), 0
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        found = digest.hexdigest()
        if found != archive.pdf_sha256:
            log.error("archived PDF of %s: SHA-256 %s, the catalog has %s", document_id, found, archive.pdf_sha256)
            raise ArchiveMismatch(document_id, archive.pdf_sha256, found)
        fh.seek(0)
        yield CheckedPdf(path, fh, size, found)


def stream_checked(pdf: CheckedPdf, document_id: str, stack: ExitStack) -> Iterator[bytes]:
    """The PDF's bytes, hashed again on the way; a change since the check aborts the response. Closes `stack`."""
    try:
        digest = hashlib.sha256()
        while chunk := pdf.file.read(CHUNK):
            digest.update(chunk)
            yield chunk
        if digest.hexdigest() != pdf.sha256:
            log.error("archived PDF of %s changed while it was being sent; the response is aborted", document_id)
            raise ArchiveMismatch(document_id, pdf.sha256, digest.hexdigest())
    finally:
        stack.close()


def download_name(record: DocumentRecord) -> str:
    """The file name offered to the browser: the source file's stem (as staff named the scan) with `.pdf`."""
    name = PurePosixPath(PureWindowsPath(record.source.filename).as_posix()).name
    stem = (name.rpartition(".")[0] if "." in name else name).strip().strip(".")
    return f"{stem or record.id}.pdf"


def disposition(record: DocumentRecord, *, inline: bool) -> str:
    """Content-Disposition with an ASCII `filename` and, for Vietnamese names, the exact RFC 5987 `filename*`."""
    value = content_disposition(download_name(record))
    return value.replace("attachment", "inline", 1) if inline else value


@dataclass(frozen=True)
class SignatureStatus:
    """What the document page says about the signature of an archived PDF."""

    ok: bool
    signer: str | None
    signed_at: datetime | None
    timestamp: datetime | None
    intact: bool
    trusted: bool
    unmodified: bool
    #: poppler's pdfsig agreed (True), disagreed (False) or is not installed (None).
    second_opinion: bool | None
    problems: tuple[str, ...]
    checked_at: datetime


def check_signature(path: Path, trust_roots: list[Path]) -> SignatureStatus:
    """Verify the PDF with `pipeline.verify` and summarise the last signature (the agency's)."""
    report = verify_pdf(path, trust_roots)
    last = report.signatures[-1] if report.signatures else None
    pdfsig_problem = any(p.startswith("pdfsig") for p in report.problems)
    return SignatureStatus(
        ok=report.ok,
        signer=last.signer if last else None,
        signed_at=datetime.fromisoformat(last.signed_at) if last and last.signed_at else None,
        timestamp=datetime.fromisoformat(last.timestamp) if last and last.timestamp else None,
        intact=bool(report.signatures) and all(c.intact for c in report.signatures),
        trusted=bool(report.signatures) and all(c.trusted for c in report.signatures),
        unmodified=last is not None
        and (last.covers_whole_file or last.modifications == "LTA_UPDATES")
        and all(c.modifications in UNMODIFIED for c in report.signatures),
        second_opinion=None if report.pdfsig is None else not pdfsig_problem,
        problems=tuple(report.problems),
        checked_at=datetime.now(UTC),
    )


CacheKey = tuple[str, str, tuple[str, ...]]


class SignatureCache:
    """Verdicts per (document id, PDF SHA-256, trust roots), kept `ttl` and at most `size` of them."""

    def __init__(self, size: int = 1024, ttl: timedelta = timedelta(minutes=10)) -> None:
        self.size, self.ttl = size, ttl
        self._entries: OrderedDict[CacheKey, SignatureStatus] = OrderedDict()
        self._lock = threading.Lock()
        self.verifications = 0  # how many times a PDF was really verified (for the tests)

    def get(self, key: CacheKey, verify: Callable[[], SignatureStatus]) -> SignatureStatus:
        now = datetime.now(UTC)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found.checked_at < self.ttl:
                self._entries.move_to_end(key)
                return found
        status = verify()  # outside the lock: two first views of one document may both verify, harmlessly
        with self._lock:
            self.verifications += 1
            self._entries[key] = status
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return status


_CACHE_LOCK = threading.Lock()


def signature_cache(state: object) -> SignatureCache:
    """The app's cache, made on first use and kept on `app.state`."""
    with _CACHE_LOCK:
        cache = getattr(state, "signature_cache", None)
        if cache is None:
            cache = SignatureCache()
            state.signature_cache = cache  # type: ignore[attr-defined]
        return cache
