"""What an attacker on the network tries against `sohoa serve`, repeated on every run.

Raw sockets talk to a live uvicorn server where the attack is in the bytes on the wire (a body bigger than
it says, a body without a length); the rest use the test client.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.web.browser import LiveApp, live_app_fixture  # noqa: F401
from tests.web.conftest import Corpus, api_token, sign_in
from web.labels import FIELD_TITLES
from web.limits import MAX_BODY_BYTES

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
