"""The search index: one `SearchEntry` per archived document (its metadata values, then its pages' text, NFC),
and its words in the dialect's full-text index (SQLite's contentless FTS5 table, PostgreSQL's tsvectors).

Words are cut by `storage.search_query.fulltext_words`, the same way for the index and for queries.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from schemas.record import DocumentRecord
from storage.catalog import Catalog
from storage.search_query import fold_key, fulltext_words, holder_digits
from storage.tables import Document, SearchEntry, canonical_json, utcnow

#: PostgreSQL's last word position: words after it are indexed without positions (found alone, not in phrases).
PG_POSITIONS = 16_383
#: Metadata fields whose values are searchable, in the order they are written before the text.
INDEXED_FIELDS = (
    "type_name",
    "document_number",
    "organ_name",
    "parent_organ_name",
    "subject",
    "place",
    "signer_name",
    "signer_title",
    "holder_name",
    "holder_id",
    "dossier_code",
    "procedure_code",
    "result_code",
)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\x00", " "))


def entry_for(record: DocumentRecord) -> SearchEntry:
    """The search entry of an archived record: metadata values first, then the text of every page."""
    meta = record.metadata
    values = [str(v) for name in INDEXED_FIELDS if (v := getattr(meta, name))]
    if meta.issued_date:
        values.append(meta.issued_date.strftime("%d/%m/%Y"))
    head = _nfc("\n".join(values))
    body = _nfc(record.text or "\n\n".join(p.text for p in record.pages if p.text))
    content = f"{head}\n\n{body}"
    holder = holder_digits(meta.holder_id) or None
    return SearchEntry(
        document_id=record.id,
        type_name=meta.type_name,
        organ_name=meta.organ_name,
        type_key=fold_key(meta.type_name),
        organ_key=fold_key(meta.organ_name),
        issued_date=meta.issued_date,
        holder_id=holder,
        metadata_values=meta.model_dump(mode="json"),
        content=content,
        body_start=len(head) + 2,
        indexed_at=utcnow(),
    )


def update_index(catalog: Catalog, record: DocumentRecord, *, before_finish: bool = False) -> bool:
    """Index an archived document, replacing its entry; any other status removes it. True when indexed.

    The document's catalog row must be archived too, so a stale record never makes a document searchable.
    `before_finish`: archiving indexes the record just before it writes the final status, so no archived
    document is ever missing from the index; until then searches do not show the entry (they also require
    the row to be archived), and a retried archiving replaces it.
    """
    with catalog.session() as s:
        _remove(s, record.id)  # a write first: on SQLite it takes the write lock before anything is read
        status = s.scalar(select(Document.status).where(Document.id == record.id))
        if record.status != "archived" or status is None or (status != "archived" and not before_finish):
            return False
        _add_entries(s, [entry_for(record)])
    return True


def index_archived(s: Session, records: list[DocumentRecord]) -> None:
    """Index archived documents being put back into an empty catalog, in the caller's transaction: there is no
    entry to replace and no status to check, so a rebuild indexes a chunk of records in one go."""
    _add_entries(s, [entry_for(record) for record in records])


def remove_from_index(catalog: Catalog, document_id: str) -> None:
    with catalog.session() as s:
        _remove(s, document_id)


def indexed_ids(catalog: Catalog) -> list[str]:
    with catalog.session() as s:
        return list(s.scalars(select(SearchEntry.document_id).order_by(SearchEntry.document_id)))


def _remove(s: Session, document_id: str) -> None:
    entry = s.execute(select(SearchEntry.id, SearchEntry.content).where(SearchEntry.document_id == document_id)).first()
    if entry is None:
        return
    if s.get_bind().dialect.name == "sqlite":  # a contentless index forgets a row when told the words it held
        folded, exact = fulltext_words(entry.content)
        s.execute(
            text("INSERT INTO search_fts (search_fts, rowid, folded, exact) VALUES ('delete', :id, :folded, :exact)"),
            {"id": entry.id, "folded": " ".join(folded), "exact": " ".join(exact)},
        )
    s.execute(delete(SearchEntry).where(SearchEntry.id == entry.id))


def _add_entries(s: Session, entries: list[SearchEntry]) -> None:
    """The entries and their words in the full-text index, each kind of row in one statement run for all.

    SQLite: the rows, then their words into FTS5 under their row ids. PostgreSQL: the rows with their
    tsvectors in one INSERT (written, then updated with the tsvectors, each row was stored twice).
    """
    if not entries:
        return
    if s.get_bind().dialect.name == "sqlite":
        s.add_all(entries)
        s.flush()
        rows = []
        for entry in entries:
            folded, exact = fulltext_words(entry.content)
            rows.append({"id": entry.id, "folded": " ".join(folded), "exact": " ".join(exact)})
        s.execute(text("INSERT INTO search_fts (rowid, folded, exact) VALUES (:id, :folded, :exact)"), rows)
        return
    s.execute(_POSTGRES_INSERT, [_postgres_row(entry) for entry in entries])


#: The columns of an entry's row written by PostgreSQL's INSERT: the model's, but its id (the database's) and
#: `archived` (set by a trigger); the tsvectors are not in the model (migration 0004 makes them).
_ROW_COLUMNS = tuple(c.name for c in SearchEntry.__table__.columns if c.name not in ("id", "archived"))
# PostgreSQL keeps positions up to 16,383 and a tsvector under 1 MiB: later words go without positions. The
# folded words' pairs with a digit go with them as lexemes of their own (migration 0019: a document number's)
_POSTGRES_INSERT = text(
    f"INSERT INTO search_entries ({', '.join(_ROW_COLUMNS)}, archived, folded_tsv, exact_tsv) VALUES ("
    + "".join("CAST(:metadata_values AS json), " if c == "metadata_values" else f":{c}, " for c in _ROW_COLUMNS)
    + "false, (SELECT placed || sohoa_number_pairs(placed) FROM to_tsvector('simple', :folded) placed) "
    "|| strip(to_tsvector('simple', :folded_rest)), "
    "to_tsvector('simple', :exact) || strip(to_tsvector('simple', :exact_rest)))"
)


def _postgres_row(entry: SearchEntry) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(entry, name) for name in _ROW_COLUMNS}
    row["metadata_values"] = canonical_json(entry.metadata_values)
    for name, words in zip(("folded", "exact"), fulltext_words(entry.content), strict=True):
        row[name], row[f"{name}_rest"] = " ".join(words[:PG_POSITIONS]), " ".join(words[PG_POSITIONS:])
    return row
