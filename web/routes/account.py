"""Signing in and out, the home page that leads each role to its work, and the caller's own account."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated, Any
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
LOGIN_COOKIE = "sohoa_login"
#: A login form may be left open this long before it must be loaded again.
LOGIN_FORM_SECONDS = 3600


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


def _login_form(request: Request, ctx: WebContext, status_code: int = 200, **context: Any) -> Response:
    """The login page, its form carrying a token that must come back with the cookie set beside it.

    A login form posted from another site (login CSRF: signing a victim into the attacker's account) has
    neither; a page shown again after a wrong password keeps the token its browser already holds.
    """
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", status_code=status_code, login_token=token, **context)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_FORM_SECONDS,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.web_cookie_secure,
        path="/login",
    )
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request, ctx: Annotated[WebContext, Depends(web)], next: str | None = None) -> Response:
    return _login_form(request, ctx, next=_safe_next(next))


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    ctx: Annotated[WebContext, Depends(web)],
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    login_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_origin(request)
    target = _safe_next(next)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not (login_token and expected and hmac.compare_digest(login_token, expected)):
        message = "Trang đăng nhập đã hết hạn hoặc không hợp lệ. Hãy nhập lại."
        return _login_form(request, ctx, 403, next=target, error=message, username=username)
    settings, address, user = ctx.settings, client_address(request), username.strip().lower()
    limits = {f"{user}|{address}": settings.web_login_attempts, f"{user}|*": settings.web_login_account_attempts}
    attempt = ctx.accounts.attempt_login(limits, timedelta(seconds=settings.web_login_window_s))
    if not attempt.allowed:
        if attempt.worth_logging:
            details = {"address": address, "attempts_over_limit": attempt.over}
            ctx.audit.append("login_blocked", actor=username[:100], details=details)
        minutes = int(settings.web_login_window_s // 60) or 1
        message = f"Đăng nhập sai quá nhiều lần. Hãy đợi {minutes} phút rồi thử lại."
        return _login_form(request, ctx, 429, next=target, error=message, username=username)
    account = ctx.accounts.authenticate(username, password)
    if account is None:
        ctx.audit.append("login_failed", actor=username[:100], details={"address": address})
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
        return _login_form(request, ctx, 401, next=target, error=error, username=username)
    ctx.accounts.login_succeeded(limits)
    policy = session_policy(ctx)
    session_id, _csrf = ctx.accounts.start_session(account, policy)
    ctx.audit.append("login", actor=account.username, role=account.role, details={"address": address})
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
    ctx.audit_event("logout", principal)
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
