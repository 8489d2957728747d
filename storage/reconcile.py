"""Reconciliation: what came in against what the catalog and the object store hold.

Files received (receipts) are compared with documents, documents with their pages, archived rows with
the objects in the archive bucket, and every document with its original in the incoming bucket. Each
difference is an `Issue` naming the document behind it. Documents that are not archived are listed too,
so that received = archived + held + rejected + failed + in progress can be checked line by line.

One query per table (receipts, documents, pages) and one listing per bucket; nothing per document,
except the optional `check_hashes`, which reads each archived PDF's stored SHA-256 (one stat each).
The same sides are also tabulated per batch and per day or month (`storage.reconcile_groups`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import case, func, select

from schemas.times import as_utc
from storage.audit_anchor import ANCHOR_PREFIX, check_anchor, latest_anchor
from storage.audit_verify import verify_chain
from storage.catalog import Catalog
from storage.fixity import FixityStatus, last_fixity_run
from storage.layout import ARCHIVE, INCOMING, ArchivedKeys
from storage.objects import ObjectStore
from storage.reconcile_groups import GroupRow, group_tables, read_batches
from storage.reports import IN_PROGRESS, RecordField
from storage.tables import Document, Page, Receipt

ARCHIVE_KEY = Document.record[("archive", "key")].as_string()
ARCHIVE_SHA256 = Document.record[("archive", "pdf_sha256")].as_string()
PAGE_AMOUNT = Document.record[("metadata", "page_amount")].as_integer()
PAPER_PAGES = Document.intake["paper_pages"].as_integer()

#: Every kind of difference, and how serious it is: an `error` is a broken promise of the archive,
#: a `warning` needs someone to act, `info` explains why a received document is not archived (yet).
KINDS: dict[str, str] = {
    "missing_object": "error",  # archived in the catalog, no PDF in the store
    "missing_sidecar": "error",  # archived, but its .json or .xml is not in the store
    "hash_mismatch": "error",  # the stored PDF's SHA-256 is not the catalog's
    "orphan_object": "error",  # an object in the archive bucket that no archived row accounts for
    "missing_original": "error",  # the received file is not in the incoming bucket
    "receipt_without_document": "error",
    "document_without_receipt": "error",
    "page_rows_mismatch": "error",  # page_count differs from the number of page rows
    "record_pages_mismatch": "error",  # the archived record counts other pages than the catalog
    "archived_without_archive": "error",  # status archived, but the record says nothing of where
    "unsigned_archived": "error",
    "paper_pages_mismatch": "warning",  # the paper original had another number of pages than the scan
    "failed": "warning",
    "stale_review": "warning",  # waiting for review longer than `stale_after`
    "stuck": "warning",  # unfinished and idle longer than the lease
    "needs_review": "info",
    "rejected": "info",
    "in_progress": "info",
}
SEVERITIES = ("error", "warning", "info")


class Issue(NamedTuple):
    """One difference and the document (or object) behind it; `expected`/`actual` when it is a count or hash.
    A tuple: a reconciliation of a large archive with its store gone makes hundreds of thousands of them."""

    kind: str
    document_id: str | None = None
    filename: str | None = None
    status: str | None = None
    key: str | None = None
    expected: Any = None
    actual: Any = None
    since: datetime | None = None

    @property
    def severity(self) -> str:
        return KINDS[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "document_id": self.document_id,
            "filename": self.filename,
            "status": self.status,
            "key": self.key,
            "expected": self.expected,
            "actual": self.actual,
            "since": self.since.isoformat() if self.since else None,
        }


@dataclass(frozen=True)
class Balance:
    """A line that must add up, e.g. first receipts = documents; `ok` when both sides agree."""

    name: str
    expected: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "expected": self.expected, "actual": self.actual, "ok": self.ok}


@dataclass(frozen=True)
class ChainCheck:
    """The audit log's hash chain: how many events were checked and the first that breaks it, if any."""

    events: int
    broken_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def to_json(self) -> dict[str, Any]:
        return {"events": self.events, "ok": self.ok, "broken_at": self.broken_at}


@dataclass
class Reconciliation:
    """The totals on each side, the balances between them, and every difference found."""

    totals: dict[str, int]
    balances: list[Balance]
    issues: list[Issue]
    audit_chain: ChainCheck | None
    generated_at: datetime
    hashes_checked: bool = False
    by_kind: Counter = field(default_factory=Counter)
    #: The same sides per batch and per period (`storage.reconcile_groups`); `period` is "day" or "month".
    by_batch: list[GroupRow] = field(default_factory=list)
    by_period: list[GroupRow] = field(default_factory=list)
    period: str = "month"
    fixity: FixityStatus | None = None  # the last `sohoa fixity` run, from the audit log

    def __post_init__(self) -> None:
        self.by_kind = Counter(issue.kind for issue in self.issues)

    @property
    def ok(self) -> bool:
        """No error, every balance adds up, and the audit chain (when checked) is whole."""
        return (
            all(b.ok for b in self.balances)
            and not any(i.severity == "error" for i in self.issues)
            and (self.audit_chain is None or self.audit_chain.ok)
            and (self.fixity is None or self.fixity.ok)
        )

    def count(self, severity: str) -> int:
        return sum(1 for i in self.issues if i.severity == severity)

    def to_json(self, *, with_issues: bool = True) -> dict[str, Any]:
        """Everything as JSON; without the issues themselves (their counts stay) for a caller that pages them."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "ok": self.ok,
            "totals": self.totals,
            "balances": [b.to_json() for b in self.balances],
            "issues": [i.to_json() for i in self.issues] if with_issues else [],
            "issue_counts": {severity: self.count(severity) for severity in SEVERITIES},
            "hashes_checked": self.hashes_checked,
            "fixity": self.fixity.to_json() if self.fixity else None,
            "period": self.period,
            "by_batch": [row.to_json() for row in self.by_batch],
            "by_period": [row.to_json() for row in self.by_period],
            "audit_chain": None
            if self.audit_chain is None
            else {
                "events": self.audit_chain.events,
                "ok": self.audit_chain.ok,
                "broken_at": self.audit_chain.broken_at,
            },
        }


@dataclass(frozen=True)
class _Doc:
    id: str
    batch_id: str
    filename: str
    status: str
    page_count: int | None
    incoming_key: str
    received_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    archive_key: str | None
    archive_sha256: str | None
    signed_at: str | None
    page_amount: int | None
    paper_pages: int | None


def reconcile(
    catalog: Catalog,
    store: ObjectStore,
    *,
    archive_bucket: str = ARCHIVE,
    incoming_bucket: str = INCOMING,
    lease_seconds: float = 600.0,
    stale_after: timedelta = timedelta(days=7),
    check_hashes: bool = False,
    check_audit_chain: bool = True,
    now: datetime | None = None,
    period: str = "month",
) -> Reconciliation:
    """Compare receipts, documents, pages and the archive and incoming buckets; list every difference."""
    now = now or datetime.now(UTC)
    receipt_rows, docs, page_rows_of = _read_catalog(catalog)
    receipts: dict[str, tuple[int, int]] = {}  # per document: files received, first receipts
    for document_id, _batch, _at, duplicate in receipt_rows:
        count, first = receipts.get(document_id, (0, 0))
        receipts[document_id] = (count + 1, first + (not duplicate))
    pages = {document_id: (count, last) for document_id, (count, _done, last) in page_rows_of.items()}
    archive_keys = {key for key in store.list_keys(archive_bucket) if not key.startswith(ANCHOR_PREFIX)}
    incoming_keys = set(store.list_keys(incoming_bucket))
    issues: list[Issue] = []

    by_id = {d.id: d for d in docs}
    for document_id, (count, _first) in receipts.items():
        if document_id not in by_id:
            issues.append(Issue("receipt_without_document", document_id, expected=count, actual=0))
    explained: set[str] = set()  # archive keys an archived row accounts for
    status_counts: Counter = Counter()
    for doc in docs:
        status_counts[doc.status] += 1
        issues.extend(_document_issues(doc, receipts, pages, incoming_keys, lease_seconds, stale_after, now))
        if doc.status != "archived":
            continue
        if not doc.archive_key:
            issues.append(_issue("archived_without_archive", doc))
            continue
        wanted = [doc.archive_key, *ArchivedKeys.of_pdf(doc.archive_key).sidecars]
        explained.update(wanted)
        if doc.archive_key not in archive_keys:
            issues.append(_issue("missing_object", doc, key=doc.archive_key))
        elif check_hashes:
            stored = store.stat(archive_bucket, doc.archive_key)
            if stored is None or stored.sha256 != doc.archive_sha256:
                actual = stored.sha256 if stored else None
                issues.append(
                    _issue("hash_mismatch", doc, key=doc.archive_key, expected=doc.archive_sha256, actual=actual)
                )
        issues.extend(_issue("missing_sidecar", doc, key=key) for key in wanted[1:] if key not in archive_keys)
        if not doc.signed_at:
            issues.append(_issue("unsigned_archived", doc, key=doc.archive_key))
    for key in sorted(archive_keys - explained):
        owner = by_id.get(key.split("/", 1)[0])
        issues.append(
            Issue(
                "orphan_object",
                owner.id if owner else key.split("/", 1)[0],
                filename=owner.filename if owner else None,
                status=owner.status if owner else None,
                key=key,
            )
        )

    first_receipts = sum(first for _count, first in receipts.values())
    archived_pdfs = sum(1 for d in docs if d.status == "archived" and d.archive_key in archive_keys)
    page_rows = sum(count for count, _ in pages.values())
    declared_pages = sum(d.page_count or 0 for d in docs)
    totals = {
        "files_received": sum(count for count, _first in receipts.values()),
        "duplicates": sum(count - first for count, first in receipts.values()),
        "documents": len(docs),
        **{status: status_counts[status] for status in ("archived", "needs_review", "rejected", "failed")},
        "in_progress": sum(status_counts[s] for s in IN_PROGRESS),
        "pages_declared": declared_pages,
        "page_rows": page_rows,
        "archive_objects": len(archive_keys),
        "archived_pdfs_in_store": archived_pdfs,
        "incoming_objects": len(incoming_keys),
    }
    finished = sum(totals[s] for s in ("archived", "needs_review", "rejected", "failed", "in_progress"))
    balances = [
        Balance("first_receipts_vs_documents", first_receipts, len(docs)),
        Balance("documents_vs_statuses", len(docs), finished),
        Balance("pages_declared_vs_page_rows", declared_pages, page_rows),
        Balance("archived_vs_pdfs_in_store", totals["archived"], archived_pdfs),
    ]
    order = {kind: (SEVERITIES.index(severity), n) for n, (kind, severity) in enumerate(KINDS.items())}
    issues.sort(key=lambda i: (order[i.kind], i.document_id or "", i.key or ""))
    chain = verify_audit_chain(catalog, store, archive_bucket) if check_audit_chain else None
    archive_key_of = {d.id: d.archive_key for d in docs if d.archive_key}
    by_batch, by_period = group_tables(
        read_batches(catalog),
        ((batch_id, at, duplicate) for _document, batch_id, at, duplicate in receipt_rows),
        docs,
        {document_id: (count, done) for document_id, (count, done, _last) in page_rows_of.items()},
        archive_keys,
        period=period,
        archive_key_of=archive_key_of,
    )
    return Reconciliation(
        totals,
        balances,
        issues,
        chain,
        now,
        hashes_checked=check_hashes,
        by_batch=by_batch,
        by_period=by_period,
        period=period,
        fixity=last_fixity_run(catalog),
    )


def _read_catalog(
    catalog: Catalog,
) -> tuple[list[Any], list[_Doc], dict[str, tuple[int, int, datetime]]]:
    """Every receipt (document, batch, time, duplicate), the documents, and page rows per document (count, done,
    last change): read once, for the whole-archive balances and the per-batch and per-period tables alike."""
    with catalog.session() as s:
        receipts = s.execute(
            select(Receipt.document_id, Receipt.batch_id, Receipt.received_at, Receipt.duplicate)
        ).all()
        docs = [
            _Doc(*row)
            for row in s.execute(
                select(
                    Document.id,
                    Document.batch_id,
                    Document.filename,
                    Document.status,
                    Document.page_count,
                    Document.incoming_key,
                    Document.received_at,
                    Document.updated_at,
                    Document.finished_at,
                    ARCHIVE_KEY,
                    ARCHIVE_SHA256,
                    RecordField.signed_at,
                    PAGE_AMOUNT,
                    PAPER_PAGES,
                ).order_by(Document.received_at, Document.id)
            )
        ]
        done = func.sum(case((Page.status == "done", 1), else_=0))
        pages = {
            document_id: (count, int(done or 0), last)
            for document_id, count, done, last in s.execute(
                select(Page.document_id, func.count(), done, func.max(Page.updated_at)).group_by(Page.document_id)
            )
        }
    return list(receipts), docs, pages


def _issue(kind: str, doc: _Doc, **values: Any) -> Issue:
    return Issue(kind, doc.id, filename=doc.filename, status=doc.status, **values)


def _document_issues(
    doc: _Doc,
    receipts: dict[str, tuple[int, int]],
    pages: dict[str, tuple[int, datetime]],
    incoming_keys: set[str],
    lease_seconds: float,
    stale_after: timedelta,
    now: datetime,
) -> list[Issue]:
    """What is wrong with, or pending on, one document, from the rows already read."""
    issues = []
    if doc.id not in receipts:
        issues.append(_issue("document_without_receipt", doc))
    if doc.incoming_key not in incoming_keys:
        issues.append(_issue("missing_original", doc, key=doc.incoming_key))
    rows, last_page = pages.get(doc.id, (0, None))
    if doc.page_count is not None and doc.page_count != rows:
        issues.append(_issue("page_rows_mismatch", doc, expected=doc.page_count, actual=rows))
    if doc.status == "archived" and doc.page_amount is not None and doc.page_amount != doc.page_count:
        issues.append(_issue("record_pages_mismatch", doc, expected=doc.page_count, actual=doc.page_amount))
    if doc.paper_pages is not None and doc.page_count is not None and doc.paper_pages != doc.page_count:
        issues.append(_issue("paper_pages_mismatch", doc, expected=doc.paper_pages, actual=doc.page_count))
    finished = as_utc(doc.finished_at or doc.updated_at)
    if doc.status == "needs_review":
        stale = now - finished > stale_after
        issues.append(_issue("stale_review" if stale else "needs_review", doc, since=finished))
    elif doc.status in ("failed", "rejected"):
        issues.append(_issue(doc.status, doc, since=finished))
    elif doc.status in IN_PROGRESS:
        last = max(as_utc(doc.updated_at), as_utc(last_page) if last_page else as_utc(doc.updated_at))
        idle = now - last > timedelta(seconds=lease_seconds)
        issues.append(_issue("stuck" if idle else "in_progress", doc, since=last))
    return issues


def verify_audit_chain(catalog: Catalog, store: ObjectStore, archive_bucket: str, *, chunk: int = 5000) -> ChainCheck:
    """The audit chain as `storage.audit_verify.verify_chain` finds it, held against the latest anchor in the archive:
    events read up to the first broken row, and its id."""
    report = verify_chain(catalog, chunk=chunk)
    if anchor := latest_anchor(store, archive_bucket):
        check_anchor(catalog, report, anchor)
    return ChainCheck(report.broken_position or report.events, broken_at=report.first_broken_id)
