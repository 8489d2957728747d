"""Auditors see the last fixity run on the reconciliation page; damage raises an alert there and on the reports."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pipeline.signing_setup import trust_roots
from schemas.settings import Settings
from tests.web.conftest import Corpus, api_token, sign_in
from workers.fixity import run_fixity


def _run_fixity(client: TestClient, settings: Settings) -> None:
    rt = client.app.state.web.rt
    run_fixity(rt.catalog, rt.store, trust_roots(settings), actor="test")


def test_a_fixity_failure_raises_an_alert_on_the_reconciliation_page(
    app_client: TestClient, settings: Settings, corpus: Corpus
):
    headers = api_token(app_client, "auditor")
    assert app_client.get("/api/v1/reconciliation", headers=headers).json()["fixity"] is None
    sign_in(app_client, "auditor")
    assert "Chưa chạy kiểm tra toàn vẹn" in app_client.get("/reconciliation").text

    _run_fixity(app_client, settings)
    clean = app_client.get("/api/v1/reconciliation", headers=headers).json()
    assert clean["fixity"]["ok"] is True and clean["fixity"]["checked"] == 3 and clean["ok"] is True
    page = app_client.get("/reconciliation").text
    assert "Cảnh báo toàn vẹn" not in page and "tất cả nguyên vẹn" in page
    assert "Cảnh báo toàn vẹn" not in app_client.get("/reports").text

    permit = corpus.id_of("permit")
    pdf = settings.data_dir / "objects" / "archive" / permit / f"{permit}.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.chmod(0o644)
    pdf.write_bytes(bytes(data))
    _run_fixity(app_client, settings)

    damaged = app_client.get("/api/v1/reconciliation", headers=headers).json()
    assert damaged["ok"] is False and damaged["fixity"]["ok"] is False
    assert [f["document_id"] for f in damaged["fixity"]["failures"]] == [permit]
    page = app_client.get("/reconciliation").text
    assert "Cảnh báo toàn vẹn" in page and permit in page
    reports = app_client.get("/reports").text
    assert "Cảnh báo toàn vẹn" in reports and "thấy 1 trên 3 tài liệu" in reports
