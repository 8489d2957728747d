"""The app's routers, one module per kind of work; each route states its roles with `web.auth.require`."""

from web.routes import account, audit_log, documents, rates, reconciliation, reports, search, staff, users

ROUTERS = [
    account.router,
    users.router,
    staff.router,
    search.router,
    documents.router,
    reports.router,
    rates.router,
    reconciliation.router,
    audit_log.router,
]
