"""Officers' search on the digitized sample archive: the page, the API, roles, the audit log, and `sohoa search`.

The corpus was digitized by `sohoa digitize`, so finding its documents here also shows that archiving
indexed them. Queries are typed without diacritics, from each document's true metadata.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from pipeline.textfold import fold_diacritics
from schemas.settings import Settings
from sohoa.cli import main
from storage.audit import EventFilter
from storage.catalog import Catalog
from storage.search import SearchQuery, search
from storage.search_index import indexed_ids, remove_from_index
from storage.search_query import words_of
from tests.web.conftest import ARCHIVED, HELD, Corpus, api_token, sign_in, sohoa_environment

ARCHIVED_STEMS = [stem for stem, _, _ in ARCHIVED]


def plain_words(corpus: Corpus, stem: str, field: str, count: int = 6) -> str:
    """Up to `count` words of the document's true `field`, without diacritics, each one the OCR text has."""
    read = set(words_of(fold_diacritics(corpus.records[stem].text)))
    wanted = words_of(fold_diacritics(corpus.truths[stem][field]))
    words = [w for w in wanted if w in read and len(w) > 1]
    assert len(words) >= min(3, len(wanted)), f"the OCR text of {stem} lost its {field}: {corpus.records[stem].text}"
    return " ".join(words[:count])


def event(client: TestClient, actor: str):
    events = client.app.state.web.audit.events(EventFilter(action="search", actor=actor))
    return events[0] if events else None


def test_an_officer_finds_a_document_by_its_subject_typed_without_diacritics(app_client: TestClient, corpus: Corpus):
    query = plain_words(corpus, "decision", "subject")
    assert query == fold_diacritics(query)  # no diacritics at all
    sign_in(app_client, "officer")

    page = app_client.get("/search", params={"q": query})

    assert page.status_code == 200
    links = re.findall(r'<h2><a href="/documents/([0-9a-f]+)">', page.text)
    assert links[0] == corpus.id_of("decision")
    assert "Tìm thấy <strong>" in page.text
    # the original words, with their diacritics, are highlighted
    marked = re.findall(r"<mark>([^<]+)</mark>", page.text)
    assert {fold_diacritics(m) for m in marked} >= set(query.split()[:2])
    assert any(m != fold_diacritics(m) for m in marked)
    assert '<link rel="stylesheet" href="/static/search.css">' in page.text
    assert app_client.get("/static/search.css").status_code == 200
    # and the search is in the audit log
    logged = event(app_client, "officer1")
    assert logged.role == "officer"
    assert logged.details == {"query": query, "filters": {}, "results": len(links)}


def test_the_api_finds_each_archived_document_and_filters_by_its_metadata(app_client: TestClient, corpus: Corpus):
    headers = api_token(app_client, "officer")
    for stem in ("permit", "certificate"):
        meta = corpus.records[stem].metadata
        query = plain_words(corpus, stem, "holder_name" if stem == "certificate" else "subject", count=4)
        body = app_client.get("/api/v1/search", params={"q": query}, headers=headers).json()
        assert body["results"][0]["id"] == corpus.id_of(stem), (stem, query, body)
        first = body["results"][0]
        assert first["url"] == f"/documents/{corpus.id_of(stem)}"
        assert first["type_name"] == meta.type_name and first["organ_name"] == meta.organ_name
        assert "<mark>" in first["snippet_html"] and "<" not in first["snippet"]

        # Filters from its metadata, typed without diacritics, keep it; others drop it
        filters = {"type": fold_diacritics(meta.type_name), "agency": fold_diacritics(meta.organ_name)[3:]}
        if meta.issued_date:
            filters |= {"from": meta.issued_date.isoformat(), "to": meta.issued_date.isoformat()}
        if meta.holder_id:
            filters["holder"] = meta.holder_id
        kept = app_client.get("/api/v1/search", params={"q": query, **filters}, headers=headers).json()
        assert [r["id"] for r in kept["results"]] == [corpus.id_of(stem)]
        assert kept["filters"] == filters
        dropped = app_client.get("/api/v1/search", params={"q": query, "type": "thong bao"}, headers=headers)
        assert dropped.json()["total"] == 0


def test_documents_waiting_for_review_are_not_found(app_client: TestClient, corpus: Corpus):
    headers = api_token(app_client, "officer")
    query = plain_words(corpus, HELD[0], "subject")  # words its OCR text does have
    body = app_client.get("/api/v1/search", params={"q": query}, headers=headers).json()
    assert body["total"] == 0 and body["results"] == []
    listing = app_client.get("/api/v1/search", headers=headers).json()  # no words: every searchable document
    assert sorted(r["id"] for r in listing["results"]) == sorted(corpus.id_of(s) for s in ARCHIVED_STEMS)


def test_pages_of_results_on_the_api_and_the_page(app_client: TestClient, monkeypatch: pytest.MonkeyPatch):
    headers = api_token(app_client, "officer")
    pages = [
        app_client.get("/api/v1/search", params={"per_page": 2, "page": n}, headers=headers).json() for n in (1, 2)
    ]
    assert [(p["total"], p["pages"], len(p["results"])) for p in pages] == [(3, 2, 2), (3, 2, 1)]
    assert app_client.get("/api/v1/search", params={"per_page": 500}, headers=headers).status_code == 422

    monkeypatch.setattr("web.routes.search.PER_PAGE", 1)
    sign_in(app_client, "officer")
    first = app_client.get("/search", params={"agency": "tai nguyen"})
    assert "Trang 1/2" in first.text
    following = re.search(r'href="([^"]+)" rel="next"', first.text).group(1)
    assert following == "/search?agency=tai+nguyen&amp;page=2"
    second = app_client.get(following.replace("&amp;", "&"))
    assert "Trang 2/2" in second.text and 'rel="prev"' in second.text


def test_only_officers_and_admins_may_search(app_client: TestClient):
    for role in ("staff", "auditor"):
        assert app_client.get("/api/v1/search?q=a", headers=api_token(app_client, role)).status_code == 403
    assert app_client.get("/api/v1/search?q=a", headers=api_token(app_client, "admin")).status_code == 200
    assert app_client.get("/api/v1/search?q=a").status_code == 401
    assert app_client.get("/search?q=a", follow_redirects=False).headers["location"] == "/login?next=/search%3Fq%3Da"
    sign_in(app_client, "auditor")
    assert app_client.get("/search?q=a").status_code == 403
    assert event(app_client, "auditor1") is None


def test_the_page_escapes_what_was_typed_and_survives_query_syntax(app_client: TestClient):
    sign_in(app_client, "officer")
    blank = app_client.get("/search")
    assert blank.status_code == 200 and "<mark>" not in blank.text and "Tìm thấy" not in blank.text
    assert event(app_client, "officer1") is None  # showing the form is not a search

    hostile = '"><script>alert(1)</script> NEAR( OR * "'
    page = app_client.get("/search", params={"q": hostile, "agency": "<b>x</b>"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "<b>x</b>" not in page.text
    assert "Không tìm thấy văn bản nào" in page.text
    bad_date = app_client.get("/search", params={"q": "a", "from": "31/02/2024"})
    assert bad_date.status_code == 400 and "Ngày không hợp lệ" in bad_date.text


def test_the_search_api_is_documented(app_client: TestClient):
    spec = app_client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "q",
        "type",
        "agency",
        "from",
        "to",
        "holder",
        "page",
        "per_page",
    }
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/SearchOut")
    assert "snippet_html" in spec["components"]["schemas"]["SearchHitOut"]["properties"]


# --- the command line --------------------------------------------------------------------------------
@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment of `sohoa` on the test's copy of the corpus; returns its data folder."""
    for name in [k for k in __import__("os").environ if k.startswith("SOHOA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SOHOA_DATA_DIR", str(settings.data_dir))
    return settings.data_dir


def test_sohoa_search_prints_json_and_is_audited(cli_env: Path, corpus: Corpus, capsys: pytest.CaptureFixture):
    query = plain_words(corpus, "permit", "subject", count=4)
    assert main(["search", *query.split(), "--json", "--from", "01/01/2000"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["results"][0]["id"] == corpus.id_of("permit")
    assert body["filters"] == {"from": "2000-01-01"}

    assert main(["search", " ".join(reversed(query.split())), "--json"]) == 0  # one argument: a phrase
    assert json.loads(capsys.readouterr().out)["total"] == 0
    assert main(["search", query, "--type", "quyet dinh"]) == 0
    assert "0 document(s) found" in capsys.readouterr().out
    assert main(["search", "x", "--from", "hôm qua"]) == 2
    with Catalog(f"sqlite:///{cli_env / 'catalog.sqlite3'}") as catalog, catalog.engine.connect() as connection:
        details = connection.execute(text("SELECT details FROM audit_events WHERE action = 'search'")).scalars()
        assert [json.loads(d)["results"] for d in details] == [1, 0, 0]


def test_reindex_rebuilds_the_index_reading_missing_text_from_the_pdf(cli_env: Path, corpus: Corpus, capsys):
    # Given a catalog whose index lost its entries, and a record that lost its text (as from an old catalog)
    decision = corpus.id_of("decision")
    record = corpus.records["decision"]
    metadata = [str(v) for v in record.metadata.model_dump().values() if v]
    elsewhere = " ".join([*metadata, *(corpus.records[s].text for s in ARCHIVED_STEMS if s != "decision")])
    known = set(words_of(fold_diacritics(elsewhere)))  # words of its metadata or of the other documents
    body_words = [w for w in words_of(fold_diacritics(record.text)) if w not in known and len(w) > 2][:3]
    assert len(body_words) == 3
    with Catalog(f"sqlite:///{cli_env / 'catalog.sqlite3'}") as catalog:
        for document_id in indexed_ids(catalog):
            remove_from_index(catalog, document_id)
        stripped = record.model_copy(update={"text": "", "pages": []}).model_dump(mode="json")
        with catalog.engine.begin() as connection:
            connection.execute(
                text("UPDATE documents SET record = :record WHERE id = :id"),
                {"record": json.dumps(stripped), "id": decision},
            )
        assert search(catalog, SearchQuery(" ".join(body_words))).total == 0

    # When the index is rebuilt
    assert main(["search", "--reindex"]) == 0
    assert "3 archived document(s) indexed, 0 stale entries removed" in capsys.readouterr().out

    # Then every archived document is searchable again, the decision by words of its PDF's text layer
    with Catalog(f"sqlite:///{cli_env / 'catalog.sqlite3'}") as catalog:
        assert sorted(indexed_ids(catalog)) == sorted(corpus.id_of(s) for s in ARCHIVED_STEMS)
        hits = search(catalog, SearchQuery(" ".join(body_words))).hits
        assert [h.document_id for h in hits] == [decision]
        assert search(catalog, SearchQuery(plain_words(corpus, "permit", "subject"))).total == 1


def test_the_sohoa_executable_prints_what_main_does_and_says_when_its_output_is_lost(
    cli_env: Path, corpus: Corpus, capsys: pytest.CaptureFixture
):
    """`sohoa search` and `report` end without the interpreter's teardown (`sohoa.cli.run`): their output is
    still whole, their audit event stored, and an output that cannot be written is said, with exit code 1."""
    query = plain_words(corpus, "permit", "subject", count=4).split()
    assert main(["search", *query, "--json"]) == 0
    in_process = json.loads(capsys.readouterr().out)
    command = [sys.executable, "-m", "sohoa", "search", *query, "--json"]
    env = sohoa_environment(cli_env)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == in_process and in_process["results"][0]["id"] == corpus.id_of("permit")
    report = [*command[:3], "report", "--by", "status", "--json"]
    report_done = subprocess.run(report, env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(report_done.stdout)["total"]["archived"] == len(ARCHIVED)

    read, write = os.pipe()  # an output no one reads: the JSON (about 2 KB) waits in its buffer until the end
    os.close(read)
    buffered = {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}
    try:
        done = subprocess.run(command, env=buffered, stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (1, "error: cannot write the output: Broken pipe\n")
    with Catalog(f"sqlite:///{cli_env / 'catalog.sqlite3'}") as catalog, catalog.engine.connect() as connection:
        details = connection.execute(text("SELECT details FROM audit_events WHERE action = 'search'")).scalars()
        assert [json.loads(d)["results"] for d in details] == [1, 1, 1]  # the children's searches were stored
