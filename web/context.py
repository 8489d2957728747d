"""What every request handler reaches: settings, the runtime's catalog and store, accounts, the audit log, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from schemas.settings import Settings
from storage.accounts import Accounts
from storage.audit import AuditLog
from workers.runtime import Runtime

WEB_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WebContext:
    """Built once when the app starts (see `web.app.create_app`), kept on `app.state.web`."""

    settings: Settings
    rt: Runtime
    accounts: Accounts
    audit: AuditLog
    templates: Jinja2Templates


def web(request: Request) -> WebContext:
    """The app's context, as a FastAPI dependency."""
    return request.app.state.web
