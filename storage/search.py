"""Full-text search of archived documents, insensitive to diacritics, with exact spellings ranked first.

Each archived document has one `SearchEntry`: its metadata values and the OCR text of its pages, as
written (NFC). Its words, folded by `pipeline.textfold` (lower case, marks removed, đ→d) and as written, go
to the dialect's full-text index, which keeps no copy of the text: SQLite's contentless FTS5 table
`search_fts`, PostgreSQL's tsvector columns ('simple' configuration, so no stemming or stop words). Words
are cut here, in Python, the same way for the index and for queries, so both engines see the same words.

A query matches the folded words, so "dang ky kinh doanh" finds "Đăng ký kinh doanh". Words typed with
diacritics are also looked up as written: among the engine's 1,000 most relevant matches, the more of them a
document has, the higher it ranks, then the engine's relevance, then the newest; further matches follow in the
engine's order. PostgreSQL's index keeps no rank order, so there a query matching more than 1,000 documents
takes its 200 newest matches as the candidates, ordered the same way, and lists the rest newest first.
Matches are counted up to 1,000 ("more than" beyond); on PostgreSQL, a query whose rarest word its planner
expects in one entry of ten is not counted when the newest entries hold its candidates. Only archived
documents are found: each entry says whether its document is (`SearchEntry.archived`, kept by triggers), so
no match is joined to its document.

Queries are never passed to the engine as syntax: they are cut into words and phrases (a quoted phrase, or a
chunk such as "123/QĐ-UBND", is matched as consecutive words; a trailing * makes a prefix), then written as
quoted strings and bound parameters.

Queries are parsed in `storage.search_query`, documents indexed by `storage.search_index`, snippets cut in
`storage.search_snippets`; this module runs searches in each dialect's SQL.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, bindparam, func, select, text
from sqlalchemy.orm import Session

from pipeline.textfold import fold_diacritics
from storage.catalog import Catalog
from storage.search_query import MAX_PER_PAGE, SearchQuery, Term, fold_key, holder_digits, parse_query
from storage.search_snippets import Snippet, highlight, snippet
from storage.tables import SearchEntry

#: How many matches, best by the index's own rank, are ordered for exact spellings and paged; a page beyond
#: them widens the set to reach it.
CANDIDATES = 1000
#: Matches read from the index's top beyond CANDIDATES, so that a few not archived yet or a tie at the end do
#: not send a search back to ranking every match.
CANDIDATE_MARGIN = 100
#: On PostgreSQL, whose full-text index keeps no rank order, a query with more matches than this ranks only its
#: NEWEST_RANKED newest matches and lists the rest newest first: ranking reads every match's tsvector (a common
#: word's 55,000 took a second at 100,000 documents; 2,000 matches of eight words, 90 ms).
RANKED_MATCHES = 1000
#: How many of the newest matches are ranked then (at most CANDIDATES): ranking and finding the words as typed
#: cost about 45 µs a match for a query of eight words, so 1,000 of them took 45 ms of a search's 80.
NEWEST_RANKED = 200
#: Entries walked newest first, beyond twice the matches a page needs, before a query's matches are sorted by
#: date instead (`_newest_in_window`): a word in one document of ten fills the candidates within it.
NEWEST_WINDOW = 2000
#: On PostgreSQL, a query whose rarest word the planner expects in at least this share of the entries, and in
#: COMMON_CAPS times the count's cap, is not counted when the newest entries hold its NEWEST_RANKED candidates:
#: it says "more than" the cap.
COMMON_SHARE = 0.1
COMMON_CAPS = 10
#: The newest entries walked for a common query's candidates: this many times as many as the expected share
#: should hold (a phrase in 7 % of the entries, its rarest word in 10.7 %: 4,700 entries for 200 candidates).
COMMON_REACH = 2.5
#: Matches are counted up to this many; beyond, the results say "more than". Fifty pages of twenty: no one
#: reads further, and counting costs what it reads (at 100,000 documents a phrase's 10,000 took 0.2 s).
TOTAL_CAP = 1000


# --- searching ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """One document found: its metadata, a snippet of its text, and how many words matched as typed."""

    document_id: str
    metadata: dict[str, Any]
    snippet: Snippet
    exact: int
    terms: list[Term] = field(repr=False)

    def highlighted(self, name: str) -> Snippet:
        """A metadata value with its matches marked."""
        return highlight(str(self.metadata.get(name) or ""), self.terms)


@dataclass(frozen=True)
class SearchResults:
    """One page of hits. `total` counts the matches up to TOTAL_CAP; `total_capped` says there are more.
    `ranked_among_newest`, when not 0: too many matched to rank them all (PostgreSQL), so the best are those of
    this many newest matches, and the rest follow newest first."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    terms: list[Term]
    total_capped: bool = False
    ranked_among_newest: int = 0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Facet:
    """A value of a filter present among archived documents, and how many have it."""

    value: str
    count: int


def search(catalog: Catalog, query: SearchQuery) -> SearchResults:
    """Archived documents matching the query and its filters, best first, one page of them.

    An empty query lists the documents the filters admit, newest first; a query with no word in it (only
    punctuation) finds nothing.
    """
    terms = parse_query(query.text)
    page, per_page = max(1, query.page), min(max(1, query.per_page), MAX_PER_PAGE)
    if query.text.strip() and not terms:
        return SearchResults([], 0, page, per_page, terms)
    dialect = catalog.engine.dialect.name
    where, params, types = _filters(query)
    tables, exact, rank, best_first, words_only = "search_entries e", "0", "0", "", None
    if terms:
        tables, exact, rank, best_first, words_only = (_sqlite_match if dialect == "sqlite" else _postgres_match)(
            terms, params, where
        )
    from_where = f"FROM {tables} WHERE e.archived{''.join(f' AND {w}' for w in where)}"

    def matches(
        s: Session,
        first: int,
        count: int,
        *,
        exact_first: bool = False,
        ranked: bool = True,
        window: int | None = None,
    ) -> list[Any]:
        """Matches `first` to `first + count` in the index's order (`ranked`) or newest first; among them, by
        exact spellings first when asked, then by relevance. Exact spellings are counted for those rows only,
        and so is relevance when the matches were not ranked. `window`: those of that many newest entries only."""
        by_rank = f"{best_first}, " if best_first else ""

        def ways() -> Iterator[str]:
            if ranked or not terms:  # a listing walks the date index, newest first, with its filters
                yield (
                    f"SELECT e.id, e.issued_date, e.document_id, {rank} AS relevance {from_where} "
                    f"ORDER BY {by_rank}{_newest('e')} LIMIT :count OFFSET :first"
                )
                return
            if window or share * bounds["window"] >= first + count:  # the window is likely to hold them
                yield _newest_in_window(where)
            if not window:
                yield _newest_matches(where, words_only)

        # matches taken newest first are ranked among themselves only as the candidates
        order = f"{'exact_hits DESC, ' if exact_first else ''}{by_rank if ranked or exact_first else ''}{_newest('c')}"
        bounds = {"count": count, "first": first, "window": window or NEWEST_WINDOW + 2 * (first + count)}
        for chosen in ways():
            sql = (
                f"SELECT c.id, {exact} AS exact_hits, {'c.relevance' if ranked else rank} AS relevance "
                f"FROM ({chosen}) c JOIN search_entries e ON e.id = c.id ORDER BY {order}"
            )
            rows = list(s.execute(text(sql).bindparams(*types), {**params, **bounds}).all())
            if len(rows) == count or first + len(rows) >= total:  # else the window held too few: the next way
                break
        return rows

    offset = (page - 1) * per_page
    share = 1.0  # of the entries, how many match (PostgreSQL, many matches): whether the newest hold a page
    with catalog.session() as s:
        if terms and dialect == "postgresql":
            # A sequential scan reads every tsvector from its TOAST table, which the planner does not price; the
            # GIN index's bitmap reads none (3 ms, not 35 ms, for a common word's count at 9,000 documents)
            s.execute(text("SET LOCAL enable_seqscan = off"))
            # the newest of a common word's matches are sorted in memory (55,000 rows: 2 MB spilled to disk at 4 MB)
            s.execute(text("SET LOCAL work_mem = '32MB'"))
        # counted no further than the cap: "more than 1,000" says enough, and counting a common word's every
        # match would cost more than the page itself (on PostgreSQL, far enough to know whether to rank them)
        cap = max(TOTAL_CAP, RANKED_MATCHES if dialect == "postgresql" else 0) + 1
        best: list[Any] | None = None
        if terms and dialect == "postgresql" and (expected := _common_share(s, terms, where, params, types, cap)):
            # the planner expects one entry in ten or more to match: the newest entries hold the candidates, and
            # when they do, that many matches among the newest say "more than" without counting (a common word's
            # count reads the whole of its index entries: 40 ms at 700,000 documents)
            total, share = cap, 1.0
            reach = max(NEWEST_WINDOW + 2 * NEWEST_RANKED, math.ceil(COMMON_REACH * NEWEST_RANKED / expected))
            newest = matches(s, 0, NEWEST_RANKED, exact_first=True, ranked=False, window=reach)
            best = newest if len(newest) == NEWEST_RANKED else None
        if terms and dialect == "postgresql" and best is None:
            # The matches' ids rather than their count: when they are few enough to rank, the ranking reads
            # those rows by id instead of matching again (a phrase tests each candidate's tsvector: 40 ms a pass
            # for a document number at 700,000 documents).
            listed = f"SELECT e.id {from_where} LIMIT :cap"
            found = list(s.scalars(text(listed).bindparams(*types), {**params, "cap": cap}))
            total = len(found)
            share = _share_of_entries(found)
            if total <= RANKED_MATCHES:
                from_where, params, types = (
                    "FROM search_entries e WHERE e.id = ANY(:found)",
                    {**params, "found": found},
                    [],
                )
        elif best is None:
            counted = f"SELECT count(*) FROM (SELECT 1 {from_where} LIMIT :cap) m"
            total = s.execute(text(counted).bindparams(*types), {**params, "cap": cap}).scalar_one()
        # The index's CANDIDATES best matches are ordered by the words spelled as typed, then the rest follow in
        # the index's order: one order for every page, without counting exact spellings in every match.
        # PostgreSQL's index has no order of its own: beyond RANKED_MATCHES, the candidates are the newest matches.
        ranked = dialect == "sqlite" or total <= RANKED_MATCHES
        candidates = CANDIDATES if ranked else min(CANDIDATES, NEWEST_RANKED)
        rows = []
        if terms and offset < candidates:
            if dialect == "sqlite" and len(where) == 1:
                best = _from_the_index_top(s, exact, params)
            if best is None:
                best = matches(s, 0, candidates, exact_first=True, ranked=ranked)
            rows = best[offset : offset + per_page]
        if len(rows) < per_page and (start := max(offset, candidates) if terms else offset) < total:
            rows += matches(s, start, offset + per_page - start, ranked=ranked)
        entries = {e.id: e for e in s.scalars(select(SearchEntry).where(SearchEntry.id.in_([r.id for r in rows])))}

    def cut(entry: SearchEntry) -> Snippet:
        return snippet(entry.content, fold_diacritics(entry.content), entry.body_start, terms)

    hits = [
        Hit(
            document_id=entries[r.id].document_id,
            metadata=entries[r.id].metadata_values,
            snippet=cut(entries[r.id]),
            exact=int(r.exact_hits or 0),
            terms=terms,
        )
        for r in rows
        if r.id in entries  # not replaced by a re-index between the two reads
    ]
    return SearchResults(
        hits,
        min(total, TOTAL_CAP),
        page,
        per_page,
        terms,
        total_capped=total > TOTAL_CAP,
        ranked_among_newest=candidates if terms and not ranked else 0,
    )


def _from_the_index_top(s: Session, exact: str, params: dict[str, Any]) -> list[Any] | None:
    """The CANDIDATES best matches, ordered by exact spellings, read from the index's own best ranks (SQLite,
    no filter): only those rows are joined to their entries and documents, where ranking every match joined
    them all (a common word's 50,000). None when that cannot be proven to give the same rows as ranking every
    match (the rows fetched end in a tie, or too many were not archived), and every match is ranked instead.
    """
    fetch = CANDIDATES + CANDIDATE_MARGIN
    top = (
        "WITH top AS (SELECT rowid AS id, bm25(search_fts, 1.0, 0.0) AS relevance FROM search_fts "
        "WHERE search_fts MATCH :match ORDER BY relevance LIMIT :fetch) "
        f"SELECT e.id, top.relevance, e.issued_date, e.document_id, e.archived, "
        f"{exact} AS exact_hits FROM top CROSS JOIN search_entries e ON e.id = top.id"
    )
    fetched = s.execute(text(top), {**params, "fetch": fetch}).all()
    # the order of the full ranking: relevance, then the newest issued (none last), then the id (stable sorts)
    ordered = sorted(fetched, key=lambda r: r.document_id)
    ordered.sort(key=lambda r: r.issued_date or "", reverse=True)
    ordered.sort(key=lambda r: r.relevance)
    best = [r for r in ordered if r.archived][:CANDIDATES]
    every_match_fetched = len(fetched) < fetch
    if not every_match_fetched and (len(best) < CANDIDATES or best[-1].relevance >= ordered[-1].relevance):
        return None
    return sorted(best, key=lambda r: -(r.exact_hits or 0))


def _common_share(
    s: Session, terms: list[Term], where: list[str], params: dict[str, Any], types: list, cap: int
) -> float:
    """The share of the entries PostgreSQL's planner expects the query's rarest word, with the filters, to match,
    when it is COMMON_SHARE or more and COMMON_CAPS times the cap; else 0 (from its statistics of each word:
    one EXPLAIN, about 1 ms). The rarest word bounds the matches from above: words seen together, as in a phrase
    or "giay phep xay dung", match about as often as it does, where multiplying their shares said one in fifty.
    An estimate only: `search` confirms it on the newest entries before it takes it."""
    filters = "".join(f" AND {w}" for w in where[1:])
    words: dict[str, str] = {}
    for term in terms:
        for n, word in enumerate(term.folded, start=1):
            words[f"word_{len(words)}"] = _tsquery_text((word,), term.prefix and n == len(term.folded))
    each = [
        f"SELECT 1 FROM search_entries e WHERE e.archived AND e.folded_tsv @@ to_tsquery('simple', :{name}){filters}"
        for name in words
    ]
    explain = f"EXPLAIN (FORMAT JSON) {' UNION ALL '.join(each)}"
    plan = s.execute(text(explain).bindparams(*types), {**params, **words}).scalar_one()
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    expected = min(float(node["Plan Rows"]) for node in (root["Plans"] if len(each) > 1 else [root]))
    if expected < COMMON_CAPS * cap:
        return 0.0
    entries = s.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'search_entries'::regclass")) or 0
    share = min(1.0, expected / max(entries, 1.0))  # reltuples is -1 before the table's first ANALYZE
    return share if share >= COMMON_SHARE else 0.0


def _share_of_entries(found: list[int]) -> float:
    """About how many entries in one match, from the first matches the index listed: they come in the order the
    entries were written, as their ids do, so a word in one entry of two has its first thousand among the first
    two thousand ids, and a word in one of a thousand among the first million. A rare word's window of newest
    entries would hold a match or two (2,400 entries walked for nothing: 30 ms at 200,000 documents)."""
    return len(found) / (max(found) - min(found) + 1) if found else 0.0


def _newest(alias: str) -> str:
    return f"{alias}.issued_date DESC NULLS LAST, {alias}.document_id"


def _newest_in_window(where: list[str]) -> str:
    """PostgreSQL, too many matches to rank: `count` of them from `first`, newest first, if the newest `window`
    entries the filters admit hold them. The entries are walked in date order through the date index and
    each is tested as it comes, so a common word (one document in two) is found in the first few hundred
    rows, where sorting all its matches read 385,000 of them at 700,000 documents (0.3 s). With fewer matches
    in the window the page is not full, and `_newest_matches` finds them all instead."""
    filters = "".join(f" AND {w}" for w in where[1:])
    return (
        f"SELECT w.id, w.issued_date, w.document_id, 0 AS relevance FROM (SELECT e.id, e.issued_date, "
        f"e.document_id, {where[0]} AS hit FROM search_entries e WHERE e.archived{filters} "
        f"ORDER BY {_newest('e')} LIMIT :window) w WHERE w.hit ORDER BY {_newest('w')} LIMIT :count OFFSET :first"
    )


def _newest_matches(where: list[str], words_only: str | None) -> str:
    """PostgreSQL, too many matches to rank: `count` of them from `first`, newest first.

    The matches come from the GIN index's bitmap, which reads no tsvector, and are sorted by date (`OFFSET 0`
    keeps the planner from reading them in date order through the date index instead, testing each row's
    tsvector: 7,000 of them, 0.1 s, for a word in one document of seven). A phrase needs its rows' tsvectors
    (only they say which words stand in a row), so its words are matched from the index and the phrase
    tested on the sorted rows one by one, until the page is full.
    """
    matched = (
        "SELECT e.id, e.issued_date, e.document_id FROM search_entries e WHERE e.archived AND "
        + " AND ".join([words_only or where[0], *where[1:]])
        + " OFFSET 0"
    )
    newest = f"ORDER BY {_newest('m')}"
    phrase = ""
    if words_only is not None:  # the rows sorted first, then tested in that order
        matched = f"SELECT m.* FROM ({matched}) m {newest}"
        phrase = f" CROSS JOIN LATERAL (SELECT 1 FROM search_entries e WHERE e.id = m.id AND {where[0]} OFFSET 0) p"
    return (
        f"SELECT m.id, m.issued_date, m.document_id, 0 AS relevance FROM ({matched}) m{phrase} {newest} "
        "LIMIT :count OFFSET :first"
    )


def _filters(query: SearchQuery) -> tuple[list[str], dict[str, Any], list]:
    where: list[str] = []
    params: dict[str, Any] = {}
    types = []
    if type_key := fold_key(query.type_name):
        where.append("e.type_key = :type_key")
        params["type_key"] = type_key
    if organ_key := fold_key(query.agency):
        where.append("e.organ_key LIKE :organ_like ESCAPE '\\'")
        params["organ_like"] = "%" + re.sub(r"([\\%_])", r"\\\1", organ_key) + "%"
    for name, value, op in (("date_from", query.date_from, ">="), ("date_to", query.date_to, "<=")):
        if value is not None:
            where.append(f"e.issued_date {op} :{name}")
            params[name] = value
            types.append(bindparam(name, type_=Date()))
    if query.holder_id is not None:
        where.append("e.holder_id = :holder_id")
        params["holder_id"] = holder_digits(query.holder_id)
    return where, params, types


def _fts5_string(words: tuple[str, ...], prefix: bool) -> str:
    """An FTS5 string of words that hold only letters and digits (so no quote can appear in it)."""
    return '"' + " ".join(words) + '"' + (" *" if prefix else "")


def _sqlite_match(terms: list[Term], params: dict[str, Any], where: list[str]) -> tuple[str, str, str, str, None]:
    """The tables, exact-hit count, rank and best-first order of a query on FTS5; its MATCH goes into `where`.

    The matches drive the join (CROSS JOIN keeps SQLite's order): joined from the documents instead, every
    archived document was looked up in the index in turn, 0.25-1.5 s at a few thousand documents, not 1 ms.
    """
    params["match"] = " AND ".join(f"folded : {_fts5_string(t.folded, t.prefix)}" for t in terms)
    where.insert(0, "search_fts MATCH :match")
    exact = []
    for i, term in enumerate(t for t in terms if t.accented):
        params[f"exact_{i}"] = f"exact : {_fts5_string(term.words, term.prefix)}"
        exact.append(f"(e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :exact_{i}))")
    tables = "search_fts CROSS JOIN search_entries e ON e.id = search_fts.rowid"
    return tables, " + ".join(exact) or "0", "bm25(search_fts, 1.0, 0.0)", "relevance", None


def _tsquery_text(words: tuple[str, ...], prefix: bool, *, together: str = " <-> ") -> str:
    """to_tsquery's text for consecutive words of letters and digits, each quoted."""
    return together.join(f"'{w}'" for w in words) + (":*" if prefix else "")


#: Words the index's pairs are written of (migration 0019): PostgreSQL's parser keeps each as one lexeme.
_PAIRED_WORD = re.compile(r"[a-z0-9]{1,100}")


def _number_pairs(term: Term) -> list[str]:
    """The index's lexemes for a phrase's consecutive words with a digit in either (migration 0019), in tsquery's
    syntax; a prefix's last word is not paired, nor a word PostgreSQL's parser might cut otherwise."""
    words = term.folded[:-1] if term.prefix else term.folded
    return [
        f"'{a} {b}'"
        for a, b in itertools.pairwise(words)
        if _PAIRED_WORD.fullmatch(a) and _PAIRED_WORD.fullmatch(b) and re.search("[0-9]", a + b)
    ]


def _postgres_match(
    terms: list[Term], params: dict[str, Any], where: list[str]
) -> tuple[str, str, str, str, str | None]:
    """The tables, exact-hit count, rank and best-first order of a query on tsvectors, and when it has a phrase,
    the match of its words anywhere (which the index answers alone); its match goes into `where`. The query is
    written out where it is used: built from constants, the planner computes it once."""
    parts, words, pairs = [], [], []
    for i, term in enumerate(terms):
        params[f"q_{i}"] = _tsquery_text(term.folded, term.prefix)
        parts.append(f"to_tsquery('simple', :q_{i})")
        params[f"w_{i}"] = _tsquery_text(term.folded, term.prefix, together=" & ")
        words.append(f"to_tsquery('simple', :w_{i})")
        if number_pairs := _number_pairs(term):
            params[f"p_{i}"] = " & ".join(number_pairs)
            pairs.append(f"CAST(:p_{i} AS tsquery)")
    tsquery = f"({' && '.join(parts)})"
    # a phrase's pairs with a digit are in every entry that holds it: the index finds those entries by them
    where.insert(0, f"e.folded_tsv @@ ({' && '.join(parts + pairs)})")
    words_only = f"e.folded_tsv @@ ({' && '.join(words + pairs)})" if any(len(t.words) > 1 for t in terms) else None
    exact = []
    for i, term in enumerate(t for t in terms if t.accented):
        params[f"exact_{i}"] = _tsquery_text(term.words, term.prefix)
        exact.append(f"(e.exact_tsv @@ to_tsquery('simple', :exact_{i}))::int")
    rank = f"ts_rank_cd(e.folded_tsv, {tsquery})"
    return "search_entries e", " + ".join(exact) or "0", rank, "relevance DESC", words_only


def facets(catalog: Catalog, name: str, limit: int = 200) -> list[Facet]:
    """The types ("type_name") or agencies ("organ_name") of archived documents, most frequent first."""
    column, key = {
        "type_name": (SearchEntry.type_name, SearchEntry.type_key),
        "organ_name": (SearchEntry.organ_name, SearchEntry.organ_key),
    }[name]
    with catalog.session() as s:
        rows = s.execute(
            select(func.min(column), func.count())
            .where(SearchEntry.archived, key.is_not(None))
            .group_by(key)
            .order_by(func.count().desc(), func.min(column))
            .limit(limit)
        ).all()
    return [Facet(value, count) for value, count in rows if value is not None]
