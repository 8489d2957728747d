"""Account administration (admin only): list, create, disable and re-enable users, issue API tokens."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from storage.accounts import AccountError, AccountRefused, UnknownUser
from web.auth import Principal, require
from web.context import WebContext, web
from web.pages import render

router = APIRouter()

ADMIN = require()  # admin only


class UserOut(BaseModel):
    username: str
    full_name: str
    role: str
    active: bool


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(min_length=10, max_length=1000)
    role: Literal["admin", "staff", "officer", "auditor"]
    full_name: str = Field("", max_length=200)


def _users(ctx: WebContext) -> list[UserOut]:
    return [UserOut(**a.__dict__, active=active) for a, active in ctx.accounts.users()]


def _create(ctx: WebContext, principal: Principal, new: NewUser) -> UserOut:
    try:
        account = ctx.accounts.add_user(new.username, new.password, new.role, new.full_name)
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    ctx.audit_event("user_added", principal, user=account.username, role=account.role)
    return UserOut(username=account.username, full_name=account.full_name, role=account.role, active=True)


@router.get("/users", include_in_schema=False)
def users_page(
    request: Request, _: Annotated[Principal, Depends(ADMIN)], ctx: Annotated[WebContext, Depends(web)]
) -> Response:
    return render(request, "users.html", users=_users(ctx))


@router.post("/users", include_in_schema=False)
def add_user_form(
    request: Request,
    principal: Annotated[Principal, Depends(ADMIN)],
    ctx: Annotated[WebContext, Depends(web)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=16)],
    full_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        new = NewUser(username=username, password=password, role=role, full_name=full_name)  # type: ignore[arg-type]
        _create(ctx, principal, new)
    except (HTTPException, ValueError) as exc:
        message = (
            exc.detail if isinstance(exc, HTTPException) else "Mật khẩu cần ít nhất 10 ký tự và vai trò phải hợp lệ."
        )
        return render(request, "users.html", status_code=400, users=_users(ctx), error=message)
    return RedirectResponse("/users", status_code=303)


@router.get("/api/v1/users", response_model=list[UserOut], tags=["users"])
def list_users(_: Annotated[Principal, Depends(ADMIN)], ctx: Annotated[WebContext, Depends(web)]) -> list[UserOut]:
    """Every account and its role."""
    return _users(ctx)


@router.post("/api/v1/users", response_model=UserOut, status_code=201, tags=["users"])
def add_user(
    new: NewUser, principal: Annotated[Principal, Depends(ADMIN)], ctx: Annotated[WebContext, Depends(web)]
) -> UserOut:
    """Create an account."""
    return _create(ctx, principal, new)


@router.post("/api/v1/users/{username}/active", response_model=UserOut, tags=["users"])
def set_active(
    username: str,
    active: bool,
    principal: Annotated[Principal, Depends(ADMIN)],
    ctx: Annotated[WebContext, Depends(web)],
) -> UserOut:
    """Disable or re-enable an account; either signs it out everywhere and revokes its API tokens.

    409 for one's own account or the last active admin."""
    try:
        revoked = ctx.accounts.set_active(username, active, by=principal.username)
    except UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    except AccountRefused as exc:
        raise HTTPException(409, str(exc)) from None
    ctx.audit_event("user_enabled" if active else "user_disabled", principal, user=username, tokens_revoked=revoked)
    return next(u for u in _users(ctx) if u.username == username.strip().lower())
