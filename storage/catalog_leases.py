"""The catalog's leases and dead letters: documents idle too long are found again, refused messages kept,
and a document assembled by one worker at a time."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from storage.catalog_base import ACTIVE_STATUSES, CatalogBase, rows_changed
from storage.tables import DeadLetter, Document, Page, utcnow


class LeaseParts(CatalogBase):
    """Finding documents idle too long, and keeping messages no worker could process."""

    def stuck_documents(self, idle_seconds: float) -> list[tuple[str, str]]:
        """(id, status) of unfinished documents with no progress, on the document or its pages, for that long."""
        cutoff = utcnow() - timedelta(seconds=idle_seconds)
        last_page = (
            select(Page.document_id, func.max(Page.updated_at).label("at")).group_by(Page.document_id).subquery()
        )
        with self.session() as s:
            rows = s.execute(
                select(Document.id, Document.status)
                .outerjoin(last_page, last_page.c.document_id == Document.id)
                .where(
                    Document.status.in_(ACTIVE_STATUSES),
                    Document.updated_at < cutoff,
                    (last_page.c.at.is_(None)) | (last_page.c.at < cutoff),
                )
                .order_by(Document.updated_at)
            ).all()
        return [(row.id, row.status) for row in rows]

    def renew_lease(self, document_id: str, idle_seconds: float) -> bool:
        """Mark a stuck document as being seen to; of several sweepers, exactly one gets True."""
        cutoff = utcnow() - timedelta(seconds=idle_seconds)
        with self.session() as s:
            done = s.execute(
                update(Document)
                .where(
                    Document.id == document_id,
                    Document.status.in_(ACTIVE_STATUSES),
                    Document.updated_at < cutoff,
                )
                .values(updated_at=utcnow())
            )
            return rows_changed(done) == 1

    @contextmanager
    def assembling_alone(self, document_id: str) -> Iterator[bool]:
        """True when no one else is assembling the document now; the claim is held for the block.

        A message is delivered at least once, so a redelivered page or assembly may start a second assembly
        while the first still runs. The claim dies with its holder: on PostgreSQL a session advisory lock,
        freed when the connection closes; on SQLite a lock within the process and a byte-range lock on a
        file beside the database, freed when the process ends.
        """
        key = int.from_bytes(hashlib.sha256(f"assembly:{document_id}".encode()).digest()[:8], "big", signed=True)
        if self.engine.dialect.name == "postgresql":
            with _advisory_lock(self, key) as held:
                yield held
        else:
            with _local_lock(self, document_id, key & (2**62 - 1)) as held:
                yield held

    def page_status(self, document_id: str, number: int) -> str | None:
        with self.session() as s:
            return s.scalar(select(Page.status).where(Page.document_id == document_id, Page.number == number))

    # --- dead letters ----------------------------------------------------------------------------
    def add_dead_letter(self, **values: object) -> int:
        with self.session() as s:
            row = DeadLetter(**values)
            s.add(row)
            s.flush()
            return row.id

    def dead_letters(self, *, include_retried: bool = False) -> list[DeadLetter]:
        with self.session() as s:
            query = select(DeadLetter).order_by(DeadLetter.id)
            if not include_retried:
                query = query.where(DeadLetter.retried_at.is_(None))
            rows = list(s.scalars(query))
            s.expunge_all()
            return rows

    def has_dead_letter(self, message_id: str) -> bool:
        with self.session() as s:
            return (s.scalar(select(func.count()).where(DeadLetter.message_id == message_id)) or 0) > 0

    def mark_retried(self, dead_letter_id: int) -> None:
        with self.session() as s:
            s.execute(update(DeadLetter).where(DeadLetter.id == dead_letter_id).values(retried_at=utcnow()))


@contextmanager
def _advisory_lock(catalog: CatalogBase, key: int) -> Iterator[bool]:
    with catalog.engine.connect() as connection:
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
                except SQLAlchemyError:
                    connection.invalidate()  # the lock went with the broken connection


_LOCAL_CLAIMS: set[str] = set()
_LOCAL_GUARD = threading.Lock()
_LOCK_FILES: dict[str, int] = {}  # one descriptor per file for the process: closing any would drop its locks


@contextmanager
def _local_lock(catalog: CatalogBase, document_id: str, offset: int) -> Iterator[bool]:
    """Threads of this process by a set; other processes by a one-byte lock at `offset` in `<database>.locks`."""
    fd: int | None = None
    with _LOCAL_GUARD:
        if document_id in _LOCAL_CLAIMS:
            held = False
        else:
            fd = _lock_file(catalog.engine.url.database)
            try:
                if fd is not None:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                held = True
                _LOCAL_CLAIMS.add(document_id)
            except OSError:
                held = False
    try:
        yield held
    finally:
        if held:
            with _LOCAL_GUARD:
                _LOCAL_CLAIMS.discard(document_id)
                if fd is not None:
                    fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)


def _lock_file(database: str | None) -> int | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.abspath(database) + ".locks"
    if path not in _LOCK_FILES:
        _LOCK_FILES[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return _LOCK_FILES[path]
