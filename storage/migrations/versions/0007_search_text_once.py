"""Search keeps the text once: the full-text index holds only its words, and the folded copy is gone.

Before, a document's text sat in the search entry twice (as written and folded) and, on SQLite, twice more in
the FTS5 table's own content. Now `search_entries.content` is the one copy: the folded form is computed for the
snippets of the page shown, and SQLite's `search_fts` is contentless (`content=''`), told the words again when
an entry is removed. It also gets prefix indexes of two and three characters, for the `thu*` queries. The
index is filled again from the entries, so this revision takes a while on a large catalog (about a minute per
20,000 documents). SQLite frees the space for reuse; `VACUUM` gives it back to the disk.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CONTENTLESS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(folded, exact, content='', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
)
WITH_CONTENT = "CREATE VIRTUAL TABLE search_fts USING fts5(folded, exact, tokenize='unicode61 remove_diacritics 0')"
CHUNK = 500


def _entries(connection: sa.Connection) -> Iterator[tuple[int, str]]:
    last = 0
    while rows := connection.execute(
        sa.text("SELECT id, content FROM search_entries WHERE id > :last ORDER BY id LIMIT :n"),
        {"last": last, "n": CHUNK},
    ).all():
        yield from rows
        last = rows[-1][0]


def _fill_fulltext(connection: sa.Connection) -> None:
    from storage.search_query import fulltext_words

    insert = sa.text("INSERT INTO search_fts (rowid, folded, exact) VALUES (:id, :folded, :exact)")
    batch = []
    for entry_id, content in _entries(connection):
        folded, exact = fulltext_words(content)
        batch.append({"id": entry_id, "folded": " ".join(folded), "exact": " ".join(exact)})
        if len(batch) == CHUNK:
            connection.execute(insert, batch)
            batch = []
    if batch:
        connection.execute(insert, batch)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
        op.execute(CONTENTLESS)
        _fill_fulltext(connection)
    op.execute("ALTER TABLE search_entries DROP COLUMN folded")


def downgrade() -> None:
    from pipeline.textfold import fold_diacritics

    connection = op.get_bind()
    op.execute("ALTER TABLE search_entries ADD COLUMN folded TEXT NOT NULL DEFAULT ''")
    fold = sa.text("UPDATE search_entries SET folded = :folded WHERE id = :id")
    for entry_id, content in list(_entries(connection)):
        connection.execute(fold, {"id": entry_id, "folded": fold_diacritics(content)})
    if connection.dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
        op.execute(WITH_CONTENT)
        _fill_fulltext(connection)
