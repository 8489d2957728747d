"""The FastAPI app: built from the settings, with the runtime opened for its lifetime.

In embedded mode (no SOHOA_BROKER_URL) the app also runs the in-process worker pool, so uploads are
processed by `sohoa serve` itself; with a broker, `sohoa worker` processes do the work.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from schemas.settings import Settings
from schemas.version import VERSION
from storage.accounts import Accounts
from storage.audit import AuditLog
from web.context import WEB_DIR, WebContext
from web.errors import install_error_handlers
from web.limits import BodyLimit
from web.pages import build_templates
from web.routes import ROUTERS
from web.security import SecurityHeaders
from workers.wiring import open_runtime

log = logging.getLogger(__name__)

API_DESCRIPTION = """\
REST API of sohoa. Every action of the web pages is here too.

Authenticate with `Authorization: Bearer <token>`; `sohoa user token USERNAME` issues a token.
"""


def create_app(settings: Settings) -> FastAPI:
    """The app for these settings; the catalog, store and workers open when it starts and close when it stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        here = settings.workers if settings.broker_url is None else 0  # embedded: uploads are processed here
        with open_runtime(settings, worker_threads=here) as opened:
            rt = opened.rt
            app.state.web = WebContext(settings, rt, Accounts(rt.catalog), AuditLog(rt.catalog), build_templates())
            yield

    app = FastAPI(
        title="sohoa",
        version=VERSION,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, hsts=settings.web_cookie_secure)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    return app
