"""Retention per document type: how long an archived document's objects are kept under object lock."""

from __future__ import annotations

from pipeline.textfold import fold_diacritics
from schemas.settings import Settings


def type_key(type_name: str) -> str:
    """A document type as compared: folded (no diacritics, lower case, đ→d) with single spaces."""
    return " ".join(fold_diacritics(type_name).split())


def retention_days_for(settings: Settings, type_name: str | None) -> int:
    """Days a document of this type is retained: its archive_retention_days_by_type entry, else the default.

    "GIẤY PHÉP XÂY DỰNG", "giấy phép xây dựng" and "giay phep xay dung" are the same type.
    """
    if type_name:
        wanted = type_key(type_name)
        for name, days in settings.archive_retention_days_by_type.items():
            if type_key(name) == wanted:
                return days
    return settings.archive_retention_days


def archive_retain_days(settings: Settings, type_name: str | None) -> int | None:
    """What `_store_archive` passes to the store: None (no object lock configured) or the type's days."""
    if settings.archive_retention_mode is None:
        return None
    return retention_days_for(settings, type_name)
