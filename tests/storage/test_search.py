"""Search of archived documents, run on SQLite (FTS5) and on the PostgreSQL server of this machine."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import text

from schemas.record import DocumentRecord, PageInfo, ResultMetadata, SourceInfo
from storage.catalog import Catalog
from storage.search import facets, search
from storage.search_index import indexed_ids, update_index
from storage.search_query import MAX_PER_PAGE, SearchQuery, parse_query, words_of
from storage.search_snippets import highlight, snippet

BUSINESS = "Giấy chứng nhận đăng ký kinh doanh hộ kinh doanh số 27B8001234 cấp cho ông Nguyễn Văn An."
#: Folds to the same words as "đăng ký kinh doanh", but the diacritics differ.
LOOKALIKE = "Dáng kỳ kinh doanh: báo cáo về dang ky kinh doanh của xã, đang kỷ niệm ngày thành lập."


def add_document(
    catalog: Catalog, name: str, text: str, *, status: str = "archived", index: bool = True, **metadata: object
) -> str:
    """A document in the catalog with its final record (and, archived, its search entry); returns its id."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    batch = catalog.create_batch()
    document_id = catalog.receive(
        batch, filename=f"{name}.pdf", sha256=sha, size_bytes=10, incoming_key=sha
    ).document_id
    pages = [
        PageInfo(number=n, width_px=100, height_px=100, dpi=300, skew_deg=0, rotation_deg=0, blank=False, text=page)
        for n, page in enumerate(text.split("\f"), start=1)
    ]
    record = DocumentRecord(
        id=document_id,
        source=SourceInfo(filename=f"{name}.pdf", sha256=sha, size_bytes=10),
        status=status,
        pages=pages,
        text="\n\n".join(p.text for p in pages),
        metadata=ResultMetadata(**metadata),
        received_at=datetime.now(UTC),
    )
    catalog.finish(document_id, record)
    if index:
        assert update_index(catalog, record) is (status == "archived")
    return document_id


def found(catalog: Catalog, text: str = "", **criteria: object) -> list[str]:
    return [hit.document_id for hit in search(catalog, SearchQuery(text=text, **criteria)).hits]


# --- words and folding (no database) -----------------------------------------------------------------
def test_queries_are_cut_into_folded_words_phrases_and_prefixes():
    terms = parse_query('Đăng ký "kinh doanh" 123/QĐ-UBND Nguyễ*')
    assert [t.words for t in terms] == [("đăng",), ("ký",), ("kinh", "doanh"), ("123", "qđ", "ubnd"), ("nguyễ",)]
    assert [t.folded for t in terms][-2:] == [("123", "qd", "ubnd"), ("nguye",)]
    assert [t.accented for t in terms] == [True, True, False, True, True]
    assert [t.prefix for t in terms] == [False, False, False, False, True]
    # the same word typed in NFD is the same term
    assert parse_query("Đăng ký") == parse_query("Đăng ký")
    assert words_of("ĐĂNG KÝ") == ["đăng", "ký"]


def test_fts_syntax_in_a_query_is_only_separators():
    terms = parse_query('NEAR(đăng ký) OR kinh* AND "doanh -x: {y} ^z')
    assert [t.words for t in terms] == [("đăng",), ("ký",), ("kinh",), ("doanh", "x", "y", "z")]
    assert parse_query('*** () : "" OR AND') == []


def test_highlighting_marks_the_original_text_and_escapes_it():
    terms = parse_query("dang ky kinh doanh")
    value = "<b>Đăng ký</b> KINH DOANH & đăng kiểm"
    marked = highlight(value, terms)
    assert marked.marked == ["Đăng", "ký", "KINH", "DOANH", "đăng"]
    assert marked.html() == (
        "&lt;b&gt;<mark>Đăng</mark> <mark>ký</mark>&lt;/b&gt; <mark>KINH</mark> <mark>DOANH</mark> &amp; "
        "<mark>đăng</mark> kiểm"
    )
    assert marked.text() == value


def test_a_snippet_is_cut_around_the_densest_matches_on_word_boundaries():
    body = "Mở đầu văn bản. " * 40 + "Hộ kinh doanh được cấp đăng ký kinh doanh. " + "Kết thúc. " * 40
    content = f"QUYẾT ĐỊNH\n\n{body}"
    from pipeline.textfold import fold_diacritics

    cut = snippet(content, fold_diacritics(content), len("QUYẾT ĐỊNH") + 2, parse_query("kinh doanh"))
    assert cut.marked == ["kinh", "doanh", "kinh", "doanh"]
    text = cut.text()
    assert text.startswith("… ") and text.endswith(" …") and len(text) <= 250
    assert "Hộ kinh doanh được cấp đăng ký kinh doanh" in text
    assert text[2:].split(" ")[0] in ("Mở", "đầu", "văn", "bản.")  # starts on a whole word


def test_a_snippet_for_words_typed_with_diacritics_shows_them_spelled_as_typed():
    from pipeline.textfold import fold_diacritics

    body = "Xã Hoằng Đạt, Hoằng Đạt, Hoằng Đạt. " + "Nội dung khác. " * 30 + "Thửa đất số 12 tại xã."
    content = f"GIẤY PHÉP\n\n{body}"
    cut = snippet(content, fold_diacritics(content), len("GIẤY PHÉP") + 2, parse_query("đất"))
    assert cut.marked == ["đất"] and "Thửa đất số 12" in cut.text()
    # without diacritics, the densest matches
    cut = snippet(content, fold_diacritics(content), len("GIẤY PHÉP") + 2, parse_query("dat"))
    assert cut.marked[:3] == ["Đạt", "Đạt", "Đạt"]


# --- the index ---------------------------------------------------------------------------------------
def test_a_query_without_diacritics_finds_the_vietnamese_text(catalog: Catalog):
    business = add_document(catalog, "business", BUSINESS, type_name="GIẤY CHỨNG NHẬN")
    add_document(catalog, "permit", "Giấy phép xây dựng nhà ở riêng lẻ tại xã Hoằng Đạt.", type_name="GIẤY PHÉP")

    assert found(catalog, "dang ky kinh doanh") == [business]
    assert found(catalog, "DANG KY KINH DOANH") == [business]
    assert found(catalog, "nguyen van an") == [business]
    assert found(catalog, "hoang dat") != [business]
    assert found(catalog, "xa hoang dat") == found(catalog, "Xã Hoằng Đạt") != []
    assert found(catalog, "kinh doanh xây dựng") == []  # every word must be there


def test_words_typed_with_diacritics_rank_exact_matches_first(catalog: Catalog):
    # Given a document with the words as typed, and one (more relevant to the folded words) without
    lookalike = add_document(catalog, "lookalike", LOOKALIKE + " Kinh doanh, kinh doanh, kinh doanh.")
    business = add_document(catalog, "business", BUSINESS)

    # Then typed with diacritics, the exact spelling comes first, whichever was inserted first
    with_marks = search(catalog, SearchQuery(text="đăng ký kinh doanh"))
    assert [h.document_id for h in with_marks.hits] == [business, lookalike]
    assert [h.exact for h in with_marks.hits] == [2, 0]
    # and the lookalike is still found, its folded words highlighted in its own spelling
    assert with_marks.hits[1].snippet.marked[:4] == ["Dáng", "kỳ", "kinh", "doanh"]
    assert with_marks.hits[0].snippet.marked[:4] == ["đăng", "ký", "kinh", "doanh"]

    # And one word typed with its marks is enough to prefer the document that has it
    assert found(catalog, "dang kỳ") == [lookalike, business]
    assert found(catalog, "dang ky kinh doanh") == [lookalike, business]  # no marks: relevance only


def test_metadata_fields_are_searchable_and_highlighted(catalog: Catalog):
    document_id = add_document(
        catalog,
        "permit",
        "Nội dung giấy phép.",
        type_name="GIẤY PHÉP XÂY DỰNG",
        document_number="2595/GPXD",
        organ_name="SỞ XÂY DỰNG",
        signer_name="Lê Hồng Hương",
        holder_name="ĐẶNG ĐÌNH PHONG",
        holder_id="038067155175",
        dossier_code="000.00.37.H42-241104-0007",
        issued_date=date(2023, 4, 10),
    )
    for query in ("2595/GPXD", "le hong huong", "dang dinh phong", "038067155175", "H42-241104-0007", "10/04/2023"):
        assert found(catalog, query) == [document_id], query
    hit = search(catalog, SearchQuery(text="phong")).hits[0]
    assert hit.highlighted("holder_name").marked == ["PHONG"]
    assert hit.metadata["document_number"] == "2595/GPXD"
    # the text has no match, so the snippet shows the metadata values with it
    assert "PHONG" in search(catalog, SearchQuery(text="dinh phong")).hits[0].snippet.marked


def test_filters_by_type_agency_date_and_holder(catalog: Catalog):
    decision = add_document(
        catalog,
        "decision",
        "Quyết định về việc thành lập hội đồng bồi thường.",
        type_name="QUYẾT ĐỊNH",
        organ_name="PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG",
        issued_date=date(2024, 4, 15),
    )
    permit = add_document(
        catalog,
        "permit",
        "Giấy phép xây dựng; hội đồng thẩm định.",
        type_name="GIẤY PHÉP XÂY DỰNG",
        organ_name="SỞ XÂY DỰNG",
        issued_date=date(2023, 4, 10),
        holder_id="038067155175",
    )
    undated = add_document(catalog, "undated", "Thông báo của hội đồng.", type_name="THÔNG BÁO")

    assert set(found(catalog, "hoi dong")) == {decision, permit, undated}
    assert found(catalog, "hoi dong", type_name="quyet dinh") == [decision]
    assert found(catalog, "hoi dong", type_name="Giấy phép  xây dựng") == [permit]
    assert found(catalog, "hoi dong", type_name="giay phep") == []  # the type is compared whole
    assert found(catalog, "hoi dong", agency="tai nguyen") == [decision]
    assert found(catalog, "hoi dong", agency="Sở Xây") == [permit]
    assert found(catalog, "hoi dong", agency="100%_") == []
    assert found(catalog, "hoi dong", date_from=date(2024, 1, 1)) == [decision]
    assert found(catalog, "hoi dong", date_to=date(2024, 1, 1)) == [permit]
    assert found(catalog, "hoi dong", date_from=date(2023, 4, 10), date_to=date(2023, 4, 10)) == [permit]
    assert found(catalog, "hoi dong", holder_id="038067155175") == [permit]
    assert found(catalog, "hoi dong", holder_id="038067155176") == []
    # no words: the filters alone list the documents, newest first, undated last
    assert found(catalog) == [decision, permit, undated]
    assert found(catalog, agency="so xay dung") == [permit]
    assert [(f.value, f.count) for f in facets(catalog, "organ_name")] == [
        ("PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG", 1),
        ("SỞ XÂY DỰNG", 1),
    ]


def test_pages_of_results(catalog: Catalog):
    ids = [
        add_document(catalog, f"doc{n}", f"Biên bản họp số {n}.", issued_date=date(2024, 1, n + 1)) for n in range(7)
    ]
    newest_first = ids[::-1]

    first = search(catalog, SearchQuery(text="bien ban", per_page=3))
    assert (first.total, first.pages, first.page) == (7, 3, 1)
    seen = [h.document_id for p in (1, 2, 3) for h in search(catalog, SearchQuery("bien ban", page=p, per_page=3)).hits]
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    assert [h.document_id for h in search(catalog, SearchQuery(page=3, per_page=3)).hits] == newest_first[6:]
    assert search(catalog, SearchQuery("bien ban", page=9, per_page=3)).hits == []
    assert search(catalog, SearchQuery("bien ban", per_page=10_000)).per_page == MAX_PER_PAGE


#: Queries full of FTS5 and tsquery syntax, and whether they find BUSINESS.
SYNTAX_QUERIES = [
    ('"', False),
    ('"đăng ký', True),
    ("kinh*", True),
    ("*", False),
    ("NEAR(đăng, ký)", True),
    ("đăng OR ký", True),  # not an operator: both words must be there
    ("đăng OR xây", False),
    ("folded:dang", False),  # not a column filter: the words "folded" and "dang"
    ("exact : đăng", False),
    ("(đăng AND) NOT", True),
    ("'; DROP TABLE documents; --", False),
    ("d'ăng ký", False),
    ("^đăng + {ký}", True),
    ("\x00 đăng", True),  # a NUL character is a separator
    ("\\x00 đăng", False),  # the word "x00"
    ("ký" * 400, False),
    ("ký " * 400, True),
]


def test_fts_syntax_in_queries_never_causes_an_error(catalog: Catalog):
    business = add_document(catalog, "business", BUSINESS)
    for query, finds in SYNTAX_QUERIES:
        results = search(catalog, SearchQuery(text=query))
        assert results.total == len(results.hits), query
        assert [h.document_id for h in results.hits] == ([business] if finds else []), query
    assert found(catalog, "kinh doanh") == [business]  # and the documents are still there


def test_a_prefix_finds_the_words_it_begins(catalog: Catalog):
    business = add_document(catalog, "business", BUSINESS)
    assert found(catalog, "kinh doa*") == [business]
    assert found(catalog, "nguyễ*") == [business]
    assert found(catalog, "kinh doa") == []
    assert search(catalog, SearchQuery("doa*")).hits[0].snippet.marked == ["doanh", "doanh"]


def test_only_archived_documents_are_searchable(catalog: Catalog):
    archived = add_document(catalog, "archived", "Quyết định cấp phép khai thác cát.")
    held = add_document(catalog, "held", "Quyết định cấp phép khai thác đá.", status="needs_review")
    assert found(catalog, "quyet dinh cap phep") == [archived]
    assert indexed_ids(catalog) == [archived]

    # A stale archived record of a document that is no longer archived is not indexed either
    record = catalog.record(held).model_copy(update={"status": "archived"})
    assert update_index(catalog, record) is False
    assert found(catalog, "khai thac da") == []

    # And an entry whose document leaves the archived status stops being found
    catalog.finish(archived, catalog.record(archived).model_copy(update={"status": "failed"}))
    assert found(catalog, "quyet dinh") == []
    assert found(catalog) == []


def test_an_entry_follows_its_document_s_status_whoever_writes_it(catalog: Catalog):
    document_id = add_document(catalog, "doc", "Quyết định thu hồi đất.", type_name="QUYẾT ĐỊNH")

    def status(value: str) -> None:  # a plain UPDATE, as an operator's script would write it
        with catalog.engine.begin() as connection:
            connection.execute(text("UPDATE documents SET status = :s WHERE id = :id"), {"s": value, "id": document_id})

    status("needs_review")
    results = search(catalog, SearchQuery("thu hoi dat"))
    assert (results.hits, results.total) == ([], 0)  # neither shown nor counted
    assert found(catalog) == [] and facets(catalog, "type_name") == []
    status("archived")
    assert found(catalog, "thu hoi dat") == [document_id] == found(catalog)
    assert [(f.value, f.count) for f in facets(catalog, "type_name")] == [("QUYẾT ĐỊNH", 1)]


def test_archiving_indexes_before_the_final_status_and_search_waits_for_it(catalog: Catalog):
    # Given a document still assembling, indexed as archiving does just before it writes the final status
    document_id = add_document(catalog, "doc", "Quyết định giao đất.", status="needs_review", index=False)
    with catalog.engine.begin() as connection:
        connection.execute(text("UPDATE documents SET status = 'assembling' WHERE id = :id"), {"id": document_id})
    record = catalog.record(document_id).model_copy(update={"status": "archived"})
    assert update_index(catalog, record, before_finish=True)
    assert indexed_ids(catalog) == [document_id]
    assert found(catalog, "giao dat") == []  # not archived yet: not found

    # When the final status is written, it is found
    catalog.finish(document_id, record)
    assert found(catalog, "giao dat") == [document_id]


def test_indexing_again_replaces_the_entry(catalog: Catalog):
    document_id = add_document(catalog, "doc", "Biên bản kiểm tra.", type_name="BIÊN BẢN")
    record = catalog.record(document_id)
    corrected = record.model_copy(
        update={"text": "Biên bản nghiệm thu.", "metadata": ResultMetadata(type_name="BIÊN BẢN NGHIỆM THU")}
    )
    assert update_index(catalog, corrected) and update_index(catalog, corrected)

    assert indexed_ids(catalog) == [document_id]
    assert found(catalog, "kiem tra") == []
    assert found(catalog, "nghiem thu") == [document_id]
    assert found(catalog, type_name="bien ban") == []
    assert found(catalog, type_name="bien ban nghiem thu") == [document_id]
    assert search(catalog, SearchQuery("nghiem thu")).total == 1


def test_every_page_is_indexed(catalog: Catalog):
    document_id = add_document(catalog, "long", "Trang một: quyết định.\fTrang hai: phụ lục danh sách hộ dân.")
    hit = search(catalog, SearchQuery("phu luc danh sach")).hits[0]
    assert hit.document_id == document_id
    assert hit.snippet.marked == ["phụ", "lục", "danh", "sách"]


def test_a_long_document_is_indexed_whole(catalog: Catalog):
    # 40,000 words: past PostgreSQL's last word position (16,383) and over 1 MiB of positions if all were kept
    filler = " ".join(f"Trang {n} hồ sơ đất đai." for n in range(8000))
    document_id = add_document(catalog, "long", f"Quyết định thanh tra. {filler} Kết luận kiểm toán viên số 99999.")
    assert found(catalog, "quyet dinh thanh tra") == [document_id]  # a phrase near the start
    assert found(catalog, "kiem toan vien 99999") == [document_id]  # words near the end
    assert found(catalog, "trang 7999") == [document_id]
    hit = search(catalog, SearchQuery("99999")).hits[0]
    assert hit.snippet.marked == ["99999"] and "kiểm toán viên số" in hit.snippet.text()


def test_the_sqlite_index_keeps_words_not_text_and_forgets_a_replaced_entry(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    try:
        document_id = add_document(catalog, "doc", "Biên bản kiểm tra.", type_name="BIÊN BẢN")
        record = catalog.record(document_id)
        update_index(catalog, record.model_copy(update={"text": "Biên bản nghiệm thu."}))
        with catalog.session() as s:
            in_index = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q"
            assert s.execute(text(in_index), {"q": "kiem"}).all() == []  # the old words left the index itself
            assert len(s.execute(text(in_index), {"q": "nghiem"}).all()) == 1
            assert s.execute(text("SELECT folded, exact FROM search_fts")).all() == [(None, None)]  # no copy
            assert "folded" not in {c[1] for c in s.execute(text("PRAGMA table_info(search_entries)"))}
        assert found(catalog, "nghi*") == [document_id] and found(catalog, "ng*") == [document_id]
    finally:
        catalog.close()
