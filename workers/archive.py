"""Assembly: turn a document's finished pages into its record and searchable PDF, then archive both."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePath

from PIL import Image

from pipeline.extract import Extraction, extract_metadata, fields_to_review, number_key
from pipeline.metadata_xml import record_to_xml
from pipeline.pdf import PdfInfo, PdfPage, build_searchable_pdf
from pipeline.sign import sign_pdf
from pipeline.tesseract import Word
from schemas.intake import Intake
from schemas.record import (
    ArchiveInfo,
    DocumentRecord,
    ErrorInfo,
    FieldConfidence,
    PageInfo,
    ResultMetadata,
    SourceInfo,
    Warning,
)
from schemas.times import as_utc
from storage.audit import SYSTEM, AuditLog
from storage.layout import ARCHIVE, WORK, ArchivedKeys, work_prefix
from storage.objects import ObjectNotFound, StoredObject, ascii_metadata, decode_metadata
from storage.retention import archive_retain_days
from storage.search_index import update_index
from storage.tables import Document, Page
from workers.runtime import Runtime

#: Page errors that mean the input was bad (the document is rejected) rather than that we failed.
INPUT_ERROR_CODES = frozenset({"corrupt_image", "corrupt_pdf", "image_too_large", "image_too_small"})


def archive_document(rt: Runtime, document_id: str) -> DocumentRecord:
    """Decide the document's final status; archive the PDF and sidecars when it is good."""
    doc = rt.catalog.document(document_id)
    pages = rt.catalog.pages(document_id)
    words = stored_words(rt, pages)
    record = base_record(doc, pages, rt.settings.result_code_format, words)
    intake = Intake.model_validate(doc.intake) if doc.intake else None
    failed = [p for p in pages if p.status == "failed"]
    key, claimed = number_key(record.metadata), False
    if failed:
        error = ErrorInfo.model_validate(failed[0].error)
        status = "rejected" if error.code in INPUT_ERROR_CODES else "failed"
        record = record.model_copy(update={"status": status, "error": error})
    elif all(p.blank for p in record.pages):
        error = ErrorInfo(code="blank_document", message="every page of the document is blank")
        record = record.model_copy(update={"status": "rejected", "error": error})
    elif doc.confirmed_metadata is None and (reasons := _review_reasons(rt, record, intake)):
        record = record.model_copy(update={"status": "needs_review", "warnings": [*record.warnings, *reasons]})
    elif not (claimed := _claim_number(rt, record.id, key)) and doc.confirmed_metadata is None:
        # another document with this number was archived since the check above: the database said so
        warning = _duplicate_number(rt, record, key or "")
        record = record.model_copy(update={"status": "needs_review", "warnings": [*record.warnings, warning]})
    else:
        record = _store_archive(rt, doc, pages, record, words)
    if record.status == "archived":  # searchable once finished; a retried assembly replaces the entry
        update_index(rt.catalog, record, before_finish=True)
    rt.catalog.finish(document_id, record, number_key=key if claimed else None)
    if record.status in ("archived", "rejected"):  # failed documents keep their pages for the retry
        rt.store.delete_prefix(WORK, work_prefix(document_id))
    return record


def _with_intake(extraction: Extraction, intake: Intake, result_code_format: str) -> Extraction:
    """Dossier and procedure codes as staff gave them, and the result code built from them."""
    values = {"dossier_code": intake.dossier_code, "procedure_code": intake.procedure_code}
    if intake.dossier_code and intake.ordinal:
        values["result_code"] = result_code_format.format(dossier_code=intake.dossier_code, n=intake.ordinal)
    given = {k: v for k, v in values.items() if v is not None}
    return Extraction(
        extraction.metadata.model_copy(update=given), {**extraction.confidence, **dict.fromkeys(given, 1.0)}
    )


def _review_reasons(rt: Runtime, record: DocumentRecord, intake: Intake | None) -> list[Warning]:
    """Why a person must look before this document is signed: doubtful required fields, or a repeated number."""
    reasons = []
    fields = fields_to_review(record.metadata, record.confidence.model_dump(), rt.settings.review_threshold)
    if fields:
        reasons.append(Warning(code="needs_review", message=f"check these fields: {', '.join(fields)}", fields=fields))
    turned = [str(page.number) for page in record.pages if page.orientation_doubtful]
    if turned:
        message = f"check which way up page {', '.join(turned)} is: reading it every way left it uncertain"
        reasons.append(Warning(code="orientation_uncertain", message=message))
    if intake is not None and intake.paper_pages is not None and intake.paper_pages != len(record.pages):
        message = f"the paper original has {intake.paper_pages} pages but {len(record.pages)} were scanned"
        reasons.append(Warning(code="page_count_mismatch", message=message))
    key = number_key(record.metadata)
    if key is not None and rt.catalog.archived_with_number(key, other_than=record.id):
        reasons.append(_duplicate_number(rt, record, key))
    return reasons


def _claim_number(rt: Runtime, document_id: str, key: str | None) -> bool:
    """Take the document's number for it (a unique index), before anything is signed; False when another holds it.

    Two documents with one number assembled at the same instant both pass the check of `_review_reasons`;
    only one of them can take the number. A document without a number has nothing to claim.
    """
    return key is None or rt.catalog.claim_number(document_id, key)


def _duplicate_number(rt: Runtime, record: DocumentRecord, key: str) -> Warning:
    other = rt.catalog.archived_with_number(key, other_than=record.id)
    metadata = record.metadata
    year = metadata.issued_date.year if metadata.issued_date else ""
    message = f"{metadata.organ_name} already has an archived {metadata.document_number} of {year}: document {other}"
    return Warning(code="duplicate_number", message=message)


def reject_document(rt: Runtime, document_id: str, error: ErrorInfo) -> DocumentRecord:
    """Finish a document whose source was refused before any page was read."""
    record = base_record(rt.catalog.document(document_id), [], rt.settings.result_code_format).model_copy(
        update={"status": "rejected", "error": error}
    )
    rt.catalog.finish(document_id, record)
    return record


def fail_document(rt: Runtime, document_id: str, error: ErrorInfo) -> DocumentRecord:
    """Finish a document as failed (our side: signing, storage); its pages are kept so a re-run completes it."""
    doc, pages = rt.catalog.document(document_id), rt.catalog.pages(document_id)
    record = base_record(doc, pages, rt.settings.result_code_format, stored_words(rt, pages)).model_copy(
        update={"status": "failed", "error": error}
    )
    rt.catalog.finish(document_id, record)
    return record


def base_record(
    doc: Document, pages: list[Page], result_code_format: str, page_words: list[list[Word]] | None = None
) -> DocumentRecord:
    """The record as the pages made it: text, page info and warnings; status archived until decided.

    `page_words` (one list per page with a page record) lets extraction use the layout's geometry.
    """
    infos = [PageInfo.model_validate(p.info) for p in pages if p.info]
    warnings = [Warning.model_validate(w) for p in pages for w in (p.warnings or [])]
    source = SourceInfo(filename=doc.filename, sha256=doc.sha256, size_bytes=doc.size_bytes, media_type=doc.media_type)
    header_text = pages[0].header_text if pages else None
    texts = [p.text for p in infos if not p.blank]
    words = [w for w, info in zip(page_words, infos, strict=True) if not info.blank] if page_words else None
    extraction = extract_metadata(texts, header_text=header_text, page_words=words) if infos else None
    if extraction is not None and doc.intake:
        extraction = _with_intake(extraction, Intake.model_validate(doc.intake), result_code_format)
    if extraction is not None and doc.confirmed_metadata is not None:  # a person checked these values
        confirmed = ResultMetadata.model_validate(doc.confirmed_metadata)
        confidence = {name: 1.0 for name, value in confirmed.model_dump().items() if value is not None}
        extraction = Extraction(confirmed, confidence)
    return DocumentRecord(
        id=doc.id,
        batch_id=doc.batch_id,
        source=source,
        status="archived",
        warnings=warnings,
        pages=infos,
        text="\n\n".join(p.text for p in infos if p.text),
        metadata=extraction.metadata.model_copy(update={"page_amount": len(infos)}) if extraction else ResultMetadata(),
        confidence=FieldConfidence(**extraction.confidence) if extraction else FieldConfidence(),
        received_at=as_utc(doc.received_at),
        finished_at=datetime.now(UTC),
    )


def _store_archive(
    rt: Runtime, doc: Document, pages: list[Page], record: DocumentRecord, words: list[list[Word]] | None
) -> DocumentRecord:
    """Sign and store the PDF, then its sidecars; the archived record (with its `archive` part) is returned.

    A redelivered assembly finds what an earlier attempt stored and reuses it, so an archive never
    gets a second version of a document and the catalog row matches the sidecar.
    """
    keys = ArchivedKeys.of_document(doc.id)
    metadata = {"source-sha256": doc.sha256, "source-filename": doc.filename, "document-id": doc.id}
    days = archive_retain_days(rt.settings, record.metadata.type_name)  # retention per document type
    archive = _stored_pdf(rt, doc.id, keys.pdf) or _sign_and_store_pdf(rt, doc, pages, record, words, metadata, days)
    sidecar = rt.store.stat(ARCHIVE, keys.record)
    if sidecar is not None and sidecar.metadata.get("document-id") == doc.id:
        final = DocumentRecord.model_validate_json(rt.store.get_bytes(ARCHIVE, keys.record))
    else:
        final = record.model_copy(update={"archive": archive})
        rt.store.put_bytes(
            ARCHIVE,
            keys.record,
            final.model_dump_json(indent=2).encode(),
            metadata=ascii_metadata(metadata),
            retain_days=days,
        )
    if rt.store.stat(ARCHIVE, keys.metadata) is None:
        xml = record_to_xml(final)
        rt.store.put_bytes(ARCHIVE, keys.metadata, xml, metadata=ascii_metadata(metadata), retain_days=days)
    return final


def _stored_pdf(rt: Runtime, document_id: str, key: str) -> ArchiveInfo | None:
    """The signed PDF an earlier attempt archived for this document, if any."""
    stored = rt.store.stat(ARCHIVE, key)
    if stored is None:
        return None
    meta = decode_metadata(stored.metadata)
    if meta.get("document-id") != document_id or "signed-at" not in meta:
        return None
    return ArchiveInfo(
        bucket=ARCHIVE,
        key=key,
        version_id=stored.version_id,
        pdf_sha256=stored.sha256,
        signed_at=datetime.fromisoformat(meta["signed-at"]),
        signer=meta.get("signer", ""),
        **_retention_fields(stored),
    )


def _sign_and_store_pdf(
    rt: Runtime,
    doc: Document,
    pages: list[Page],
    record: DocumentRecord,
    words: list[list[Word]] | None,
    metadata: dict[str, str],
    retain_days: int | None = None,
) -> ArchiveInfo:
    page_words: list[list[Word] | None] = list(words) if words else [None] * len(pages)
    pdf_pages = [_pdf_page(rt, *parts) for parts in zip(pages, record.pages, page_words, strict=True)]
    meta = record.metadata
    title = " ".join(v for v in (meta.type_name, meta.document_number) if v) or PurePath(doc.filename).stem
    info = PdfInfo(title=title, subject=meta.subject, created=record.received_at)
    work_dir = rt.settings.data_dir / "tmp"
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        unsigned, signed = Path(tmp) / "unsigned.pdf", Path(tmp) / "signed.pdf"
        build_searchable_pdf(pdf_pages, info, unsigned)
        _audit(rt, doc.id, "assembled", {"pages": len(pdf_pages), "bytes": unsigned.stat().st_size})
        signature = sign_pdf(unsigned, signed, rt.signing)  # the last write to the PDF
        _audit(rt, doc.id, "signed", {"signer": signature.signer, "signed_at": signature.signed_at.isoformat()})
        signed_meta = {**metadata, "signed-at": signature.signed_at.isoformat(), "signer": signature.signer}
        stored = rt.store.put_file(
            ARCHIVE,
            ArchivedKeys.of_document(doc.id).pdf,
            signed,
            metadata=ascii_metadata(signed_meta),
            retain_days=retain_days,
        )
    return ArchiveInfo(
        bucket=ARCHIVE,
        key=stored.key,
        version_id=stored.version_id,
        pdf_sha256=stored.sha256,
        signed_at=signature.signed_at,
        signer=signature.signer,
        **_retention_fields(stored),
    )


def _retention_fields(stored: StoredObject) -> dict[str, object]:
    """The archived PDF's object lock, as the record keeps it."""
    if stored.retention is None:
        return {}
    return {"retention_mode": stored.retention.mode, "retain_until": stored.retention.retain_until}


def stored_words(rt: Runtime, pages: list[Page]) -> list[list[Word]] | None:
    """The OCR words of every page that has a page record, or None when any is no longer stored."""
    keys = [p.words_key for p in pages if p.info]
    if not all(keys):
        return None
    try:
        return [_words(rt, key) for key in keys if key is not None]
    except ObjectNotFound:
        return None


def _words(rt: Runtime, key: str) -> list[Word]:
    return [Word(**w) for w in json.loads(rt.store.get_bytes(WORK, key))]


def _pdf_page(rt: Runtime, page: Page, info: PageInfo, words: list[Word] | None) -> PdfPage:
    """One page of the searchable PDF; its words are read from the store unless already read for extraction."""
    if page.image_key is None or page.words_key is None:
        raise RuntimeError(f"page {page.number} of {page.document_id} is done but has no stored image")
    jpeg = rt.store.get_bytes(WORK, page.image_key)
    words = words if words is not None else _words(rt, page.words_key)
    with Image.open(io.BytesIO(jpeg)) as header:
        width, height, grey = header.width, header.height, header.mode == "L"
    return PdfPage(jpeg=jpeg, width_px=width, height_px=height, dpi=info.dpi, grey=grey, words=words)


def _audit(rt: Runtime, document_id: str, action: str, details: dict) -> None:
    """A pipeline step that changes no catalog row, recorded in the audit log on its own."""
    AuditLog(rt.catalog).append(action, actor=SYSTEM, document_id=document_id, details=details)
