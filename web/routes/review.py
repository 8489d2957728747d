"""The review queue: documents held for a person, their page images beside the extracted fields, and
confirming (with corrections), which signs and archives at once through `workers.review.confirm_and_archive`,
the same code as `sohoa review`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, StringConstraints

from pipeline.sign import SigningError
from schemas.record import ArchiveInfo, DocumentRecord, ErrorInfo, ResultMetadata
from storage.catalog import UnknownDocument
from storage.layout import WORK
from storage.objects import ObjectNotFound
from storage.record_text import record_without_text
from web.auth import Principal, require
from web.batch_status import review_reasons
from web.context import WebContext, web
from web.labels import FIELD_TITLES, warning_text
from web.pages import STATUS_NAMES, page_count, render
from workers.review import (
    DAY_FIELDS,
    MAX_REASON_CHARS,
    MAX_VALUE_CHARS,
    ReviewError,
    ReviewOutcome,
    apply_values,
    confirm_and_archive,
    reject,
    uncertain_fields,
)

router = APIRouter()

STAFF = require("staff")
PAGE_SIZE = 50
#: Fields staff may correct; the page count is always counted from the scan.
EDITABLE_FIELDS = tuple(name for name in ResultMetadata.model_fields if name != "page_amount")
FieldName = Annotated[str, StringConstraints(max_length=40)]
FieldValue = Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)]


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

    changes: dict[FieldName, FieldValue | None] = Field(default_factory=dict, max_length=len(EDITABLE_FIELDS))
    confirm: bool = True


class RejectRequest(BaseModel):
    """Why the document is refused: it ends rejected, nothing signed or archived."""

    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class ReviewResult(BaseModel):
    document_id: str
    status: str
    changes: dict[str, list]
    metadata: dict[str, Any]
    archive: ArchiveInfo | None = None
    error: ErrorInfo | None = None
    detail: str | None = None


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
        record = record_without_text(doc.record or {})
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
                "kind": "date" if name in DAY_FIELDS else "textarea" if name == "subject" else "text",
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
    unknown = [f for f in exc.fields if f not in FIELD_TITLES]
    if unknown:
        return f"Không có trường {', '.join(f'«{f}»' for f in unknown)}; các trường: {', '.join(FIELD_TITLES)}."
    fields = ", ".join(FIELD_TITLES[f] for f in exc.fields)
    return f"Giá trị không hợp lệ ở trường: {fields}. Hãy sửa lại rồi xác nhận." if fields else str(exc)


def _held_message(error: ErrorInfo | None, exc: SigningError | None = None) -> str:
    detail = (exc.message if exc is not None else (error.message if error else "")).rstrip(".")
    return f"Chưa lưu trữ được: {detail}. Tài liệu vẫn chờ kiểm tra; hãy báo quản trị viên rồi xác nhận lại."


@router.get("/review", include_in_schema=False)
def review_list_page(
    request: Request,
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    archived: Annotated[str | None, Query(max_length=64)] = None,
    rejected: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    total, items = _review_items(ctx, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    done, refused = _finished(ctx, archived, "archived"), _finished(ctx, rejected, "rejected")
    pages = page_count(total, PAGE_SIZE)
    return render(
        request, "review_list.html", items=items, total=total, page=page, pages=pages, done=done, refused=refused
    )


def _finished(ctx: WebContext, document_id: str | None, status: str) -> DocumentRecord | None:
    """The record of a document just decided on this page, if it did end with `status`."""
    if not document_id:
        return None
    try:
        record = ctx.rt.catalog.record(document_id)
    except UnknownDocument:
        return None
    return record if record is not None and record.status == status else None


@router.get("/api/v1/review", response_model=ReviewList, tags=["staff"])
def review_list(
    _: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> ReviewList:
    """Documents waiting for review, oldest first, with the reasons they wait."""
    total, items = _review_items(ctx, limit, offset)
    return ReviewList(total=total, documents=items)


@router.get("/review/{document_id}/pages/{number}.jpg", include_in_schema=False)
def review_page_image(
    document_id: str,
    number: int,
    principal: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    """A held document's page as processed (straightened), kept in the work store until it is archived."""
    key = next((p.image_key for p in ctx.rt.catalog.pages(document_id) if p.number == number), None)
    if key is None:
        raise HTTPException(404, "Không tìm thấy ảnh trang này.")
    try:
        image = ctx.rt.store.get_bytes(WORK, key)
    except ObjectNotFound:
        raise HTTPException(404, "Ảnh trang này không còn được lưu.") from None
    ctx.audit_event("page_image_viewed", principal, document_id, page=number)
    return Response(image, media_type="image/jpeg")


@router.get("/review/{document_id}", include_in_schema=False)
def review_page(
    request: Request,
    document_id: str,
    principal: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> Response:
    detail = _detail(ctx, _held(ctx, document_id))
    ctx.audit_event("review_viewed", principal, document_id, via="page")
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
    if form.get("action") == "reject":
        reason = form.get("reason")
        try:
            await run_in_threadpool(_reject, ctx, principal, document_id, reason if isinstance(reason, str) else "")
        except ReviewError as exc:
            message = f"Chưa từ chối được: {exc}." if "reason" not in exc.fields else "Hãy ghi lý do từ chối."
            return await run_in_threadpool(_review_form_again, request, ctx, document_id, values, message, 422)
        return RedirectResponse(f"/review?rejected={document_id}", status_code=303)
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


def _reject(ctx: WebContext, principal: Principal, document_id: str, reason: str) -> DocumentRecord:
    _held(ctx, document_id)  # 404 or 409 as for any review
    return reject(ctx.rt, document_id, reason, actor=principal.username, role=principal.role)


def _review_form_again(
    request: Request, ctx: WebContext, document_id: str, values: dict[str, str], error: str, status: int
) -> Response:
    detail = _detail(ctx, _held(ctx, document_id))
    return render(
        request, "review.html", status_code=status, doc=detail, fields=_form_fields(detail, values), error=error
    )


@router.get("/api/v1/review/{document_id}", response_model=ReviewDetail, tags=["staff"])
def review_detail(
    document_id: str, principal: Annotated[Principal, Depends(STAFF)], ctx: Annotated[WebContext, Depends(web)]
) -> ReviewDetail:
    """A held document's extracted fields with their confidence, the doubtful ones, the reasons, its page images."""
    detail = _detail(ctx, _held(ctx, document_id))
    ctx.audit_event("review_viewed", principal, document_id, via="api")
    return detail


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


@router.post(
    "/api/v1/review/{document_id}/reject",
    response_model=ReviewResult,
    tags=["staff"],
    responses={409: {"description": "Not waiting for review"}, 422: {"description": "No reason"}},
)
def review_reject(
    document_id: str,
    body: RejectRequest,
    principal: Annotated[Principal, Depends(STAFF)],
    ctx: Annotated[WebContext, Depends(web)],
) -> ReviewResult:
    """Refuse a held document with a reason: it ends `rejected` (error `rejected_in_review`), audited."""
    try:
        record = _reject(ctx, principal, document_id, body.reason)
    except ReviewError as exc:
        raise HTTPException(422, str(exc)) from None
    return ReviewResult(
        document_id=document_id,
        status=record.status,
        changes={},
        metadata=record.metadata.model_dump(mode="json"),
        error=record.error,
    )
