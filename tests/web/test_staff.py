"""Staff pages and API: batch uploads (limits, types, names, duplicates, live status) and the review queue."""

from __future__ import annotations

import dataclasses
import io
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import Page, expect

from pipeline.sign import SigningError
from pipeline.verify import verify_pdf
from samples.generate import make_document
from schemas.settings import Settings
from storage.audit import EventFilter
from storage.catalog import Catalog
from storage.layout import INCOMING
from tests.web.browser import (  # noqa: F401 (fixtures)
    LiveApp,
    browser_fixture,
    console_errors,
    live_app_fixture,
    login,
    page_fixture,
    screenshot,
)
from tests.web.conftest import Corpus, api_token, sign_in
from web.app import create_app
from web.labels import FIELD_TITLES

MAX_FILE_BYTES = 2 * 1024 * 1024
TEXT_AS_JPEG = b"This is a text file, not a scan.\n"


@contextmanager
def client_for(settings: Settings, **changes: object) -> Iterator[TestClient]:
    with TestClient(create_app(dataclasses.replace(settings, **changes)), base_url="http://testserver") as client:
        yield client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app with a small per-file limit, so an oversized upload is cheap to make."""
    with client_for(settings, max_file_bytes=MAX_FILE_BYTES, upload_max_files=4) as c:
        yield c


@pytest.fixture
def review_client(settings: Settings) -> Iterator[TestClient]:
    """The app with the strict threshold the held document was digitized with, so its doubtful fields show."""
    with client_for(settings, review_threshold=0.99) as c:
        yield c


def _scan(kind: str, seed: int) -> bytes:
    out = io.BytesIO()
    make_document(kind, seed=seed, dpi=300, noise=0.3, skew_deg=0.8).pages[0].save(out, "JPEG", dpi=(300, 300))
    return out.getvalue()


def _multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A raw multipart body, the way browsers send it: names in UTF-8 as typed, nothing escaped."""
    boundary = "----sohoa-test-boundary"
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        body += b"Content-Type: application/octet-stream\r\n\r\n" if filename is not None else b"\r\n"
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _new_batch(client: TestClient, headers: dict[str, str]) -> str:
    created = client.post("/api/v1/batches", headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _upload(client: TestClient, batch_id: str, name: str, data: bytes, headers: dict[str, str]):
    return client.post(f"/api/v1/batches/{batch_id}/files", headers=headers, files={"file": (name, data)})


def _wait_until_finished(client: TestClient, batch_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/api/v1/batches/{batch_id}").json()
        if status["totals"]["finished"] or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def _catalog(settings: Settings) -> Catalog:
    return Catalog(settings.catalog_url)


def _verified(pdf: Path, settings: Settings) -> bool:
    """`verify_pdf` with the TEST CA, in a thread of its own: pyHanko runs through `asyncio.run`, which fails
    in the main thread once a browser test has started Playwright's loop there (the browser is shared)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(verify_pdf, pdf, [settings.data_dir / "keys" / "ca-TEST.pem"]).result().ok


# --- uploads ------------------------------------------------------------------------------------------
def test_a_batch_is_uploaded_file_by_file_then_shows_each_outcome_and_reason(client: TestClient, settings: Settings):
    csrf = sign_in(client, "staff")
    headers = {"X-CSRF-Token": csrf}
    scan = _scan("decision", 61)
    page = client.get("/upload")
    assert page.status_code == 200 and 'id="drop-zone"' in page.text and "/static/upload.js" in page.text
    assert "<script>" not in page.text and " style=" not in page.text and " onclick=" not in page.text
    batch_id = _new_batch(client, headers)

    taken = _upload(client, batch_id, "quyết định.jpg", scan, headers)
    assert taken.status_code == 201, taken.text
    assert taken.json()["duplicate"] is False and taken.json()["filename"] == "quyết định.jpg"
    text = _upload(client, batch_id, "not-a-scan.jpg", TEXT_AS_JPEG, headers)
    assert text.status_code == 201
    assert text.json()["status"] == "rejected" and text.json()["error"]["code"] == "unsupported_format"
    big = _upload(client, batch_id, "huge.png", b"\x89PNG\r\n\x1a\n" + bytes(MAX_FILE_BYTES), headers)
    assert big.status_code == 413 and big.json()["detail"] == "Tệp «huge.png» lớn hơn giới hạn 2 MiB cho mỗi tệp."
    huger = _upload(client, batch_id, "huger.tif", bytes(MAX_FILE_BYTES + 100_000), headers)  # by Content-Length
    assert huger.status_code == 413 and "«huger.tif»" in huger.json()["detail"]
    wrong = _upload(client, batch_id, "notes.docx", b"PK\x03\x04", headers)
    assert wrong.status_code == 415 and "chỉ nhận bản quét PDF, TIFF, PNG hoặc JPEG" in wrong.json()["detail"]

    status = _wait_until_finished(client, batch_id)
    totals = status["totals"]
    assert (totals["files"], totals["archived"], totals["rejected"], totals["refused"]) == (2, 1, 1, 3)
    assert totals["pages_done"] == totals["pages_total"] == 1 and totals["finished"] is True
    rows = {d["filename"]: d for d in status["documents"]}
    assert rows["quyết định.jpg"]["status"] == "archived" and rows["quyết định.jpg"]["status_name"] == "Đã lưu trữ"
    (reason,) = rows["not-a-scan.jpg"]["reasons"]
    assert reason.startswith("Nội dung không phải bản quét PDF, TIFF, PNG hoặc JPEG") and "text file" in reason
    refused = {r["filename"]: r for r in status["refused"]}
    assert refused["huge.png"]["code"] == "file_too_large" and refused["notes.docx"]["code"] == "unsupported_type"

    # The page renders the same, without JavaScript too
    html = client.get(f"/batches/{batch_id}").text
    for expected in ("quyết định.jpg", "Đã lưu trữ", "not-a-scan.jpg", "Nội dung không phải bản quét", "huge.png"):
        assert expected in html
    assert batch_id in client.get("/batches").text

    # The bytes are kept untouched under their SHA-256, and each upload is in the audit log
    sha256 = taken.json()["sha256"]
    assert client.app.state.web.rt.store.get_bytes(INCOMING, f"{sha256[:2]}/{sha256}") == scan
    audit = client.app.state.web.audit
    uploads = audit.events(EventFilter(action="upload", actor="staff1"))
    assert {e.details["filename"] for e in uploads} == {"quyết định.jpg", "not-a-scan.jpg"}
    assert all(e.details["batch"] == batch_id and e.role == "staff" for e in uploads)
    assert {e.details["sha256"] for e in uploads} >= {sha256}
    assert audit.count(EventFilter(action="upload_refused", actor="staff1")) == 3
    assert list((settings.data_dir / "tmp" / "uploads").iterdir()) == []  # no temp file left behind


def test_a_file_received_before_is_a_duplicate(client: TestClient, corpus: Corpus):
    headers = {"X-CSRF-Token": sign_in(client, "staff")}
    batch_id = _new_batch(client, headers)
    archived = (corpus.data.parent / "scans" / "decision.jpg").read_bytes()
    again = _upload(client, batch_id, "decision-again.jpg", archived, headers)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["duplicate"] is True and body["status"] == "archived"
    assert body["document_id"] == corpus.id_of("decision")
    first = _upload(client, batch_id, "a.jpg", TEXT_AS_JPEG, headers)
    second = _upload(client, batch_id, "b.jpg", TEXT_AS_JPEG, headers)
    assert (first.status_code, first.json()["duplicate"]) == (201, False)
    assert (second.status_code, second.json()["duplicate"]) == (200, True)
    assert second.json()["document_id"] == first.json()["document_id"]
    totals = client.get(f"/api/v1/batches/{batch_id}").json()["totals"]
    assert (totals["files"], totals["documents"], totals["duplicates"]) == (3, 2, 2)


def test_names_are_only_shown_never_used_as_paths(client: TestClient, settings: Settings):
    headers = {"X-CSRF-Token": sign_in(client, "staff")}
    batch_id = _new_batch(client, headers)
    names = {
        "../../../../tmp/sohoa-escape.jpg": "sohoa-escape.jpg",
        "..\\..\\windows\\scan.png": "scan.png",
        unicodedata.normalize("NFD", "hồ sơ\x07\u202egpj.jpg"): "hồ sơgpj.jpg",
        "..": "tệp-không-tên",
    }
    for raw, shown in names.items():
        body, content_type = _multipart([("file", raw, TEXT_AS_JPEG + raw.encode())])
        response = client.post(f"/api/v1/batches/{batch_id}/files", content=body, headers={**headers, **content_type})
        if shown == "tệp-không-tên":  # no suffix left: refused as not a scan's type, named safely
            assert response.status_code == 415 and "«tệp-không-tên»" in response.json()["detail"]
            continue
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == shown
        assert unicodedata.is_normalized("NFC", response.json()["filename"])
    assert not Path("/tmp/sohoa-escape.jpg").exists()
    assert not any(p.name == "sohoa-escape.jpg" for p in settings.data_dir.rglob("*"))
    shown_names = [d["filename"] for d in client.get(f"/api/v1/batches/{batch_id}").json()["documents"]]
    assert shown_names == ["sohoa-escape.jpg", "scan.png", "hồ sơgpj.jpg"]


def test_the_form_without_javascript_takes_many_files_and_refuses_past_the_limit(client: TestClient):
    csrf = sign_in(client, "staff")
    files = [("files", f"trang-{n}.jpg", TEXT_AS_JPEG + bytes([n])) for n in range(5)]
    too_big = ("files", "lớn.pdf", b"%PDF-1.7\n" + bytes(MAX_FILE_BYTES))
    parts = [("csrf_token", None, csrf.encode()), *files[:2], too_big, *files[2:], ("files", "virus.exe", b"MZ")]
    body, content_type = _multipart(parts)
    posted = client.post("/upload", content=body, headers=content_type, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/batches/")
    batch_id = posted.headers["location"].removeprefix("/batches/")
    status = client.get(f"/api/v1/batches/{batch_id}").json()
    assert [d["filename"] for d in status["documents"]] == [f"trang-{n}.jpg" for n in range(4)]  # 4 per batch
    refused = {r["filename"]: r["code"] for r in status["refused"]}
    assert refused == {"lớn.pdf": "file_too_large", "trang-4.jpg": "too_many_files", "virus.exe": "unsupported_type"}
    page = client.get(posted.headers["location"])
    assert "Mỗi lô nhận tối đa 4 tệp" in page.text and "virus.exe" in page.text

    # Without the token first in the form, nothing is taken
    body, content_type = _multipart([*files[:1], ("csrf_token", None, csrf.encode())])
    assert client.post("/upload", content=body, headers=content_type).status_code == 403
    body, content_type = _multipart([("csrf_token", None, b"wrong"), *files[:1]])
    assert client.post("/upload", content=body, headers=content_type).status_code == 403
    empty, content_type = _multipart([("csrf_token", None, csrf.encode()), ("files", "", b"")])
    none_chosen = client.post("/upload", content=empty, headers=content_type)
    assert none_chosen.status_code == 400 and "Chưa chọn tệp nào" in none_chosen.text


def test_only_staff_upload_and_scripts_use_a_bearer_token(client: TestClient):
    token = api_token(client, "staff")
    batch_id = _new_batch(client, token)
    sent = _upload(client, batch_id, "scan.jpg", TEXT_AS_JPEG, token)
    assert sent.status_code == 201 and sent.json()["status"] == "rejected"
    assert client.get(f"/api/v1/batches/{batch_id}", headers=token).json()["totals"]["rejected"] == 1
    assert client.get("/api/v1/batches", headers=token).json()[0]["id"] == batch_id
    officer = api_token(client, "officer")
    assert client.post("/api/v1/batches", headers=officer).status_code == 403
    assert _upload(client, batch_id, "x.jpg", TEXT_AS_JPEG, officer).status_code == 403
    assert client.get("/api/v1/review", headers=api_token(client, "auditor")).status_code == 403
    assert client.post("/api/v1/batches").status_code == 401
    other_staff_batch = _new_batch(client, api_token(client, "admin"))
    assert _upload(client, other_staff_batch, "x.jpg", TEXT_AS_JPEG, token).status_code == 403
    assert _upload(client, "0" * 32, "x.jpg", TEXT_AS_JPEG, token).status_code == 404


# --- review -------------------------------------------------------------------------------------------
def test_the_queue_shows_the_held_document_its_reasons_fields_and_page_image(review_client: TestClient, corpus: Corpus):
    sign_in(review_client, "staff")
    held = corpus.id_of("notice")
    queue = review_client.get("/review")
    assert queue.status_code == 200 and "notice.jpg" in queue.text and f"/review/{held}" in queue.text
    (reason,) = [w for w in corpus.records["notice"].warnings if w.code == "needs_review"]
    doubtful = reason.fields
    assert doubtful, "the notice is held for named fields"
    assert "Cần kiểm tra các trường: " + ", ".join(FIELD_TITLES[f] for f in doubtful) in queue.text
    assert [d["document_id"] for d in review_client.get("/api/v1/review").json()["documents"]] == [held]

    page = review_client.get(f"/review/{held}")
    assert page.status_code == 200
    assert f'src="/review/{held}/pages/1.jpg"' in page.text and 'class="field uncertain"' in page.text
    assert "độ tin cậy" in page.text and 'name="issued_date" type="text"' in page.text
    assert 'placeholder="dd/mm/yyyy"' in page.text  # typed as written here, whatever the browser's locale
    detail = review_client.get(f"/api/v1/review/{held}").json()
    assert detail["metadata"]["document_number"] == corpus.records["notice"].metadata.document_number
    assert set(doubtful) <= set(detail["uncertain"]) and detail["pages"][0]["image_url"].endswith("/pages/1.jpg")

    image = review_client.get(f"/review/{held}/pages/1.jpg")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(image.content)) as picture:
        assert picture.format == "JPEG" and picture.width > 1000
    assert review_client.get(f"/review/{held}/pages/2.jpg").status_code == 404
    archived = corpus.id_of("decision")
    assert review_client.get(f"/review/{archived}").status_code == 409


def test_a_correction_confirmed_on_the_page_is_signed_and_archived(
    review_client: TestClient, corpus: Corpus, settings: Settings
):
    csrf = sign_in(review_client, "staff")
    held = corpus.id_of("notice")
    before = corpus.records["notice"].metadata.model_dump(mode="json")
    form = {k: "" if v is None else str(v) for k, v in before.items() if k != "page_amount"}
    corrected = "Về việc thông báo kết quả (đã sửa)"

    bad_date = {**form, "issued_date": "2024-13-45", "csrf_token": csrf, "action": "confirm"}
    bad = review_client.post(f"/review/{held}", data=bad_date)
    assert bad.status_code == 422 and "Ngày ban hành" in bad.text and 'value="2024-13-45"' in bad.text

    if before["issued_date"]:  # the page shows and takes days as written here: the same day, unchanged
        form["issued_date"] = date.fromisoformat(before["issued_date"]).strftime("%d/%m/%Y")
        assert f'value="{form["issued_date"]}"' in review_client.get(f"/review/{held}").text
    done = review_client.post(
        f"/review/{held}",
        data={**form, "subject": corrected, "csrf_token": csrf, "action": "confirm"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/review?archived={held}"
    assert "Đã ký số và lưu trữ «notice.jpg»" in review_client.get(done.headers["location"]).text
    with _catalog(settings) as catalog:
        record = catalog.record(held)
        (event,) = catalog.review_events(held)
    assert record.status == "archived" and record.metadata.subject == corrected
    assert record.metadata.document_number == before["document_number"]  # unchanged fields stay as read
    assert event.actor == "staff1" and event.action == "correct"
    assert event.changes == {"subject": [before["subject"], corrected]}
    (audited,) = review_client.app.state.web.audit.events(EventFilter(action="review_corrected"))
    assert audited.document_id == held and audited.details["changes"]["subject"][1] == corrected
    assert audited.actor == "staff1" and audited.role == "staff"
    (archived,) = review_client.app.state.web.audit.events(EventFilter(action="archived", document_id=held))
    assert archived.id > audited.id  # the outcome follows the confirmation as the pipeline's own event
    pdf = settings.data_dir / "objects" / record.archive.bucket / record.archive.key
    assert _verified(pdf, settings)
    assert "notice.jpg" not in review_client.get("/review").text
    assert review_client.get(f"/review/{held}/pages/1.jpg").status_code == 404  # work files are gone


def test_review_through_the_api_and_a_signing_failure_keeps_the_document_held(
    review_client: TestClient, corpus: Corpus, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    token = api_token(review_client, "staff")
    held = corpus.id_of("notice")
    url = f"/api/v1/review/{held}"
    invalid = review_client.post(url, headers=token, json={"changes": {"holder_id": "12ab"}})
    assert invalid.status_code == 422 and invalid.json()["fields"] == ["holder_id"]
    unknown = review_client.post(url, headers=token, json={"changes": {"colour": "đỏ"}})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("Không có trường «colour»")
    dry = review_client.post(url, headers=token, json={"changes": {"place": "Hà Nội"}, "confirm": False})
    assert dry.status_code == 200 and dry.json()["changes"]["place"][1] == "Hà Nội"

    def expired(*_args, **_kwargs):
        raise SigningError("the signing certificate of 'TEST' expired on 2026-01-01")

    monkeypatch.setattr("workers.review.check_certificate", expired)
    refused = review_client.post(url, headers=token, json={"changes": {"place": "Hà Nội"}, "confirm": True})
    assert refused.status_code == 503 and "expired" in refused.json()["detail"]
    with _catalog(settings) as catalog:  # checked before anything was changed
        assert catalog.review_events(held) == [] and catalog.record(held).status == "needs_review"
    monkeypatch.undo()

    def broken_token(*_args, **_kwargs):
        raise SigningError("signing failed: the token was removed")

    monkeypatch.setattr("workers.archive.sign_pdf", broken_token)
    failed = review_client.post(url, headers=token, json={"changes": {"place": "Hà Nội"}, "confirm": True})
    assert failed.status_code == 503 and failed.json()["status"] == "needs_review"
    assert failed.json()["error"]["code"] == "signing_failed" and "Tài liệu vẫn chờ kiểm tra" in failed.json()["detail"]
    again = review_client.get(url, headers=token).json()
    assert again["status"] == "needs_review" and any("token was removed" in r for r in again["reasons"])
    assert review_client.get(f"/review/{held}/pages/1.jpg", headers=token).status_code == 200  # pages kept

    monkeypatch.undo()
    archived = review_client.post(url, headers=token, json={"changes": {"place": "Hà Nội"}, "confirm": True})
    assert archived.status_code == 200, archived.text
    body = archived.json()
    assert body["status"] == "archived" and body["metadata"]["place"] == "Hà Nội" and body["archive"]["signer"]
    assert review_client.post(url, headers=token, json={"confirm": True}).status_code == 409
    with _catalog(settings) as catalog:
        final = catalog.record(held)
        assert final.metadata.place == "Hà Nội"
        assert [e.action for e in catalog.review_events(held)] == ["correct", "correct"]
    assert _verified(settings.data_dir / "objects" / final.archive.bucket / final.archive.key, settings)
    audit = review_client.app.state.web.audit
    outcomes = ("review_corrected", "returned_to_review", "archived")
    actions = [e.action for e in audit.events(EventFilter(document_id=held)) if e.action in outcomes]
    assert actions[:4] == ["archived", "review_corrected", "returned_to_review", "review_corrected"]  # newest first


# --- in a real browser (tests/web/browser.py): the JavaScript, the CSP, drag and drop -------------------
def test_staff_upload_by_drag_and_drop_then_review_in_a_browser(page: Page, live_app: LiveApp, corpus: Corpus):
    login(page, "staff")
    page.goto("/upload")
    # A text file dropped on the zone, and a scan archived before chosen with the file picker
    dropped = page.evaluate_handle(
        """() => { const dt = new DataTransfer();
                   dt.items.add(new File(["This is a text file, not a scan."], "ghi-chú.jpg", {type: "image/jpeg"}));
                   return dt; }"""
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": dropped})
    page.set_input_files("#files", str(corpus.data.parent / "scans" / "decision.jpg"))
    rows = page.locator("#file-list tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("button", name="Tải lên").click()
    expect(rows.nth(0).locator(".result")).to_contain_text("Bị từ chối: Nội dung không phải bản quét")
    expect(rows.nth(1).locator(".result")).to_contain_text("Trùng tệp đã nhận trước (Đã lưu trữ)")
    assert rows.nth(1).locator("progress").evaluate("p => p.value") == 100
    live = page.locator("#live [data-batch-status]")
    expect(live.locator("[data-state]")).to_contain_text("Đã xử lý xong")
    expect(live.locator('[data-total="rejected"]')).to_have_text("1")
    expect(live.locator("[data-documents]")).to_contain_text("trùng tệp đã nhận")
    screenshot(page, "staff-upload")

    page.locator("#live-link").click()
    expect(page.locator("[data-documents] tr")).to_have_count(2)
    expect(page.locator("[data-documents]")).to_contain_text("ghi-chú.jpg")
    expect(page.locator(f'[data-documents] a[href="/documents/{corpus.id_of("decision")}"]')).to_be_visible()
    screenshot(page, "staff-batch")

    held = corpus.id_of("notice")
    page.goto("/review")
    page.locator(f'a[href="/review/{held}"]').click()
    (reason,) = [w for w in corpus.records["notice"].warnings if w.code == "needs_review"]
    held_for = reason.fields
    assert page.locator(".field.uncertain input").evaluate_all("inputs => inputs.map(i => i.name)") == held_for
    image = page.locator("section.pages img").first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 1000
    screenshot(page, "staff-review")
    page.locator("#f-place").fill("Hà Nội")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận, ký số và lưu trữ").click()
    expect(page.locator("p.notice")).to_contain_text("Đã ký số và lưu trữ «notice.jpg»")
    assert console_errors(page) == []  # no CSP violation, no failed request


def test_a_held_document_refused_with_a_reason_ends_rejected_and_audited(
    review_client: TestClient, corpus: Corpus, settings: Settings
):
    csrf = sign_in(review_client, "staff")
    held = corpus.id_of("notice")
    assert 'value="reject"' in review_client.get(f"/review/{held}").text

    no_reason = review_client.post(f"/review/{held}", data={"csrf_token": csrf, "action": "reject", "reason": "  "})
    assert no_reason.status_code == 422 and "Hãy ghi lý do từ chối" in no_reason.text
    with _catalog(settings) as catalog:
        assert catalog.document(held).status == "needs_review"  # nothing changed

    reason = "Không phải kết quả thủ tục hành chính"
    done = review_client.post(
        f"/review/{held}", data={"csrf_token": csrf, "action": "reject", "reason": reason}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/review?rejected={held}"
    assert f"Đã từ chối «notice.jpg»: {reason}" in review_client.get(done.headers["location"]).text
    with _catalog(settings) as catalog:
        record = catalog.record(held)
        (event,) = catalog.review_events(held)
    assert record.status == "rejected" and record.archive is None
    assert (record.error.code, record.error.message) == ("rejected_in_review", reason)
    assert (event.actor, event.action) == ("staff1", "reject")
    (audited,) = review_client.app.state.web.audit.events(EventFilter(action="review_rejected"))
    assert (audited.document_id, audited.actor, audited.role) == (held, "staff1", "staff")
    assert audited.details["reason"] == reason
    assert held not in [d["document_id"] for d in review_client.get("/api/v1/review").json()["documents"]]

    again = review_client.post(
        f"/api/v1/review/{held}/reject", json={"reason": reason}, headers=api_token(review_client, "staff")
    )
    assert again.status_code == 409  # no longer waiting: nothing decided twice
