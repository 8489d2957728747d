"""Archive staff's pages and API: upload scans in batches and follow them; the review queue (`web.routes.review`).

Uploads are streamed (see `web.uploads`) and received exactly as `sohoa digitize` receives files
(`workers.intake.receive_file`). The review pages live in their own module and are included here.
"""

from __future__ import annotations

import hmac
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from schemas.record import ErrorInfo
from schemas.times import as_utc
from storage.catalog import UPLOAD_REFUSED
from web.auth import CSRF_FIELD, CSRF_HEADER, Forbidden, Principal, admit, check_origin, require
from web.batch_status import BatchOut, BatchStatus, batch_list, batch_status
from web.context import WebContext, web
from web.errors import error_response
from web.labels import error_text, format_bytes
from web.pages import STATUS_NAMES, page_count, render
from web.routes import review
from web.uploads import BadUpload, FilePart, FormField, stream_parts
from workers.intake import SUPPORTED_SUFFIXES, receive_file

router = APIRouter()
router.include_router(review.router)

STAFF = require("staff")
PAGE_SIZE = 50
CSRF_MESSAGE = "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Hãy tải lại trang và thử lại."
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


# --- streaming uploads: authentication without reading the body first -------------------------------
@dataclass(frozen=True)
class StreamAuth:
    """The uploader; a browser form without the CSRF header must send its token as the first form field."""

    principal: Principal
    csrf_pending: bool


async def staff_upload(request: Request) -> StreamAuth:
    """`require("staff")` for streamed bodies: the CSRF token is checked from the header, or from the stream."""
    principal = admit(request, ("staff",))
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
    ctx.audit_event(
        UPLOAD_REFUSED, principal, batch=batch_id, filename=filename, code=refused.code, reason=refused.message
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
    ctx.audit_event(
        "upload",
        principal,
        item.document_id,
        batch=batch_id,
        filename=part.filename,
        sha256=part.sha256,
        size_bytes=part.size,
        duplicate=item.duplicate,
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


async def _files(auth: StreamAuth, parts: AsyncIterator[FilePart | FormField]) -> AsyncIterator[FilePart]:
    """The stream's non-empty file parts; a form's CSRF token (a field before any file) is checked first."""
    verified = False
    async for part in parts:
        if isinstance(part, FormField):
            if auth.csrf_pending and part.name == CSRF_FIELD:
                if not hmac.compare_digest(part.value, auth.principal.csrf_token or ""):
                    raise Forbidden(CSRF_MESSAGE)
                verified = True
            continue
        if auth.csrf_pending and not verified:
            raise Forbidden(CSRF_MESSAGE)
        if part.filename:  # an empty one: the file input was left empty
            yield part


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
    principal, batch_id = auth.principal, None
    try:
        async with _stream(request, ctx, single_file=False) as parts:
            async for part in _files(auth, parts):
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
    principal, result = auth.principal, None
    await run_in_threadpool(_own_batch, ctx, principal, batch_id)
    try:
        async with _stream(request, ctx, single_file=True) as parts:
            async for part in _files(auth, parts):
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
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> list[BatchOut]:
    """Batches, newest first, with their files and documents by status."""
    return batch_list(ctx.rt.catalog, limit=limit, offset=offset)


@router.get("/api/v1/batches/{batch_id}", response_model=BatchStatus, tags=["staff"])
def get_batch(
    batch_id: str, principal: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> BatchStatus:
    """Each file's document and status (with the reasons of rejections and reviews), refusals and totals."""
    status = batch_status(ctx.rt.catalog, batch_id)
    if status is None:
        raise HTTPException(404, "Không tìm thấy lô tài liệu này.")
    ctx.audit_event("batch_viewed", principal, batch=batch_id, via="api")
    return status


@router.get("/batches", include_in_schema=False)
def batches_page(
    request: Request,
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    batches = batch_list(ctx.rt.catalog, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = page_count(ctx.rt.catalog.count_batches(), PAGE_SIZE)
    return render(request, "batches.html", batches=batches, page=page, pages=pages)


@router.get("/batches/{batch_id}", include_in_schema=False)
def batch_page(
    request: Request,
    batch_id: str,
    principal: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    status = batch_status(ctx.rt.catalog, batch_id)
    if status is None:
        return error_response(request, 404, "Không tìm thấy lô tài liệu này.")
    ctx.audit_event("batch_viewed", principal, batch=batch_id, via="page")
    return render(request, "batch.html", batch=status)
