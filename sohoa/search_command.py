"""`sohoa search`: find archived documents by their words and metadata, or (re)build the search index.

Each search is recorded in the audit log as the web app's are (actor `cli:<user>`). `--reindex` indexes
every archived document again from its record in the catalog; a record the catalog lacks is read from the
archive's JSON sidecar, and text missing from a record is read back from the signed PDF's text layer.
"""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from schemas.errors import ExitCode, UsageError
from schemas.times import parse_day as search_day

if TYPE_CHECKING:
    from schemas.settings import Settings
    from storage.search import Hit, SearchQuery, SearchResults


def add_parser(commands: Any) -> None:
    """The `search` command, added to the `sohoa` subparsers."""
    search = commands.add_parser("search", help="find archived documents (diacritics optional), or --reindex")
    search.add_argument("query", nargs="*", metavar="QUERY", help='words; "a phrase" (one argument); word* a prefix')
    search.add_argument("--type", metavar="TYPE", help="document type, e.g. 'quyet dinh' (whole name)")
    search.add_argument("--agency", metavar="AGENCY", help="part of the issuing agency's name")
    search.add_argument("--from", dest="date_from", metavar="DATE", help="issued on or after (15/04/2024)")
    search.add_argument("--to", dest="date_to", metavar="DATE", help="issued on or before")
    search.add_argument("--holder", metavar="ID", help="the holder's personal id")
    search.add_argument("--page", type=int, default=1, metavar="N", help="page of results (default: 1)")
    search.add_argument("--per-page", type=int, default=20, metavar="N", help="results per page (default: 20)")
    search.add_argument("--json", action="store_true", help="machine-readable results on stdout")
    search.add_argument("--reindex", action="store_true", help="index every archived document again")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa search`: one page of results, or `--reindex`."""
    if args.reindex:
        return run_reindex(settings)
    return run_search(settings, args)


class SearchUsageError(UsageError):
    """The command line asks for something impossible; the message says what."""


def parse_day(value: str | None) -> date | None:
    """A day from the command line: 15/04/2024 or 2024-04-15."""
    try:
        return search_day(value)
    except ValueError as exc:
        raise SearchUsageError(str(exc)) from None


def query_text(arguments: list[str]) -> str:
    """The query from the command line's words: an argument with spaces (quoted in the shell) is a phrase."""
    return " ".join(f'"{a.strip()}"' if " " in a.strip() and '"' not in a else a for a in arguments)


def run_search(settings: Settings, args: argparse.Namespace) -> int:
    """Print one page of results (or JSON), and record the search in the audit log."""
    from storage.audit import AuditLog
    from storage.search import SearchQuery, search
    from workers.runtime import open_catalog

    query = SearchQuery(
        text=query_text(args.query),
        type_name=args.type,
        agency=args.agency,
        date_from=parse_day(args.date_from),
        date_to=parse_day(args.date_to),
        holder_id=args.holder,
        page=args.page,
        per_page=args.per_page,
    )
    if query.page < 1 or query.per_page < 1:
        raise SearchUsageError("--page and --per-page must be at least 1")
    with open_catalog(settings) as catalog:
        results = search(catalog, query)
        AuditLog(catalog).append(
            "search",
            actor=f"cli:{getpass.getuser()}",
            details={"query": query.text, "filters": query.filters(), "results": results.total},
        )
    if args.json:
        print(json.dumps(results_json(query, results), ensure_ascii=False, indent=2))
    else:
        print_results(query, results)
    return ExitCode.OK


def results_json(query: SearchQuery, results: SearchResults) -> dict:
    return {
        "query": query.text,
        "filters": query.filters(),
        "total": results.total,
        "total_capped": results.total_capped,
        "ranked_among_newest": results.ranked_among_newest,
        "page": results.page,
        "pages": results.pages,
        "per_page": results.per_page,
        "results": [hit_json(hit) for hit in results.hits],
    }


def hit_json(hit: Hit) -> dict:
    fields = ("type_name", "document_number", "issued_date", "organ_name", "subject", "holder_name", "holder_id")
    return {
        "id": hit.document_id,
        **{name: hit.metadata.get(name) for name in fields},
        "exact_matches": hit.exact,
        "snippet": hit.snippet.text(),
        "snippet_html": hit.snippet.html(),
    }


def print_results(query: SearchQuery, results: SearchResults) -> None:
    """The page of results on the terminal: each hit's title, agency, subject and snippet, its matches marked."""
    from rich.console import Console
    from rich.text import Text

    console = Console(soft_wrap=True)
    console.print(
        f"{'more than ' if results.total_capped else ''}{results.total} document(s) found, "
        f"page {results.page} of {results.pages}"
        + (f" (best of the {results.ranked_among_newest} newest first)" if results.ranked_among_newest else ""),
        markup=False,
        highlight=False,
    )
    for n, hit in enumerate(results.hits, start=(results.page - 1) * results.per_page + 1):
        meta = hit.metadata
        issued = date.fromisoformat(meta["issued_date"]).strftime("%d/%m/%Y") if meta.get("issued_date") else ""
        title = " · ".join(v for v in (meta.get("type_name"), meta.get("document_number"), issued) if v)
        console.print()
        console.print(Text(f"{n}. {title or '(no type or number)'}", style="bold"), Text(hit.document_id, style="dim"))
        for line in (meta.get("organ_name"), meta.get("subject")):
            if line:
                console.print(Text(f"   {line}"))
        snippet = Text("   ")
        for part, marked in hit.snippet.parts:
            snippet.append(part, style="bold reverse" if marked else None)
        console.print(snippet)
    if results.page < results.pages:
        console.print(f"\nmore: --page {results.page + 1}", markup=False, highlight=False)


def run_reindex(settings: Settings) -> int:
    """Index every archived document again and drop entries of documents no longer archived (`workers.reindex`)."""
    from rich.console import Console

    from workers.reindex import reindex
    from workers.runtime import open_catalog, open_store

    console = Console(soft_wrap=True)
    with open_catalog(settings) as catalog:
        done = reindex(catalog, open_store(settings), actor=f"cli:{getpass.getuser()}")
    console.print(f"{done.indexed} archived document(s) indexed, {done.removed} stale entries removed", highlight=False)
    for document_id in done.unreadable:
        console.print(f"[red]error:[/] {document_id}: no archived record to index")
    return ExitCode.FAILED if done.unreadable else ExitCode.OK
