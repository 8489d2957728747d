"""Search for officers: the /search page and GET /api/v1/search, each search recorded in the audit log.

Words may be typed with or without diacritics (see `storage.search`). Snippets and highlighted values are
built from escaped text with `<mark>` around the matches, so they go into the page as they are.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import BaseModel, Field

from schemas.times import parse_day
from storage.search import Hit, SearchResults, facets, search
from storage.search_query import MAX_PER_PAGE, MAX_QUERY_CHARS, SearchQuery
from web.auth import Principal, require
from web.context import WebContext, web
from web.masking import metadata_for
from web.pages import render

router = APIRouter()

OFFICER = require("officer")
PER_PAGE = 20

Words = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="words, with or without diacritics")]
Filter = Annotated[str | None, Query(max_length=300)]


class SearchHitOut(BaseModel):
    """One archived document found."""

    id: str
    url: str = Field(description="the document's page")
    type_name: str | None
    document_number: str | None
    issued_date: date | None
    organ_name: str | None
    subject: str | None
    holder_name: str | None
    holder_id: str | None
    exact_matches: int = Field(description="how many of the words typed with diacritics were found as typed")
    snippet: str = Field(description="a passage of the text around the matches")
    snippet_html: str = Field(description="the same passage, HTML-escaped, with <mark> around the matches")


class SearchOut(BaseModel):
    """One page of results, best first: exact spellings, then relevance, then the newest."""

    query: str
    filters: dict[str, str]
    total: int
    #: True when there are more matches than `total` (they are counted up to 1,000).
    total_capped: bool = False
    #: When not 0, too many matched to rank them all: the best of this many newest come first, then the rest
    #: newest first.
    ranked_among_newest: int = 0
    page: int
    pages: int
    per_page: int
    results: list[SearchHitOut]


def _run(ctx: WebContext, principal: Principal, query: SearchQuery) -> SearchResults:
    results = search(ctx.rt.catalog, query)
    ctx.audit_event("search", principal, query=query.text, filters=query.filters(), results=results.total)
    return results


def _hit_out(hit: Hit, role: str) -> SearchHitOut:
    meta = metadata_for(role, hit.metadata)
    return SearchHitOut(
        id=hit.document_id,
        url=f"/documents/{hit.document_id}",
        **{name: meta.get(name) for name in _SHOWN},
        exact_matches=hit.exact,
        snippet=hit.snippet.text(),
        snippet_html=hit.snippet.html(),
    )


_SHOWN = ("type_name", "document_number", "issued_date", "organ_name", "subject", "holder_name", "holder_id")


@router.get("/api/v1/search", response_model=SearchOut, tags=["search"])
def search_api(
    principal: Annotated[Principal, Depends(OFFICER)],
    ctx: Annotated[WebContext, Depends(web)],
    q: Words = "",
    type: Annotated[str | None, Query(max_length=300, description="document type, whole, e.g. quyet dinh")] = None,
    agency: Annotated[str | None, Query(max_length=300, description="part of the issuing agency's name")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="issued on or after")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="issued on or before")] = None,
    holder: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9 ]*$", description="personal id")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = PER_PAGE,
) -> SearchOut:
    """Archived documents by their words and metadata; diacritics optional (words typed with them rank
    exact spellings first). `"a phrase"` matches consecutive words, `word*` a prefix; every word must be
    found. Without words, the filters alone list documents, newest first. Officers only; audited."""
    query = SearchQuery(q, type or None, agency or None, date_from, date_to, holder or None, page, per_page)
    results = _run(ctx, principal, query)
    return SearchOut(
        query=query.text,
        filters=query.filters(),
        total=results.total,
        total_capped=results.total_capped,
        ranked_among_newest=results.ranked_among_newest,
        page=results.page,
        pages=results.pages,
        per_page=results.per_page,
        results=[_hit_out(hit, principal.role) for hit in results.hits],
    )


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    principal: Annotated[Principal, Depends(OFFICER)],
    ctx: Annotated[WebContext, Depends(web)],
    q: Words = "",
    type: Filter = None,
    agency: Filter = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    holder: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    form = {"q": q, "type": type or "", "agency": agency or "", "from": date_from or "", "to": date_to or ""}
    form["holder"] = holder or ""
    catalog = ctx.rt.catalog
    context: dict[str, Any] = {
        "form": form,
        "types": facets(catalog, "type_name"),
        "agencies": facets(catalog, "organ_name"),
    }
    try:
        day_from, day_to = parse_day(date_from), parse_day(date_to)
    except ValueError:
        return render(request, "search.html", status_code=400, error="Ngày không hợp lệ (dd/mm/yyyy).", **context)
    holder_digits = "".join(ch for ch in holder or "" if ch.isdigit())
    if holder and not holder_digits:
        return render(request, "search.html", status_code=400, error="Số định danh chỉ gồm chữ số.", **context)
    if not any(form.values()):  # nothing asked yet: the form alone
        return render(request, "search.html", **context)
    query = SearchQuery(q, type or None, agency or None, day_from, day_to, holder_digits or None, page, PER_PAGE)
    results = _run(ctx, principal, query)
    shown = {k: v for k, v in form.items() if v}
    return render(
        request,
        "search.html",
        results=results,
        hits=[_hit_view(hit, principal.role) for hit in results.hits],
        first=(results.page - 1) * results.per_page + 1,
        previous=f"/search?{urlencode({**shown, 'page': results.page - 1})}" if results.page > 1 else None,
        next=f"/search?{urlencode({**shown, 'page': results.page + 1})}" if results.page < results.pages else None,
        **context,
    )


def _hit_view(hit: Hit, role: str) -> dict[str, Any]:
    """What the page shows of a hit; the HTML parts are escaped text with <mark> around matches."""
    meta = metadata_for(role, hit.metadata)
    issued = date.fromisoformat(meta["issued_date"]).strftime("%d/%m/%Y") if meta.get("issued_date") else None
    return {
        "id": hit.document_id,
        "type_name": Markup(hit.highlighted("type_name").html()),
        "document_number": Markup(hit.highlighted("document_number").html()),
        "subject": Markup(hit.highlighted("subject").html()),
        "organ_name": Markup(hit.highlighted("organ_name").html()),
        "issued": issued,
        "holder_name": meta.get("holder_name"),
        "holder_id": meta.get("holder_id"),
        "snippet": Markup(hit.snippet.html()),
        "exact": hit.exact,
    }
