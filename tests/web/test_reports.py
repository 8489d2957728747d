"""Reports, reconciliation and the audit log for auditors, on the digitized sample archive."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from schemas.settings import Settings
from storage.audit import EventFilter
from storage.rates import Period
from storage.reports import COUNTS, local_day
from storage.tables import Document, Page, Receipt
from tests.web.conftest import ARCHIVED, HELD, Corpus, api_token, sign_in

CCCD = "001089012345"
MASKED = "*********345"


def _catalog(client: TestClient):
    return client.app.state.web.rt.catalog


def _catalog_counts(client: TestClient) -> dict[str, int]:
    """The numbers straight from the catalog tables, to hold the report against."""
    with _catalog(client).session() as s:
        statuses = dict(s.execute(select(Document.status, func.count()).group_by(Document.status)).all())
        return {
            "files_received": s.scalar(select(func.count()).select_from(Receipt)),
            "documents": s.scalar(select(func.count()).select_from(Document)),
            "pages": s.scalar(select(func.sum(Document.page_count))),
            "page_rows": s.scalar(select(func.count()).select_from(Page)),
            "archived": statuses.get("archived", 0),
            "needs_review": statuses.get("needs_review", 0),
        }


def test_report_counts_equal_the_catalog_rows(app_client: TestClient, corpus: Corpus):
    headers = api_token(app_client, "auditor")
    data = app_client.get("/api/v1/reports", params={"by": "status"}, headers=headers).json()
    rows = {row["key"]: row for row in data["rows"]}
    assert list(rows) == ["archived", "needs_review"]
    pages = {stem: len(record.pages) for stem, record in corpus.records.items()}
    archived_pages = sum(pages[stem] for stem, _, _ in ARCHIVED)
    archived = rows["archived"]
    assert (archived["documents"], archived["signed"], archived["pages"]) == (3, 3, archived_pages)
    assert (rows["needs_review"]["needs_review"], rows["needs_review"]["pages"]) == (1, pages[HELD[0]])
    total, catalog = data["total"], _catalog_counts(app_client)
    assert catalog == {
        "files_received": 4,
        "documents": 4,
        "pages": sum(pages.values()),
        "page_rows": sum(pages.values()),
        "archived": 3,
        "needs_review": 1,
    }
    for name in ("files_received", "documents", "pages", "archived", "needs_review"):
        assert total[name] == catalog[name], name
    others = ("signed", "rejected", "failed", "duplicates", "reused")
    assert [total[name] for name in others] == [3, 0, 0, 0, 0]


def test_reuse_follows_officers_views_and_downloads(app_client: TestClient, corpus: Corpus):
    audit = app_client.app.state.web.audit
    decision, certificate, permit = (corpus.id_of(stem) for stem, _, _ in ARCHIVED)
    audit.append("view", actor="officer1", role="officer", document_id=decision)
    audit.append("download", actor="officer1", role="officer", document_id=decision)
    audit.append("download", actor="admin1", role="admin", document_id=certificate)
    audit.append("view", actor="auditor1", role="auditor", document_id=permit)  # not reuse
    audit.append("view_pdf", actor="officer1", role="officer", document_id=permit)  # part of a view, not counted
    today = local_day(datetime.now(UTC)).isoformat()
    headers = api_token(app_client, "auditor")
    data = app_client.get("/api/v1/reports", params={"by": "day", "ids": "true"}, headers=headers).json()
    assert [row["key"] for row in data["rows"]] == [today]
    assert data["total"]["reused"] == 2
    assert data["total"]["document_ids"]["reused"] == sorted([decision, certificate])
    by_type = app_client.get("/api/v1/reports", params={"by": "type"}, headers=headers).json()
    assert sum(row["reused"] for row in by_type["rows"]) == 2
    elsewhere = app_client.get("/api/v1/reports", params={"from": "2020-01-01", "to": "2020-12-31"}, headers=headers)
    assert elsewhere.json()["total"]["reused"] == 0 and elsewhere.json()["rows"] == []


def test_the_report_page_has_filters_a_table_and_an_svg_chart(app_client: TestClient, corpus: Corpus):
    sign_in(app_client, "auditor")
    page = app_client.get("/reports", params={"by": "status"})
    assert page.status_code == 200
    html = page.text
    assert (
        "Báo cáo số hóa" in html
        and 'name="agency"' in html
        and 'name="type"' in html
        and 'placeholder="dd/mm/yyyy"' in html
    )
    assert "<svg" in html and html.count('<rect class="bar') == 2 * 3  # two statuses, three series
    assert "style=" not in html and "<script" not in html  # CSP: style-src 'self', no inline script
    assert 'href="/static/reports.css"' in html
    assert "Đã lưu trữ" in html and "Cần kiểm tra" in html and "Tổng cộng" in html
    assert re.search(r'<rect class="bar s0"[^>]*><title>Đã lưu trữ · Tệp nhận: 3</title>', html)
    organ = corpus.records[ARCHIVED[0][0]].metadata.organ_name
    assert organ and f'<option value="{organ}"' in html
    empty = app_client.get("/reports", params={"from": "2001-01-01", "to": "2001-01-31"})
    assert empty.status_code == 200 and "<svg" not in empty.text and "Không có dữ liệu" in empty.text
    assert app_client.get("/static/reports.css").status_code == 200


def test_the_csv_opens_in_excel_and_parses_back_to_the_same_numbers(app_client: TestClient):
    headers = api_token(app_client, "auditor")
    data = app_client.get("/api/v1/reports", params={"by": "status"}, headers=headers).json()
    response = app_client.get("/reports.csv", params={"by": "status"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Trạng thái"] for row in rows] == ["Đã lưu trữ", "Cần kiểm tra", "Tổng cộng"]
    columns = {"Tệp nhận": "files_received", "Trang": "pages", "Đã lưu trữ": "archived", "Đã ký số": "signed"}
    for csv_row, json_row in zip(rows, [*data["rows"], data["total"]], strict=True):
        for label, name in columns.items():
            assert int(csv_row[label]) == json_row[name], (label, csv_row)
    assert app_client.app.state.web.audit.count(EventFilter(action="report_exported")) == 1


def test_reconciliation_finds_a_deleted_archive_object_and_names_its_document(
    app_client: TestClient, settings: Settings, corpus: Corpus
):
    headers = api_token(app_client, "auditor")
    clean = app_client.get("/api/v1/reconciliation", params={"hashes": "true"}, headers=headers).json()
    assert clean["ok"] is True and clean["hashes_checked"] is True and clean["audit_chain"]["ok"] is True
    assert [(b["name"], b["ok"]) for b in clean["balances"]] == [
        ("first_receipts_vs_documents", True),
        ("documents_vs_statuses", True),
        ("pages_declared_vs_page_rows", True),
        ("archived_vs_pdfs_in_store", True),
    ]
    assert clean["totals"]["files_received"] == 4 and clean["totals"]["archived_pdfs_in_store"] == 3
    held = corpus.id_of(HELD[0])
    assert [(i["kind"], i["document_id"]) for i in clean["issues"]] == [("needs_review", held)]

    permit = corpus.id_of("permit")
    (settings.data_dir / "objects" / "archive" / permit / f"{permit}.pdf").unlink()
    data = app_client.get("/api/v1/reconciliation", headers=headers).json()
    assert data["ok"] is False
    missing = [i for i in data["issues"] if i["kind"] == "missing_object"]
    assert [(i["document_id"], i["filename"], i["key"]) for i in missing] == [
        (permit, "permit.jpg", f"{permit}/{permit}.pdf")
    ]
    assert data["totals"]["archived_pdfs_in_store"] == 2

    sign_in(app_client, "auditor")
    page = app_client.get("/reconciliation")
    assert page.status_code == 200 and "Có sai lệch" in page.text and permit in page.text
    assert "không có tệp PDF trong kho" in page.text and "style=" not in page.text
    rows = list(csv.DictReader(io.StringIO(app_client.get("/reconciliation.csv").content.decode("utf-8-sig"))))
    assert {"kind": "missing_object", "document": permit} in [
        {"kind": r["Loại"], "document": r["Mã tài liệu"]} for r in rows
    ]


def test_file_names_with_a_citizen_id_are_masked_for_auditors(app_client: TestClient, corpus: Corpus):
    held = corpus.id_of(HELD[0])
    with _catalog(app_client).session() as s:
        s.execute(update(Document).where(Document.id == held).values(filename=f"{CCCD}.jpg"))
    auditor = app_client.get("/api/v1/reconciliation", headers=api_token(app_client, "auditor")).json()
    admin = app_client.get("/api/v1/reconciliation", headers=api_token(app_client, "admin")).json()
    assert [i["filename"] for i in auditor["issues"] if i["document_id"] == held] == [f"{MASKED}.jpg"]
    assert [i["filename"] for i in admin["issues"] if i["document_id"] == held] == [f"{CCCD}.jpg"]


def test_the_audit_viewer_lists_filters_and_masks_personal_ids(app_client: TestClient, corpus: Corpus):
    audit = app_client.app.state.web.audit
    held = corpus.id_of(HELD[0])
    audit.append(
        "review_corrected",
        actor="staff1",
        role="staff",
        document_id=held,
        details={"changes": {"holder_id": [None, CCCD]}, "note": f"CCCD {CCCD} sửa lại"},
    )
    audit.append("view", actor="officer1", role="officer", document_id=held)
    sign_in(app_client, "auditor")
    page = app_client.get("/audit")
    assert page.status_code == 200 and "Nhật ký hệ thống" in page.text
    assert "Sửa thông tin" in page.text and "Đăng nhập" in page.text and held in page.text
    assert CCCD not in page.text and MASKED in page.text
    filtered = app_client.get("/audit", params={"action": "view", "document_id": held})
    assert "Xem tài liệu" in filtered.text and "1 sự kiện" in filtered.text

    headers = api_token(app_client, "auditor")
    data = app_client.get("/api/v1/audit", params={"document_id": held}, headers=headers).json()
    # the newest two; the pipeline's own events on the document (received, pages, …) come before them
    assert data["total"] >= 2 and [e["action"] for e in data["events"][:2]] == ["view", "review_corrected"]
    details = data["events"][1]["details"]
    assert details == {"changes": {"holder_id": [None, MASKED]}, "note": f"CCCD {MASKED} sửa lại"}
    as_admin = app_client.get("/api/v1/audit", params={"document_id": held}, headers=api_token(app_client, "admin"))
    assert as_admin.json()["events"][1]["details"]["changes"]["holder_id"] == [None, CCCD]
    logins = app_client.get("/api/v1/audit", params={"action": "login", "limit": 1}, headers=headers).json()
    assert logins["total"] >= 1 and len(logins["events"]) == 1 and logins["events"][0]["actor"] == "auditor1"
    today = local_day(datetime.now(UTC)).isoformat()
    assert app_client.get("/api/v1/audit", params={"from": today, "to": today}, headers=headers).json()["total"] >= 3
    assert app_client.get("/api/v1/audit", params={"to": "2001-01-01"}, headers=headers).json()["total"] == 0


def test_the_audit_viewer_pages_through_events(app_client: TestClient):
    audit = app_client.app.state.web.audit
    ids = [audit.append("search", actor="officer1", role="officer", details={"q": f"truy vấn {n}"}) for n in range(60)]
    sign_in(app_client, "auditor")
    first = app_client.get("/audit", params={"action": "search"})
    shown = [int(n) for n in re.findall(r"q: truy vấn (\d+)<", first.text)]
    assert "trang 1/2" in first.text and shown == list(range(59, 9, -1))  # newest first, 50 a page
    # the next page is found by key: the events older than the last one shown
    assert f'href="/audit?action=search&amp;before={ids[10]}&amp;page=2"' in first.text
    assert "Mới hơn" not in first.text
    second = app_client.get("/audit", params={"action": "search", "before": ids[10], "page": 2})
    assert "trang 2/2" in second.text and "Cũ hơn" not in second.text
    assert [int(n) for n in re.findall(r"q: truy vấn (\d+)<", second.text)] == list(range(9, -1, -1))
    assert f'href="/audit?action=search&amp;after={ids[9]}&amp;page=1"' in second.text
    back = app_client.get("/audit", params={"action": "search", "after": ids[9], "page": 1})
    assert [int(n) for n in re.findall(r"q: truy vấn (\d+)<", back.text)] == shown
    assert "Mới hơn" not in back.text and f"before={ids[10]}" in back.text
    by_number = app_client.get("/audit", params={"action": "search", "page": 2})  # a bookmarked page number
    assert [int(n) for n in re.findall(r"q: truy vấn (\d+)<", by_number.text)] == list(range(9, -1, -1))


def test_the_audit_viewer_counts_up_to_a_cap(app_client: TestClient, monkeypatch: pytest.MonkeyPatch):
    from web.routes import audit_log

    audit = app_client.app.state.web.audit
    for n in range(12):
        audit.append("search", actor="officer1", role="officer", details={"q": f"q{n}"})
    monkeypatch.setattr(audit_log, "COUNT_CAP", 10)
    sign_in(app_client, "auditor")
    page = app_client.get("/audit", params={"action": "search"})
    assert "Hơn 10 sự kiện" in page.text
    data = app_client.get("/api/v1/audit", params={"action": "search"}, headers=api_token(app_client, "auditor")).json()
    assert data["total"] == 10 and data["total_capped"] is True and len(data["events"]) == 12
    assert audit.count(EventFilter(action="search"), cap=10) == 11 and audit.count(EventFilter(action="search")) == 12


def test_only_auditors_and_admins_see_reports(app_client: TestClient):
    for path in ("/api/v1/reports", "/api/v1/reconciliation", "/api/v1/audit"):
        assert app_client.get(path).status_code == 401
        for role in ("officer", "staff"):
            assert app_client.get(path, headers=api_token(app_client, role)).status_code == 403
        assert app_client.get(path, headers=api_token(app_client, "admin")).status_code == 200
    sign_in(app_client, "officer")
    for path in ("/reports", "/reports.csv", "/reconciliation", "/reconciliation.csv", "/audit"):
        assert app_client.get(path).status_code == 403


def test_bad_report_parameters_get_a_clear_message(app_client: TestClient):
    headers = api_token(app_client, "auditor")
    week = app_client.get("/api/v1/reports", params={"by": "week"}, headers=headers)
    assert week.status_code == 400 and "Cách nhóm" in week.json()["detail"]
    backwards = app_client.get("/api/v1/reports", params={"from": "2024-02-01", "to": "2024-01-01"}, headers=headers)
    assert backwards.status_code == 400 and "trước ngày bắt đầu" in backwards.json()["detail"]
    sign_in(app_client, "auditor")
    page = app_client.get("/reports", params={"from": "32/01/2024"})
    assert page.status_code == 400 and "Ngày không hợp lệ" in page.text and "15/04/2024" in page.text
    typed_here = app_client.get("/reports", params={"from": "01/02/2024", "to": "2024-02-29"})
    assert typed_here.status_code == 200  # a day as written here and one in ISO form, both shown as written here
    assert 'name="from" value="01/02/2024"' in typed_here.text and 'name="to" value="29/02/2024"' in typed_here.text
    blank = app_client.get("/reports", params={"from": "", "to": "", "agency": "", "type": "", "status": ""})
    assert blank.status_code == 200  # an empty form field is no filter


def test_the_report_command_prints_csv_and_reconciles(settings: Settings, corpus: Corpus, monkeypatch, capsys):
    from sohoa.cli import main

    for name in [k for k in os.environ if k.startswith("SOHOA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SOHOA_DATA_DIR", str(settings.data_dir))
    assert main(["report", "--by", "status", "--csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    rows = {row["status"]: row for row in csv.DictReader(io.StringIO(out.removeprefix("\ufeff")))}
    found = (rows["archived"]["archived"], rows["needs_review"]["needs_review"], rows["total"]["files_received"])
    assert found == ("3", "1", "4")
    monkeypatch.setenv("COLUMNS", "80")  # as when piped: a table wider than that is printed whole
    assert main(["report", "--by", "status"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()[1:]
    columns = "status files dup docs pages archived signed pg_arch review rejected failed active reused"
    assert re.split(r"\s{2,}", header.strip()) == [name.replace("_", " ") for name in columns.split()]
    table = {cells[0]: cells[1:] for cells in map(str.split, lines)}
    found = (table["archived"][COUNTS.index("archived")], table["needs_review"][COUNTS.index("needs_review")])
    assert found == ("3", "1") and table["total"][COUNTS.index("files_received")] == "4"
    assert main(["report", "--reconcile", "--json"]) == 0
    capsys.readouterr()
    decision = corpus.id_of("decision")
    (settings.data_dir / "objects" / "archive" / decision / f"{decision}.pdf").unlink()
    assert main(["report", "--reconcile", "--json"]) == 1
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert [i["document_id"] for i in issues if i["kind"] == "missing_object"] == [decision]


def _give_dossiers(client: TestClient, corpus: Corpus) -> dict[str, str]:
    """Dossier codes on the corpus: decision and certificate in one dossier, permit in another; the held notice
    in a third (not archived: never counts)."""
    codes = {"decision": "000.00.37.H42-261101-0001", "certificate": "000.00.37.H42-261101-0001"}
    codes |= {"permit": "000.00.37.H42-261101-0002", HELD[0]: "000.00.37.H42-261101-0003"}
    with _catalog(client).session() as s:
        for stem, code in codes.items():
            s.execute(update(Document).where(Document.id == corpus.id_of(stem)).values(dossier_code=code))
    return codes


def test_admins_supply_dossier_totals_and_auditors_see_the_rates(app_client: TestClient, corpus: Corpus):
    codes = _give_dossiers(app_client, corpus)
    with _catalog(app_client).session() as s:  # from the day the corpus was archived to today (views are today)
        first = min(s.scalars(select(Document.finished_at).where(Document.status == "archived")))
    month = Period(local_day(first), local_day(datetime.now(UTC))).label
    auditor, admin = api_token(app_client, "auditor"), api_token(app_client, "admin")
    given = {"period": month, "dossiers_received": 3}
    assert app_client.post("/api/v1/dossier-totals", json=given, headers=auditor).status_code == 403  # read-only
    assert app_client.post("/api/v1/dossier-totals", json=given, headers=admin).status_code == 200
    bad = app_client.post("/api/v1/dossier-totals", json={"period": "2026-13", "dossiers_received": 1}, headers=admin)
    assert bad.status_code == 400
    audit = app_client.app.state.web.audit
    (event,) = audit.events(EventFilter(action="dossier_total_set"))
    assert event.actor == "admin1" and event.details["dossiers_received"] == 3 and event.details["previous"] is None
    audit.append("view", actor="officer1", role="officer", document_id=corpus.id_of("permit"))
    audit.append("view", actor="auditor1", role="auditor", document_id=corpus.id_of("decision"))  # not reuse

    data = app_client.get("/api/v1/rates", headers=auditor).json()
    (row,) = data["rows"]
    assert (row["period"], row["dossiers_received"], row["dossiers_digitized"], row["dossiers_reused"]) == (
        month,
        3,
        2,
        1,
    )
    assert row["digitization_rate"] == 2 / 3 and row["reuse_rate"] == 1 / 3 and not row["reuse_target_met"]
    assert row["digitized_dossiers"][codes["decision"]] == sorted(
        [corpus.id_of("decision"), corpus.id_of("certificate")]
    )
    assert row["reused_dossiers"] == {codes["permit"]: [corpus.id_of("permit")]}
    assert row["supplied"]["supplied_by"] == "admin1" and row["archived_without_dossier_code"] == 0

    sign_in(app_client, "auditor")
    page = app_client.get("/reports").text
    assert "Tỷ lệ số hóa" in page and "66,67 %" in page and "33,33 %" in page and codes["permit"] in page
    assert 'action="/reports/dossier-totals"' not in page  # auditors do not supply totals
    response = app_client.get("/rates.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Kỳ"] for r in rows] == [month, "Tổng cộng"]
    assert (rows[0]["Hồ sơ tiếp nhận"], rows[0]["Tỷ lệ số hóa"], rows[0]["Tỷ lệ tái sử dụng"]) == (
        "3",
        "0.6667",
        "0.3333",
    )
    assert rows[0]["Mã hồ sơ đã tái sử dụng"] == codes["permit"]
    assert audit.count(EventFilter(action="rates_exported")) == 1


def test_the_admin_form_supplies_a_total_with_its_csrf_token(app_client: TestClient, corpus: Corpus):
    csrf = sign_in(app_client, "admin")
    assert 'action="/reports/dossier-totals"' in app_client.get("/reports").text
    form = {"period": "2026-10", "dossiers_received": "1250", "agency": ""}
    assert app_client.post("/reports/dossier-totals", data=form, follow_redirects=False).status_code == 403
    done = app_client.post("/reports/dossier-totals", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    page = app_client.get(done.headers["location"]).text
    assert "Đã lưu số hồ sơ tiếp nhận" in page and "1.250" in page
    headers = api_token(app_client, "auditor")
    assert app_client.get("/api/v1/dossier-totals", headers=headers).json()[0]["dossiers_received"] == 1250


def test_reconciliation_per_batch_and_period_on_the_page_in_csv_and_json(app_client: TestClient, corpus: Corpus):
    headers = api_token(app_client, "auditor")
    data = app_client.get("/api/v1/reconciliation", params={"period": "day"}, headers=headers).json()
    assert len(data["by_batch"]) == 2  # the archived three, then the held notice
    first, held = data["by_batch"]
    assert (first["files_received"], first["documents"], first["archived"], first["archive_objects"]) == (3, 3, 3, 9)
    assert (held["documents"], held["archived"], held["archive_objects"], held["ok"]) == (1, 0, 0, True)
    with _catalog(app_client).session() as s:  # the corpus may have been digitized on another (local) day
        received = Counter(local_day(at).isoformat() for at in s.scalars(select(Receipt.received_at)))
        archived = Counter(
            local_day(at).isoformat()
            for at in s.scalars(select(Document.received_at).where(Document.status == "archived"))
        )
    by_period = [(p["key"], p["files_received"], p["archived"]) for p in data["by_period"]]
    assert by_period == [(day, received[day], archived[day]) for day in sorted(received)]
    assert sum(received.values()) == 4 and sum(archived.values()) == 3
    assert data["period"] == "day"
    sign_in(app_client, "auditor")
    page = app_client.get("/reconciliation").text
    assert "Theo lô" in page and "Theo tháng" in page and "Đối tượng trong kho" in page
    csv_batches = app_client.get("/reconciliation.csv", params={"table": "batch"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_batches)))
    assert [(r["Lô"], r["Đã lưu trữ"], r["Khớp"]) for r in rows] == [
        (first["key"], "3", "có"),
        (held["key"], "0", "có"),
    ]


def test_the_audit_api_pages_by_key_through_every_event_once(app_client: TestClient):
    audit = app_client.app.state.web.audit
    for n in range(7):
        audit.append("view", actor=f"officer{n}", role="officer", document_id=None)
    headers = api_token(app_client, "auditor")
    everything = app_client.get("/api/v1/audit", params={"action": "view", "limit": 500}, headers=headers).json()
    seen, before = [], None
    while True:
        params = {"action": "view", "limit": 3, **({"before": before} if before else {})}
        page = app_client.get("/api/v1/audit", params=params, headers=headers).json()
        seen += [(e["id"], e["actor"]) for e in page["events"]]
        if (before := page["next_before"]) is None:
            break
    assert seen == [(e["id"], e["actor"]) for e in everything["events"]] and len(seen) >= 7
    assert [actor for _, actor in seen[:7]] == [f"officer{n}" for n in reversed(range(7))]


def test_reconciliation_differences_come_a_page_at_a_time(app_client: TestClient, monkeypatch: pytest.MonkeyPatch):
    catalog = app_client.app.state.web.rt.catalog
    batch = catalog.create_batch()
    for n in range(3):  # received, never processed: each in progress, its original not in the store
        catalog.receive(batch, filename=f"scan-{n}.pdf", sha256=f"{n:02d}" * 32, size_bytes=1, incoming_key=f"k{n}")
    headers = api_token(app_client, "auditor")
    url = "/api/v1/reconciliation"
    whole = app_client.get(url, params={"limit": 10_000}, headers=headers).json()
    total = whole["issues_total"]
    assert total >= 2 and len(whole["issues"]) == total and whole["next_offset"] is None
    walked, offset = [], 0
    while offset is not None:
        page = app_client.get(url, params={"limit": 1, "offset": offset}, headers=headers).json()
        assert page["issues_total"] == total and len(page["issues"]) == 1
        walked, offset = walked + page["issues"], page["next_offset"]
    assert walked == whole["issues"]
    info = app_client.get(url, params={"severity": "info"}, headers=headers).json()
    assert info["issues_total"] == whole["issue_counts"]["info"] >= 1
    assert {i["severity"] for i in info["issues"]} == {"info"}
    assert app_client.get(url, params={"severity": "fatal"}, headers=headers).status_code == 400

    monkeypatch.setattr("web.routes.reconciliation.ISSUES_PER_PAGE", 1)
    sign_in(app_client, "auditor")
    second = app_client.get("/reconciliation", params={"page": 2})
    assert f"Trang 2/{total}" in second.text and "page=3" in second.text and "page=1" in second.text
    shown = re.findall(r'<tr class="(?:error|warning|info)">', second.text)
    assert len(shown) == 1
    past = app_client.get("/reconciliation", params={"page": total + 5})  # past the last: the last
    assert f"Trang {total}/{total}" in past.text
    assert len(re.findall(r'<tr class="(?:error|warning|info)">', past.text)) == 1
    assert whole["issues"][-1]["document_id"] in past.text
