"""Who is asking, and may they: session cookies (with CSRF tokens) for browsers, bearer tokens for scripts.

Every route states its roles with `require(...)`; `admin` may do everything. A browser request that
changes something must carry its session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`)
and, when it sends an Origin header, come from this site.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request

from storage.accounts import Account, SessionPolicy
from web.context import WebContext

SESSION_COOKIE = "sohoa_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(Exception):
    """No valid session or token: browsers go to the login page, scripts get 401."""


class Forbidden(Exception):
    """Signed in, but this role may not do this (or the CSRF check failed)."""

    def __init__(self, message: str = "Tài khoản của bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Principal:
    """The signed-in account, and the CSRF token of its browser session (None for API tokens)."""

    account: Account
    csrf_token: str | None

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def role(self) -> str:
        return self.account.role


def session_policy(ctx: WebContext) -> SessionPolicy:
    settings = ctx.settings
    return SessionPolicy(
        idle=timedelta(hours=settings.web_session_hours), lifetime=timedelta(hours=settings.web_session_max_hours)
    )


def find_principal(request: Request) -> Principal | None:
    """The principal of a bearer token or a session cookie, cached on the request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    ctx: WebContext = request.app.state.web
    principal = None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        account = ctx.accounts.token_account(token.strip())
        principal = Principal(account, None) if account else None
    elif session_id := request.cookies.get(SESSION_COOKIE):
        signed_in = ctx.accounts.session(session_id, session_policy(ctx))
        principal = Principal(signed_in.account, signed_in.csrf_token) if signed_in else None
    request.state.principal = principal
    return principal


def require(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting the given roles (and admin), checking CSRF on changes made from a browser."""

    async def dependency(request: Request) -> Principal:
        principal = admit(request, roles)
        if request.method not in SAFE_METHODS and principal.csrf_token is not None:
            await check_csrf(request, principal.csrf_token)
        return principal

    return dependency


def admit(request: Request, roles: tuple[str, ...]) -> Principal:
    """The signed-in principal if its role is one of `roles` or admin; else NotSignedIn or Forbidden."""
    principal = find_principal(request)
    if principal is None:
        raise NotSignedIn()
    if principal.role != "admin" and principal.role not in roles:
        raise Forbidden()
    return principal


async def check_csrf(request: Request, expected: str) -> None:
    check_origin(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, expected):
        raise Forbidden("Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Hãy tải lại trang và thử lại.")


def check_origin(request: Request) -> None:
    """A browser's Origin header, when sent, must be this site."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise Forbidden("Yêu cầu đến từ một trang khác và đã bị từ chối.")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
