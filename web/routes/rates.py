"""The Decree 45 rates and the dossier totals they need: admins supply the totals, auditors read the rates."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from storage.rates import Period, Rates, RatesError, compute_rates, dossier_totals, set_dossier_total
from storage.reports import ReportQuery
from web.auth import Principal
from web.context import WebContext, web
from web.reporting import ADMIN, AUDITOR, csv_response, report_query, text_or_none

router = APIRouter()


def percent(value: float | None) -> str:
    """0.8125 → "81,25 %", as Vietnamese write it; "—" when there is no denominator."""
    return "—" if value is None else f"{value * 100:.2f}".replace(".", ",") + " %"


def rates_for(ctx: WebContext, query: ReportQuery) -> Rates:
    return compute_rates(ctx.rt.catalog, since=query.since, until=query.until, agency=query.agency)


def rate_params(query: ReportQuery) -> dict[str, str]:
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
    return JSONResponse(rates_for(ctx, query).to_json())


@router.get("/rates.csv", include_in_schema=False)
def rates_csv(
    principal: Annotated[Principal, Depends(AUDITOR)],
    ctx: Annotated[WebContext, Depends(web)],
    query: Annotated[ReportQuery, Depends(report_query)],
) -> Response:
    rates = rates_for(ctx, query)
    ctx.audit_event("rates_exported", principal, **rate_params(query))
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
        ctx.rt.catalog,
        period,
        given.dossiers_received,
        agency=text_or_none(given.agency),
        supplied_by=principal.username,
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
