"""What an attacker on the network tries against `sohoa serve`, repeated on every run.

Raw sockets talk to a live uvicorn server where the attack is in the bytes on the wire (a body bigger than
it says, a body without a length); the rest use the test client.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import update

from schemas.record import Warning
from schemas.settings import Settings
from schemas.times import as_utc
from storage.accounts import AccountRefused, Accounts
from storage.audit import AuditLog, EventFilter
from storage.catalog import Catalog
from storage.tables import WebSession
from tests.web.browser import LiveApp, live_app_fixture  # noqa: F401
from tests.web.conftest import PASSWORD, SOHOA, Corpus, api_token, login_form, sign_in, sohoa_environment
from web.labels import FIELD_TITLES
from web.limits import MAX_BODY_BYTES
from web.masking import mask_ids_in_text

#: A reply is awaited this long at most; a server that waits for the whole body never replies in time.
REPLY_TIMEOUT_S = 60.0
CHUNK = b"x" * (256 * 1024)


def _send_then_read_status(url: str, head: str, chunks: list[bytes]) -> int:
    """Send a request head and some of its body, then read the status the server answers with."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=REPLY_TIMEOUT_S) as conn:
        conn.sendall(head.encode("latin-1"))
        try:
            for chunk in chunks:
                conn.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking the rest: that is the point
        status_line = conn.makefile("rb").readline()
    return int(status_line.split()[1])


def _head(path: str, content_type: str, length: int | None) -> str:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n{framing}\r\n\r\n"


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


# --- 1. bodies are capped before they are read -----------------------------------------------------------
def test_a_huge_json_body_without_login_is_refused_before_it_is_read(live_app: LiveApp) -> None:
    """300 MiB announced, 2 MiB sent: without the cap the server waits for the rest and never answers."""
    head = _head("/api/v1/users", "application/json", 300 << 20)
    assert _send_then_read_status(live_app.url, head, [CHUNK] * 8) == 413


def test_a_body_without_a_length_is_refused_once_it_crosses_the_cap(live_app: LiveApp) -> None:
    head = _head("/api/v1/users", "application/json", None)
    chunks = [_chunked(CHUNK)] * (MAX_BODY_BYTES // len(CHUNK) + 4)
    assert _send_then_read_status(live_app.url, head, chunks) == 413


def test_a_multipart_login_is_not_spooled_to_disk(live_app: LiveApp) -> None:
    boundary = "b0undary"
    head = _head("/login", f"multipart/form-data; boundary={boundary}", None)
    opening = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="username"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    chunks = [_chunked(opening)] + [_chunked(CHUNK)] * (MAX_BODY_BYTES // len(CHUNK) + 4)
    assert _send_then_read_status(live_app.url, head, chunks) == 413


def test_uploads_keep_their_own_larger_limit(app_client: TestClient) -> None:
    headers = api_token(app_client, "staff")
    batch = app_client.post("/api/v1/batches", headers=headers).json()
    big = b"not a scan\n" * (2 * MAX_BODY_BYTES // 11)
    response = app_client.post(batch["files_url"], headers=headers, files={"file": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 201, response.text
    assert response.json()["size_bytes"] == len(big)
    assert response.json()["status"] == "rejected"  # received whole, then judged by its content


def test_a_metadata_value_has_a_bounded_length(app_client: TestClient, corpus: Corpus) -> None:
    document_id = corpus.id_of("notice")
    headers = api_token(app_client, "staff")
    before = app_client.get(f"/api/v1/review/{document_id}", headers=headers).json()["metadata"]
    body = {"changes": {"subject": "x" * 5000}, "confirm": False}
    response = app_client.post(f"/api/v1/review/{document_id}", headers=headers, json=body)
    assert response.status_code == 422
    assert "changes" in response.json()["detail"]
    assert app_client.get(f"/api/v1/review/{document_id}", headers=headers).json()["metadata"] == before


def test_the_review_form_refuses_an_overlong_value_too(app_client: TestClient, corpus: Corpus) -> None:
    document_id = corpus.id_of("notice")
    csrf = sign_in(app_client, "staff")
    form = {"csrf_token": csrf, "action": "confirm", "holder_name": "Nguyễn " * 400}
    response = app_client.post(f"/review/{document_id}", data=form)
    assert response.status_code == 422
    assert FIELD_TITLES["holder_name"] in response.text
    assert app_client.get(f"/api/v1/review/{document_id}").json()["status"] == "needs_review"


# --- 7. paging parameters are bounded --------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/batches", "/api/v1/review", "/api/v1/audit"])
def test_an_offset_past_any_integer_is_refused_not_a_crash(app_client: TestClient, path: str) -> None:
    headers = api_token(app_client, "admin")
    assert app_client.get(path, params={"offset": 2**63}, headers=headers).status_code == 422
    far = app_client.get(path, params={"offset": 100_000_000}, headers=headers)
    assert far.status_code == 200, far.text


# --- 8. API tokens end: on a password change, a disable or enable, and by age -----------------------------
def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/me", headers=headers).status_code


def test_a_password_change_revokes_the_user_s_api_tokens(app_client: TestClient) -> None:
    headers = api_token(app_client, "officer")
    assert _me(app_client, headers) == 200
    assert app_client.app.state.web.accounts.set_password("officer1", "một-mật-khẩu-mới") == 1
    assert _me(app_client, headers) == 401


def test_disabling_and_enabling_an_account_revokes_its_api_tokens(app_client: TestClient) -> None:
    headers, admin = api_token(app_client, "officer"), api_token(app_client, "admin")
    for active in ("false", "true"):
        response = app_client.post("/api/v1/users/officer1/active", params={"active": active}, headers=admin)
        assert response.status_code == 200, response.text
    assert app_client.get("/api/v1/users", headers=admin).json()[-2]["active"] is True
    assert _me(app_client, headers) == 401
    assert _me(app_client, api_token(app_client, "officer")) == 200  # a new one works


def test_an_api_token_stops_working_when_it_expires(app_client: TestClient) -> None:
    accounts: Accounts = app_client.app.state.web.accounts
    assert _me(app_client, _bearer(accounts.issue_token("officer1", "đã hết hạn", timedelta(0)).token)) == 401
    live = accounts.issue_token("officer1", "còn hạn", timedelta(minutes=5))
    assert _me(app_client, _bearer(live.token)) == 200


def test_sohoa_user_token_prints_the_token_alone_and_says_when_it_expires(app_client: TestClient) -> None:
    settings = app_client.app.state.web.settings
    done = _sohoa(settings, "user", "token", "officer1", "--days", "30", "--name", "báo cáo tháng")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.startswith("sohoa_") and "\n" not in token
    in_30_days = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    assert f"works until {in_30_days}" in " ".join(done.stderr.split())
    assert _me(app_client, _bearer(token)) == 200


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _sohoa(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    environ = sohoa_environment(settings.data_dir)
    return subprocess.run([SOHOA, *args], env=environ, capture_output=True, text=True, timeout=120)


# --- 9. the archive keeps an admin -----------------------------------------------------------------------
def test_an_admin_cannot_disable_itself(app_client: TestClient) -> None:
    admin = api_token(app_client, "admin")
    response = app_client.post("/api/v1/users/admin1/active", params={"active": "false"}, headers=admin)
    assert response.status_code == 409
    assert _me(app_client, admin) == 200


def test_nobody_can_disable_the_last_active_admin(app_client: TestClient) -> None:
    accounts: Accounts = app_client.app.state.web.accounts
    accounts.add_user("admin2", PASSWORD, "admin")
    second = _bearer(accounts.issue_token("admin2").token)
    response = app_client.post("/api/v1/users/admin1/active", params={"active": "false"}, headers=second)
    assert response.status_code == 200, response.text
    refused = _sohoa(app_client.app.state.web.settings, "user", "disable", "admin2")
    assert refused.returncode == 2 and "last active admin" in " ".join(refused.stderr.split())
    with pytest.raises(AccountRefused):
        accounts.set_active("admin2", False)
    assert _me(app_client, second) == 200


# --- 11. a login ends: after idling, and at an absolute lifetime ---------------------------------------------
def _session_row(client: TestClient) -> tuple[Catalog, str]:
    digest = hashlib.sha256(client.cookies["sohoa_session"].encode()).hexdigest()
    return client.app.state.web.rt.catalog, digest


def _move_session(client: TestClient, **times: datetime) -> None:
    catalog, digest = _session_row(client)
    with catalog.session() as s:
        s.execute(update(WebSession).where(WebSession.id_hash == digest).values(**times))


def _session_expiry(client: TestClient) -> datetime:
    catalog, digest = _session_row(client)
    with catalog.session() as s:
        return as_utc(s.get(WebSession, digest).expires_at)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app_client: TestClient) -> None:
    form = login_form(app_client, "officer1", PASSWORD)
    response = app_client.post("/login", data=form, follow_redirects=False)
    assert "Max-Age=43200" in response.headers["set-cookie"]  # 12 h, as the server keeps it
    _move_session(app_client, created_at=datetime.now(UTC) - timedelta(hours=11, minutes=30))
    assert app_client.get("/api/v1/me").status_code == 200
    ends = _session_expiry(app_client)
    assert timedelta(minutes=29) < ends - datetime.now(UTC) <= timedelta(minutes=30)  # not slid past 12 h
    _move_session(app_client, created_at=datetime.now(UTC) - timedelta(hours=12, minutes=1))
    assert app_client.get("/api/v1/me").status_code == 401


def test_an_idle_session_ends_after_the_idle_timeout(app_client: TestClient) -> None:
    sign_in(app_client, "officer")
    assert timedelta(hours=1, minutes=58) < _session_expiry(app_client) - datetime.now(UTC) <= timedelta(hours=2)
    _move_session(app_client, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert app_client.get("/api/v1/me").status_code == 401


# --- 12. messages come from codes, never from the URL ----------------------------------------------------
def test_the_reports_page_shows_no_text_taken_from_the_url(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "admin")
    spoof = "Hệ thống bị lỗi: hãy gửi mật khẩu đến evil@example.com"
    assert spoof not in app_client.get("/reports", params={"dossiers": spoof}).text
    form = {"period": "2026-13", "dossiers_received": "10", "csrf_token": csrf}
    refused = app_client.post("/reports/dossier-totals", data=form, follow_redirects=False)
    assert refused.headers["location"] == "/reports?dossiers=bad_period#rates"
    assert "kỳ ghi theo tháng (2026-11)" in app_client.get(refused.headers["location"]).text
    saved = app_client.post("/reports/dossier-totals", data={**form, "period": "2026-11"}, follow_redirects=False)
    assert "Đã lưu số hồ sơ tiếp nhận" in app_client.get(saved.headers["location"]).text
    overlap = {**form, "period": "2026-11-10..2026-11-20"}
    again = app_client.post("/reports/dossier-totals", data=overlap, follow_redirects=False)
    assert "trùng với một kỳ đã nhập" in app_client.get(again.headers["location"]).text


# --- 2, 3, 6, 10: the login, as `sohoa serve` runs it ------------------------------------------------------
class Served:
    """`sohoa serve` started as an operator starts it, on a free loopback port; stopped by its PID."""

    def __init__(self, settings: Settings, **env: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environ = sohoa_environment(settings.data_dir, SOHOA_WORKERS="0", **env)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [SOHOA, "serve", "--port", str(self.port)], env=environ, stderr=subprocess.PIPE, text=True
        )

    def __enter__(self) -> Served:
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while True:  # until it answers: each try is a real request, not a guessed sleep
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            assert self.process.poll() is None, self.process.stderr.read() if self.process.stderr else ""
            assert time.monotonic() < deadline, "sohoa serve did not answer"
            time.sleep(0.1)

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(REPLY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            if self.process.stderr:
                self.process.stderr.close()


def _login_attempt(served: Served, client: requests.Session, username: str, password: str, **headers: str) -> int:
    page = client.get(f"{served.url}/login", headers=headers, timeout=REPLY_TIMEOUT_S)
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token, page.text
    form = {"username": username, "password": password, "login_token": token.group(1)}
    url = f"{served.url}/login"
    return client.post(url, data=form, headers=headers, allow_redirects=False, timeout=REPLY_TIMEOUT_S).status_code


def test_thirty_guesses_at_once_get_five_password_checks(settings: Settings) -> None:
    def guess(_: int) -> int:
        with requests.Session() as client:
            return _login_attempt(served, client, "staff1", "đoán-mật-khẩu")

    with Served(settings) as served, ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(guess, range(30)))
    assert sorted(statuses) == [401] * 5 + [429] * 25


def _guesses_from(served: Served, client: requests.Session, addresses: list[str]) -> list[int]:
    """A wrong password for staff1 from each forged address in turn: the statuses answered."""
    return [_login_attempt(served, client, "staff1", "đoán", **{"X-Forwarded-For": a}) for a in addresses]


def _failed_login_addresses(settings: Settings) -> set[str]:
    with Catalog(settings.catalog_url) as catalog:
        events = AuditLog(catalog).events(EventFilter(action="login_failed", actor="staff1"), limit=100)
    return {e.details["address"] for e in events}


def test_by_default_x_forwarded_for_is_not_believed(settings: Settings) -> None:
    with Served(settings) as served, requests.Session() as client:
        statuses = _guesses_from(served, client, [f"10.0.0.{n}" for n in range(6)])
    assert statuses == [401] * 5 + [429]
    assert _failed_login_addresses(settings) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_addresses_and_https_come_from_its_headers(settings: Settings) -> None:
    with Served(settings, SOHOA_WEB_TRUSTED_PROXIES="127.0.0.1") as served:
        https = {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{served.port}"}
        with requests.Session() as client:
            assert _login_attempt(served, client, "officer1", PASSWORD, **https) == 303  # the Origin check passes
            # a limit per account holds whatever addresses the guesses come from
            statuses = _guesses_from(served, client, [f"10.0.{n}.1" for n in range(21)])
    assert statuses == [401] * 20 + [429]
    assert _failed_login_addresses(settings) == {f"10.0.{n}.1" for n in range(20)}


def test_without_a_trusted_proxy_an_https_origin_is_refused(settings: Settings) -> None:
    with Served(settings) as served, requests.Session() as client:
        https = {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{served.port}"}
        assert _login_attempt(served, client, "officer1", PASSWORD, **https) == 403


def test_a_flood_of_blocked_logins_writes_a_handful_of_audit_events(app_client: TestClient) -> None:
    audit: AuditLog = app_client.app.state.web.audit
    before = audit.count(EventFilter())
    form = login_form(app_client, "staff1", "đoán-mật-khẩu")
    statuses = [app_client.post("/login", data=form).status_code for _ in range(105)]
    assert statuses == [401] * 5 + [429] * 100
    blocked = audit.events(EventFilter(action="login_blocked", actor="staff1"), limit=20)
    assert sorted(e.details["attempts_over_limit"] for e in blocked) == [1, 2, 4, 8, 16, 32, 64]
    assert audit.count(EventFilter()) - before == 5 + 7


def test_a_login_form_from_another_site_is_refused(app_client: TestClient) -> None:
    """Login CSRF: a page elsewhere posting our login form, with Origin null or none, signs nobody in."""
    bare = {"username": "officer1", "password": PASSWORD}
    for headers in ({}, {"Origin": "null"}):
        response = app_client.post("/login", data=bare, headers=headers, follow_redirects=False)
        assert response.status_code == 403 and "sohoa_session" not in app_client.cookies
    forged = {**bare, "login_token": "a-token-the-attacker-made"}
    assert app_client.post("/login", data=forged, follow_redirects=False).status_code == 403
    assert app_client.post("/login", data=login_form(app_client, **bare), follow_redirects=False).status_code == 303


# --- 4. auditors see no personal id, in any text -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CCCD 001089012345", "CCCD *********345"),
        ("số 001 089 012 345 cấp ngày", "số *** *** *** 345 cấp ngày"),
        ("001.089.012.345 và 001-089-012-345", "***.***.***.345 và ***-***-***-345"),
        ("CMND 012345678", "CMND ******678"),
        ("q=cccd001089012345", "q=cccd*********345"),
        ("holder=001 089 012 345&x", "holder=*** *** *** 345&x"),
        ("so-2703-0123456789.pdf", "so-2703-0123456789.pdf"),  # 10 or 14 digits: not an id
        ("ngày 12.05.2026, 0912 345 678", "ngày 12.05.2026, 0912 345 678"),  # a date, a phone number
        ("sha256 " + "0123456789" * 6 + "abcd", "sha256 " + "0123456789" * 6 + "abcd"),  # a digest is left
    ],
)
def test_personal_ids_are_masked_however_they_are_written(text: str, masked: str) -> None:
    assert mask_ids_in_text(text) == masked


def test_an_auditor_sees_no_personal_id_in_a_subject_a_message_or_the_audit_log(
    app_client: TestClient, corpus: Corpus
) -> None:
    catalog: Catalog = app_client.app.state.web.rt.catalog
    document_id = corpus.id_of("decision")
    record = catalog.record(document_id)
    subject = "Về việc cấp lại CCCD 001 089 012 345 (CMND cũ 012345678) cho công dân"
    metadata = record.metadata.model_copy(update={"subject": subject})
    warning = Warning(code="low_confidence", message="trang 1: số 001089012345 đọc chưa chắc")
    catalog.finish(document_id, record.model_copy(update={"metadata": metadata, "warnings": [warning]}))
    officer, auditor = api_token(app_client, "officer"), api_token(app_client, "auditor")
    searched = app_client.get(
        "/api/v1/search", params={"q": "cccd001089012345", "holder": "001 089 012 345"}, headers=officer
    )
    assert searched.status_code == 200, searched.text
    seen = [
        app_client.get(f"/api/v1/documents/{document_id}", headers=auditor).text,
        app_client.get(f"/documents/{document_id}", headers=auditor).text,
        app_client.get("/api/v1/audit", params={"action": "search"}, headers=auditor).text,
        app_client.get("/audit", params={"action": "search"}, headers=auditor).text,
    ]
    api_record = json.loads(seen[0])
    assert api_record["metadata"]["subject"] == "Về việc cấp lại CCCD *** *** *** 345 (CMND cũ ******678) cho công dân"
    assert api_record["warnings"][0]["message"] == "trang 1: số *********345 đọc chưa chắc"
    for text in seen:
        for digits in ("001089012345", "001 089 012 345", "012345678", "089 012", "089012"):
            assert digits not in text
    assert "*********345" in seen[2]  # the holder filter, logged in digits only, masked
    event = AuditLog(catalog).events(EventFilter(action="search"), limit=1)[0]
    assert event.details["filters"]["holder"] == "001089012345"  # what the officer asked for, in digits only
    officer_view = app_client.get(f"/api/v1/documents/{document_id}", headers=officer).json()
    assert officer_view["metadata"]["subject"] == subject  # officers identify people
