"""Reconciliation: what came in against what the catalog and the object store hold.

Files received (receipts) are compared with documents, documents with their pages, archived rows with
the objects in the archive bucket, and every document with its original in the incoming bucket. Each
difference is an `Issue` naming the document behind it. Documents that are not archived are listed too,
so that received = archived + held + rejected + failed + in progress can be checked line by line.

Each bucket is listed once; everything else happens in the catalog (`storage.reconcile_sql`): the catalog's
side is counted there as it changes (counters per batch, day and status, migration 0022), the store's side is
worked out from the documents the listed keys belong to, and only the differences asked for are read, a page
at a time for a viewer, so a summary of 700,000 documents neither reads every document nor builds a row per
difference. Nothing is read from the store per document except with `check_hashes`, which reads each
archived PDF's stored SHA-256 (one stat each). The same sides are also tabulated per batch and per day or
month (`storage.reconcile_groups`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from schemas.times import as_utc
from storage import reconcile_sql
from storage.audit_anchor import ANCHOR_PREFIX, check_anchor, latest_anchor
from storage.audit_verify import verify_chain
from storage.catalog import Catalog
from storage.fixity import FixityStatus, last_fixity_run
from storage.layout import ARCHIVE, INCOMING
from storage.objects import ObjectStore
from storage.reconcile_groups import PERIODS, GroupRow, group_rows, read_batches
from storage.report_counts import FOLD_BEFORE_REPORT, RECONCILIATION, changes_waiting, fold_changes

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
class IssuePage:
    """Which differences to read: those of one severity (or all), from `offset`, at most `limit` (None: all).
    `or_last`: an offset past the last difference reads the last page of `limit` instead (a viewer's page)."""

    severity: str | None = None
    offset: int = 0
    limit: int | None = None
    or_last: bool = False

    def kinds(self) -> list[str]:
        """The kinds asked for, in the order differences come in: errors, warnings, information."""
        chosen = [kind for kind, severity in KINDS.items() if self.severity in (None, severity)]
        return sorted(chosen, key=lambda kind: SEVERITIES.index(KINDS[kind]))


ALL_ISSUES = IssuePage()


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
    """The totals on each side, the balances between them, every difference counted by kind, and those asked for."""

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

    @property
    def ok(self) -> bool:
        """No error, every balance adds up, and the audit chain (when checked) is whole."""
        return (
            all(b.ok for b in self.balances)
            and not any(i.severity == "error" for i in self.issues)
            and (self.audit_chain is None or self.audit_chain.ok)
            and (self.fixity is None or self.fixity.ok)
        )

    def count(self, severity: str | None = None) -> int:
        """How many differences of `severity` (of any, without) there are, whether `issues` holds them or not."""
        return sum(n for kind, n in self.by_kind.items() if severity in (None, KINDS[kind]))

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
    issues: IssuePage = ALL_ISSUES,
) -> Reconciliation:
    """Compare receipts, documents, pages and the archive and incoming buckets: the totals, the balances, the
    count of each kind of difference, and the differences `issues` selects (all of them by default)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    now = now or datetime.now(UTC)
    if changes_waiting(catalog, FOLD_BEFORE_REPORT, RECONCILIATION) >= FOLD_BEFORE_REPORT:
        fold_changes(catalog, counters=(RECONCILIATION,))
    with catalog.session() as s:
        checks = reconcile_sql.DocumentChecks(
            s.get_bind().dialect.name,
            stale_before=now - stale_after,
            idle_before=now - timedelta(seconds=lease_seconds),
        )
        reconcile_sql.create_tables(s)
        reconcile_sql.load_keys(
            s,
            (key for key in store.list_keys(archive_bucket) if not key.startswith(ANCHOR_PREFIX)),
            store.list_keys(incoming_bucket),
        )
        reconcile_sql.check_store(s)
        if check_hashes:
            reconcile_sql.load_hash_mismatches(
                s, _hash_mismatches(store, archive_bucket, reconcile_sql.hash_candidates(s))
            )
        kinds, counted, groups = reconcile_sql.counts(s, checks, period)
        by_kind = Counter(kinds)
        page = _read_issues(s, checks, issues, by_kind)
        by_batch, by_period = group_rows(groups, read_batches(s))
        totals = reconcile_sql.totals(s, counted)
        reconcile_sql.release_tables(s)
    first_receipts = totals["files_received"] - totals["duplicates"]
    finished = sum(totals[status] for status in ("archived", "needs_review", "rejected", "failed", "in_progress"))
    balances = [
        Balance("first_receipts_vs_documents", first_receipts, totals["documents"]),
        Balance("documents_vs_statuses", totals["documents"], finished),
        Balance("pages_declared_vs_page_rows", totals["pages_declared"], totals["page_rows"]),
        Balance("archived_vs_pdfs_in_store", totals["archived"], totals["archived_pdfs_in_store"]),
    ]
    chain = verify_audit_chain(catalog, store, archive_bucket) if check_audit_chain else None
    return Reconciliation(
        totals,
        balances,
        page,
        chain,
        now,
        hashes_checked=check_hashes,
        by_kind=by_kind,
        by_batch=by_batch,
        by_period=by_period,
        period=period,
        fixity=last_fixity_run(catalog),
    )


def _hash_mismatches(
    store: ObjectStore, bucket: str, candidates: list[tuple[str, str, str | None]]
) -> Iterator[tuple[str, str | None]]:
    """(document id, the stored hash or None) of each archived PDF whose stored SHA-256 is not the catalog's."""
    for document_id, key, expected in candidates:
        stored = store.stat(bucket, key)
        if stored is None or stored.sha256 != expected:
            yield document_id, stored.sha256 if stored else None


def _read_issues(s: Session, checks: reconcile_sql.DocumentChecks, page: IssuePage, by_kind: Counter) -> list[Issue]:
    """The page of differences, a kind at a time in the order: a kind wholly before the page is skipped by its
    count, and each query sorts only its own kind's rows (one sort of every difference took 6 s at 700,000)."""
    kinds = page.kinds()
    skip, wanted = page.offset, page.limit
    if page.or_last and wanted and skip >= (total := sum(by_kind[kind] for kind in kinds)):
        skip = max(0, (total - 1) // wanted * wanted)
    issues: list[Issue] = []
    for kind in kinds:
        if wanted is not None and wanted <= 0:
            break
        if skip >= by_kind[kind]:
            skip -= by_kind[kind]
            continue
        read = [_issue_of(row) for row in s.execute(checks.rows(kind, skip, wanted))]
        issues += read
        skip = 0
        wanted = None if wanted is None else wanted - len(read)
    return issues


def _issue_of(row: Any) -> Issue:
    """A row of `DocumentChecks.rows` as an issue."""
    kind, document_id, filename, status, key, *numbers_and_texts, since = row
    expected_number, actual_number, expected_text, actual_text = numbers_and_texts
    expected = expected_number if expected_text is None else expected_text
    actual = actual_number if actual_text is None else actual_text
    return Issue(kind, document_id, filename, status, key, expected, actual, as_utc(since) if since else None)


def verify_audit_chain(catalog: Catalog, store: ObjectStore, archive_bucket: str, *, chunk: int = 5000) -> ChainCheck:
    """The audit chain as `storage.audit_verify.verify_chain` finds it, held against the latest anchor in the archive:
    events read up to the first broken row, and its id."""
    report = verify_chain(catalog, chunk=chunk)
    if anchor := latest_anchor(store, archive_bucket):
        check_anchor(catalog, report, anchor)
    return ChainCheck(report.broken_position or report.events, broken_at=report.first_broken_id)
