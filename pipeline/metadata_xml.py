"""The metadata as XML with the Decree 30 Phụ lục VI / TT 02/2019 tags, for export beside the PDF."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from schemas.record import DocumentRecord

#: Decree 30 tag -> field of the record's metadata (None: filled from elsewhere in the record).
TAGS: tuple[tuple[str, str | None], ...] = (
    ("DocCode", "result_code"),
    ("FileCode", "dossier_code"),
    ("TypeName", "type_name"),
    ("CodeNumber", "code_number"),
    ("CodeNotation", "code_notation"),
    ("IssuedDate", "issued_date"),
    ("OrganName", "organ_name"),
    ("Subject", "subject"),
    ("Language", "language"),
    ("PageAmount", None),
    ("Description", None),
    ("InforSign", None),
    ("Mode", None),
    ("ConfidenceLevel", None),
    ("Format", None),
)


def record_to_xml(record: DocumentRecord) -> bytes:
    """UTF-8 XML of the record's metadata; absent values are empty elements, never guessed."""
    root = ET.Element("Document", {"id": record.id, "schemaVersion": record.schema_version})
    derived = {
        "PageAmount": str(len(record.pages)),
        "Description": record.source.filename,
        "InforSign": record.archive.signer if record.archive and record.archive.signer else None,
        "Mode": "Điện tử",
        "ConfidenceLevel": _confidence_level(record),
        "Format": "PDF",
    }
    metadata = record.metadata.model_dump(mode="json")
    for tag, field in TAGS:
        value = metadata.get(field) if field else derived.get(tag)
        ET.SubElement(root, tag).text = None if value is None else str(value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _confidence_level(record: DocumentRecord) -> str | None:
    scores = [p.ocr_confidence for p in record.pages if p.ocr_confidence is not None]
    return f"{sum(scores) / len(scores):.2f}" if scores else None
