"""Archive staff's pages and API: upload scans in batches and follow them; review doubtful extractions.

Uploads are streamed (see `web.uploads`) and received exactly as `sohoa digitize` receives files
(`sohoa.batch.receive_file`); confirming a review signs and archives at once through the same code
as `sohoa review` (`sohoa.review_command.confirm_and_archive`).
"""

from __future__ import annotations

import hmac
import threading
from collections import Counter
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from pipeline.sign import SigningError
from schemas.record import ArchiveInfo, DocumentRecord, ErrorInfo, ResultMetadata
from sohoa.batch import SUPPORTED_SUFFIXES, receive_file
from sohoa.review_command import ReviewError, ReviewOutcome, apply_values, confirm_and_archive, uncertain_fields
from storage.catalog import UPLOAD_REFUSED, UnknownDocument, as_utc
from storage.objects import ObjectNotFound
from web.auth import CSRF_FIELD, CSRF_HEADER, Forbidden, NotSignedIn, Principal, check_origin, find_principal, require
from web.batch_status import BatchOut, BatchStatus, batch_list, batch_status, review_reasons
from web.context import WebContext, web
from web.errors import error_response
from web.labels import FIELD_TITLES, error_text, format_bytes, warning_text
from web.pages import STATUS_NAMES, render
from web.uploads import BadUpload, FilePart, FormField, stream_parts
from workers.runtime import WORK

router = APIRouter()

STAFF = require("staff")
PAGE_SIZE = 50
CSRF_MESSAGE = "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Hãy tải lại trang và thử lại."
#: Fields staff may correct; the page count is always counted from the scan.
EDITABLE_FIELDS = tuple(name for name in ResultMetadata.model_fields if name != "page_amount")
DATE_FIELDS = frozenset({"issued_date", "valid_until"})
FILE_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


# --- models ----------------------------------------------------------------------------------------
class BatchCreated(BaseModel):
    id: str
    origin: str
    created_at: datetime
    status_url: str
    files_url: str


class UploadOut(BaseModel):
    """A file received into a batch: its document, and whether the same bytes had come before."""

    document_id: str
    filename: str
    sha256: str
    size_bytes: int
    duplicate: bool
    status: str
    status_name: str
    error: ErrorInfo | None = None
    reason: str | None = None


class ReviewItem(BaseModel):
    document_id: str
    filename: str
    received_at: datetime
    reasons: list[str]


class ReviewList(BaseModel):
    total: int
    documents: list[ReviewItem]


class PageOut(BaseModel):
    number: int
    image_url: str | None
    blank: bool
    ocr_confidence: float | None


class ReviewDetail(BaseModel):
    document_id: str
    filename: str
    status: str
    received_at: datetime
    metadata: dict[str, Any]
    confidence: dict[str, float | None]
    uncertain: list[str]
    reasons: list[str]
    pages: list[PageOut]


class ReviewRequest(BaseModel):
    """Corrections (field → value; an empty value clears the field) and whether to confirm, sign and archive."""

    changes: dict[str, str | None] = Field(default_factory=dict)
    confirm: bool = True


class ReviewResult(BaseModel):
    document_id: str
    status: str
    changes: dict[str, list]
    metadata: dict[str, Any]
    archive: ArchiveInfo | None = None
    error: ErrorInfo | None = None
    detail: str | None = None


# --- streaming uploads: authentication without reading the body first -------------------------------
@dataclass(frozen=True)
class StreamAuth:
    """The uploader; a browser form without the CSRF header must send its token as the first form field."""

    principal: Principal
    csrf_pending: bool


async def staff_upload(request: Request) -> StreamAuth:
    """`require("staff")` for streamed bodies: the CSRF token is checked from the header, or from the stream."""
    principal = find_principal(request)
    if principal is None:
        raise NotSignedIn()
    if principal.role not in ("staff", "admin"):
        raise Forbidden()
    if principal.csrf_token is None:  # an API token
        return StreamAuth(principal, False)
    check_origin(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        return StreamAuth(principal, True)
    if not hmac.compare_digest(given, principal.csrf_token):
        raise Forbidden(CSRF_MESSAGE)
    return StreamAuth(principal, False)


class Refused(Exception):
    """A file not taken into the batch; recorded, and answered with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class _Slots:
    """Files being received per batch in this process, so parallel uploads cannot pass the batch's limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: Counter[str] = Counter()

    def take(self, ctx: WebContext, batch_id: str, filename: str) -> None:
        limit = ctx.settings.upload_max_files
        with self._lock:
            if ctx.rt.catalog.batch_file_count(batch_id) + self._busy[batch_id] >= limit:
                message = (
                    f"Mỗi lô nhận tối đa {limit} tệp; tệp «{filename}» không được nhận. "
                    "Hãy tạo lô mới cho các tệp còn lại."
                )
                raise Refused(409, "too_many_files", message)
            self._busy[batch_id] += 1

    def give_back(self, batch_id: str) -> None:
        with self._lock:
            self._busy[batch_id] -= 1
            if self._busy[batch_id] <= 0:
                del self._busy[batch_id]


_slots = _Slots()


def _supported(filename: str) -> bool:
    return PurePath(filename).suffix.lower() in SUPPORTED_SUFFIXES


def _refusal_of(ctx: WebContext, part: FilePart) -> Refused:
    if part.refused == "too_large":
        limit = format_bytes(ctx.settings.max_file_bytes)
        return Refused(413, "file_too_large", f"Tệp «{part.filename}» lớn hơn giới hạn {limit} cho mỗi tệp.")
    suffix = PurePath(part.filename).suffix or "(không có đuôi)"
    message = f"Tệp «{part.filename}» có đuôi {suffix}: chỉ nhận bản quét PDF, TIFF, PNG hoặc JPEG."
    return Refused(415, "unsupported_type", message)


def _record_refusal(ctx: WebContext, principal: Principal, batch_id: str, filename: str, refused: Refused) -> None:
    ctx.audit.append(
        UPLOAD_REFUSED,
        actor=principal.username,
        role=principal.role,
        details={"batch": batch_id, "filename": filename, "code": refused.code, "reason": refused.message},
    )


def _take(ctx: WebContext, principal: Principal, batch_id: str, part: FilePart) -> UploadOut:
    """Receive one complete uploaded file into the batch, as `sohoa digitize` would; audit it."""
    assert part.path is not None
    _slots.take(ctx, batch_id, part.filename)
    try:
        item = receive_file(
            ctx.rt,
            batch_id,
            part.path,
            filename=part.filename,
            sha256=part.sha256,
            lease_seconds=ctx.settings.lease_seconds,
            screen=True,
        )
    finally:
        _slots.give_back(batch_id)
    doc = ctx.rt.catalog.document(item.document_id)
    ctx.audit.append(
        "upload",
        actor=principal.username,
        role=principal.role,
        document_id=item.document_id,
        details={
            "batch": batch_id,
            "filename": part.filename,
            "sha256": part.sha256,
            "size_bytes": part.size,
            "duplicate": item.duplicate,
        },
    )
    error = ErrorInfo.model_validate(doc.error) if doc.error else None
    return UploadOut(
        document_id=item.document_id,
        filename=part.filename,
        sha256=part.sha256,
        size_bytes=part.size,
        duplicate=item.duplicate,
        status=doc.status,
        status_name=STATUS_NAMES.get(doc.status, doc.status),
        error=error,
        reason=error_text(error),
    )


def _new_batch(ctx: WebContext, principal: Principal) -> str:
    return ctx.rt.catalog.create_batch(f"web:{principal.username}"[:200])


def _own_batch(ctx: WebContext, principal: Principal, batch_id: str) -> None:
    """Files go only into a web batch of the uploader's own (admin: any web batch)."""
    batch = ctx.rt.catalog.batch(batch_id)
    if batch is None:
        raise HTTPException(404, "Không tìm thấy lô tài liệu này.")
    if batch.origin != f"web:{principal.username}" and not (
        principal.role == "admin" and batch.origin.startswith("web:")
    ):
        raise HTTPException(403, "Lô này không phải do bạn tạo trên trang web; hãy tạo lô mới.")


def _check_csrf_field(auth: StreamAuth, part: FormField, verified: bool) -> bool:
    if auth.csrf_pending and part.name == CSRF_FIELD:
        if not hmac.compare_digest(part.value, auth.principal.csrf_token or ""):
            raise Forbidden(CSRF_MESSAGE)
        return True
    return verified


def _stream(request: Request, ctx: WebContext, *, single_file: bool):
    return aclosing(
        stream_parts(
            request,
            tmp_dir=ctx.settings.data_dir / "tmp" / "uploads",
            max_file_bytes=ctx.settings.max_file_bytes,
            accept_name=_supported,
            single_file=single_file,
        )
    )


def _bad_upload(exc: BadUpload) -> HTTPException:
    return HTTPException(400, f"Dữ liệu tải lên không hợp lệ ({exc}). Hãy thử lại.")


# --- upload pages and API ----------------------------------------------------------------------------
@router.get("/upload", include_in_schema=False)
def upload_page(
    request: Request, _: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> Response:
    return render(request, "upload.html", **_upload_context(ctx))


def _upload_context(ctx: WebContext) -> dict[str, Any]:
    return {
        "max_file_bytes": ctx.settings.max_file_bytes,
        "max_file_size": format_bytes(ctx.settings.max_file_bytes),
        "max_files": ctx.settings.upload_max_files,
        "accept": ",".join(sorted(SUPPORTED_SUFFIXES)),
    }


@router.post("/upload", include_in_schema=False)
async def upload_form(
    request: Request, auth: Annotated[StreamAuth, Depends(staff_upload)], ctx: Annotated[WebContext, Depends(web)]
) -> Response:
    """The form without JavaScript: many files in one request, then the batch's page."""
    principal, verified, batch_id = auth.principal, False, None
    try:
        async with _stream(request, ctx, single_file=False) as parts:
            async for part in parts:
                if isinstance(part, FormField):
                    verified = _check_csrf_field(auth, part, verified)
                    continue
                if auth.csrf_pending and not verified:
                    raise Forbidden(CSRF_MESSAGE)
                if not part.filename:  # the file input was left empty
                    continue
                if batch_id is None:
                    batch_id = await run_in_threadpool(_new_batch, ctx, principal)
                try:
                    if part.refused:
                        raise _refusal_of(ctx, part)
                    await run_in_threadpool(_take, ctx, principal, batch_id, part)
                except Refused as refused:
                    await run_in_threadpool(_record_refusal, ctx, principal, batch_id, part.filename, refused)
    except BadUpload as exc:
        raise _bad_upload(exc) from None
    if batch_id is None:
        context = _upload_context(ctx)
        return render(request, "upload.html", status_code=400, error="Chưa chọn tệp nào để tải lên.", **context)
    return RedirectResponse(f"/batches/{batch_id}", status_code=303)


@router.post("/api/v1/batches", response_model=BatchCreated, status_code=201, tags=["staff"])
def create_batch(
    principal: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> BatchCreated:
    """Start a batch; then send its files one per request to `files_url`."""
    batch_id = _new_batch(ctx, principal)
    batch = ctx.rt.catalog.batch(batch_id)
    assert batch is not None
    return BatchCreated(
        id=batch_id,
        origin=batch.origin,
        created_at=as_utc(batch.created_at),
        status_url=f"/api/v1/batches/{batch_id}",
        files_url=f"/api/v1/batches/{batch_id}/files",
    )


@router.post(
    "/api/v1/batches/{batch_id}/files",
    response_model=UploadOut,
    status_code=201,
    tags=["staff"],
    openapi_extra=FILE_SCHEMA,
    responses={200: {"description": "The same bytes were received before (a duplicate)"}},
)
async def upload_file(
    batch_id: str,
    request: Request,
    auth: Annotated[StreamAuth, Depends(staff_upload)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    """Add one file (multipart field `file`) to the batch; 413 over the size limit, 415 not a scan's type.

    A file whose content is not a PDF, TIFF, PNG or JPEG scan becomes a rejected document with its reason.
    """
    principal, verified, result = auth.principal, False, None
    await run_in_threadpool(_own_batch, ctx, principal, batch_id)
    try:
        async with _stream(request, ctx, single_file=True) as parts:
            async for part in parts:
                if isinstance(part, FormField):
                    verified = _check_csrf_field(auth, part, verified)
                    continue
                if auth.csrf_pending and not verified:
                    raise Forbidden(CSRF_MESSAGE)
                if not part.filename:
                    continue
                if result is not None:
                    raise HTTPException(400, "Mỗi yêu cầu chỉ gửi một tệp; tệp đầu tiên đã được nhận.")
                try:
                    if part.refused:
                        raise _refusal_of(ctx, part)
                    result = await run_in_threadpool(_take, ctx, principal, batch_id, part)
                except Refused as refused:
                    await run_in_threadpool(_record_refusal, ctx, principal, batch_id, part.filename, refused)
                    raise HTTPException(refused.status, refused.message) from None
    except BadUpload as exc:
        raise _bad_upload(exc) from None
    if result is None:
        raise HTTPException(400, "Không có tệp nào trong yêu cầu (trường «file»).")
    return JSONResponse(result.model_dump(mode="json"), status_code=200 if result.duplicate else 201)


@router.get("/api/v1/batches", response_model=list[BatchOut], tags=["staff"])
def list_batches(
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[BatchOut]:
    """Batches, newest first, with their files and documents by status."""
    return batch_list(ctx.rt.catalog, limit=limit, offset=offset)


@router.get("/api/v1/batches/{batch_id}", response_model=BatchStatus, tags=["staff"])
def get_batch(
    batch_id: str, _: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> BatchStatus:
    """Each file's document and status (with the reasons of rejections and reviews), refusals and totals."""
    status = batch_status(ctx.rt.catalog, batch_id)
    if status is None:
        raise HTTPException(404, "Không tìm thấy lô tài liệu này.")
    return status


@router.get("/batches", include_in_schema=False)
def batches_page(
    request: Request,
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    batches = batch_list(ctx.rt.catalog, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-ctx.rt.catalog.count_batches() // PAGE_SIZE))
    return render(request, "batches.html", batches=batches, page=page, pages=pages)


@router.get("/batches/{batch_id}", include_in_schema=False)
def batch_page(
    request: Request, batch_id: str, _: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> Response:
    status = batch_status(ctx.rt.catalog, batch_id)
    if status is None:
        return error_response(request, 404, "Không tìm thấy lô tài liệu này.")
    return render(request, "batch.html", batch=status)


# --- review ------------------------------------------------------------------------------------------
def _held(ctx: WebContext, document_id: str) -> DocumentRecord:
    """The record of a document waiting for review; 404 unknown, 409 not (or no longer) waiting."""
    try:
        record = ctx.rt.catalog.record(document_id)
    except UnknownDocument:
        raise HTTPException(404, "Không tìm thấy tài liệu này.") from None
    if record is None or record.status != "needs_review":
        status = STATUS_NAMES.get(record.status, record.status) if record else STATUS_NAMES["processing"]
        raise HTTPException(409, f"Tài liệu này không chờ kiểm tra (trạng thái: {status}).")
    return record


def _review_items(ctx: WebContext, limit: int, offset: int) -> tuple[int, list[ReviewItem]]:
    catalog = ctx.rt.catalog
    items = []
    for doc in catalog.documents_with_status("needs_review", limit=limit, offset=offset):
        record = DocumentRecord.model_validate(doc.record)
        reasons = [warning_text(w) for w in review_reasons(record)]
        items.append(
            ReviewItem(document_id=doc.id, filename=doc.filename, received_at=doc.received_at, reasons=reasons)
        )
    return catalog.count_with_status("needs_review"), items


def _detail(ctx: WebContext, record: DocumentRecord) -> ReviewDetail:
    images = {p.number for p in ctx.rt.catalog.pages(record.id) if p.image_key}
    return ReviewDetail(
        document_id=record.id,
        filename=record.source.filename,
        status=record.status,
        received_at=record.received_at,
        metadata=record.metadata.model_dump(mode="json"),
        confidence=record.confidence.model_dump(),
        uncertain=uncertain_fields(record, ctx.settings.review_threshold),
        reasons=[warning_text(w) for w in review_reasons(record)],
        pages=[
            PageOut(
                number=p.number,
                image_url=f"/review/{record.id}/pages/{p.number}.jpg" if p.number in images else None,
                blank=p.blank,
                ocr_confidence=p.ocr_confidence,
            )
            for p in record.pages
        ],
    )


def _form_fields(detail: ReviewDetail, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The review form's rows: value (as sent back, or as extracted), confidence, and whether it is doubtful."""
    rows = []
    for name in EDITABLE_FIELDS:
        value = (values or {}).get(name, detail.metadata.get(name))
        rows.append(
            {
                "name": name,
                "title": FIELD_TITLES[name],
                "value": "" if value is None else str(value),
                "confidence": detail.confidence.get(name),
                "uncertain": name in detail.uncertain,
                "kind": "date" if name in DATE_FIELDS else "textarea" if name == "subject" else "text",
            }
        )
    return rows


def _review(
    ctx: WebContext, principal: Principal, document_id: str, changes: dict[str, Any], *, confirm: bool
) -> tuple[ReviewOutcome | None, ResultMetadata, dict[str, list]]:
    """Apply the changes (ReviewError when invalid); with `confirm`, sign and archive (SigningError: still held)."""
    record = _held(ctx, document_id)
    metadata, applied = apply_values(record.metadata, changes)
    if not confirm:
        return None, metadata, applied
    try:
        outcome = confirm_and_archive(
            ctx.rt, document_id, metadata, applied, actor=principal.username, role=principal.role
        )
    except ReviewError as exc:  # confirmed by someone else meanwhile
        raise HTTPException(409, f"Tài liệu này không còn chờ kiểm tra ({exc}).") from None
    return outcome, metadata, applied


def _invalid_message(exc: ReviewError) -> str:
    fields = ", ".join(FIELD_TITLES.get(f, f) for f in exc.fields)
    return f"Giá trị không hợp lệ ở trường: {fields}. Hãy sửa lại rồi xác nhận." if fields else str(exc)


def _held_message(error: ErrorInfo | None, exc: SigningError | None = None) -> str:
    detail = exc.message if exc is not None else (error.message if error else "")
    return f"Chưa lưu trữ được: {detail}. Tài liệu vẫn chờ kiểm tra; hãy báo quản trị viên rồi xác nhận lại."


@router.get("/review", include_in_schema=False)
def review_list_page(
    request: Request,
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    archived: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    total, items = _review_items(ctx, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    done = None
    if archived:
        try:
            record = ctx.rt.catalog.record(archived)
        except UnknownDocument:
            record = None
        done = record if record is not None and record.status == "archived" else None
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "review_list.html", items=items, total=total, page=page, pages=pages, done=done)


@router.get("/api/v1/review", response_model=ReviewList, tags=["staff"])
def review_list(
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ReviewList:
    """Documents waiting for review, oldest first, with the reasons they wait."""
    total, items = _review_items(ctx, limit, offset)
    return ReviewList(total=total, documents=items)


@router.get("/review/{document_id}/pages/{number}.jpg", include_in_schema=False)
def review_page_image(
    document_id: str, number: int, _: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> Response:
    """A held document's page as processed (straightened), kept in the work store until it is archived."""
    key = next((p.image_key for p in ctx.rt.catalog.pages(document_id) if p.number == number), None)
    if key is None:
        raise HTTPException(404, "Không tìm thấy ảnh trang này.")
    try:
        image = ctx.rt.store.get_bytes(WORK, key)
    except ObjectNotFound:
        raise HTTPException(404, "Ảnh trang này không còn được lưu.") from None
    return Response(image, media_type="image/jpeg")


@router.get("/review/{document_id}", include_in_schema=False)
def review_page(
    request: Request,
    document_id: str,
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    detail = _detail(ctx, _held(ctx, document_id))
    return render(request, "review.html", doc=detail, fields=_form_fields(detail))


@router.post("/review/{document_id}", include_in_schema=False)
async def review_submit(
    request: Request,
    document_id: str,
    principal: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    form = await request.form()
    values = {name: v for name in EDITABLE_FIELDS if isinstance(v := form.get(name), str)}
    if form.get("action") != "confirm":
        raise HTTPException(400, "Thao tác không hợp lệ.")
    try:
        outcome, _, _ = await run_in_threadpool(_review, ctx, principal, document_id, values, confirm=True)
    except ReviewError as exc:
        message, status = _invalid_message(exc), 422
    except SigningError as exc:  # the key cannot sign now: nothing was changed
        message, status = _held_message(None, exc), 503
    else:
        assert outcome is not None
        if outcome.archived:
            return RedirectResponse(f"/review?archived={document_id}", status_code=303)
        message, status = _held_message(outcome.error), 503
    return await run_in_threadpool(_review_form_again, request, ctx, document_id, values, message, status)


def _review_form_again(
    request: Request, ctx: WebContext, document_id: str, values: dict[str, str], error: str, status: int
) -> Response:
    detail = _detail(ctx, _held(ctx, document_id))
    return render(
        request, "review.html", status_code=status, doc=detail, fields=_form_fields(detail, values), error=error
    )


@router.get("/api/v1/review/{document_id}", response_model=ReviewDetail, tags=["staff"])
def review_detail(
    document_id: str, _: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> ReviewDetail:
    """A held document's extracted fields with their confidence, the doubtful ones, the reasons, its page images."""
    return _detail(ctx, _held(ctx, document_id))


@router.post(
    "/api/v1/review/{document_id}",
    response_model=ReviewResult,
    tags=["staff"],
    responses={409: {"description": "Not waiting for review"}, 422: {"description": "Invalid values"}},
)
def review_confirm(
    document_id: str,
    body: ReviewRequest,
    principal: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    """Correct fields and (with `confirm`) sign and archive at once; 503 when signing fails, the document held."""
    try:
        outcome, metadata, applied = _review(ctx, principal, document_id, body.changes, confirm=body.confirm)
    except ReviewError as exc:
        return JSONResponse({"detail": _invalid_message(exc), "fields": list(exc.fields)}, status_code=422)
    except SigningError as exc:
        result = ReviewResult(
            document_id=document_id,
            status="needs_review",
            changes={},
            metadata=_held(ctx, document_id).metadata.model_dump(mode="json"),
            error=ErrorInfo(code=exc.code, message=exc.message),
            detail=_held_message(None, exc),
        )
        return JSONResponse(result.model_dump(mode="json"), status_code=503)
    if outcome is None:  # a dry run: the values as they would be confirmed
        result = ReviewResult(
            document_id=document_id, status="needs_review", changes=applied, metadata=metadata.model_dump(mode="json")
        )
        return JSONResponse(result.model_dump(mode="json"))
    record = outcome.record
    result = ReviewResult(
        document_id=document_id,
        status=record.status,
        changes=applied,
        metadata=record.metadata.model_dump(mode="json"),
        archive=record.archive,
        error=outcome.error,
        detail=None if outcome.archived else _held_message(outcome.error),
    )
    return JSONResponse(result.model_dump(mode="json"), status_code=200 if outcome.archived else 503)
