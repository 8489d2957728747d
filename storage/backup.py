"""Backup and restore of the catalog: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore.

SQLite: `sqlite3.Connection.backup` copies the database page by page under a read transaction, so the copy is
consistent while workers keep writing (WAL mode lets them). Restoring copies the backup into the live file the
same way. PostgreSQL: `pg_dump --format=custom` (one consistent snapshot) and `pg_restore --clean --if-exists
--no-owner`; both must be installed (the postgresql client package).

A restore refuses a catalog that holds anything (documents, receipts, batches, users or audit events) unless
forced, and brings the restored catalog to the newest schema revision afterwards.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import make_url

from schemas.errors import UsageError
from storage.catalog import Catalog, sqlalchemy_url
from storage.partitions import PARTITIONED_TABLES
from storage.tables import AuditEvent, Batch, Document, Receipt, User

#: Tables whose rows make a catalog "not empty" for restore and rebuild.
CONTENT_TABLES = (Document, Receipt, Batch, User, AuditEvent)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(UsageError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class CatalogCounts:
    """Rows per content table: what a restore would overwrite, and what a backup holds."""

    rows: dict[str, int]

    @property
    def empty(self) -> bool:
        return not any(self.rows.values())


def catalog_counts(url: str) -> CatalogCounts:
    """Rows in each content table; tables not there yet count as empty (a brand-new database)."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            rows = {
                t.__tablename__: connection.scalar(select(func.count()).select_from(t)) or 0
                for t in CONTENT_TABLES
                if t.__tablename__ in present
            }
    finally:
        engine.dispose()
    return CatalogCounts(rows)


def dialect_of(url: str) -> str:
    return make_url(sqlalchemy_url(url)).get_backend_name()


def _sqlite_path(url: str) -> Path:
    database = make_url(sqlalchemy_url(url)).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite catalog cannot be backed up")
    return Path(database)


def _libpq_url(url: str) -> str:
    """The URL as libpq tools read it (no SQLAlchemy driver suffix)."""
    return make_url(sqlalchemy_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (apt-get install postgresql-client)")
    return path


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=24 * 3600)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")


def backup_catalog(url: str, target: Path) -> None:
    """Write a consistent copy of the catalog to `target` (a SQLite file, or a pg_dump custom-format archive)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    dialect = dialect_of(url)
    try:
        if dialect == "sqlite":
            source_path = _sqlite_path(url)
            if not source_path.exists():
                raise BackupError(f"there is no catalog at {source_path}")
            source = sqlite3.connect(source_path, timeout=30)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        elif dialect == "postgresql":
            _run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={_libpq_url(url)}"]
            )
        else:
            raise BackupError(f"backing up a {dialect} catalog is not supported")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_postgresql(url: str, source: Path) -> None:
    """`pg_restore`'s script fed to `psql` inside one transaction that first drops the partitioned tables (with
    `--clean`, pg_restore would drop each partition's key, which PostgreSQL refuses: it is inherited).
    The transaction is committed only once pg_restore has read the whole backup, so a failed restore, or a
    truncated backup, leaves the catalog as it was."""
    restore = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file=-", str(source)]
    apply = [_tool("psql"), "--quiet", "--set=ON_ERROR_STOP=1", "--no-psqlrc", f"--dbname={_libpq_url(url)}"]
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as apply_output:
        with (
            subprocess.Popen(restore, stdout=subprocess.PIPE, stderr=restore_errors) as script,
            subprocess.Popen(apply, stdin=subprocess.PIPE, stdout=apply_output, stderr=apply_output) as psql,
        ):
            assert script.stdout is not None and psql.stdin is not None
            try:
                drops = "".join(f"DROP TABLE IF EXISTS public.{t} CASCADE;\n" for t in PARTITIONED_TABLES)
                psql.stdin.write(f"BEGIN;\n{drops}".encode())
                while chunk := script.stdout.read(1 << 20):
                    psql.stdin.write(chunk)
                if script.wait() == 0:
                    psql.stdin.write(b"COMMIT;\n")
            except BrokenPipeError:
                script.kill()  # psql stopped at an error: its transaction is gone with it
            finally:
                psql.stdin.close()
            psql.wait(timeout=24 * 3600)
        for stream in (restore_errors, apply_output):
            stream.seek(0)
        restore_message = restore_errors.read().decode(errors="replace").strip()
        apply_message = apply_output.read().decode(errors="replace").strip()
    if psql.returncode != 0:
        raise BackupError(f"psql failed: {apply_message}")
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed: {restore_message}")


def restore_catalog(url: str, source: Path, *, force: bool = False) -> CatalogCounts:
    """Put a backup back into the catalog at `url`; refuses a catalog with content unless `force`.

    Returns the rows of the restored catalog, once migrated to the newest revision.
    """
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    dialect = dialect_of(url)
    with source.open("rb") as f:
        magic = f.read(16)
    expected = SQLITE_MAGIC if dialect == "sqlite" else PG_DUMP_MAGIC
    if not magic.startswith(expected):
        raise BackupError(f"{source} is not a {dialect} catalog backup")
    if dialect == "sqlite":
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    current = catalog_counts(url)
    if not current.empty and not force:
        held = ", ".join(f"{n} {table}" for table, n in current.rows.items() if n)
        raise BackupError(f"the catalog is not empty ({held}); restore with --force to overwrite it")
    if dialect == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            backup.backup(live)
        finally:
            live.close()
            backup.close()
    elif dialect == "postgresql":
        _restore_postgresql(url, source)
    else:
        raise BackupError(f"restoring a {dialect} catalog is not supported")
    Catalog(url).close()  # brings an older backup to the newest revision
    return catalog_counts(url)
