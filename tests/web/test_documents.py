"""The document page and API: metadata per role, the archived PDF inline and as a download, signature status,
audit events, and refusing an archived object whose bytes no longer match the catalog."""

from __future__ import annotations

import hashlib
import html
import sqlite3
from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.signing_setup import trust_roots
from pipeline.verify import verify_pdf
from schemas.record import DocumentRecord
from schemas.settings import Settings
from storage.audit import SYSTEM, EventFilter
from tests.seaweedfs import S3Server
from tests.web.conftest import Corpus, api_token, sign_in
from web.app import create_app
from web.archived_pdf import ArchiveMismatch, CheckedPdf, disposition, download_name, stream_checked
from web.masking import mask_personal_id, text_for
from workers.runtime import open_store

ARCHIVED = ("decision", "certificate", "permit")
WITH_HOLDER = ("certificate", "permit")


def archived_object(settings: Settings, record: DocumentRecord) -> Path:
    assert record.archive is not None
    return settings.data_dir / "objects" / record.archive.bucket / record.archive.key


def events(client: TestClient, document_id: str) -> list:
    """What people did with the document, oldest first (the pipeline's own events, by "system", left out)."""
    logged = client.app.state.web.audit.events(EventFilter(document_id=document_id))
    return [e for e in reversed(logged) if e.actor != SYSTEM]


@pytest.mark.parametrize("stem", ARCHIVED)
def test_officer_sees_the_metadata_the_pdf_and_a_valid_signature(app_client: TestClient, corpus: Corpus, stem: str):
    sign_in(app_client, "officer")
    record, truth = corpus.records[stem], corpus.truths[stem]
    page = app_client.get(f"/documents/{record.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for title in ("Tên loại văn bản", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu nội dung"):
        assert title in text
    for field in ("type_name", "document_number", "organ_name", "subject", "holder_id"):
        if truth[field] is not None:
            assert getattr(record.metadata, field) == truth[field]
            assert truth[field] in text, field
    issued = datetime.strptime(truth["issued_date"], "%Y-%m-%d").strftime("%d/%m/%Y")
    assert issued in text
    assert f'src="/documents/{record.id}/pdf"' in page.text and "<iframe" in page.text
    assert f'href="/documents/{record.id}/download"' in page.text
    assert "Chữ ký số hợp lệ" in text and "Nguyên vẹn" in text and "Chứng thư được tin cậy" in text
    assert record.archive is not None and record.archive.signer in text
    assert "THỬ NGHIỆM" in text  # the generated TEST certificate is called what it is
    assert "style=" not in page.text and "<script" not in page.text  # the CSP allows neither
    assert '<link rel="stylesheet" href="/static/document.css">' in page.text
    assert app_client.get("/static/document.css").status_code == 200


def test_the_pdf_served_is_the_archived_object_and_verifies(app_client: TestClient, corpus: Corpus, settings: Settings):
    sign_in(app_client, "officer")
    record = corpus.records["certificate"]
    stored = archived_object(settings, record).read_bytes()
    inline = app_client.get(f"/documents/{record.id}/pdf")
    assert inline.status_code == 200 and inline.headers["content-type"] == "application/pdf"
    assert inline.headers["content-disposition"] == 'inline; filename="certificate.pdf"'
    assert inline.headers["content-length"] == str(len(stored))
    assert inline.content == stored
    assert inline.headers["x-content-sha256"] == hashlib.sha256(stored).hexdigest() == record.archive.pdf_sha256
    copy = settings.data_dir.parent / "served.pdf"
    copy.write_bytes(inline.content)
    assert verify_pdf(copy, trust_roots(settings)).ok
    download = app_client.get(f"/documents/{record.id}/download")
    assert download.status_code == 200 and download.content == stored
    assert download.headers["content-disposition"] == 'attachment; filename="certificate.pdf"'
    api = app_client.get(f"/api/v1/documents/{record.id}/pdf", headers=api_token(app_client, "officer"))
    assert api.status_code == 200 and api.content == stored
    assert api.headers["content-disposition"].startswith("attachment;")


def test_download_names_are_safe_ascii_with_the_exact_name_in_rfc5987(corpus: Corpus):
    record = corpus.records["permit"]
    vietnamese = record.model_copy(
        update={"source": record.source.model_copy(update={"filename": 'C:\\scans\\Giấy phép "số 12".jpg'})}
    )
    assert download_name(vietnamese) == 'Giấy phép "số 12".pdf'
    value = disposition(vietnamese, inline=False)
    assert value.isascii() and "\n" not in value
    assert value == (
        'attachment; filename="Giay phep _so 12_.pdf"; '
        "filename*=UTF-8''Gi%E1%BA%A5y%20ph%C3%A9p%20%22s%E1%BB%91%2012%22.pdf"
    )
    nameless = record.model_copy(update={"source": record.source.model_copy(update={"filename": "../.jpg"})})
    assert download_name(nameless) == f"{record.id}.pdf"
    assert disposition(record, inline=True) == 'inline; filename="permit.pdf"'


def test_views_and_downloads_are_logged_with_who_and_when(app_client: TestClient, corpus: Corpus):
    document_id = corpus.id_of("permit")
    start = datetime.now(UTC) - timedelta(seconds=1)
    sign_in(app_client, "officer")
    app_client.get(f"/documents/{document_id}")
    app_client.get(f"/documents/{document_id}/pdf")
    app_client.get(f"/documents/{document_id}/download")
    token = api_token(app_client, "officer")
    app_client.get(f"/api/v1/documents/{document_id}", headers=token)
    app_client.get(f"/api/v1/documents/{document_id}/pdf", headers=token)
    logged = events(app_client, document_id)
    assert [(e.action, e.details["via"]) for e in logged] == [
        ("view", "page"),
        ("view_pdf", "page"),
        ("download", "page"),
        ("view", "api"),
        ("download", "api"),
    ]
    assert {(e.actor, e.role) for e in logged} == {("officer1", "officer")}
    assert all(start <= e.at.replace(tzinfo=e.at.tzinfo or UTC) <= datetime.now(UTC) for e in logged)
    assert logged[2].details["sha256"] == corpus.records["permit"].archive.pdf_sha256
    audit = app_client.app.state.web.audit  # what the reuse reports count
    assert audit.count(EventFilter(action="view", document_id=document_id)) == 2
    assert audit.count(EventFilter(action="download", document_id=document_id)) == 2


@pytest.mark.parametrize("stem", WITH_HOLDER)
def test_auditor_sees_masked_ids_and_gets_no_pdf(app_client: TestClient, corpus: Corpus, stem: str):
    sign_in(app_client, "auditor")
    record, holder_id = corpus.records[stem], corpus.truths[stem]["holder_id"]
    page = app_client.get(f"/documents/{record.id}")
    assert page.status_code == 200
    assert holder_id not in page.text and mask_personal_id(holder_id) in page.text
    assert corpus.truths[stem]["type_name"] in html.unescape(page.text)  # the metadata is there to check
    assert "<iframe" not in page.text and "/download" not in page.text
    assert f"/documents/{record.id}/pdf" not in page.text
    assert "Chữ ký số hợp lệ" in page.text  # auditors do check that documents were signed
    for path in (f"/documents/{record.id}/pdf", f"/documents/{record.id}/download"):
        refused = app_client.get(path)
        assert refused.status_code == 403 and b"%PDF" not in refused.content
    token = api_token(app_client, "auditor")
    assert app_client.get(f"/api/v1/documents/{record.id}/pdf", headers=token).status_code == 403
    api = app_client.get(f"/api/v1/documents/{record.id}", headers=token)
    assert api.status_code == 200 and holder_id not in api.text
    body = api.json()
    assert body["metadata"]["holder_id"] == mask_personal_id(holder_id)
    assert body["text"] == "" and all(p["text"] == "" for p in body["pages"])
    assert [e.action for e in events(app_client, record.id)] == ["view", "view"]


def test_staff_view_the_pdf_but_do_not_download(app_client: TestClient, corpus: Corpus):
    sign_in(app_client, "staff")
    record = corpus.records["certificate"]
    page = app_client.get(f"/documents/{record.id}")
    assert page.status_code == 200 and corpus.truths["certificate"]["holder_id"] in page.text
    assert "<iframe" in page.text and "/download" not in page.text
    assert app_client.get(f"/documents/{record.id}/pdf").status_code == 200
    assert app_client.get(f"/documents/{record.id}/download").status_code == 403


def test_officer_api_record_is_complete(app_client: TestClient, corpus: Corpus):
    record = corpus.records["certificate"]
    api = app_client.get(f"/api/v1/documents/{record.id}", headers=api_token(app_client, "officer"))
    assert api.status_code == 200
    assert DocumentRecord.model_validate(api.json()) == record
    signature = app_client.get(f"/api/v1/documents/{record.id}/signature", headers=api_token(app_client, "auditor"))
    assert signature.status_code == 200
    body = signature.json()
    assert body["ok"] is True and body["problem"] is None
    assert body["signature"]["signer"] == record.archive.signer and body["signature"]["trusted"] is True


def test_unknown_ids_are_404_with_a_clear_message(app_client: TestClient):
    sign_in(app_client, "officer")
    page = app_client.get("/documents/000000000000000000000000")
    assert page.status_code == 404 and "Không tìm thấy tài liệu" in page.text
    for path in ("/documents/nope/pdf", "/documents/nope/download"):
        assert app_client.get(path).status_code == 404
    token = api_token(app_client, "officer")
    api = app_client.get("/api/v1/documents/nope", headers=token)
    assert api.status_code == 404 and api.json()["detail"].startswith("Không tìm thấy tài liệu")
    assert app_client.get("/api/v1/documents/nope/pdf", headers=token).status_code == 404


def test_a_document_waiting_for_review_shows_its_status_and_no_pdf(app_client: TestClient, corpus: Corpus):
    sign_in(app_client, "officer")
    record = corpus.records["notice"]
    page = app_client.get(f"/documents/{record.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Cần kiểm tra" in text and "chưa được ký số và lưu trữ" in text
    assert "<iframe" not in text and "/download" not in text
    for path in (f"/documents/{record.id}/pdf", f"/documents/{record.id}/download"):
        refused = app_client.get(path)
        assert refused.status_code == 409 and "chưa được lưu trữ" in refused.text
    api = app_client.get(f"/api/v1/documents/{record.id}", headers=api_token(app_client, "officer"))
    assert api.json()["status"] == "needs_review"


def test_a_tampered_archived_object_is_refused_and_flagged(app_client: TestClient, corpus: Corpus, settings: Settings):
    record = corpus.records["decision"]
    path = archived_object(settings, record)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    sign_in(app_client, "officer")
    page = app_client.get(f"/documents/{record.id}")
    assert page.status_code == 200
    assert "không khớp với mã SHA-256" in page.text and "<iframe" not in page.text and "/download" not in page.text
    for path_ in (f"/documents/{record.id}/pdf", f"/documents/{record.id}/download"):
        refused = app_client.get(path_)
        assert refused.status_code == 409 and "không khớp với mã SHA-256" in refused.text
        assert b"%PDF" not in refused.content
    api = app_client.get(f"/api/v1/documents/{record.id}/pdf", headers=api_token(app_client, "officer"))
    assert api.status_code == 409 and "SHA-256" in api.json()["detail"]
    logged = [e.action for e in events(app_client, record.id)]
    assert logged == ["integrity_failed", "view", "integrity_failed", "integrity_failed", "integrity_failed"]
    path.unlink()  # a missing object is flagged as well
    assert "Không tìm thấy bản PDF" in app_client.get(f"/documents/{record.id}").text
    assert app_client.get(f"/documents/{record.id}/pdf").status_code == 409


def test_the_signature_is_verified_once_per_archived_pdf(app_client: TestClient, corpus: Corpus):
    sign_in(app_client, "officer")
    for _ in range(3):
        assert app_client.get(f"/documents/{corpus.id_of('permit')}").status_code == 200
    assert app_client.app.state.signature_cache.verifications == 1
    app_client.get(f"/documents/{corpus.id_of('decision')}")
    assert app_client.app.state.signature_cache.verifications == 2


def test_signed_out_browsers_go_to_login_and_scripts_get_401(app_client: TestClient, corpus: Corpus):
    document_id = corpus.id_of("permit")
    page = app_client.get(f"/documents/{document_id}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/login?next=/documents/{document_id}"
    assert app_client.get(f"/documents/{document_id}/pdf", follow_redirects=False).status_code == 303
    assert app_client.get(f"/api/v1/documents/{document_id}").status_code == 401


def test_a_change_while_streaming_aborts_the_response(tmp_path: Path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.7 changed")
    stack = ExitStack()
    fh = stack.enter_context(path.open("rb"))
    pdf = CheckedPdf(path, fh, 16, hashlib.sha256(b"%PDF-1.7 original").hexdigest())
    with pytest.raises(ArchiveMismatch):
        list(stream_checked(pdf, "doc", stack))
    assert fh.closed


def test_the_pdf_streams_from_s3_and_a_replaced_object_is_refused(
    settings: Settings, corpus: Corpus, s3_server: S3Server
):
    s3_settings = Settings(
        data_dir=settings.data_dir,
        workers=1,
        **s3_server.settings("web-docs-"),
    )
    store = open_store(s3_settings)  # the archive bucket as the app has it (object lock, versions)
    record = corpus.records["permit"]
    stored = archived_object(settings, record).read_bytes()
    store.put_bytes(record.archive.bucket, record.archive.key, stored)
    with TestClient(create_app(s3_settings), base_url="http://testserver") as client:
        sign_in(client, "officer")
        assert "Chữ ký số hợp lệ" in client.get(f"/documents/{record.id}").text
        inline = client.get(f"/documents/{record.id}/pdf")
        assert inline.status_code == 200 and inline.content == stored
        download = client.get(f"/documents/{record.id}/download")
        assert download.status_code == 200 and download.content == stored
        store.put_bytes(record.archive.bucket, record.archive.key, stored.replace(b"%PDF-1.7", b"%PDF-1.6", 1))
        refused = client.get(f"/documents/{record.id}/pdf")
        assert refused.status_code == 409 and "SHA-256" in refused.text


def test_id_numbers_in_file_names_are_masked_for_auditors():
    assert text_for("auditor", "037061825319 Mai Sơn.jpg") == "*********319 Mai Sơn.jpg"
    assert text_for("auditor", "cmnd_123456789.tif") == "cmnd_******789.tif"
    assert text_for("auditor", "so-2703-0123456789.pdf") == "so-2703-0123456789.pdf"  # 10 digits: no id
    assert text_for("officer", "037061825319 Mai Sơn.jpg") == "037061825319 Mai Sơn.jpg"


def test_a_document_still_processing_shows_its_status(settings: Settings, corpus: Corpus):
    document_id = corpus.id_of("notice")
    with closing(sqlite3.connect(settings.data_dir / "catalog.sqlite3")) as db, db:
        db.execute("UPDATE documents SET record = NULL, status = 'processing' WHERE id = ?", (document_id,))
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        sign_in(client, "officer")
        page = client.get(f"/documents/{document_id}")
        assert page.status_code == 200 and "Đang xử lý" in page.text and "<iframe" not in page.text
        assert client.get(f"/documents/{document_id}/pdf").status_code == 409
        api = client.get(f"/api/v1/documents/{document_id}", headers=api_token(client, "officer"))
        assert api.json() == {"id": document_id, "status": "processing"}
