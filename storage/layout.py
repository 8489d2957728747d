"""Where a document's objects are kept: the three buckets and every key, in one place.

- `incoming/<sha[:2]>/<sha>`: a received file's bytes, untouched, under their SHA-256;
- `work/<id>/page-NNNN.jpg` and `.words.json`: a page's image and recognised words until the document is archived;
- `archive/<id>/<id>.pdf`, `.json`, `.xml`: the signed PDF and its record and metadata sidecars.
"""

from __future__ import annotations

from dataclasses import dataclass

INCOMING, WORK, ARCHIVE = "incoming", "work", "archive"


def incoming_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


@dataclass(frozen=True)
class PageKeys:
    """A processed page's objects in the work bucket."""

    document_id: str
    number: int

    @property
    def image(self) -> str:
        return f"{self.document_id}/page-{self.number:04d}.jpg"

    @property
    def words(self) -> str:
        return f"{self.document_id}/page-{self.number:04d}.words.json"


def work_prefix(document_id: str) -> str:
    """Every work object of a document is under it."""
    return f"{document_id}/"


@dataclass(frozen=True)
class ArchivedKeys:
    """An archived document's PDF and the two sidecars beside it, which share its name."""

    stem: str

    @classmethod
    def of_document(cls, document_id: str) -> ArchivedKeys:
        return cls(f"{document_id}/{document_id}")

    @classmethod
    def of_pdf(cls, pdf_key: str) -> ArchivedKeys:
        """The keys of the document whose PDF is at `pdf_key` (as its record's `archive.key` says)."""
        return cls(pdf_key.rsplit(".", 1)[0])

    @property
    def pdf(self) -> str:
        return f"{self.stem}.pdf"

    @property
    def record(self) -> str:
        return f"{self.stem}.json"

    @property
    def metadata(self) -> str:
        return f"{self.stem}.xml"

    @property
    def sidecars(self) -> tuple[str, str]:
        return self.record, self.metadata

    @property
    def all(self) -> tuple[str, str, str]:
        return self.pdf, self.record, self.metadata


def is_record_sidecar(key: str) -> bool:
    """Whether an archive key is a document's record (`<id>/<id>.json`), not some other JSON object."""
    folder, _, name = key.partition("/")
    return name == f"{folder}.json"
