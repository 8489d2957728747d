"""The reconciliation for auditors: every count traced to the documents, pages and objects behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from storage.layout import ARCHIVE, INCOMING
from storage.reconcile import ALL_ISSUES, KINDS, SEVERITIES, Issue, IssuePage, Reconciliation, reconcile
from storage.reconcile_groups import GROUP_COUNTS, PERIODS, GroupRow
from web.auth import Principal
from web.context import WebContext, web
from web.masking import text_for
from web.pages import STATUS_NAMES, local_time, page_count, render
from web.reporting import AUDITOR, BALANCE_NAMES, KIND_NAMES, SEVERITY_NAMES, TOTAL_NAMES, csv_response, number

router = APIRouter()

#: Differences per page of the reconciliation (the web page's; the API's default).
ISSUES_PER_PAGE = 500


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


def _reconcile(
    ctx: WebContext, hashes: bool, stale_days: int, period: str = "month", issues: IssuePage = ALL_ISSUES
) -> Reconciliation:
    return reconcile(
        ctx.rt.catalog,
        ctx.rt.store,
        archive_bucket=ARCHIVE,
        incoming_bucket=INCOMING,
        lease_seconds=ctx.settings.lease_seconds,
        stale_after=timedelta(days=stale_days),
        check_hashes=hashes,
        period=period if period in PERIODS else "month",
        issues=issues,
    )


def _page_of_issues(severity: str | None, page: int) -> IssuePage:
    return IssuePage(severity, (page - 1) * ISSUES_PER_PAGE, ISSUES_PER_PAGE, or_last=True)


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
    severity = severity if severity in SEVERITIES else None
    result = _reconcile(ctx, hashes, stale_days, period, _page_of_issues(severity, page))
    pages = page_count(result.count(severity), ISSUES_PER_PAGE)
    page = min(page, pages)  # past the last page, the last one was read
    ctx.audit_event("reconciliation_viewed", principal, via="page", hashes=hashes)
    params = urlencode({"stale_days": stale_days, "period": result.period, **({"hashes": "true"} if hashes else {})})
    return render(
        request,
        "reconciliation.html",
        result=result,
        issues=[issue_out(principal.role, i) for i in result.issues],
        issues_total=result.count(severity),
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
    result = _reconcile(ctx, hashes, stale_days, period, IssuePage(severity, offset, limit))
    ctx.audit_event("reconciliation_viewed", principal, via="api", hashes=hashes)
    data = result.to_json(with_issues=False)
    total = result.count(severity)
    data["issues"] = [issue_out(principal.role, i) for i in result.issues]
    data["issues_total"] = total
    data["next_offset"] = offset + limit if offset + limit < total else None
    data["kinds"] = KINDS
    return JSONResponse(data)
