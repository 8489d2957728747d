"""Personal ids are masked for roles that may count documents but not identify people (auditors)."""

from __future__ import annotations

from typing import Any

#: Metadata fields that identify a person.
PERSONAL_FIELDS = ("holder_id",)
#: Roles that see personal ids in full.
UNMASKED_ROLES = frozenset({"admin", "staff", "officer"})


def mask_personal_id(value: str | None) -> str | None:
    """All but the last 3 digits hidden: "001089012345" → "*********345"."""
    if not value:
        return value
    return "*" * max(len(value) - 3, 0) + value[-3:]


def metadata_for(role: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata as this role may see it."""
    if role in UNMASKED_ROLES:
        return metadata
    return {k: mask_personal_id(v) if k in PERSONAL_FIELDS and isinstance(v, str) else v for k, v in metadata.items()}


def sees_personal_ids(role: str) -> bool:
    return role in UNMASKED_ROLES
