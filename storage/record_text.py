"""A document's text is kept once, in its pages' rows; the record in `documents.record` refers to it.

A record carries the text of every page and, again, the whole document's text (the pages' joined). Stored as
it is, the catalog held the text three times: the record's two copies and the pages' `info`. The stored form
leaves out every page text its page row holds as well, and the document's text when it is the pages' joined
as the pipeline joins them (`workers.archive`); anything else (a text that differs, a page without a row) is
kept. Reading the record puts the texts back, so every reader still gets the whole record, as the archive's
sidecar has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.record import DocumentRecord

#: How a document's text is made from its pages' (`workers.archive`): the non-empty ones, a blank line apart.
PAGE_SEPARATOR = "\n\n"


def joined(page_texts: list[str]) -> str:
    return PAGE_SEPARATOR.join(text for text in page_texts if text)


def stored_form(record: DocumentRecord, page_texts: Mapping[int, str | None]) -> dict[str, Any]:
    """The record as `documents.record` keeps it: without the texts `page_texts` (page number → text) hold."""
    data = record.model_dump(mode="json")
    if data["text"] == joined([page.text for page in record.pages]):
        del data["text"]
    for page in data["pages"]:
        if page_texts.get(page["number"]) == page["text"]:
            del page["text"]
    return data


def full_record(data: Mapping[str, Any], page_texts: Mapping[int, str | None]) -> DocumentRecord:
    """The whole record from its stored form and its pages' texts (a page without one reads as empty)."""
    pages = [
        page if "text" in page else {**page, "text": page_texts.get(page["number"]) or ""}
        for page in data.get("pages", ())
    ]
    text = data["text"] if "text" in data else joined([page["text"] for page in pages])
    from schemas.record import DocumentRecord  # pydantic: loaded by the readers of records only

    return DocumentRecord.model_validate({**data, "pages": pages, "text": text})


def record_without_text(data: Mapping[str, Any]) -> DocumentRecord:
    """The record with the texts it refers to left empty: for lists that show statuses, warnings and metadata."""
    return full_record(data, {})
