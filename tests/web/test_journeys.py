"""End-to-end journeys in a real headless Chromium against the app served by uvicorn (see tests/web/browser.py).

Screenshots of the pages visited land in test-output/screenshots/.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from pipeline.textfold import fold_diacritics
from schemas.record import DocumentRecord
from storage.audit import EventFilter
from storage.tables import Document, Receipt
from storage.tables import Page as PageRow
from tests.web.browser import (  # noqa: F401 (fixtures)
    LiveApp,
    browser_fixture,
    console_errors,
    live_app_fixture,
    login,
    page_fixture,
    screenshot,
)
from tests.web.conftest import Corpus
from web.masking import mask_personal_id

PDF_VIEWER = "chrome-extension://"  # Chromium's built-in PDF viewer runs as an extension frame


def archived_bytes(live: LiveApp, record: DocumentRecord) -> bytes:
    assert record.archive is not None
    return (live.settings.data_dir / "objects" / record.archive.bucket / record.archive.key).read_bytes()


def find_and_open(page: Page, record: DocumentRecord, query: str) -> None:
    """Search as an officer types (no diacritics), then click the document among the results."""
    page.goto("/search")
    page.get_by_label("Từ khóa").fill(query)
    page.get_by_role("button", name="Tìm kiếm").click()
    result = page.locator(f'a[href="/documents/{record.id}"]')
    expect(result).to_have_count(1)
    screenshot(page, "officer-search-results")
    result.click()
    page.wait_for_url(f"**/documents/{record.id}")


def wait_for_pdf_viewer(page: Page, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not any(frame.url.startswith(PDF_VIEWER) for frame in page.frames):
        assert time.monotonic() < deadline, f"no PDF viewer in the page's frames: {[f.url for f in page.frames]}"
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # let the viewer paint the page before a screenshot


def test_officer_finds_views_and_downloads_a_document(page: Page, live_app: LiveApp, corpus: Corpus):
    record, truth = corpus.records["permit"], corpus.truths["permit"]
    page.goto("/login")
    screenshot(page, "login")
    login(page, "officer")
    screenshot(page, "officer-home")

    with page.expect_response(lambda r: r.url.endswith(f"/documents/{record.id}/pdf")) as inline:
        find_and_open(page, record, fold_diacritics(truth["subject"]))
    assert inline.value.status == 200 and inline.value.headers["content-type"] == "application/pdf"
    assert inline.value.headers["content-disposition"].startswith("inline")

    expect(page.locator("h1")).to_contain_text(truth["document_number"])
    expect(page.locator("#metadata")).to_contain_text(truth["subject"])
    expect(page.locator("#metadata")).to_contain_text(truth["holder_id"])  # officers see the id in full
    expect(page.locator("#signature-verdict")).to_contain_text("Chữ ký số hợp lệ")
    frame = page.locator("#pdf-frame")
    expect(frame).to_be_visible()
    box = frame.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 500
    wait_for_pdf_viewer(page)
    screenshot(page, "officer-document")

    with page.expect_download() as started:
        page.locator("#download").click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename == "permit.pdf"
    assert Path(download.path()).read_bytes() == archived_bytes(live_app, record)

    assert console_errors(page) == []  # no CSP violation, no failed resource
    audit = live_app.app.state.web.audit
    actions = [e.action for e in reversed(audit.events(EventFilter(actor="officer1", document_id=record.id)))]
    assert actions == ["view", "view_pdf", "download"]


def test_auditor_sees_the_masked_id_and_no_pdf(page: Page, live_app: LiveApp, corpus: Corpus):
    record, truth = corpus.records["permit"], corpus.truths["permit"]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, "auditor")
    page.goto(f"/documents/{record.id}")

    body = page.inner_text("body")
    assert truth["holder_id"] not in body and truth["holder_id"] not in page.content()
    expect(page.locator("#metadata")).to_contain_text(mask_personal_id(truth["holder_id"]))
    expect(page.locator("#metadata")).to_contain_text(truth["document_number"])
    expect(page.locator("#signature-verdict")).to_contain_text("Chữ ký số hợp lệ")
    expect(page.locator("#no-pdf-note")).to_be_visible()
    assert page.locator("iframe, object, embed").count() == 0
    assert page.locator("#download").count() == 0 and page.get_by_text("Tải xuống").count() == 0
    assert not [url for url in requested if url.endswith(("/pdf", "/download"))]
    screenshot(page, "auditor-document")

    for path in (f"/documents/{record.id}/pdf", f"/documents/{record.id}/download"):
        refused = page.request.get(path)
        assert refused.status == 403 and not refused.body().startswith(b"%PDF")
    assert console_errors(page) == []


def _catalog_counts(live: LiveApp) -> dict[str, int]:
    """The rows an auditor's numbers must match, counted straight from the catalog tables."""
    with live.app.state.web.rt.catalog.session() as s:
        statuses = Counter(s.scalars(select(Document.status)))
        return {
            "Tệp nhận": s.scalar(select(func.count()).select_from(Receipt)),
            "Tài liệu": s.scalar(select(func.count()).select_from(Document)),
            "Trang": s.scalar(select(func.count()).select_from(PageRow)),
            "Đã lưu trữ": statuses["archived"],
            "Cần kiểm tra": statuses["needs_review"],
        }


def test_auditor_sees_counts_that_match_the_rows_and_reconciles(page: Page, live_app: LiveApp):
    login(page, "auditor")
    page.goto("/reports")
    headers = [h.strip() for h in page.locator("table.report thead th").all_inner_texts()]
    totals = [c.strip() for c in page.locator("table.report tfoot tr > *").all_inner_texts()]
    shown = dict(zip(headers[1:], totals[1:], strict=True))
    expected = _catalog_counts(live_app)
    assert {name: int(shown[name].replace(".", "")) for name in expected} == expected
    assert page.locator("svg.chart rect.bar").count() > 0
    screenshot(page, "auditor-reports")

    page.goto("/reconciliation")
    expect(page.locator(".verdict")).to_contain_text("Khớp")
    screenshot(page, "auditor-reconciliation")

    page.goto("/audit")
    expect(page.locator("table")).to_contain_text("login")
    screenshot(page, "auditor-audit-log")
    assert console_errors(page) == []
    assert page.goto("/search").status == 403  # auditors count documents; they do not search people's papers


def test_admin_manages_accounts(page: Page, live_app: LiveApp):
    login(page, "admin")
    page.goto("/users")
    page.get_by_label("Tên đăng nhập").fill("canbo2")
    page.get_by_label("Họ tên").fill("Nguyễn Văn Hai")
    page.get_by_label("Mật khẩu (≥ 10 ký tự)").fill("một-mật-khẩu-dài")
    page.get_by_label("Vai trò").select_option("officer")
    page.get_by_role("button", name="Thêm").click()
    expect(page.locator("table")).to_contain_text("Nguyễn Văn Hai")
    screenshot(page, "admin-users")
    assert live_app.app.state.web.accounts.authenticate("canbo2", "một-mật-khẩu-dài").role == "officer"
