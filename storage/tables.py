"""Catalog tables: batches, receipts, documents, pages, dead letters, accounts, the audit log, the search index and
the dossier totals supplied for the rates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: How JSON is written, in every JSON column (the catalog's engine serializes with it) and in audit hashes: keys
#: sorted, no spaces, Vietnamese as UTF-8 rather than six-byte `\\u` escapes. A stored event's details are then
#: the very text its hash covered, so verification hashes them without decoding and encoding them again.
CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_json(value: object) -> str:
    return CANONICAL_JSON.encode(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Batch(Base):
    """One upload: a `sohoa digitize` run, a web upload or a hot-folder sweep."""

    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    origin: Mapped[str] = mapped_column(String(200), default="cli")


class Receipt(Base):
    """A file as received. Auditors count these; a repeated file points at the existing document."""

    __tablename__ = "receipts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """One source document. `status` moves received → processing → assembling → a final status."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    incoming_key: Mapped[str] = mapped_column(Text, index=True)  # a reconciliation's way from an object (0022)
    status: Mapped[str] = mapped_column(String(16), default="received")  # indexed with finished_at, below
    page_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    record: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    confirmed_metadata: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    intake: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: The paper original's page count, filled by the database from `intake` (triggers, migration 0020) for the
    #: reconciliation's index. Never written here.
    paper_pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dossier_code: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    #: Issuing agency, number and notation, and year, folded: the same key twice is the same result twice.
    number_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True, unique=True)
    #: The record's agency, type and signing time, filled by the database from `record` whoever writes it
    #: (triggers, migration 0006): reports group by them without parsing every record. Never written here.
    organ_name: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    type_name: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    signed_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: The record's archive key, PDF hash and page count, filled likewise (migration 0017) for the reconciliation,
    #: which finds a stored object's document by the key, and a sidecar's by the key without its extension (0022).
    archive_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    archive_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    page_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Its page rows, those done and its receipts, counted by the database (triggers, migration 0021) for the
    #: reconciliation. Never written here.
    page_rows: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    pages_done: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    receipt_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    #: Lookups by status, and "archived in this period" for the rates (migration 0018); every value the
    #: reconciliation checks, so that it reads them without the rows (migrations 0020, 0021).
    __table_args__ = (
        Index("ix_documents_status_finished_at", "status", "finished_at"),
        Index(
            "ix_documents_reconcile",
            *("id", "batch_id", "status", "page_count", "page_amount", "paper_pages", "incoming_key", "archive_key"),
            *("archive_sha256", "signed_at", "received_at", "finished_at", "updated_at"),
            *("page_rows", "pages_done", "receipt_count"),
        ),
    )


class _CountsOfADay:
    """A Vietnam day, agency, type, status and signature, and the documents, pages and files counted under them.

    Written by database triggers (migration 0009), never here; an unknown agency or type is ''. A document
    counts on the day it was received, a file on the day it was.
    """

    local_day: Mapped[date] = mapped_column(Date)
    organ_name: Mapped[str] = mapped_column(Text)
    type_name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    #: 1 when the document has a signing time in its record (reports count it for archived ones).
    signed: Mapped[int] = mapped_column(Integer)
    documents: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    files_received: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)


class ReportCount(_CountsOfADay, Base):
    """The counts per key, as of the last fold of the changes (`storage.report_counts`)."""

    __tablename__ = "report_counts"
    __table_args__ = (PrimaryKeyConstraint("local_day", "organ_name", "type_name", "status", "signed"),)


class ReportCountChange(_CountsOfADay, Base):
    """A change of the counts (negative for what a document no longer counts under), appended by the triggers in
    the transaction of the change, until folded into `ReportCount`."""

    __tablename__ = "report_count_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class _ReconcileCountsOfADay:
    """A batch, a Vietnam day of receipt and a status, and what the documents and receipts under them hold.

    Written by database triggers (migration 0022), never here. A receipt counts under the status ''.
    """

    batch_id: Mapped[str] = mapped_column(Text)
    local_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    documents: Mapped[int] = mapped_column(Integer)
    pages_declared: Mapped[int] = mapped_column(Integer)
    page_rows: Mapped[int] = mapped_column(Integer)
    pages_done: Mapped[int] = mapped_column(Integer)
    #: Archived with an archive key: the documents whose PDF and sidecars the store must hold.
    located: Mapped[int] = mapped_column(Integer)
    #: The documents with each difference the catalog alone decides (`storage.reconcile.KINDS`).
    no_receipt: Mapped[int] = mapped_column(Integer)
    page_rows_mismatch: Mapped[int] = mapped_column(Integer)
    record_pages_mismatch: Mapped[int] = mapped_column(Integer)
    paper_pages_mismatch: Mapped[int] = mapped_column(Integer)
    archived_without_archive: Mapped[int] = mapped_column(Integer)
    unsigned_located: Mapped[int] = mapped_column(Integer)
    files_received: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    #: Receipts whose document is not in the catalog (possible only with foreign keys off).
    lost_receipts: Mapped[int] = mapped_column(Integer)


class ReconcileCount(_ReconcileCountsOfADay, Base):
    """The reconciliation's counts per key, as of the last fold of the changes (`storage.report_counts`)."""

    __tablename__ = "reconcile_counts"
    __table_args__ = (PrimaryKeyConstraint("batch_id", "local_day", "status"),)


class ReconcileCountChange(_ReconcileCountsOfADay, Base):
    """A change of the reconciliation's counts, appended by the triggers in the transaction of the change."""

    __tablename__ = "reconcile_count_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class ReviewEvent(Base):
    """A person confirming or correcting extracted metadata. Rows are only ever added."""

    __tablename__ = "review_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict] = mapped_column(JSON)
    extracted: Mapped[dict] = mapped_column(JSON)


class Page(Base):
    """One page of a document; `status` is pending, done or failed."""

    __tablename__ = "pages"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    info: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    warnings: Mapped[list | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    image_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    words_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    header_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    tesseract_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    tesseract_cpu_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    #: What the reconciliation counts of each document's pages, read without the rows (migration 0020).
    __table_args__ = (Index("ix_pages_reconcile", "document_id", "status", "updated_at"),)


class DeadLetter(Base):
    """A message no worker could process: why, and the message itself so it can be sent again."""

    __tablename__ = "dead_letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    queue_name: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    document_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class User(Base):
    """A person who signs in to the web app, with one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A signed-in browser: the cookie carries the id, the row carries the user and the CSRF token."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """A failed login, counted by the rate limit (shared by every web process through the catalog)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuditEvent(Base):
    """An append-only event: who did what, when, to which document. Each row carries its predecessor's hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: The latest events of an action, e.g. the last fixity run, without reading later events (migration 0020).
    __table_args__ = (Index("ix_audit_events_action_id", "action", "id"),)


class DossierTotal(Base):
    """Dossiers received in a period (a month or a date range), as supplied by an admin from the one-stop shop.

    The denominator of the Decree 45 rates. `agency` is empty for the whole office, else an issuing agency
    (`organ_name`). Periods of the same agency never overlap, so totals can be summed.
    """

    __tablename__ = "dossier_totals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    agency: Mapped[str] = mapped_column(String(500), default="")
    dossiers_received: Mapped[int] = mapped_column(Integer)
    supplied_by: Mapped[str] = mapped_column(String(200))
    supplied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SearchEntry(Base):
    """An archived document as search sees it: its filter fields and its text.

    `content` is the metadata values, a blank line, then the OCR text of every page (NFC). The full-text
    indexes over its words are not models: migrations 0004 and 0007 make them (SQLite: the contentless FTS5
    table `search_fts`; PostgreSQL: tsvector columns and a GIN index).
    """

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), unique=True)
    type_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    organ_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Type name and agency folded (spaces collapsed): what the filters compare.
    type_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    organ_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    issued_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    holder_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    #: The record's metadata (JSON form), shown with each hit.
    metadata_values: Mapped[dict] = mapped_column(JSON)
    content: Mapped[str] = mapped_column(Text)
    #: Where the pages' text starts in `content` (before it: the metadata values).
    body_start: Mapped[int] = mapped_column(Integer)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Whether the document is archived: kept by triggers (migration 0012) from `documents.status`, so search
    #: reads it beside the words instead of joining every match to its document.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


#: Search structures made by migration 0004 with dialect-specific DDL, which the models cannot describe:
#: SQLite's FTS5 table (and the shadow tables FTS5 keeps beside it), PostgreSQL's tsvector columns and index,
#: and its index of the entries newest first (migration 0012: SQLite cannot say NULLS LAST in an index).
UNMODELLED_TABLE_PREFIX = "search_fts"
#: and the archive key without its extension, SQLite's virtual column (migration 0022)
UNMODELLED_COLUMNS = frozenset(
    {("search_entries", "folded_tsv"), ("search_entries", "exact_tsv"), ("documents", "archive_stem")}
)
#: the last: an index on an expression (PostgreSQL) or on that virtual column (SQLite; migration 0022)
UNMODELLED_INDEXES = frozenset(
    {"ix_search_entries_folded_tsv", "ix_search_entries_newest", "ix_documents_archive_stem"}
)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's filter: compare everything but the structures made outside the models (search, partitions)."""
    if type_ == "table":  # nor the partitions on PostgreSQL: the audit log's months, the pages' hash buckets
        return not (name or "").startswith((UNMODELLED_TABLE_PREFIX, "audit_events_", "pages_part_"))
    if type_ == "column":
        return (getattr(getattr(obj, "table", None), "name", None), name) not in UNMODELLED_COLUMNS
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return True
