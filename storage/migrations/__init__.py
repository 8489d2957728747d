"""The catalog's schema, versioned by Alembic revisions and run from code (there is no alembic.ini).

`upgrade(engine)` brings a catalog to the newest revision; `Catalog` calls it on every open. A catalog
already at the newest revision costs one look at `alembic_version`. Otherwise the upgrade runs under a
lock, so several workers opening a fresh catalog at once migrate it exactly once: PostgreSQL's
transaction-scoped advisory lock, SQLite's write lock (`BEGIN IMMEDIATE`, waiting on the busy timeout).
Each caller re-reads the revision once it holds the lock, and the whole upgrade is one transaction
(PostgreSQL and SQLite both have transactional DDL).

A catalog made before migrations existed (`create_all`: tables, no `alembic_version`) is adopted: it is
stamped with the newest revision whose tables it has (`LEGACY_BASELINES`), then upgraded.

A new revision, for a developer: change `storage/tables.py`, then

    cfg = storage.migrations.alembic_config()
    cfg.set_main_option("sqlalchemy.url", "sqlite:////tmp/scratch.sqlite3")
    alembic.command.upgrade(cfg, "head")
    alembic.command.revision(cfg, "what changed", autogenerate=True, rev_id="0003")

and read and tidy the file it writes in `versions/`. `tests/storage/test_migrations.py` fails while the
models and the revisions disagree.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent

#: Key of the PostgreSQL advisory lock held while a catalog is migrated.
ADVISORY_LOCK_KEY = zlib.crc32(b"sohoa catalog migrations")

#: Alembic's `context` and `op` are module globals: one migration at a time in a process.
_PROCESS_LOCK = threading.Lock()

_BASELINE_TABLES = frozenset({"batches", "receipts", "documents", "review_events", "pages"})

#: Catalogs made by `create_all` before migrations existed, newest first: the revision and its tables.
LEGACY_BASELINES: tuple[tuple[str, frozenset[str]], ...] = (
    ("0002", _BASELINE_TABLES | {"dead_letters"}),
    ("0001", _BASELINE_TABLES),
)
_LEGACY_TABLES = frozenset().union(*(tables for _, tables in LEGACY_BASELINES))


class UnknownCatalogSchema(RuntimeError):
    """The database has some of the catalog's tables but matches no known version of them, or it is at a
    revision this sohoa does not have (a newer sohoa migrated it)."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration of the catalog's revisions; with `connection`, env.py migrates on it."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest revision in `versions/`: revisions are numbered, and each file is named by its number.

    Read from the file names, so a catalog already at the newest revision is opened without loading Alembic;
    `tests/storage/test_migrations.py` checks that Alembic's own head agrees.
    """
    numbers = [path.name.split("_", 1)[0] for path in (SCRIPT_LOCATION / "versions").glob("[0-9]*_*.py")]
    assert numbers, "storage/migrations/versions has no revision"
    return max(numbers)


@cache
def revisions() -> frozenset[str]:
    """Every revision in `versions/`."""
    from alembic.script import ScriptDirectory

    return frozenset(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision a catalog is at; None for a database Alembic has never touched."""
    from alembic.runtime.migration import MigrationContext

    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return current_revision(connection)
    return MigrationContext.configure(bind).get_current_revision()


def _recorded_revision(engine: Engine) -> str | None:
    """The revision in `alembic_version`, read with plain SQL; None when there is no such table (yet)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def upgrade(engine: Engine) -> None:
    """Bring the catalog to the newest revision, adopting a pre-migration catalog; cheap when already there."""
    head = head_revision()
    if _recorded_revision(engine) == head:
        return
    current = current_revision(engine)
    if current == head:
        return
    _check_known(current)
    with _migration_lock(engine) as connection:
        current = current_revision(connection)  # another process may have migrated while we waited
        if current == head:
            return
        _check_known(current)
        from alembic import command

        if current is None and (baseline := legacy_baseline(connection)) is not None:
            command.stamp(alembic_config(connection), baseline)
        command.upgrade(alembic_config(connection), "head")


def downgrade(engine: Engine, revision: str) -> None:
    """Take the catalog back to `revision` (for operators undoing a release, and for tests)."""
    from alembic import command

    with _migration_lock(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def _check_known(revision: str | None) -> None:
    if revision is not None and revision not in revisions():
        raise UnknownCatalogSchema(
            f"the catalog is at revision {revision}, which this sohoa does not know (its newest is "
            f"{head_revision()}): a newer sohoa has migrated it; upgrade sohoa here too"
        )


def legacy_baseline(connection: Connection) -> str | None:
    """For a database without `alembic_version`: the revision its tables match; None when it has none of them."""
    tables = set(inspect(connection).get_table_names()) & _LEGACY_TABLES
    if not tables:
        return None
    for revision, expected in LEGACY_BASELINES:
        if tables == expected:
            return revision
    missing = sorted(LEGACY_BASELINES[-1][1] - tables)
    raise UnknownCatalogSchema(
        f"the catalog has tables {sorted(tables)} but no alembic_version and lacks {missing}: "
        "it matches no version of sohoa's catalog"
    )


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the catalog's migration lock; committed on success."""
    with _PROCESS_LOCK, engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            with _sqlite_write_lock(connection):
                yield connection
            return
        if connection.dialect.name == "postgresql":
            # Released by the commit or rollback; waits for a process migrating this database now.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


@contextmanager
def _sqlite_write_lock(connection: Connection) -> Iterator[None]:
    """SQLite: the write lock for the whole migration, foreign keys unenforced while tables are rebuilt.

    `BEGIN IMMEDIATE` takes the write lock at once (waiting on the busy timeout) rather than at the first
    write, so two openers cannot both read "no revision" and both create the tables. Batch revisions copy
    and drop tables that others refer to, which enforced foreign keys forbid; the pragma only changes
    outside a transaction, so it is set before and restored after, and the keys are checked before commit.
    """
    enforced = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:5]}")
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    finally:
        connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
        connection.commit()
