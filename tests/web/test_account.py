"""Signing in and out, the login rate limit, CSRF, API tokens, security headers and errors that leak nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storage.audit import EventFilter
from tests.web.conftest import PASSWORD, api_token, login_form, sign_in


def test_login_sets_a_session_and_logout_ends_it(app_client: TestClient):
    assert app_client.get("/", follow_redirects=False).headers["location"] == "/login"
    csrf = sign_in(app_client, "officer")
    cookie = app_client.cookies["sohoa_session"]
    home = app_client.get("/")
    assert "Tra cứu kết quả" in home.text and "Tải lên bản quét" not in home.text
    assert app_client.get("/api/v1/me").json() == {
        "username": "officer1",
        "full_name": "Người dùng officer",
        "role": "officer",
    }
    assert app_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    app_client.cookies.set("sohoa_session", cookie)  # the old cookie is dead on the server too
    assert app_client.get("/api/v1/me").status_code == 401


def test_wrong_passwords_are_rate_limited_and_logged(app_client: TestClient):
    for _ in range(5):
        wrong = app_client.post("/login", data=login_form(app_client, "staff1", "sai-mật-khẩu"))
        assert wrong.status_code == 401 and "không đúng" in wrong.text
    blocked = app_client.post("/login", data=login_form(app_client, "staff1", PASSWORD))
    assert blocked.status_code == 429 and "Hãy đợi" in blocked.text  # even the right password waits
    audit = app_client.app.state.web.audit
    assert audit.count(EventFilter(action="login_failed", actor="staff1")) == 5
    assert audit.count(EventFilter(action="login_blocked", actor="staff1")) == 1
    assert app_client.post("/login", data=login_form(app_client, "officer1", PASSWORD)).status_code == 200


def test_a_change_without_the_csrf_token_is_refused(app_client: TestClient):
    sign_in(app_client, "admin")
    refused = app_client.post("/users", data={"username": "moi", "password": "x" * 12, "role": "staff"})
    assert refused.status_code == 403 and "không hợp lệ" in refused.text
    cross_site = app_client.post("/logout", headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403


def test_login_redirects_only_to_this_site(app_client: TestClient):
    form = login_form(app_client, "officer1", PASSWORD)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = app_client.post("/login", data={**form, "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"
    response = app_client.post("/login", data={**form, "next": "/search?q=a"}, follow_redirects=False)
    assert response.headers["location"] == "/search?q=a"


def test_api_tokens_authenticate_scripts_and_bad_tokens_get_401(app_client: TestClient):
    headers = api_token(app_client, "auditor")
    assert app_client.get("/api/v1/me", headers=headers).json()["role"] == "auditor"
    bad = app_client.get("/api/v1/me", headers={"Authorization": "Bearer sohoa_not-a-token"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"].startswith("Bearer")
    assert bad.json() == {"detail": "Bạn cần đăng nhập."}


def test_pages_carry_security_headers(app_client: TestClient):
    response = app_client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"


def test_errors_are_clear_and_leak_no_internals(app_client: TestClient):
    sign_in(app_client, "officer")
    missing = app_client.get("/no-such-page")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.text and "Traceback" not in missing.text
    api_missing = app_client.get("/api/v1/no-such-thing")
    assert api_missing.status_code == 404 and api_missing.json() == {"detail": "Không tìm thấy trang hoặc tài liệu."}


def test_the_openapi_document_describes_the_api(app_client: TestClient):
    spec = app_client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "sohoa"
    assert all(path.startswith("/api/v1/") for path in spec["paths"])
    assert "/api/v1/me" in spec["paths"]


def test_health_check_answers_without_login(app_client: TestClient):
    response = app_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
