"""What the report, rates and reconciliation pages share: the auditor's query from the URL, names in
Vietnamese, numbers as Vietnamese write them, and CSV downloads (`storage.spreadsheet`).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

from fastapi import HTTPException, Query
from fastapi.responses import Response

from storage.reports import COUNTS, GROUPINGS, STATUSES, Report, ReportQuery, ReportRow
from storage.spreadsheet import write_csv
from web.auth import require
from web.pages import STATUS_NAMES, form_day

AUDITOR = require("auditor")
#: Dossier totals are supplied by admins only: auditors check the figures, they do not enter them.
ADMIN = require("admin")
UNKNOWN = "(không rõ)"

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


def text_or_none(value: str | None) -> str | None:
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
    status = text_or_none(status)
    if status is not None and status not in STATUSES:
        raise HTTPException(400, "Trạng thái không hợp lệ.")
    start, end = form_day(since, "từ ngày"), form_day(until, "đến ngày")
    if start and end and end < start:
        raise HTTPException(400, "Ngày kết thúc đứng trước ngày bắt đầu.")
    return ReportQuery(
        by=by, since=start, until=end, agency=text_or_none(agency), type_name=text_or_none(type_name), status=status
    )


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
