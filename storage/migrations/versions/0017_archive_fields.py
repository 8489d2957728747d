"""A document's archive key, PDF hash and record page count in columns of their own, kept from its record.

The reconciliation compares these three values of every archived document with the store and the page
rows. Read out of the record JSON (stored out of line, a dozen kilobytes with the text) they cost about
half of a reconciliation at 700,000 documents. The triggers of revision 0006 now fill them too, from
`record`, on every insert and every update of it, whoever writes the row.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: Every column the triggers fill, and where it sits in the record (0006's three first).
TEXT_FIELDS = {
    "organ_name": ("metadata", "organ_name"),
    "type_name": ("metadata", "type_name"),
    "signed_at": ("archive", "signed_at"),
    "archive_key": ("archive", "key"),
    "archive_sha256": ("archive", "pdf_sha256"),
}
PAGE_AMOUNT = ("metadata", "page_amount")
COLUMNS = (
    sa.Column("archive_key", sa.Text()),
    sa.Column("archive_sha256", sa.String(64)),
    sa.Column("page_amount", sa.Integer()),
)


def _sqlite_values(row: str, names: tuple[str, ...]) -> str:
    values = {name: f"json_extract({row}record, '$.{'.'.join(path)}')" for name, path in TEXT_FIELDS.items()}
    path = f"'$.{'.'.join(PAGE_AMOUNT)}'"
    values["page_amount"] = (
        f"CASE WHEN json_type({row}record, {path}) = 'integer' THEN json_extract({row}record, {path}) END"
    )
    return ", ".join(f"{name} = {values[name]}" for name in names)


def _postgres_values(row: str) -> dict[str, str]:
    values = {name: f"{row}record #>> '{{{','.join(path)}}}'" for name, path in TEXT_FIELDS.items()}
    amount = f"{row}record #> '{{{','.join(PAGE_AMOUNT)}}}'"
    # a value that is not a whole number leaves the column empty rather than failing the write
    values["page_amount"] = (
        f"CASE WHEN json_typeof({amount}) = 'number' AND ({amount})::text ~ '^-?[0-9]{{1,9}}$' "
        f"THEN ({amount})::text::integer END"
    )
    return values


def _create_triggers(names: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, event in (("insert", "INSERT"), ("update", "UPDATE OF record")):
            op.execute(f"DROP TRIGGER IF EXISTS documents_record_fields_{name}")
            op.execute(
                f"CREATE TRIGGER documents_record_fields_{name} AFTER {event} ON documents BEGIN "
                f"UPDATE documents SET {_sqlite_values('NEW.', names)} WHERE id = NEW.id; END"
            )
        return
    values = _postgres_values("NEW.")
    assignments = " ".join(f"NEW.{name} := {values[name]};" for name in names)
    op.execute(
        "CREATE OR REPLACE FUNCTION documents_record_fields() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {assignments} RETURN NEW; END $$"
    )


def upgrade() -> None:
    # a catalog adopted from `create_all` of the current tables has the columns already
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("documents")}
    for column in COLUMNS:
        if column.name not in present:
            op.add_column("documents", sa.Column(column.name, column.type, nullable=True))
    _create_triggers((*TEXT_FIELDS, "page_amount"))
    new = tuple(column.name for column in COLUMNS)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"UPDATE documents SET {_sqlite_values('', new)} WHERE record IS NOT NULL")
        return
    # only the new columns: no trigger watches them, so the report counts log no change
    values = _postgres_values("")
    op.execute(f"UPDATE documents SET {', '.join(f'{n} = {values[n]}' for n in new)} WHERE record IS NOT NULL")


def downgrade() -> None:
    _create_triggers(tuple(TEXT_FIELDS)[:3])
    for column in reversed(COLUMNS):  # ALTER TABLE … DROP COLUMN: SQLite's batch copy would trip on 0009's triggers
        op.drop_column("documents", column.name)
