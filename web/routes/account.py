"""Signing in and out, the home page that leads each role to its work, and the caller's own account."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.auth import SESSION_COOKIE, Principal, check_origin, client_address, find_principal, require, session_policy
from web.context import WebContext, web
from web.pages import render

router = APIRouter()

ANY_ROLE = require("staff", "officer", "auditor")


class Me(BaseModel):
    username: str
    full_name: str
    role: str


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot be used to send people elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next))


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    ctx: Annotated[WebContext, Depends(web)],
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    check_origin(request)
    target = _safe_next(next)
    key = f"{username.strip().lower()}|{client_address(request)}"
    limit, window = ctx.settings.web_login_attempts, ctx.settings.web_login_window_s
    if ctx.accounts.login_blocked(key, limit, timedelta(seconds=window)):
        ctx.audit.append("login_blocked", actor=username[:100], details={"address": client_address(request)})
        message = f"Đăng nhập sai quá {limit} lần. Hãy đợi {int(window // 60) or 1} phút rồi thử lại."
        return render(request, "login.html", status_code=429, next=target, error=message, username=username)
    account = ctx.accounts.authenticate(username, password)
    if account is None:
        ctx.accounts.login_failed(key)
        ctx.audit.append("login_failed", actor=username[:100], details={"address": client_address(request)})
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
        return render(request, "login.html", status_code=401, next=target, error=error, username=username)
    ctx.accounts.login_succeeded(key)
    policy = session_policy(ctx)
    session_id, _csrf = ctx.accounts.start_session(account, policy)
    ctx.audit.append("login", actor=account.username, role=account.role, details={"address": client_address(request)})
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(policy.lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=ctx.settings.web_cookie_secure,
        path="/",
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(
    request: Request, principal: Annotated[Principal, Depends(ANY_ROLE)], ctx: Annotated[WebContext, Depends(web)]
) -> Response:
    if session_id := request.cookies.get(SESSION_COOKIE):
        ctx.accounts.end_session(session_id)
    ctx.audit.append("logout", actor=principal.username, role=principal.role)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    principal = find_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "home.html")


@router.get("/healthz", include_in_schema=False)
def healthz(ctx: Annotated[WebContext, Depends(web)]) -> JSONResponse:
    """For load balancers and `docker compose`: 200 when the catalog answers, 503 when it does not."""
    try:
        with ctx.rt.catalog.session() as s:
            s.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "catalog unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/api/v1/me", response_model=Me, tags=["account"])
def me(principal: Annotated[Principal, Depends(ANY_ROLE)]) -> Me:
    """The account the request is made as."""
    a = principal.account
    return Me(username=a.username, full_name=a.full_name, role=a.role)
