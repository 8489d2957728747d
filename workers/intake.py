"""Intake, the use case of `digitize`, `watch` and web uploads: receive files, send them on, wait for a batch."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dramatiq.brokers.stub import StubBroker

from pipeline.errors import InputRejected
from pipeline.load import Limits, probe_source, sniff_media_type
from schemas.errors import UsageError
from schemas.intake import Intake
from schemas.record import DocumentRecord, ErrorInfo
from schemas.statuses import FINAL_STATUSES
from storage.catalog import ACTIVE_STATUSES, BatchProgress, Received
from storage.layout import INCOMING, incoming_key
from storage.objects import ascii_metadata, sha256_file
from workers import actors
from workers.archive import reject_document
from workers.runtime import Runtime
from workers.wiring import running_worker

SUPPORTED_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"})
POLL_SECONDS = 0.2


class NoWorkers(UsageError):
    """Nobody would process the batch: no local workers and no broker for `sohoa worker` processes."""


@dataclass(frozen=True)
class Item:
    """One received file of the batch and the document it became."""

    path: Path
    document_id: str
    duplicate: bool


@dataclass
class BatchResult:
    """What a batch produced, for the summary and the exit status."""

    batch_id: str
    items: list[Item]
    records: dict[str, DocumentRecord]
    seconds: float
    exported: dict[str, list[Path]] = field(default_factory=dict)

    def record_of(self, item: Item) -> DocumentRecord:
        return self.records[item.document_id]

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if not item.duplicate and self.record_of(item).status == status)

    @property
    def duplicates(self) -> int:
        return sum(1 for item in self.items if item.duplicate)

    @property
    def pages(self) -> int:
        return sum(len(self.record_of(i).pages) for i in self.items if not i.duplicate)


def receive_files(
    rt: Runtime, batch_id: str, files: list[Path], intake_of: Callable[[Path], Intake | None] = lambda _: None
) -> Iterator[Item]:
    """Keep each file's bytes untouched in the incoming store and give it a document.

    A file whose document is finished is a duplicate; one whose document an interrupted run left
    unfinished (or that failed) is sent on again and counts as this batch's work.
    """
    seen: set[str] = set()
    for path in files:
        yield receive_file(rt, batch_id, path, intake=intake_of(path), seen=seen)


def receive_file(
    rt: Runtime,
    batch_id: str,
    path: Path,
    *,
    filename: str | None = None,
    sha256: str | None = None,
    intake: Intake | None = None,
    seen: set[str] | None = None,
    lease_seconds: float | None = None,
    screen: bool = False,
) -> Item:
    """Receive one file: its bytes untouched in INCOMING under their SHA-256, a receipt in the catalog, a message.

    `filename` is the name shown to people (default: the file's own name); `sha256` may be given when the
    caller hashed the bytes while writing them; `seen` collects the batch's documents so far.
    A document received before is sent on again when it failed, or when it is unfinished: always without
    `lease_seconds` (an interrupted run), else only once it made no progress for that long (a running
    server, where it may well be in flight). With `screen`, a new file that is no scan at all (empty, or
    not PDF, TIFF, PNG or JPEG by its content) is rejected at once, with the code and message ingestion gives.
    """
    seen = set() if seen is None else seen
    sha256 = sha256 or sha256_file(path)
    filename = filename or path.name
    key = incoming_key(sha256)
    if rt.store.stat(INCOMING, key) is None:
        rt.store.put_file(INCOMING, key, path, metadata=ascii_metadata({"filename": filename}))
    received = rt.catalog.receive(
        batch_id, filename=filename, sha256=sha256, size_bytes=path.stat().st_size, incoming_key=key, intake=intake
    )
    send = received.document_id not in seen and _needs_sending(rt, received, lease_seconds)
    if send:
        refusal = screen_content(path, rt.limits) if screen and not received.duplicate else None
        if refusal is None:
            _send_on(rt, received.document_id, received.status)
        else:
            reject_document(rt, received.document_id, refusal)
    seen.add(received.document_id)
    return Item(path, received.document_id, duplicate=not send)


def _needs_sending(rt: Runtime, received: Received, lease_seconds: float | None) -> bool:
    if not received.duplicate or received.status == "failed":
        return True
    if received.status not in ACTIVE_STATUSES:
        return False  # finished: archived, needs review or rejected
    if lease_seconds is None:
        return True
    stuck = dict(rt.catalog.stuck_documents(lease_seconds))
    return received.document_id in stuck and rt.catalog.renew_lease(received.document_id, lease_seconds)


def screen_content(path: Path, limits: Limits) -> ErrorInfo | None:
    """Why the file is no scan at all (empty, or not PDF, TIFF, PNG or JPEG by its content), or None.

    Only the first bytes are read; anything deeper (page counts, decoding) is the ingest step's work.
    """
    with path.open("rb") as fh:
        head = fh.read(1024)
    if head and sniff_media_type(head) is not None:
        return None
    try:
        probe_source(path, limits)  # raises at once for an empty or unrecognised file, with the usual message
    except InputRejected as exc:
        return ErrorInfo(code=exc.code, message=exc.message)
    return None


def _send_on(rt: Runtime, document_id: str, status: str) -> None:
    if status == "failed":
        rt.catalog.restart(document_id)
    if status == "assembling":
        actors.assemble_document.send(document_id)
    else:
        actors.ingest_document.send(document_id)


def run_batch(
    rt: Runtime,
    files: list[Path],
    *,
    workers: int,
    on_progress: Callable[[BatchProgress], None] = lambda _: None,
    intake_of: Callable[[Path], Intake | None] = lambda _: None,
) -> BatchResult:
    """Process `files` with an in-process worker pool of `workers` threads and wait for every document.

    With a broker, `sohoa worker` processes elsewhere take part in the work; with `workers=0` they do all of it.
    """
    broker = actors.process_page.broker
    if workers == 0 and isinstance(broker, StubBroker):
        raise NoWorkers("with no broker configured (SOHOA_BROKER_URL), this process must do the work: --workers ≥ 1")
    started = time.perf_counter()
    batch_id = rt.catalog.create_batch("cli")
    with running_worker(broker, workers):
        items = list(receive_files(rt, batch_id, files, intake_of))
        while True:
            progress = rt.catalog.batch_progress(batch_id)
            on_progress(progress)
            if progress.finished == progress.documents:
                break
            time.sleep(POLL_SECONDS)
    records = {i.document_id: _final_record(rt, i.document_id) for i in items}
    return BatchResult(batch_id, items, records, time.perf_counter() - started)


def _final_record(rt: Runtime, document_id: str) -> DocumentRecord:
    record = rt.catalog.record(document_id)
    if record is None or record.status not in FINAL_STATUSES:
        raise RuntimeError(f"document {document_id} finished without a record")
    return record
