"""Every route checks the role: a matrix of route × role (and no login), run against the live app.

The matrix is written out by hand, and a test fails when the app has a route the matrix does not list,
so a new route cannot ship without its roles being decided here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from schemas.settings import Settings
from storage.audit import AuditLog, EventFilter
from storage.tables import Batch
from tests.web.conftest import ROLES, Corpus, api_token
from web.app import create_app

PUBLIC = frozenset({"anonymous", *ROLES})
ANY = frozenset(ROLES)
ADMIN = frozenset({"admin"})
STAFF = frozenset({"admin", "staff"})
OFFICER = frozenset({"admin", "officer"})
AUDITOR = frozenset({"admin", "auditor"})
READERS = frozenset({"admin", "staff", "officer", "auditor"})
PDF_READERS = frozenset({"admin", "staff", "officer"})

#: (method, path) → the roles that may use it.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/"): ANY,
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/logout"): ANY,
    ("GET", "/api/v1/me"): ANY,
    ("GET", "/users"): ADMIN,
    ("POST", "/users"): ADMIN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{username}/active"): ADMIN,
    ("GET", "/upload"): STAFF,
    ("POST", "/upload"): STAFF,
    ("POST", "/api/v1/batches"): STAFF,
    ("POST", "/api/v1/batches/{batch_id}/files"): STAFF,
    ("GET", "/api/v1/batches"): STAFF,
    ("GET", "/api/v1/batches/{batch_id}"): STAFF,
    ("GET", "/batches"): STAFF,
    ("GET", "/batches/{batch_id}"): STAFF,
    ("GET", "/review"): STAFF,
    ("GET", "/api/v1/review"): STAFF,
    ("GET", "/review/{document_id}/pages/{number}.jpg"): STAFF,
    ("GET", "/review/{document_id}"): STAFF,
    ("POST", "/review/{document_id}"): STAFF,
    ("GET", "/api/v1/review/{document_id}"): STAFF,
    ("POST", "/api/v1/review/{document_id}"): STAFF,
    ("POST", "/api/v1/review/{document_id}/reject"): STAFF,
    ("GET", "/search"): OFFICER,
    ("GET", "/api/v1/search"): OFFICER,
    ("GET", "/documents/{document_id}"): READERS,
    ("GET", "/api/v1/documents/{document_id}"): READERS,
    ("GET", "/api/v1/documents/{document_id}/signature"): READERS,
    ("GET", "/documents/{document_id}/pdf"): PDF_READERS,
    ("GET", "/documents/{document_id}/download"): OFFICER,
    ("GET", "/api/v1/documents/{document_id}/pdf"): OFFICER,
    ("GET", "/reports"): AUDITOR,
    ("GET", "/reports.csv"): AUDITOR,
    ("GET", "/api/v1/reports"): AUDITOR,
    ("GET", "/reconciliation"): AUDITOR,
    ("GET", "/reconciliation.csv"): AUDITOR,
    ("GET", "/api/v1/reconciliation"): AUDITOR,
    ("GET", "/api/v1/rates"): AUDITOR,
    ("GET", "/rates.csv"): AUDITOR,
    ("GET", "/api/v1/dossier-totals"): AUDITOR,
    ("POST", "/api/v1/dossier-totals"): ADMIN,  # auditors check the figures, admins supply them
    ("POST", "/reports/dossier-totals"): ADMIN,
    ("GET", "/audit"): AUDITOR,
    ("GET", "/api/v1/audit"): AUDITOR,
}
UNKNOWN_DOCUMENT = "0" * 24

#: Every read route → the audit event a read writes (None: it shows no document content or personal data).
READ_EVENTS: dict[str, str | None] = {
    "/login": None,
    "/": None,
    "/healthz": None,
    "/api/v1/me": None,
    "/users": None,
    "/api/v1/users": None,
    "/upload": None,
    "/api/v1/batches": None,  # counts per batch
    "/batches": None,
    "/api/v1/batches/{batch_id}": "batch_viewed",  # its files' names and their documents' reasons
    "/batches/{batch_id}": "batch_viewed",
    "/review": None,  # the queue: names and reasons, no content
    "/api/v1/review": None,
    "/review/{document_id}/pages/{number}.jpg": "page_image_viewed",
    "/review/{document_id}": "review_viewed",
    "/api/v1/review/{document_id}": "review_viewed",
    "/search?q=giấy": "search",
    "/api/v1/search?q=giấy": "search",
    "/documents/{document_id}": "view",
    "/api/v1/documents/{document_id}": "view",
    "/api/v1/documents/{document_id}/signature": "signature_checked",
    "/documents/{document_id}/pdf": "view_pdf",
    "/documents/{document_id}/download": "download",
    "/api/v1/documents/{document_id}/pdf": "download",
    "/reports": None,  # counts
    "/reports.csv": "report_exported",
    "/api/v1/reports?ids=true": "report_viewed",  # the documents behind every count
    "/reconciliation": "reconciliation_viewed",
    "/reconciliation.csv": "reconciliation_exported",
    "/api/v1/reconciliation": "reconciliation_viewed",
    "/api/v1/rates": None,
    "/rates.csv": "rates_exported",
    "/api/v1/dossier-totals": None,
    "/audit": None,  # the log itself
    "/api/v1/audit": None,
}


def app_routes(routes) -> Iterator[APIRoute]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from app_routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


@pytest.fixture(scope="module")
def client(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("roles") / "data"
    shutil.copytree(corpus.data, data)
    with TestClient(create_app(Settings(data_dir=data, workers=1))) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    return {role: api_token(client, role) for role in ROLES} | {"anonymous": {}}


def _url(client: TestClient, corpus: Corpus, method: str, path: str) -> str:
    """Real ids for reads; for changes, ids that exist nowhere, so an admitted request changes nothing."""
    with client.app.state.web.rt.catalog.session() as s:
        batch = s.scalar(select(Batch.id).limit(1))
    reading = method == "GET"
    document = corpus.id_of("notice" if path.startswith(("/review", "/api/v1/review")) else "permit")
    return path.format(
        document_id=document if reading else UNKNOWN_DOCUMENT,
        batch_id=batch if reading else "f" * 32,
        number=1,
        username="nobody",
    )


def test_every_route_is_in_the_matrix(client: TestClient):
    routes = {(m, r.path) for r in app_routes(client.app.routes) for m in r.methods if m != "HEAD"}
    assert routes - MATRIX.keys() == set(), "routes without a decision on their roles"
    assert MATRIX.keys() - routes == set(), "the matrix lists routes the app no longer has"


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_the_route_admits_exactly_its_roles(
    client: TestClient, tokens: dict, corpus: Corpus, method: str, path: str, role: str
):
    url = _url(client, corpus, method, path)
    body = {"json": {}} if path.startswith("/api/") and method == "POST" else {"data": {}}
    response = client.request(method, url, headers=tokens[role], follow_redirects=False, **body)
    allowed = role in MATRIX[method, path]
    if allowed and method == "GET":
        assert response.status_code == 200, f"{role} {method} {url}: {response.status_code} {response.text[:200]}"
    elif allowed:
        assert response.status_code not in (401, 403), f"{role} {method} {url}: {response.text[:200]}"
    elif role == "anonymous" and path.startswith("/api/"):
        assert response.status_code == 401
    elif role == "anonymous":
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    else:
        assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"


def test_every_read_route_has_a_decision_on_its_audit_event():
    reads = {path for method, path in MATRIX if method == "GET"}
    assert {path.partition("?")[0] for path in READ_EVENTS} == reads


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (path, role)
        for path, action in sorted(READ_EVENTS.items())
        if action
        for role in ROLES
        if role in MATRIX["GET", path.partition("?")[0]]
    ],
)
def test_each_read_of_content_writes_its_event(client: TestClient, tokens: dict, corpus: Corpus, path: str, role: str):
    audit: AuditLog = client.app.state.web.audit
    action = READ_EVENTS[path]
    url = _url(client, corpus, "GET", path)
    before = audit.count(EventFilter(action=action, actor=f"{role}1"))
    response = client.get(url, headers=tokens[role], follow_redirects=False)
    assert response.status_code == 200, f"{role} {url}: {response.status_code} {response.text[:200]}"
    assert audit.count(EventFilter(action=action, actor=f"{role}1")) == before + 1
