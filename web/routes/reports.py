"""Reports for auditors: counts by day, month, agency, type or status, as a page with its chart, CSV and JSON.

CSV files start with a UTF-8 byte order mark so Excel reads Vietnamese correctly; cells that a
spreadsheet would take for a formula are prefixed with an apostrophe. File names are masked for
auditors like any other text that might hold a citizen id (see `web.routes.audit_log`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from storage.fixity import last_fixity_run
from storage.rates import REUSE_TARGET, dossier_totals
from storage.reports import COUNTS, STATUSES, ReportQuery, build_report, report_choices
from web.auth import Principal
from web.context import WebContext, web
from web.pages import render
from web.report_chart import build_chart
from web.reporting import (
    AUDITOR,
    CHART_SERIES,
    COUNT_NAMES,
    GROUP_NAMES,
    csv_response,
    key_name,
    number,
    report_csv_rows,
    report_query,
)
from web.routes.rates import DOSSIER_OUTCOMES, percent, rate_params, rates_for

router = APIRouter()


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
        rates=rates_for(ctx, query),
        rate_params=urlencode(rate_params(query)),
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
