"""One document: its page (metadata, the signed PDF inline, its signature status), the PDF and the JSON record.

Who may do what (`admin` may do everything):

- **officer**: the page with every field, the PDF inline, the download, the API record and PDF. Officers
  search and reuse the results, so theirs are the views and downloads the reuse reports count.
- **staff**: the page with every field and the PDF inline, since they scanned and reviewed these
  documents and see the same ids in review; not the download (`/download`, `/api/v1/documents/{id}/pdf`),
  which is reuse, the officers' work.
- **auditor**: the page and the API record, to check the metadata, with personal ids masked
  (`web.masking`) and the OCR text left out of the API record (it holds the same ids); no PDF inline and
  no download (403), because the page image shows the id.

Every access is an audit event with the actor, role, document and time:

- `view`: the page `/documents/{id}` and the API record `/api/v1/documents/{id}`;
- `view_pdf`: the inline PDF `/documents/{id}/pdf`, which the page's frame fetches; it belongs to a `view`
  already counted, so reports that count `view` do not count it twice;
- `download`: `/documents/{id}/download` (attachment) and `/api/v1/documents/{id}/pdf`;
- `integrity_failed`: the archived object is missing or its SHA-256 is not the record's; nothing is served.

The PDF always streams through the app (`web.archived_pdf`), on the local folder store and on S3 alike:
the inline view must stay same-origin for the Content-Security-Policy, and the bytes are checked against
the record's SHA-256 before and while they are sent. The handlers are plain functions, run in the thread
pool: pyHanko's validation calls `asyncio.run()`, which cannot run on the server's event loop.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from pipeline.signing_setup import trust_roots, uses_test_key
from schemas.record import DocumentRecord, ResultMetadata
from storage.catalog import UnknownDocument
from storage.objects import ObjectNotFound, ObjectStoreError
from web.archived_pdf import (
    ArchiveMismatch,
    SignatureStatus,
    check_signature,
    checked_pdf,
    disposition,
    signature_cache,
    stream_checked,
)
from web.auth import Principal, require
from web.context import WebContext, web
from web.errors import error_response
from web.masking import metadata_for, sees_personal_ids, text_for
from web.pages import STATUS_NAMES, render

router = APIRouter()

VIEWERS = require("staff", "officer", "auditor")
PDF_READERS = require("staff", "officer")
DOWNLOADERS = require("officer")

MISSING_OBJECT = "Không tìm thấy bản PDF của tài liệu này trong kho lưu trữ. Hãy báo cho quản trị viên."
STORE_DOWN = "Kho lưu trữ tạm thời không truy cập được. Hãy thử lại sau ít phút."
REASONS = {
    "needs_review": "Cần kiểm tra lại các trường",
    "page_count_mismatch": "Số trang không khớp với bản giấy",
    "duplicate_number": "Trùng số, ký hiệu với văn bản đã lưu trữ",
}
#: A CMND (9 digits) or CCCD (12 digits) number standing alone in a text.


@dataclass(frozen=True)
class Field:
    """One metadata row of the page: the Vietnamese title and the value as shown (None when absent)."""

    name: str
    title: str
    value: str | None


@dataclass(frozen=True)
class ArchiveState:
    """The archived PDF as the page shows it: a problem that stops serving it, or its signature status."""

    problem: str | None = None
    signature: SignatureStatus | None = None


@dataclass(frozen=True)
class Loaded:
    """A document of the catalog: its record (None until it is finished) and its status."""

    id: str
    record: DocumentRecord | None
    status: str


def _load(ctx: WebContext, document_id: str) -> Loaded:
    try:
        record = ctx.rt.catalog.record(document_id)
        status = record.status if record is not None else ctx.rt.catalog.document(document_id).status
    except UnknownDocument:
        raise HTTPException(404, f"Không tìm thấy tài liệu có mã “{document_id[:64]}”.") from None
    return Loaded(document_id, record, status)


def _archived(loaded: Loaded) -> DocumentRecord:
    """The record of an archived document, or 409 saying why there is no PDF."""
    record = loaded.record
    if record is None or record.status != "archived" or record.archive is None:
        raise HTTPException(
            409,
            f"Tài liệu này chưa được lưu trữ (trạng thái: {STATUS_NAMES.get(loaded.status, loaded.status)}) "
            "nên chưa có bản PDF đã ký.",
        )
    return record


def _integrity_failed(ctx: WebContext, principal: Principal, record: DocumentRecord, reason: str) -> None:
    assert record.archive is not None
    ctx.audit_event("integrity_failed", principal, record.id, reason=reason, key=record.archive.key)


def _inspect(request: Request, ctx: WebContext, principal: Principal, record: DocumentRecord) -> ArchiveState:
    """Check the archived object against the record and its signature (cached per id and SHA-256)."""
    assert record.archive is not None
    roots = trust_roots(ctx.settings)
    cache = signature_cache(request.app.state)
    try:
        with checked_pdf(ctx.rt.store, record.id, record.archive) as pdf:
            key = (record.id, pdf.sha256, tuple(str(r) for r in roots))
            signature = cache.get(key, lambda: check_signature(pdf.path, roots))
            return ArchiveState(signature=signature)
    except ArchiveMismatch as exc:
        _integrity_failed(ctx, principal, record, "sha256_mismatch")
        return ArchiveState(problem=str(exc))
    except ObjectNotFound:
        _integrity_failed(ctx, principal, record, "object_missing")
        return ArchiveState(problem=MISSING_OBJECT)
    except ObjectStoreError:
        return ArchiveState(problem=STORE_DOWN)


def _serve_pdf(
    request: Request, ctx: WebContext, principal: Principal, loaded: Loaded, *, inline: bool, action: str, via: str
) -> Response:
    """Stream the archived PDF after its SHA-256 matched the record; log `action` first."""
    record = _archived(loaded)
    assert record.archive is not None
    stack = ExitStack()
    try:
        pdf = stack.enter_context(checked_pdf(ctx.rt.store, record.id, record.archive))
    except ArchiveMismatch as exc:
        _integrity_failed(ctx, principal, record, "sha256_mismatch")
        raise HTTPException(409, str(exc)) from None
    except ObjectNotFound:
        _integrity_failed(ctx, principal, record, "object_missing")
        raise HTTPException(409, MISSING_OBJECT) from None
    except ObjectStoreError:
        return error_response(request, 503, STORE_DOWN)
    try:
        ctx.audit_event(action, principal, record.id, via=via, sha256=pdf.sha256, bytes=pdf.size)
    except BaseException:
        stack.close()
        raise
    headers = {
        "content-length": str(pdf.size),
        "content-disposition": disposition(record, inline=inline),
        "x-content-sha256": pdf.sha256,
    }
    return StreamingResponse(
        stream_checked(pdf, record.id, stack),
        media_type="application/pdf",
        headers=headers,
        background=BackgroundTask(stack.close),
    )


def _shown(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _fields(role: str, record: DocumentRecord) -> list[Field]:
    metadata = metadata_for(role, record.metadata.model_dump())
    fields = ResultMetadata.model_fields
    return [Field(name, info.title or name, _shown(metadata.get(name))) for name, info in fields.items()]


def _reasons(record: DocumentRecord | None) -> list[tuple[str, str]]:
    """Why a document is not archived: its error, and the warnings that hold it for review, in Vietnamese."""
    if record is None:
        return []
    reasons = []
    if record.error is not None:
        reasons.append((f"Lỗi ({record.error.code})", record.error.message))
    titles = {name: info.title or name for name, info in ResultMetadata.model_fields.items()}
    for warning in record.warnings:
        message = ", ".join(titles.get(n, n) for n in warning.fields) if warning.fields else warning.message
        reasons.append((REASONS.get(warning.code, warning.code), message))
    return reasons


def _heading(loaded: Loaded, filename: str | None) -> str:
    record = loaded.record
    if record is None:
        return f"Tài liệu {loaded.id}"
    parts = [record.metadata.type_name, record.metadata.document_number]
    return " ".join(p for p in parts if p) or filename or loaded.id


@router.get("/documents/{document_id}", include_in_schema=False)
def document_page(
    document_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(VIEWERS)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    loaded = _load(ctx, document_id)
    record = loaded.record
    archived = record is not None and record.status == "archived" and record.archive is not None
    state = _inspect(request, ctx, principal, record) if archived and record is not None else None
    ctx.audit_event("view", principal, loaded.id, via="page", status=loaded.status)
    role = principal.role
    servable = state is not None and state.problem is None
    filename = text_for(role, record.source.filename) if record is not None else None
    return render(
        request,
        "document.html",
        doc=loaded,
        record=record,
        heading=_heading(loaded, filename),
        filename=filename,
        fields=_fields(role, record) if record is not None else [],
        reasons=[(title, text_for(role, text)) for title, text in _reasons(record)],
        state=state,
        show_pdf=servable and role in ("admin", "staff", "officer"),
        may_download=servable and role in ("admin", "officer"),
        masked=not sees_personal_ids(role),
        test_key=uses_test_key(ctx.settings),
    )


@router.get("/documents/{document_id}/pdf", include_in_schema=False)
def document_pdf(
    document_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(PDF_READERS)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    """The PDF for the page's frame (inline); part of the page's `view`, logged as `view_pdf`."""
    return _serve_pdf(request, ctx, principal, _load(ctx, document_id), inline=True, action="view_pdf", via="page")


@router.get("/documents/{document_id}/download", include_in_schema=False)
def document_download(
    document_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(DOWNLOADERS)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    return _serve_pdf(request, ctx, principal, _load(ctx, document_id), inline=False, action="download", via="page")


def record_json(role: str, record: DocumentRecord) -> dict[str, Any]:
    """The record as this role may see it: personal ids masked (in the metadata, the file name and the messages)
    and then no OCR text."""
    data = record.model_dump(mode="json")
    data["metadata"] = metadata_for(role, data["metadata"])
    if not sees_personal_ids(role):
        data["source"]["filename"] = text_for(role, data["source"]["filename"])
        for message in (data["error"], *data["warnings"]):
            if message:
                message["message"] = text_for(role, message["message"])
        data["text"] = ""
        for page in data["pages"]:
            page["text"] = ""
    return data


@router.get(
    "/api/v1/documents/{document_id}",
    tags=["documents"],
    responses={
        200: {"model": DocumentRecord, "description": "The document record (masked for auditors)."},
        404: {"description": "No document with this id."},
    },
)
def api_document(
    document_id: str, principal: Annotated[Principal, Depends(VIEWERS)], ctx: Annotated[WebContext, Depends(web)]
) -> JSONResponse:
    """The document record. For auditors `metadata.holder_id` is masked and the OCR text is empty.

    A document still being processed has no record yet: the answer is then `{"id": …, "status": …}`.
    Logged as a `view`.
    """
    loaded = _load(ctx, document_id)
    ctx.audit_event("view", principal, loaded.id, via="api", status=loaded.status)
    if loaded.record is None:
        return JSONResponse({"id": loaded.id, "status": loaded.status})
    return JSONResponse(record_json(principal.role, loaded.record))


@router.get(
    "/api/v1/documents/{document_id}/pdf",
    tags=["documents"],
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The signed PDF as archived."},
        409: {"description": "Not archived, or the archived object does not match its SHA-256."},
    },
)
def api_document_pdf(
    document_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(DOWNLOADERS)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    """The signed PDF, checked against the record's SHA-256 (header `X-Content-SHA256`). Logged as a `download`."""
    return _serve_pdf(request, ctx, principal, _load(ctx, document_id), inline=False, action="download", via="api")


@router.get("/api/v1/documents/{document_id}/signature", tags=["documents"])
def api_document_signature(
    document_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(VIEWERS)],
    ctx: Annotated[WebContext, Depends(web)],
) -> dict[str, Any]:
    """The archived PDF's integrity against the catalog and its signature status, as the page shows them."""
    record = _archived(_load(ctx, document_id))
    state = _inspect(request, ctx, principal, record)
    signature = state.signature
    ctx.audit_event("signature_checked", principal, record.id, via="api", ok=state.problem is None)
    return {
        "id": record.id,
        "ok": state.problem is None and signature is not None and signature.ok,
        "problem": state.problem,
        "signature": None if signature is None else asdict(signature),
    }
