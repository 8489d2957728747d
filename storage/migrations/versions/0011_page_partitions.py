"""On PostgreSQL, pages in hash partitions of their document id; SQLite is left as it is.

A province's two million pages, and a country's far more, are read a document at a time (its pages, by
`document_id`), never by time: so the table is partitioned by a hash of `document_id` into
`PAGE_PARTITIONS` partitions, and every read of a document's pages touches one. The primary key
`(document_id, number)` already holds the partition column, so it stays as it is, and so does the foreign key
to `documents`. The rows are copied over in one statement: about a minute per two million pages.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: Partitions of the page table. Eight keep each under 50 million rows up to 400 million pages; more need a
#: new revision that copies the rows again.
PAGE_PARTITIONS = 8
DEFINITION = (
    "document_id VARCHAR(32) NOT NULL, number INTEGER NOT NULL, status VARCHAR(16) NOT NULL, info JSON, "
    "warnings JSON, error JSON, image_key TEXT, words_key TEXT, header_text TEXT, "
    "tesseract_seconds FLOAT NOT NULL, tesseract_cpu_seconds FLOAT NOT NULL, "
    "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT pages_pkey PRIMARY KEY (document_id, number), "
    "CONSTRAINT pages_document_id_fkey FOREIGN KEY(document_id) REFERENCES documents (id)"
)
COLUMNS = (
    "document_id, number, status, info, warnings, error, image_key, words_key, header_text, "
    "tesseract_seconds, tesseract_cpu_seconds, updated_at"
)


def _again(partitioned: bool) -> None:
    """Make the page table again, partitioned or not, and copy the rows over."""
    old = "pages_before_partitions" if partitioned else "pages_partitioned"
    op.execute(f"ALTER TABLE pages RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pages_pkey TO {old}_pkey")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pages_document_id_fkey TO {old}_document_id_fkey")
    op.execute(f"CREATE TABLE pages ({DEFINITION}){' PARTITION BY HASH (document_id)' if partitioned else ''}")
    if partitioned:
        for remainder in range(PAGE_PARTITIONS):
            op.execute(
                f"CREATE TABLE pages_part_{remainder} PARTITION OF pages "
                f"FOR VALUES WITH (MODULUS {PAGE_PARTITIONS}, REMAINDER {remainder})"
            )
    op.execute(f"INSERT INTO pages ({COLUMNS}) SELECT {COLUMNS} FROM {old}")
    op.execute(f"DROP TABLE {old}")  # a partitioned one with its partitions


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _again(partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _again(partitioned=False)
