"""Rendering the Vietnamese HTML pages: every template gets the signed-in principal and its CSRF token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from schemas.times import VIETNAM, as_utc, parse_day
from web.auth import CSRF_FIELD, find_principal
from web.context import WEB_DIR

ROLE_NAMES = {"admin": "Quản trị", "staff": "Cán bộ số hóa", "officer": "Cán bộ nghiệp vụ", "auditor": "Kiểm toán"}
STATUS_NAMES = {
    "received": "Đã nhận",
    "processing": "Đang xử lý",
    "assembling": "Đang ký số",
    "needs_review": "Cần kiểm tra",
    "archived": "Đã lưu trữ",
    "rejected": "Bị từ chối",
    "failed": "Lỗi",
}


def local_time(value: datetime | None) -> str:
    """A moment as people here read it: dd/mm/yyyy HH:MM in Vietnam time."""
    if value is None:
        return ""
    return as_utc(value).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` items, at least one (an empty list is one empty page)."""
    return max(1, -(-total // per_page))


def form_day(value: str | None, name: str) -> date | None:
    """A day from a form field or query (15/04/2024 or 2024-04-15); empty is none, anything else a clear 400."""
    try:
        return parse_day(value)
    except ValueError:
        raise HTTPException(
            400, f"Ngày không hợp lệ ở ô “{name}”: hãy nhập theo dạng ngày/tháng/năm, ví dụ 15/04/2024."
        ) from None


def vn_day(value: date | str | None) -> str:
    """A day as people here write it (15/04/2024), whatever the browser's locale; text that is no day stays."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    try:
        day = parse_day(value)
    except ValueError:
        return str(value)
    return f"{day:%d/%m/%Y}" if day else ""


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=WEB_DIR / "templates")
    templates.env.filters["local_time"] = local_time
    templates.env.filters["vn_day"] = vn_day
    templates.env.globals.update(ROLE_NAMES=ROLE_NAMES, STATUS_NAMES=STATUS_NAMES, CSRF_FIELD=CSRF_FIELD)
    return templates


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    principal = find_principal(request)
    return request.app.state.web.templates.TemplateResponse(
        request,
        template,
        {"principal": principal, "csrf_token": principal.csrf_token if principal else None, **context},
        status_code=status_code,
    )
