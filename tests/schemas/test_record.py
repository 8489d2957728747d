"""The published JSON Schema files match the models, and the record has the contract's field names."""

from pathlib import Path

from schemas.export import PUBLISHED, schema_text
from schemas.record import DocumentRecord, PageInfo, ResultMetadata

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def test_committed_schema_files_are_up_to_date():
    for name, model in PUBLISHED.items():
        committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert committed == schema_text(model), f"{name} is stale: run `sohoa schema export schemas`"


def test_record_has_the_contract_fields():
    assert {
        "schema_version",
        "id",
        "source",
        "status",
        "error",
        "pages",
        "text",
        "metadata",
        "confidence",
        "archive",
    } <= set(DocumentRecord.model_fields)
    assert {
        "number",
        "width_px",
        "height_px",
        "dpi",
        "skew_deg",
        "rotation_deg",
        "blank",
        "ocr_confidence",
        "text",
    } <= set(PageInfo.model_fields)
    assert {"orientation", "orientation_doubtful"} <= set(PageInfo.model_fields)


def test_metadata_fields_are_the_decree_30_names_with_vietnamese_titles():
    expected = {
        "type_name",
        "document_number",
        "code_number",
        "code_notation",
        "issued_date",
        "place",
        "organ_name",
        "parent_organ_name",
        "subject",
        "signer_name",
        "signer_title",
        "holder_name",
        "holder_id",
        "valid_until",
        "language",
        "page_amount",
        "dossier_code",
        "procedure_code",
        "result_code",
    }
    assert set(ResultMetadata.model_fields) == expected
    assert ResultMetadata.model_fields["type_name"].title == "Tên loại văn bản"
    assert ResultMetadata().model_dump() == dict.fromkeys(expected)


def test_schema_export_command_writes_files(tmp_path):
    from sohoa.cli import main

    assert main(["schema", "export", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(PUBLISHED)


def test_a_review_warning_names_its_fields_and_older_records_read_the_same():
    from schemas.record import Warning

    written = Warning(code="needs_review", message="check these fields: organ_name, issued_date", fields=["organ_name"])
    assert written.fields == ["organ_name"]  # what the warning says, never what its message spells
    older = Warning.model_validate({"code": "needs_review", "message": "check these fields: organ_name, issued_date"})
    assert older.fields == ["organ_name", "issued_date"]
    assert Warning(code="page_count_mismatch", message="3 pages, the paper says 4").fields == []
