"""The audit log, read-only, for auditors: filter by action, actor, document and days; page through it.

Auditors may count but not identify people, so personal ids are masked wherever they appear in an
event: under a personal field's name (`holder_id`, also in a list of old and new values) and as a
12-digit citizen id (CCCD) anywhere in text, including the actor a failed login typed.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from schemas.times import as_utc
from storage.audit import EventFilter
from storage.reports import local_window
from storage.tables import AuditEvent
from web.auth import Principal, require
from web.context import WebContext, web
from web.masking import value_for
from web.pages import form_day, page_count, render

router = APIRouter()

AUDITOR = require("auditor")
PAGE_SIZE = 50
#: The viewer counts matching events up to this many and says "more than" beyond.
COUNT_CAP = 10_000

ACTION_NAMES = {
    "login": "Đăng nhập",
    "logout": "Đăng xuất",
    "login_failed": "Đăng nhập sai",
    "login_blocked": "Chặn đăng nhập",
    "view": "Xem tài liệu",
    "view_pdf": "Xem bản PDF",
    "download": "Tải tài liệu",
    "integrity_failed": "Lỗi toàn vẹn bản lưu trữ",
    "search": "Tra cứu",
    "upload": "Tải lên",
    "review_confirmed": "Xác nhận kiểm tra",
    "review_corrected": "Sửa thông tin",
    "user_added": "Thêm tài khoản",
    "user_enabled": "Mở khóa tài khoản",
    "user_disabled": "Khóa tài khoản",
    "password_changed": "Đổi mật khẩu",
    "token_issued": "Cấp mã API",
    "tokens_revoked": "Thu hồi mã API",
    "report_exported": "Xuất báo cáo",
    "reconciliation_exported": "Xuất đối soát",
    "received": "Tiếp nhận tệp",
    "ingest_started": "Bắt đầu xử lý",
    "page_processed": "Xử lý xong trang",
    "page_failed": "Lỗi xử lý trang",
    "assembly_started": "Bắt đầu ghép tài liệu",
    "assembled": "Tạo bản PDF",
    "signed": "Ký số",
    "archived": "Lưu trữ",
    "needs_review": "Chờ kiểm tra",
    "rejected": "Từ chối tệp",
    "failed": "Xử lý lỗi",
    "restarted": "Xử lý lại",
    "returned_to_review": "Trả lại chờ kiểm tra",
    "config_changed": "Thay đổi cấu hình",
    "review_viewed": "Xem tài liệu chờ kiểm tra",
    "page_image_viewed": "Xem ảnh trang chờ kiểm tra",
    "batch_viewed": "Xem lô tài liệu",
    "signature_checked": "Kiểm tra chữ ký số",
    "report_viewed": "Xem báo cáo kèm danh sách tài liệu",
    "reconciliation_viewed": "Xem đối soát",
}


class EventOut(BaseModel):
    id: int
    at: str
    actor: str
    role: str | None
    action: str
    document_id: str | None
    details: dict[str, Any]
    hash: str


class EventPage(BaseModel):
    #: Matching events, counted up to 10,000; `total_capped` says there are more.
    total: int
    total_capped: bool = False
    limit: int
    offset: int
    events: list[EventOut]
    #: Pass as `before` for the next (older) page; null on the last page.
    next_before: int | None = None


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def event_filter(
    action: Annotated[str | None, Query(max_length=40)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    document_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> EventFilter:
    start, until_day = form_day(since, "từ ngày"), form_day(until, "đến ngày")
    if start and until_day and until_day < start:
        raise HTTPException(400, "Ngày kết thúc đứng trước ngày bắt đầu.")
    begin, end = local_window(start, until_day)
    return EventFilter(_text(action), _text(actor), _text(document_id), begin, end)


def _event_out(role: str, event: AuditEvent) -> EventOut:
    return EventOut(
        id=event.id,
        at=as_utc(event.at).astimezone(UTC).isoformat(),
        actor=value_for(role, event.actor),
        role=event.role,
        action=event.action,
        document_id=event.document_id,
        details=value_for(role, event.details or {}),
        hash=event.hash,
    )


def details_text(details: dict[str, Any]) -> str:
    """An event's details on one line: `key: value; …`, values other than text as compact JSON."""

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)

    return "; ".join(f"{key}: {text(value)}" for key, value in sorted(details.items()))


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    where: Annotated[EventFilter, Depends(event_filter)],
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """One page of events, newest first. The pager's links carry the id next to the page (`before` or
    `after`), so the last page of ten million events is read as fast as the first; `page` only labels it."""
    total = ctx.audit.count(where, cap=COUNT_CAP)
    capped = total > COUNT_CAP
    keyed = before is not None or after is not None
    rows = ctx.audit.events(
        where, limit=PAGE_SIZE + 1, before=before, after=after, offset=0 if keyed else (page - 1) * PAGE_SIZE
    )
    # one row more than a page tells whether there is a further page in the direction read
    further = len(rows) > PAGE_SIZE
    rows = rows[1:] if after is not None and further else rows[:PAGE_SIZE]
    newer = further if after is not None else before is not None or page > 1
    older = after is not None or further
    events = [(row.at, _event_out(principal.role, row)) for row in rows]
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "before", "after") and v}
    return render(
        request,
        "audit.html",
        events=events,
        total=min(total, COUNT_CAP),
        total_capped=capped,
        page=page,
        pages=None if capped else page_count(total, PAGE_SIZE),
        newer=(rows[0].id, max(1, page - 1)) if newer and rows else None,
        older=(rows[-1].id, page + 1) if older and rows else None,
        params=params,
        actions=ctx.audit.actions(),
        action_names=ACTION_NAMES,
        details_text=details_text,
    )


@router.get("/api/v1/audit", response_model=EventPage, tags=["audit"])
def audit_events(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    where: Annotated[EventFilter, Depends(event_filter)],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="page by key: events older than this id")] = None,
) -> EventPage:
    """Audit events, newest first, with personal ids masked for auditors. Filter by action, actor, document, days.

    Page through a large log with `before`: each page's `next_before` gives the next, older page at once.
    """
    rows = ctx.audit.events(where, limit=limit, offset=offset, before=before)
    total = ctx.audit.count(where, cap=COUNT_CAP)
    return EventPage(
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
        limit=limit,
        offset=offset,
        events=[_event_out(principal.role, row) for row in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )
