"""Reports and reconciliation for auditors: HTML pages with a server-drawn SVG chart, CSV exports, JSON API.

CSV files start with a UTF-8 byte order mark so Excel reads Vietnamese correctly; cells that a
spreadsheet would take for a formula are prefixed with an apostrophe. File names are masked for
auditors like any other text that might hold a citizen id (see `web.routes.audit_log`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from storage.fixity import last_fixity_run
from storage.layout import ARCHIVE, INCOMING
from storage.rates import REUSE_TARGET, Period, Rates, RatesError, compute_rates, dossier_totals, set_dossier_total
from storage.reconcile import KINDS, SEVERITIES, Issue, Reconciliation, reconcile
from storage.reconcile_groups import GROUP_COUNTS, PERIODS, GroupRow
from storage.reports import COUNTS, GROUPINGS, STATUSES, Report, ReportQuery, ReportRow, build_report, report_choices
from storage.spreadsheet import write_csv
from web.auth import Principal, require
from web.context import WebContext, web
from web.masking import text_for
from web.pages import STATUS_NAMES, local_time, page_count, render
from web.routes.audit_log import form_day

router = APIRouter()

AUDITOR = require("auditor")
#: Dossier totals are supplied by admins only: auditors check the figures, they do not enter them.
ADMIN = require("admin")
UNKNOWN = "(không rõ)"
#: Differences per page of the reconciliation (the web page's; the API's default).
ISSUES_PER_PAGE = 500

COUNT_NAMES = {
    "files_received": "Tệp nhận",
    "duplicates": "Tệp trùng",
    "documents": "Tài liệu",
    "pages": "Trang",
    "archived": "Đã lưu trữ",
    "signed": "Đã ký số",
    "pages_archived": "Trang đã lưu trữ",
    "needs_review": "Cần kiểm tra",
    "rejected": "Bị từ chối",
    "failed": "Lỗi",
    "in_progress": "Đang xử lý",
    "reused": "Tái sử dụng",
}
GROUP_NAMES = {
    "day": "Ngày",
    "month": "Tháng",
    "agency": "Cơ quan ban hành",
    "type": "Loại văn bản",
    "status": "Trạng thái",
}
#: The series of the chart, each drawn in its own colour (classes s0, s1, s2 in reports.css).
CHART_SERIES = ("files_received", "archived", "reused")

TOTAL_NAMES = {
    "files_received": "Tệp đã nhận (kể cả tệp trùng)",
    "duplicates": "Tệp trùng (đã nhận trước đó)",
    "documents": "Tài liệu trong danh mục",
    "archived": "Đã lưu trữ",
    "needs_review": "Cần kiểm tra",
    "rejected": "Bị từ chối",
    "failed": "Lỗi",
    "in_progress": "Đang xử lý",
    "pages_declared": "Số trang khai báo",
    "page_rows": "Dòng trang trong danh mục",
    "archive_objects": "Đối tượng trong kho lưu trữ",
    "archived_pdfs_in_store": "Tệp PDF đã lưu trữ có trong kho",
    "incoming_objects": "Bản gốc trong kho nhận",
}
BALANCE_NAMES = {
    "first_receipts_vs_documents": ("Tệp nhận lần đầu", "Tài liệu trong danh mục"),
    "documents_vs_statuses": ("Tài liệu trong danh mục", "Lưu trữ + kiểm tra + từ chối + lỗi + đang xử lý"),
    "pages_declared_vs_page_rows": ("Số trang khai báo", "Dòng trang trong danh mục"),
    "archived_vs_pdfs_in_store": ("Đã lưu trữ trong danh mục", "Tệp PDF tương ứng trong kho"),
}
KIND_NAMES = {
    "missing_object": "Đã lưu trữ trong danh mục nhưng không có tệp PDF trong kho",
    "missing_sidecar": "Thiếu tệp kèm (.json/.xml) trong kho",
    "hash_mismatch": "Mã băm SHA-256 của tệp trong kho khác danh mục",
    "orphan_object": "Đối tượng trong kho không thuộc tài liệu đã lưu trữ nào",
    "missing_original": "Không còn bản gốc đã nhận trong kho",
    "receipt_without_document": "Tệp đã nhận nhưng không có tài liệu",
    "document_without_receipt": "Tài liệu không có biên nhận tệp",
    "page_rows_mismatch": "Số trang khác số dòng trang trong danh mục",
    "record_pages_mismatch": "Số trang trong bản ghi khác danh mục",
    "archived_without_archive": "Đã lưu trữ nhưng bản ghi không cho biết nơi lưu",
    "unsigned_archived": "Đã lưu trữ nhưng chưa có chữ ký số",
    "paper_pages_mismatch": "Số trang bản giấy khác số trang quét",
    "failed": "Lỗi xử lý, chờ chạy lại",
    "stale_review": "Chờ kiểm tra quá lâu",
    "stuck": "Đang xử lý nhưng không tiến triển",
    "needs_review": "Đang chờ kiểm tra",
    "rejected": "Bị từ chối (tệp đầu vào không dùng được)",
    "in_progress": "Đang xử lý",
}
SEVERITY_NAMES = {"error": "Sai lệch", "warning": "Cần xử lý", "info": "Thông tin"}


def number(value: int) -> str:
    """1234567 → "1.234.567", as Vietnamese write numbers."""
    return f"{value:,}".replace(",", ".")


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def report_query(
    by: Annotated[str, Query(max_length=10)] = "month",
    since: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    agency: Annotated[str | None, Query(max_length=500)] = None,
    type_name: Annotated[str | None, Query(alias="type", max_length=500)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> ReportQuery:
    """The report asked for in the URL; a bad value is a clear 400, in Vietnamese."""
    if by not in GROUPINGS:
        raise HTTPException(400, f"Cách nhóm không hợp lệ: chọn một trong {', '.join(GROUPINGS)}.")
    status = _text(status)
    if status is not None and status not in STATUSES:
        raise HTTPException(400, "Trạng thái không hợp lệ.")
    start, end = form_day(since, "từ ngày"), form_day(until, "đến ngày")
    if start and end and end < start:
        raise HTTPException(400, "Ngày kết thúc đứng trước ngày bắt đầu.")
    return ReportQuery(by=by, since=start, until=end, agency=_text(agency), type_name=_text(type_name), status=status)


def key_name(by: str, key: str | None, *, iso: bool = False) -> str:
    """A row's group as people read it: 05/02/2024, 02/2024, a status's name; "(không rõ)" when unknown."""
    if key is None:
        return UNKNOWN
    if by == "day" and not iso:
        return date.fromisoformat(key).strftime("%d/%m/%Y")
    if by == "month" and not iso:
        year, month = key.split("-")
        return f"{month}/{year}"
    if by == "status":
        return STATUS_NAMES.get(key, key)
    return key


# --- the chart --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    title: str


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart laid out here, drawn by the template as plain SVG (no script, no inline style)."""

    width: float
    height: float
    bars: list[Bar]
    labels: list[Label]
    ticks: list[Label]
    plot: tuple[float, float, float, float]  # left, top, right, bottom


LEFT, TOP, RIGHT, BOTTOM, PLOT_HEIGHT = 56.0, 14.0, 104.0, 96.0, 220.0
BAR, GAP = 14.0, 20.0


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at least `value` (at least 4, so four ticks are whole numbers)."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return max(step * power, 4)
    return 10 * power


def build_chart(report: Report) -> Chart | None:
    """Bars of files received, archived and reused per row; None when there is nothing to draw."""
    rows = report.rows
    top_value = max((row.counts[s] for row in rows for s in CHART_SERIES), default=0)
    if not rows or top_value == 0:
        return None
    scale_max = nice_ceiling(top_value)
    group = len(CHART_SERIES) * BAR + GAP
    width = max(480.0, LEFT + RIGHT + group * len(rows))
    bottom = TOP + PLOT_HEIGHT
    bars, labels = [], []
    for n, row in enumerate(rows):
        x0 = LEFT + n * group + GAP / 2
        name = key_name(report.query.by, row.key)
        for s, series in enumerate(CHART_SERIES):
            value = row.counts[series]
            height = PLOT_HEIGHT * value / scale_max
            title = f"{name} · {COUNT_NAMES[series]}: {number(value)}"
            bars.append(Bar(x0 + s * BAR, bottom - height, BAR - 2, height, s, title))
        short = name if len(name) <= 18 else name[:17] + "…"
        labels.append(Label(x0 + len(CHART_SERIES) * BAR / 2, bottom + 14, short, name))
    ticks = [
        Label(LEFT - 6, bottom - PLOT_HEIGHT * i / 4, number(scale_max * i // 4), number(scale_max * i // 4))
        for i in range(5)
    ]
    return Chart(width, bottom + BOTTOM, bars, labels, ticks, (LEFT, TOP, width - RIGHT, bottom))


# --- CSV -----------------------------------------------------------------------------------------------------------
def csv_response(header: list[str], rows: list[list[Any]], filename: str) -> Response:
    """A spreadsheet's CSV (`storage.spreadsheet`) with CRLF lines, as a download."""
    out = io.StringIO()
    write_csv(out, header, rows, line_end="\r\n")
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def report_csv_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    header = [GROUP_NAMES[report.query.by], *(COUNT_NAMES[c] for c in COUNTS)]

    def line(name: str, row: ReportRow) -> list[Any]:
        return [name, *(row.counts[c] for c in COUNTS)]

    rows = [line(key_name(report.query.by, row.key, iso=True), row) for row in report.rows]
    return header, [*rows, line("Tổng cộng", report.total)]


# --- reports -------------------------------------------------------------------------------------------------------
@router.get("/reports", include_in_schema=False)
def reports_page(
    request: Request,
    _: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    query: Annotated[ReportQuery, Depends(report_query)],
) -> Response:
    report = build_report(ctx.rt.catalog, query, with_ids=False)
    agencies, types = report_choices(ctx.rt.catalog)
    params = urlencode(query.as_params())
    return render(
        request,
        "reports.html",
        fixity=last_fixity_run(ctx.rt.catalog),
        rates=_rates(ctx, query),
        rate_params=urlencode(_rate_params(query)),
        supplied=dossier_totals(ctx.rt.catalog),
        percent=percent,
        reuse_target=REUSE_TARGET,
        dossier_outcome=request.query_params.get("dossiers"),
        dossier_message=DOSSIER_OUTCOMES.get(request.query_params.get("dossiers", "")),
        report=report,
        query=query,
        chart=build_chart(report),
        agencies=agencies,
        types=types,
        statuses=STATUSES,
        groupings=GROUP_NAMES,
        counts=COUNTS,
        count_names=COUNT_NAMES,
        chart_series=[COUNT_NAMES[s] for s in CHART_SERIES],
        key_name=key_name,
        number=number,
        params=params,
    )


@router.get("/reports.csv", include_in_schema=False)
def reports_csv(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    query: Annotated[ReportQuery, Depends(report_query)],
) -> Response:
    report = build_report(ctx.rt.catalog, query, with_ids=False)
    ctx.audit_event("report_exported", principal, **query.as_params())
    header, rows = report_csv_rows(report)
    period = "-".join(d.isoformat() for d in (query.since, query.until) if d) or "tat-ca"
    return csv_response(header, rows, f"bao-cao-{query.by}-{period}.csv")


@router.get("/api/v1/reports", tags=["reports"])
def reports_api(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    query: Annotated[ReportQuery, Depends(report_query)],
    ids: Annotated[bool, Query(description="list the documents behind every count")] = False,
) -> JSONResponse:
    """Counts by day, month, issuing agency, document type or status (`by`), for received dates `from`–`to`
    (inclusive, Vietnam time), optionally for one `agency`, `type` and `status`. `reused` counts distinct
    documents viewed or downloaded by officers; the total counts each document once. With `ids` (the documents
    behind every count) the read is audited as `report_viewed`."""
    report = build_report(ctx.rt.catalog, query, with_ids=ids)
    if ids:
        ctx.audit_event("report_viewed", principal, **query.as_params(), ids=True)
    return JSONResponse(report.to_json(with_ids=ids))


# --- rates and dossier totals --------------------------------------------------------------------------------------
def percent(value: float | None) -> str:
    """0.8125 → "81,25 %", as Vietnamese write it; "—" when there is no denominator."""
    return "—" if value is None else f"{value * 100:.2f}".replace(".", ",") + " %"


def _rates(ctx: WebContext, query: ReportQuery) -> Rates:
    return compute_rates(ctx.rt.catalog, since=query.since, until=query.until, agency=query.agency)


def _rate_params(query: ReportQuery) -> dict[str, str]:
    return {k: v for k, v in query.as_params().items() if k in ("from", "to", "agency")}


RATE_HEADER = [
    "Kỳ",
    "Cơ quan",
    "Hồ sơ tiếp nhận",
    "Hồ sơ có kết quả số hóa",
    "Tỷ lệ số hóa",
    "Hồ sơ tái sử dụng",
    "Tỷ lệ tái sử dụng",
    "Tài liệu lưu trữ không có mã hồ sơ",
    "Mã hồ sơ đã số hóa",
    "Mã hồ sơ đã tái sử dụng",
    "Người cung cấp số liệu",
]


@router.get("/api/v1/rates", tags=["reports"])
def rates_api(
    _: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    query: Annotated[ReportQuery, Depends(report_query)],
) -> JSONResponse:
    """Digitization rate (dossiers with a digitized, signed result ÷ dossiers received) and reuse rate (dossiers an
    officer viewed or downloaded ÷ dossiers received) for each supplied period within `from`–`to` (one `agency`, or
    the whole office), with the dossier codes and documents behind each numerator. Archived documents without a
    dossier code are listed apart: they cannot count."""
    return JSONResponse(_rates(ctx, query).to_json())


@router.get("/rates.csv", include_in_schema=False)
def rates_csv(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    query: Annotated[ReportQuery, Depends(report_query)],
) -> Response:
    rates = _rates(ctx, query)
    ctx.audit_event("rates_exported", principal, **_rate_params(query))
    rows = []
    for row in (*rates.rows, rates.total):
        rows.append(
            [
                "Tổng cộng" if row is rates.total else row.label,
                row.agency or "",
                row.dossiers_received,
                len(row.digitized),
                "" if row.digitization_rate is None else round(row.digitization_rate, 4),
                len(row.reused),
                "" if row.reuse_rate is None else round(row.reuse_rate, 4),
                len(row.without_dossier),
                " ".join(sorted(row.digitized)),
                " ".join(sorted(row.reused)),
                f"{row.supplied.supplied_by} {row.supplied.supplied_at:%Y-%m-%d %H:%M}" if row.supplied else "",
            ]
        )
    return csv_response(RATE_HEADER, rows, "ty-le-so-hoa.csv")


class DossierTotalIn(BaseModel):
    """Dossiers received in a period: a month (2026-11) or days (2026-11-01..2026-11-15), optionally one agency."""

    period: str = Field(max_length=30, examples=["2026-11"])
    dossiers_received: int = Field(ge=0, le=100_000_000)
    agency: str | None = Field(None, max_length=500)


#: What the reports page says after the dossier-total form, by the outcome's code (never text from the URL).
DOSSIER_OUTCOMES = {
    "saved": "Đã lưu số hồ sơ tiếp nhận.",
    "bad_period": "Chưa lưu: kỳ ghi theo tháng (2026-11) hoặc khoảng ngày (2026-11-01..2026-11-15).",
    "negative": "Chưa lưu: số hồ sơ tiếp nhận không thể âm.",
    "overlap": "Chưa lưu: kỳ này trùng với một kỳ đã nhập của cùng cơ quan.",
}


def _supply_or_raise(ctx: WebContext, principal: Principal, given: DossierTotalIn) -> dict[str, Any]:
    """Record the total and audit it; RatesError when it cannot be used."""
    period = Period.parse(given.period)
    total, previous = set_dossier_total(
        ctx.rt.catalog, period, given.dossiers_received, agency=_text(given.agency), supplied_by=principal.username
    )
    details = {**total.to_json(), "previous": previous}
    ctx.audit_event("dossier_total_set", principal, **details)
    return details


def _supply(ctx: WebContext, principal: Principal, given: DossierTotalIn) -> dict[str, Any]:
    try:
        return _supply_or_raise(ctx, principal, given)
    except RatesError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/api/v1/dossier-totals", tags=["reports"])
def supply_dossier_total(
    given: DossierTotalIn, principal: Annotated[Principal, Depends(ADMIN)], ctx: Annotated[WebContext, Depends(web)]
) -> JSONResponse:
    """Admins only: record the dossiers received in a period (replacing that period's figure; an overlapping period
    of the same agency is refused). Audited as `dossier_total_set` with the previous figure."""
    return JSONResponse(_supply(ctx, principal, given))


@router.get("/api/v1/dossier-totals", tags=["reports"])
def list_dossier_totals(
    _: Annotated[Principal, Depends(AUDITOR)], ctx: Annotated[WebContext, Depends(web)]
) -> JSONResponse:
    """Every supplied total, who supplied it and when."""
    return JSONResponse([t.to_json() for t in dossier_totals(ctx.rt.catalog)])


@router.post("/reports/dossier-totals", include_in_schema=False)
def supply_dossier_total_form(
    principal: Annotated[Principal, Depends(ADMIN)],
    ctx: Annotated[WebContext, Depends(web)],
    period: Annotated[str, Form(max_length=30)],
    dossiers_received: Annotated[int, Form(ge=0, le=100_000_000)],
    agency: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        given = DossierTotalIn(period=period, dossiers_received=dossiers_received, agency=agency)
        _supply_or_raise(ctx, principal, given)
        outcome = "saved"
    except RatesError as exc:
        outcome = exc.code
    return RedirectResponse("/reports?" + urlencode({"dossiers": outcome}) + "#rates", status_code=303)


# --- reconciliation ------------------------------------------------------------------------------------------------
GROUP_COUNT_NAMES = {
    "files_received": "Tệp nhận",
    "duplicates": "Tệp trùng",
    "documents": "Tài liệu",
    "pages_declared": "Trang khai báo",
    "page_rows": "Dòng trang",
    "pages_scanned": "Trang đã quét",
    "archived": "Đã lưu trữ",
    "archived_in_store": "PDF có trong kho",
    "archive_objects": "Đối tượng trong kho",
}
CHECK_NAMES = {
    "first_receipts_vs_documents": "Tệp nhận lần đầu ≠ tài liệu",
    "pages_declared_vs_page_rows": "Số trang ≠ dòng trang",
    "archived_vs_pdfs_in_store": "Đã lưu trữ ≠ PDF trong kho",
    "archive_objects_vs_archived": "Đối tượng trong kho ≠ 3 × đã lưu trữ",
}
PERIOD_NAMES = {"day": "Ngày", "month": "Tháng"}
Period_ = Annotated[str, Query(max_length=5, description="the per-period table by day or month")]


def group_csv_rows(result: Reconciliation, table: str) -> tuple[list[str], list[list[Any]]]:
    """The per-batch or per-period table: key (and origin), the counts, and the checks that fail."""
    rows: list[GroupRow] = result.by_batch if table == "batch" else result.by_period
    first = ["Lô", "Nguồn", "Tạo lúc"] if table == "batch" else [PERIOD_NAMES[result.period]]
    header = [*first, *(GROUP_COUNT_NAMES[c] for c in GROUP_COUNTS), "Khớp", "Chênh lệch"]
    lines = []
    for row in rows:
        key = [row.key, row.origin or "", row.created_at.isoformat() if row.created_at else ""]
        key = key if table == "batch" else [row.key]
        differences = "; ".join(CHECK_NAMES[d] for d in row.differences)
        lines.append([*key, *(row.counts[c] for c in GROUP_COUNTS), "có" if row.ok else "không", differences])
    return header, lines


def _reconcile(ctx: WebContext, hashes: bool, stale_days: int, period: str = "month") -> Reconciliation:
    return reconcile(
        ctx.rt.catalog,
        ctx.rt.store,
        archive_bucket=ARCHIVE,
        incoming_bucket=INCOMING,
        lease_seconds=ctx.settings.lease_seconds,
        stale_after=timedelta(days=stale_days),
        check_hashes=hashes,
        period=period if period in PERIODS else "month",
    )


def issue_out(role: str, issue: Issue) -> dict[str, Any]:
    """An issue as JSON, with the file name masked for roles that may not see personal ids."""
    data = issue.to_json()
    data["filename"] = text_for(role, data["filename"])
    return data


StaleDays = Annotated[int, Query(ge=0, le=3650, description="waiting for review longer than this is flagged")]
Hashes = Annotated[bool, Query(description="also compare each archived PDF's stored SHA-256 with the catalog")]


@router.get("/reconciliation", include_in_schema=False)
def reconciliation_page(
    request: Request,
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    hashes: Hashes = False,
    stale_days: StaleDays = 7,
    severity: Annotated[str | None, Query(max_length=10)] = None,
    period: Period_ = "month",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    result = _reconcile(ctx, hashes, stale_days, period)
    ctx.audit_event("reconciliation_viewed", principal, via="page", hashes=hashes)
    severity = severity if severity in SEVERITIES else None
    issues = [i for i in result.issues if severity is None or i.severity == severity]
    pages = page_count(len(issues), ISSUES_PER_PAGE)
    page = min(page, pages)
    params = urlencode({"stale_days": stale_days, "period": result.period, **({"hashes": "true"} if hashes else {})})
    return render(
        request,
        "reconciliation.html",
        result=result,
        issues=[issue_out(principal.role, i) for i in issues[(page - 1) * ISSUES_PER_PAGE : page * ISSUES_PER_PAGE]],
        issues_total=len(issues),
        page=page,
        pages=pages,
        severity=severity,
        hashes=hashes,
        stale_days=stale_days,
        params=params,
        totals=[(TOTAL_NAMES[k], v) for k, v in result.totals.items()],
        balances=[(BALANCE_NAMES[b.name], b) for b in result.balances],
        kind_names=KIND_NAMES,
        severity_names=SEVERITY_NAMES,
        severities=SEVERITIES,
        number=number,
        local_time=local_time,
        group_counts=GROUP_COUNTS,
        group_count_names=GROUP_COUNT_NAMES,
        check_names=CHECK_NAMES,
        period_names=PERIOD_NAMES,
    )


@router.get("/reconciliation.csv", include_in_schema=False)
def reconciliation_csv(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    hashes: Hashes = False,
    stale_days: StaleDays = 7,
    period: Period_ = "month",
    table: Annotated[str, Query(max_length=10, description="issues, batch or period")] = "issues",
) -> Response:
    result = _reconcile(ctx, hashes, stale_days, period)
    ctx.audit_event("reconciliation_exported", principal, issues=len(result.issues), hashes=hashes, table=table)
    if table in ("batch", "period"):
        header, lines = group_csv_rows(result, table)
        name = "lo" if table == "batch" else result.period
        return csv_response(header, lines, f"doi-soat-{name}-{result.generated_at:%Y%m%d-%H%M}.csv")
    header = ["Mức độ", "Loại", "Mô tả", "Mã tài liệu", "Tên tệp", "Trạng thái", "Khóa đối tượng"]
    header += ["Kỳ vọng", "Thực tế", "Từ lúc"]
    rows = []
    for issue in result.issues:
        data = issue_out(principal.role, issue)
        rows.append(
            [
                SEVERITY_NAMES[issue.severity],
                issue.kind,
                KIND_NAMES[issue.kind],
                data["document_id"] or "",
                data["filename"] or "",
                STATUS_NAMES.get(issue.status or "", issue.status or ""),
                issue.key or "",
                "" if issue.expected is None else issue.expected,
                "" if issue.actual is None else issue.actual,
                data["since"] or "",
            ]
        )
    return csv_response(header, rows, f"doi-soat-{result.generated_at:%Y%m%d-%H%M}.csv")


@router.get("/api/v1/reconciliation", tags=["reports"])
def reconciliation_api(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    hashes: Hashes = False,
    stale_days: StaleDays = 7,
    period: Period_ = "month",
    severity: Annotated[str | None, Query(max_length=10, description="only issues of this severity")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="issues per page")] = ISSUES_PER_PAGE,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> JSONResponse:
    """Files received against documents, pages, archived objects in the store and catalog rows, in all and per batch
    (`by_batch`) and per day or month (`by_period`). Each issue names its document; `kinds` gives each kind's
    severity; `ok` is true when nothing is wrong.

    The issues come a page at a time (`limit`, `offset`, optionally one `severity`): `issues_total` counts them
    all, `issue_counts` per severity, and `next_offset` gives the next page (null on the last)."""
    if severity is not None and severity not in SEVERITIES:
        raise HTTPException(400, f"Mức độ không hợp lệ: hãy chọn một trong {', '.join(SEVERITIES)}.")
    result = _reconcile(ctx, hashes, stale_days, period)
    ctx.audit_event("reconciliation_viewed", principal, via="api", hashes=hashes)
    data = result.to_json(with_issues=False)
    issues = [i for i in result.issues if severity is None or i.severity == severity]
    data["issues"] = [issue_out(principal.role, i) for i in issues[offset : offset + limit]]
    data["issues_total"] = len(issues)
    data["next_offset"] = offset + limit if offset + limit < len(issues) else None
    data["kinds"] = KINDS
    return JSONResponse(data)
