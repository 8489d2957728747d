"""The store's layout: every key of a document, spelled in one place."""

from storage.layout import ArchivedKeys, PageKeys, incoming_key, is_record_sidecar, work_prefix


def test_an_archived_document_has_its_pdf_and_two_sidecars_under_its_id():
    keys = ArchivedKeys.of_document("3f2a")
    assert keys.all == ("3f2a/3f2a.pdf", "3f2a/3f2a.json", "3f2a/3f2a.xml")
    assert keys.sidecars == ("3f2a/3f2a.json", "3f2a/3f2a.xml")
    assert ArchivedKeys.of_pdf("3f2a/3f2a.pdf") == keys
    assert ArchivedKeys.of_pdf("older/name.v1.pdf").sidecars == ("older/name.v1.json", "older/name.v1.xml")


def test_pages_and_received_files_have_their_keys():
    assert (PageKeys("3f2a", 7).image, PageKeys("3f2a", 7).words) == ("3f2a/page-0007.jpg", "3f2a/page-0007.words.json")
    assert PageKeys("3f2a", 7).image.startswith(work_prefix("3f2a"))
    assert incoming_key("ab" + "0" * 62) == "ab/ab" + "0" * 62


def test_only_a_documents_own_json_is_a_record_sidecar():
    assert is_record_sidecar("3f2a/3f2a.json")
    assert not is_record_sidecar("3f2a/other.json") and not is_record_sidecar("audit-anchors/1.json")
    assert not is_record_sidecar("3f2a/3f2a.pdf")
