"""Province scale: how search, reports and audit behave as the catalog grows (never a timed test).

The catalog is filled through the pipeline's own catalog calls, in the order an archived document makes them
(`receive`, `start_pages`, `finish_page` for each page with its text, the `assembled` and `signed` events,
`update_index`, `finish`): eight audit events per document, as in production. Each document is
one of `samples/`'s kinds with its metadata and about 2,500 characters of body text; holders' ids, numbers
and names make the vocabulary grow with the archive as a real one does.

Then, in-process: search over a fixed set of query classes (p50, p95, worst), reports by every grouping (as
the web page and the CLI get them, and once with the ids behind every count), audit verification (events
per second) and the audit log's first and last pages; and through the command line: `sohoa search`,
`sohoa report`, and `sohoa catalog rebuild` into a new catalog from the filled documents' record sidecars
(documents per second, peak memory). Also the catalog's bytes per document and the peak memory.

    python -m bench.scale --documents 1000 10000 [--backend sqlite|postgresql] [--work DIR]

Filling ran at 17-40 documents a second on SQLite on two cores with another bench beside it (11-14 on
PostgreSQL): 100,000 documents took 45 minutes on SQLite and need about 2.6 GB of disk there. PostgreSQL runs on a new
database on this machine's server (127.0.0.1:5432), dropped after the run, or on the empty one
`--postgres-url` names. `--bulk` fills through `bench.scale_fill.bulk_fill` instead, the same rows written a
thousand documents a transaction in batched statements; `tests/test_scale_fill.py` checks that it writes the
rows `fill` writes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from bench.workers import fresh_database
from samples.documents import ALL_KINDS, build_content
from samples.generate import metadata_of
from schemas.record import ArchiveInfo, DocumentRecord, PageInfo, ResultMetadata, SourceInfo
from sohoa import cli
from storage.audit import SYSTEM, AuditLog
from storage.audit_verify import verify_chain
from storage.catalog import Catalog, document_id_for
from storage.local_store import LocalFolderStore
from storage.rates import Period, compute_rates, set_dossier_total
from storage.reconcile import IssuePage, reconcile
from storage.report_counts import fold_changes
from storage.reports import GROUPINGS, ReportQuery, build_report
from storage.search import SearchQuery, search
from storage.search_index import update_index

SOHOA = str(Path(sys.executable).with_name("sohoa"))
TEXT_CHARS = 2500
#: When the first document filled was received; each next one seven minutes later.
FIRST_RECEIVED = datetime(2024, 1, 1, tzinfo=UTC)


def document_record(index: int, seed: int) -> DocumentRecord:
    """The record of the `index`-th archived document: a sample kind's metadata and ~2,500 characters of text."""
    rng = random.Random(seed * 1_000_003 + index)
    content = build_content(rng.choice(ALL_KINDS), rng, parent_organ=rng.random() < 0.5)
    paragraphs = [para.text for para in content.body]
    while sum(map(len, paragraphs)) < TEXT_CHARS:
        paragraphs.append(content.more().text)
    paragraphs.append(_particulars(rng))
    half = len(paragraphs) // 2
    texts = ["\n".join(paragraphs[:half]), "\n".join(paragraphs[half:])]
    metadata = {k: v for k, v in metadata_of(content, len(texts)).items() if v is not None}
    if rng.random() < 0.9:  # most results belong to a dossier, some dossiers to two results
        metadata["dossier_code"] = f"000.00.{index // 2 % 97:02d}.H{index // 2 % 63:02d}-{index // 2:06d}"
    sha = hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()
    document_id = document_id_for(sha)
    received = FIRST_RECEIVED + timedelta(minutes=index * 7)
    return DocumentRecord(
        id=document_id,
        source=SourceInfo(filename=f"scan-{index}.pdf", sha256=sha, size_bytes=200_000, media_type="application/pdf"),
        status="archived",
        pages=[
            PageInfo(number=n, width_px=2480, height_px=3508, dpi=300, skew_deg=0, rotation_deg=0, blank=False, text=t)
            for n, t in enumerate(texts, start=1)
        ],
        text="\n\n".join(texts),
        metadata=ResultMetadata.model_validate(metadata),
        archive=ArchiveInfo(
            bucket="archive",
            key=f"{document_id}/{document_id}.pdf",
            pdf_sha256=sha,
            signer="TEST",
            signed_at=received + timedelta(minutes=2),
        ),
        received_at=received,
        finished_at=received + timedelta(minutes=3),
    )


def _particulars(rng: random.Random) -> str:
    """What makes each real document's words its own: a dossier code, a plot, a phone, a receipt, amounts."""
    number = rng.randint
    dossier = f"H{number(10, 99)}.{number(10, 99)}-{number(100000, 999999)}-{number(1, 9999):04d}"
    return (
        f"Mã hồ sơ: {dossier}; thửa đất số {number(1, 99999)}, tờ bản đồ số {number(1, 999)}; "
        f"điện thoại 0{number(300000000, 999999999)}; biên lai số {number(1000000, 9999999)}; "
        f"lệ phí {number(10, 999)}.{number(0, 999):03d} đồng."
    )


def fill(catalog: Catalog, start: int, stop: int, seed: int) -> None:
    """Archive documents `start` to `stop` through the catalog calls the pipeline makes, in its order."""
    log = AuditLog(catalog)
    batch = catalog.create_batch(origin="bench")
    for index in range(start, stop):
        record = document_record(index, seed)
        doc = record.id
        catalog.receive(
            batch, filename=record.source.filename, sha256=record.source.sha256, size_bytes=1, incoming_key=doc
        )
        catalog.start_pages(doc, "application/pdf", len(record.pages))
        for page in record.pages:  # the last one claims the assembly, as in the pipeline
            prefix = f"{doc}/page-{page.number:04d}"
            info = page.model_dump(mode="json")
            keys = {"image_key": f"{prefix}.jpg", "words_key": f"{prefix}.words.json"}
            catalog.finish_page(doc, page.number, status="done", info=info, warnings=[], **keys)
        log.append("assembled", actor=SYSTEM, document_id=doc, details={"pages": len(record.pages)})
        log.append("signed", actor=SYSTEM, document_id=doc, details={"signer": "TEST"})
        update_index(catalog, record, before_finish=True)
        catalog.finish(doc, record, number_key=f"{record.metadata.document_number}:{index}")


#: Query classes an officer types, each a few queries.
QUERIES: dict[str, list[SearchQuery]] = {
    "common words": [SearchQuery("quyết định"), SearchQuery("ủy ban nhân dân"), SearchQuery("quyền sử dụng đất")],
    "without diacritics": [SearchQuery("giay phep xay dung"), SearchQuery("uy ban nhan dan huyen")],
    # each in under 1 % of the documents the bench writes ("tạp hóa" and "sông" were in one in ten at 100,000)
    "rare words": [SearchQuery("qlđđ"), SearchQuery("tccb"), SearchQuery("stnmt")],
    "phrase": [SearchQuery('"quyền sử dụng đất"'), SearchQuery('"mục đích sử dụng"')],
    "5+ words": [SearchQuery("căn cứ luật tổ chức chính quyền địa phương")],
    "prefix": [SearchQuery("thu*"), SearchQuery("xây*")],
    "number": [SearchQuery(str(document_record(0, 1).metadata.document_number))],
    "filters": [
        SearchQuery("quyết định", type_name="quyet dinh"),
        SearchQuery(agency="ủy ban nhân dân"),
        SearchQuery(date_from=date(2021, 1, 1), date_to=date(2021, 12, 31)),
    ],
    "page 50": [SearchQuery("quyết định", page=50)],
}


@dataclass
class Row:
    """One measurement: what, and its figures."""

    what: str
    figures: str


def _timed(action: Callable[[], object], repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def _in_process(args: list[str], env: dict[str, str]) -> None:
    """A `sohoa` command run in this process, its modules already loaded: its work without the process's start
    (the interpreter, the imports), which is what a command's wall time less this is."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        with open(os.devnull, "w") as devnull, redirect_stdout(devnull), redirect_stderr(devnull):
            cli.main(args)
    except SystemExit:  # --help
        pass
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _spread(seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms"


def _rates_and_reconciliation(catalog: Catalog, documents: int) -> list[Row]:
    """The Decree 45 rates over every month filled (each given 1,000 dossiers received), and the
    reconciliation against an empty store (the bench writes no objects, so every archived row is a difference:
    the most a reconciliation ever lists)."""
    months, month, last = [], FIRST_RECEIVED.date().replace(day=1), FIRST_RECEIVED + timedelta(minutes=7 * documents)
    while month <= last.date():
        months.append(f"{month:%Y-%m}")
        month = (month + timedelta(days=32)).replace(day=1)
    for month in months:
        set_dossier_total(catalog, Period.parse(month), 1000, supplied_by="bench")
    rates = _timed(lambda: compute_rates(catalog))
    with tempfile.TemporaryDirectory() as empty:
        store = LocalFolderStore(Path(empty))
        first = IssuePage(limit=500)  # what the web page and the API show
        started = time.perf_counter()
        page = reconcile(catalog, store, check_audit_chain=False, issues=first)
        summary = time.perf_counter() - started
        whole = reconcile(catalog, store, check_audit_chain=False)
        every = time.perf_counter() - started - summary
    differences = f"({page.count()} differences, an empty store)"
    return [
        Row("rates", f"{1000 * rates[0]:8.1f} ms  ({len(months)} months)"),
        Row("reconciliation, summary and first 500", f"{1000 * summary:8.1f} ms  {differences}"),
        Row("reconciliation, every difference", f"{1000 * every:8.1f} ms  ({len(whole.issues)} read)"),
    ]


def search_statements(catalog: Catalog, query: SearchQuery) -> list[tuple[str, object]]:
    """The SQL statements (and their parameters) a search runs, in order: their plans say how it is run."""
    statements: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(catalog.engine, "before_cursor_execute", keep)
    try:
        search(catalog, query)
    finally:
        event.remove(catalog.engine, "before_cursor_execute", keep)
    return statements


def counts_matches(statement: str) -> bool:
    """Whether a search's statement counts its matches (PostgreSQL lists their ids, up to the cap)."""
    return statement.startswith(("SELECT count", "SELECT e.id FROM search_entries e WHERE"))


def count_statement(catalog: Catalog, query: SearchQuery) -> tuple[str, object]:
    """The statement with which a search counts its matches: the one whose plan says how the index is used."""
    return next(st for st in search_statements(catalog, query) if counts_matches(st[0]))


def count_plan(catalog: Catalog, query: SearchQuery, *, analyze: bool = False) -> list[str]:
    """PostgreSQL's plan for a search's count, in the transaction the search runs it in: the statements before
    it (its settings) are replayed first."""
    with catalog.engine.begin() as connection:
        for statement, parameters in search_statements(catalog, query):
            if counts_matches(statement):
                explain = f"EXPLAIN {'ANALYZE ' if analyze else ''}{statement}"
                return [row[0] for row in connection.exec_driver_sql(explain, parameters)]
            connection.exec_driver_sql(statement, parameters)
    raise AssertionError("the search counted nothing")


def _search_scan(catalog: Catalog, query: SearchQuery) -> str:
    """How PostgreSQL reads the search entries to count a query's matches: the GIN index, or every row."""
    if not any(counts_matches(statement) for statement, _ in search_statements(catalog, query)):
        return "not counted (the newest entries held the candidates)"
    plan = count_plan(catalog, query)
    return next((step.split("(")[0].strip(" ->") for step in plan if "search_entries" in step), "?")


def measure(catalog: Catalog, documents: int, env: dict[str, str], db_bytes: int | None) -> list[Row]:
    """Every figure of the bench on a filled catalog."""
    rows = []
    for name, queries in QUERIES.items():
        times = [t for query in queries for t in _timed(lambda q=query: search(catalog, q), repeat=3)]
        hits = search(catalog, queries[0]).total
        rows.append(Row(f"search: {name}", f"{_spread(times)}  ({hits} hits)"))
    if catalog.engine.dialect.name == "postgresql":
        for name in ("rare words", "common words"):
            rows.append(Row(f"search plan: {name}", _search_scan(catalog, QUERIES[name][0])))
    some_holder = catalog_holder_id(documents)
    if some_holder:
        times = _timed(lambda: search(catalog, SearchQuery(holder_id=some_holder)), repeat=5)
        rows.append(Row("search: holder id", _spread(times)))
    for by in GROUPINGS:
        times = _timed(lambda b=by: build_report(catalog, ReportQuery(by=b), with_ids=False))
        rows.append(Row(f"report by {by}", f"{1000 * times[0]:8.1f} ms"))
    started = time.perf_counter()
    traced = build_report(catalog, ReportQuery(by="month"), with_ids=True)
    built = time.perf_counter()
    traced.to_json(with_ids=True)  # what the API answers with
    as_json = time.perf_counter()
    figures = f"{1000 * (built - started):8.1f} ms  (and {1000 * (as_json - built):.1f} ms as JSON)"
    rows.append(Row("report by month, with ids", figures))
    rows += _rates_and_reconciliation(catalog, documents)
    log = AuditLog(catalog)
    events = log.count()
    started = time.perf_counter()
    report = verify_chain(catalog)
    seconds = time.perf_counter() - started
    rows.append(Row("audit verify", f"{events} events, {events / seconds:,.0f} events/s, intact: {report.ok}"))
    rows.append(Row("audit log, first page", f"{1000 * _timed(lambda: log.events(limit=50))[0]:8.1f} ms"))
    last = max(0, events - 50)
    rows.append(Row("audit log, last page", f"{1000 * _timed(lambda: log.events(limit=50, offset=last))[0]:8.1f} ms"))
    by_key = _timed(lambda: log.events(limit=50, after=0))  # the oldest fifty, as the viewer's last page reads them
    rows.append(Row("audit log, last page by key", f"{1000 * by_key[0]:8.1f} ms"))
    rows.append(Row("audit log, capped count", f"{1000 * _timed(lambda: log.count(cap=10_000))[0]:8.1f} ms"))
    for args in (["--help"], ["search", "quyết định"], ["search", "giay phep xay dung"], ["report", "--json"]):
        run = lambda a=args: subprocess.run([SOHOA, *a], env=env, capture_output=True, check=True, timeout=3600)  # noqa: E731
        times = _timed(run, repeat=3)  # the first may read the catalog from disk; the best says the start
        work = min(_timed(lambda a=args: _in_process(a, env), repeat=3))
        rows.append(
            Row(
                f"CLI: sohoa {' '.join(args)}",
                f"{min(times):8.2f} s best of 3, first {times[0]:.2f} s; start {min(times) - work:.2f} s "
                f"(the same command in this process {work:.2f} s)",
            )
        )
    if db_bytes is not None:
        rows.append(Row("catalog bytes per document", f"{db_bytes / documents / 1024:8.1f} KB"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(Row("peak memory (this process)", f"{peak:8.0f} MB"))
    return rows


def rebuild_rows(work: Path, documents: int, seed: int, backend: str) -> list[Row]:
    """`sohoa catalog rebuild` into a new catalog from the record sidecars of the documents filled."""
    folder = work / "rebuild"
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(documents):
        record = document_record(index, seed)
        sidecar = folder / "objects" / "archive" / record.id / f"{record.id}.json"
        sidecar.parent.mkdir(parents=True)
        sidecar.write_text(record.model_dump_json())
    env = {**os.environ, "SOHOA_DATA_DIR": str(folder)}
    with fresh_database() if backend == "postgresql" else nullcontext(None) as url:
        if url:
            env["SOHOA_DATABASE_URL"] = url
        started = time.perf_counter()
        child = subprocess.Popen([SOHOA, "catalog", "rebuild"], env=env, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)  # its own peak memory, not that of the other children
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
    shutil.rmtree(folder)
    if child.returncode != 0:
        raise RuntimeError(f"sohoa catalog rebuild failed with exit code {child.returncode}")
    figures = f"{documents / seconds:8.0f} documents/s, {seconds:.1f} s, peak {usage.ru_maxrss / 1024:.0f} MB"
    return [Row("CLI: sohoa catalog rebuild", figures)]


def catalog_holder_id(documents: int, seed: int = 1) -> str | None:
    """A holder's id among the first documents filled (the generator's, so the bench reads no record)."""
    records = (document_record(index, seed) for index in range(min(documents, 200)))
    return next((record.metadata.holder_id for record in records if record.metadata.holder_id), None)


@contextmanager
def catalog_for(
    backend: str, work: Path, postgres_url: str | None = None
) -> Iterator[tuple[Catalog, dict[str, str], Callable[[], int]]]:
    """A fresh, empty catalog on `backend`; the environment that points `sohoa` at it; its size in bytes.

    On PostgreSQL, `postgres_url` names an empty database to fill; without it, one is made on this machine's
    server for the run and dropped after it.
    """
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOHOA_DATA_DIR": str(work / "data")}
    if backend == "postgresql":
        with nullcontext(postgres_url) if postgres_url else fresh_database() as url:
            env["SOHOA_DATABASE_URL"] = url
            catalog = Catalog(url)

            def size() -> int:
                with catalog.engine.connect() as connection:
                    return int(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar())

            try:
                yield catalog, env, size
            finally:
                catalog.close()
        return
    path = work / "data" / "catalog.sqlite3"
    for stale in path.parent.glob("catalog.sqlite3*"):
        stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(f"sqlite:///{path}")
    try:
        yield catalog, env, lambda: sum(p.stat().st_size for p in path.parent.glob("catalog.sqlite3*"))
    finally:
        catalog.close()


def documents_in(catalog: Catalog) -> int:
    """How many documents the catalog holds: a kept database goes on from there (the fill is the same
    document for the same index and seed, whenever it is written)."""
    with catalog.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM documents").scalar_one())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[1000, 10_000], metavar="N")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--work", type=Path, default=Path("bench/results/scale"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        metavar="URL",
        help="a database to fill and keep, to measure again later: one filled to N documents goes on from N "
        "(default: a new one, dropped after)",
    )
    parser.add_argument(
        "--no-rebuild", dest="rebuild", action="store_false", help="skip `sohoa catalog rebuild` from sidecars"
    )
    parser.add_argument("--bulk", action="store_true", help="fill with bench.scale_fill.bulk_fill (the same rows)")
    args = parser.parse_args(argv)
    filler = fill
    if args.bulk:
        from bench.scale_fill import bulk_fill  # it imports this module

        filler = bulk_fill
    with catalog_for(args.backend, args.work, args.postgres_url) as (catalog, env, size):
        filled = documents_in(catalog)
        for target in sorted(args.documents):
            if target < filled:
                print(f"\n{args.backend}, {target} documents: skipped, the catalog already holds {filled}", flush=True)
                continue
            started = time.perf_counter()
            if target > filled:  # a kept database already at `target` is measured as it is
                filler(catalog, filled, target, args.seed)
            seconds = time.perf_counter() - started
            rate = f", {(target - filled) / seconds:.0f} documents/s" if target > filled else ""
            print(
                f"\n{args.backend}, {target} documents (filled {target - filled} in {seconds:.0f} s{rate})",
                flush=True,
            )
            filled = target
            started = time.perf_counter()
            moved = fold_changes(catalog)  # what the sweeper does every round while the archive fills
            fold = Row("fold report counter changes", f"{moved} changes in {time.perf_counter() - started:.1f} s")
            # the statistics and visibility maps autovacuum keeps (PostgreSQL), the statistics `PRAGMA optimize`
            # makes as catalogs close (SQLite): a fill this fast, in one process, outruns them. After the fold,
            # whose deleted changes a server without autovacuum would otherwise scan in every report
            with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                if args.backend == "sqlite":
                    connection.exec_driver_sql("PRAGMA analysis_limit=400")
                connection.exec_driver_sql("VACUUM ANALYZE" if args.backend == "postgresql" else "ANALYZE")
            rows = [fold, *measure(catalog, target, env, size())]
            if args.rebuild:
                rows += rebuild_rows(args.work, target, args.seed, args.backend)
            for row in rows:
                print(f"  {row.what:34} {row.figures}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
