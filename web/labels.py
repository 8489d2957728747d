"""Vietnamese names for what the pipeline records in English codes: errors, warnings, metadata fields, sizes."""

from __future__ import annotations

from schemas.record import ErrorInfo, ResultMetadata, Warning

#: Why a document was rejected (bad input) or failed (our side); the record's message stays as the detail.
ERROR_NAMES = {
    "empty_file": "Tệp rỗng (0 byte)",
    "file_too_large": "Tệp quá lớn",
    "unsupported_format": "Nội dung không phải bản quét PDF, TIFF, PNG hoặc JPEG",
    "corrupt_image": "Ảnh bị hỏng, không đọc được",
    "image_too_large": "Trang ảnh quá lớn (nghi ngờ tệp nén bất thường)",
    "image_too_small": "Trang ảnh quá nhỏ, không thể là bản quét",
    "empty_document": "Tài liệu không có trang nào",
    "too_many_pages": "Tài liệu quá nhiều trang",
    "truncated_pdf": "Tệp PDF bị cắt cụt",
    "encrypted_pdf": "Tệp PDF có mật khẩu",
    "corrupt_pdf": "Tệp PDF bị hỏng",
    "blank_document": "Mọi trang đều trắng",
    "page_failed": "Lỗi khi xử lý trang",
    "signing_failed": "Không ký số được",
    "assembly_failed": "Lỗi khi tạo tệp PDF",
}

#: Why a document waits for review, or what a person should know about it.
WARNING_NAMES = {
    "needs_review": "Cần kiểm tra các trường",
    "duplicate_number": "Số, ký hiệu đã có trong kho lưu trữ",
    "page_count_mismatch": "Số trang không khớp với bản giấy",
    "blank_page": "Trang trắng",
    "low_resolution": "Độ phân giải thấp",
    "dpi_estimated": "Độ phân giải được ước tính",
    "no_text": "Không đọc được chữ",
    **ERROR_NAMES,
}

#: Warnings that are reasons for holding a document for review.
REVIEW_REASONS = frozenset({"needs_review", "duplicate_number", "page_count_mismatch", *ERROR_NAMES})

#: Each metadata field's Vietnamese title, from the record schema.
FIELD_TITLES = {name: field.title or name for name, field in ResultMetadata.model_fields.items()}


def error_text(error: ErrorInfo | dict | None) -> str | None:
    """ "Vietnamese name: English detail" of a rejection or failure, or None."""
    if error is None:
        return None
    info = error if isinstance(error, ErrorInfo) else ErrorInfo.model_validate(error)
    name = ERROR_NAMES.get(info.code, info.code)
    page = f" (trang {info.page})" if info.page else ""
    return f"{name}{page}: {info.message}"


def warning_text(warning: Warning) -> str:
    """A warning for people; the fields of a `needs_review` warning by their Vietnamese titles."""
    name = WARNING_NAMES.get(warning.code, warning.code)
    if warning.fields:
        return f"{name}: {', '.join(FIELD_TITLES.get(f, f) for f in warning.fields)}"
    page = f" (trang {warning.page})" if warning.page else ""
    return f"{name}{page}: {warning.message}"


def format_bytes(size: int) -> str:
    """1073741824 → "1 GiB", 1536 → "1,5 KiB" (Vietnamese decimal comma)."""
    value, unit = float(size), "byte"
    for unit in ("byte", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    text = f"{value:.1f}".rstrip("0").rstrip(".") if unit != "byte" else str(int(value))
    return f"{text.replace('.', ',')} {unit}"
