"""The document record: what sohoa knows about one source file, published as JSON Schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from schemas.statuses import Status

SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceInfo(_Model):
    """The file as it was received; its bytes are kept untouched in the incoming store."""

    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=0)
    media_type: str | None = Field(
        None, description="Sniffed from the content, never from the extension; null when unknown."
    )


class ErrorInfo(_Model):
    """Why a document was rejected or failed. `code` is stable; `message` is for people."""

    code: str
    message: str
    page: int | None = None


#: How records written before `Warning.fields` existed named the fields in a `needs_review` message.
LEGACY_FIELDS_PREFIX = "check these fields: "


class Warning(_Model):
    """Something a person should look at that did not stop the document; `fields` names the metadata fields
    it is about (a `needs_review` warning: the fields to check)."""

    code: str
    message: str
    page: int | None = None
    fields: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _fields_of_a_legacy_message(cls, data: Any) -> Any:
        """Records written before `fields` existed carry the names in the message only: read them once, here."""
        if isinstance(data, dict) and "fields" not in data and data.get("code") == "needs_review":
            message = str(data.get("message", ""))
            if message.startswith(LEGACY_FIELDS_PREFIX):
                names = [name.strip() for name in message.removeprefix(LEGACY_FIELDS_PREFIX).split(",")]
                return {**data, "fields": [name for name in names if name]}
        return data


ReadAgain = Literal["header", "signer_block", "unread_lines"]


class PageInfo(_Model):
    """One physical page, in scan order."""

    number: int = Field(ge=1)
    width_px: int = Field(ge=1)
    height_px: int = Field(ge=1)
    dpi: float = Field(gt=0, description="Resolution of the scan; estimated from A4 when the file does not say.")
    skew_deg: float = Field(description="Skew found on the scan, degrees, counter-clockwise positive.")
    rotation_deg: Literal[0, 90, 180, 270] = Field(description="Quarter turn found on the scan, counter-clockwise.")
    blank: bool
    ocr_confidence: float | None = Field(
        None, ge=0, le=1, description="Mean word confidence, weighted by word length; null for blank pages."
    )
    text: str
    orientation: Literal["osd", "recognition"] | None = Field(
        None,
        description="How the quarter turn was decided: tesseract's OSD alone, or by reading a strip of the page "
        "in the candidate turns (when OSD was unsure or the page read poorly); null for blank pages.",
    )
    orientation_doubtful: bool = Field(
        False, description="Even read in every candidate turn, the page's way up stayed uncertain: a person must look."
    )
    read_again: list[ReadAgain] = Field(
        default_factory=list,
        description="Parts of the page read a second time because the page-wide reading left them out: the "
        "header's halves (a short line such as the number was missing), the signer's block (a seal or a "
        "signature over the name), lines of ink no recognised word covered.",
    )


class ResultMetadata(_Model):
    """Result metadata named after the Decree 30 / TT 02/2019 tags; null when absent."""

    type_name: str | None = Field(None, title="Tên loại văn bản")
    document_number: str | None = Field(None, title="Số, ký hiệu", examples=["123/QĐ-UBND"])
    code_number: str | None = Field(None, title="Số văn bản", examples=["123"])
    code_notation: str | None = Field(None, title="Ký hiệu văn bản", examples=["QĐ-UBND"])
    issued_date: date | None = Field(None, title="Ngày ban hành")
    place: str | None = Field(None, title="Địa danh")
    organ_name: str | None = Field(None, title="Cơ quan ban hành")
    parent_organ_name: str | None = Field(None, title="Cơ quan chủ quản")
    subject: str | None = Field(None, title="Trích yếu nội dung", max_length=500)
    signer_name: str | None = Field(None, title="Người ký")
    signer_title: str | None = Field(None, title="Chức vụ người ký")
    holder_name: str | None = Field(None, title="Chủ thể")
    holder_id: str | None = Field(None, title="Số định danh cá nhân", pattern=r"^\d{9}(\d{3})?$")
    valid_until: date | None = Field(None, title="Hiệu lực đến")
    language: str | None = Field(None, title="Ngôn ngữ", examples=["vi"])
    page_amount: int | None = Field(None, title="Số trang", ge=0)
    dossier_code: str | None = Field(None, title="Mã hồ sơ")
    procedure_code: str | None = Field(None, title="Mã thủ tục hành chính")
    result_code: str | None = Field(None, title="Mã kết quả", examples=["000.00.00.H44-240105-0001-KQ1"])


FieldConfidence = create_model(  # type: ignore[call-overload]  # fields built from a mapping
    "FieldConfidence",
    __config__=ConfigDict(extra="forbid"),
    __doc__="Confidence from 0 to 1 for each metadata field; null when the field was not extracted.",
    **{name: (float | None, Field(None, ge=0, le=1)) for name in ResultMetadata.model_fields},
)


class ArchiveInfo(_Model):
    """Where the archived copy lives and how it was signed."""

    bucket: str
    key: str
    version_id: str | None = None
    pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    signed_at: datetime | None = None
    signer: str | None = None
    retention_mode: Literal["GOVERNANCE", "COMPLIANCE"] | None = Field(
        None, description="Object-lock mode of the archived PDF; null when it is not retained."
    )
    retain_until: datetime | None = Field(None, description="The archived PDF cannot be deleted before this time.")


class DocumentRecord(_Model):
    """Everything sohoa knows about one source document."""

    schema_version: str = SCHEMA_VERSION
    id: str
    batch_id: str | None = None
    source: SourceInfo
    status: Status
    error: ErrorInfo | None = None
    warnings: list[Warning] = Field(default_factory=list)
    pages: list[PageInfo] = Field(default_factory=list)
    text: str = ""
    metadata: ResultMetadata = Field(default_factory=ResultMetadata)
    confidence: FieldConfidence = Field(default_factory=FieldConfidence)  # type: ignore[valid-type]
    archive: ArchiveInfo | None = None
    received_at: datetime
    finished_at: datetime | None = None
