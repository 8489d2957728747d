"""What every request handler reaches: settings, the runtime's catalog and store, accounts, the audit log, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from schemas.settings import Settings
from storage.accounts import Accounts
from storage.audit import AuditLog
from workers.runtime import Runtime

if TYPE_CHECKING:
    from web.auth import Principal

WEB_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WebContext:
    """Built once when the app starts (see `web.app.create_app`), kept on `app.state.web`."""

    settings: Settings
    rt: Runtime
    accounts: Accounts
    audit: AuditLog
    templates: Jinja2Templates

    def audit_event(self, action: str, principal: Principal, document_id: str | None = None, **details: Any) -> None:
        """Append an audit event done by the signed-in principal (who, as which role), with its details."""
        self.audit.append(
            action, actor=principal.username, role=principal.role, document_id=document_id, details=details
        )


def web(request: Request) -> WebContext:
    """The app's context, as a FastAPI dependency."""
    return request.app.state.web
