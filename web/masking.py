"""Personal ids are masked for roles that may count documents but not identify people (auditors).

A Vietnamese personal id is a 12-digit citizen id (CCCD) or a 9-digit identity card number (CMND). People
and OCR write them whole or in groups ("001 089 012 345", "001-089-012-345"), and queries glue them to
words ("cccd001089012345"), so every text an auditor sees is searched for 9 or 12 digits in a row, single
spaces, dots or dashes allowed between them, and no digit just before or after.
"""

from __future__ import annotations

import re
from typing import Any

#: Metadata fields that identify a person.
PERSONAL_FIELDS = ("holder_id",)
#: Roles that see personal ids in full.
UNMASKED_ROLES = frozenset({"admin", "staff", "officer"})
#: 9 or 12 digits, optionally separated by one space, dot or dash, not part of a longer number.
PERSONAL_ID = re.compile(r"(?<!\d)(?<!\d[ .\-])\d(?:[ .\-]?\d){8}(?:(?:[ .\-]?\d){3})?(?![ .\-]?\d)")
SHOWN_DIGITS = 3
#: A SHA-256, a document or event id: hex words this long are never a person's id glued to a word.
DIGEST = re.compile(r"[0-9a-f]{24,}")


def mask_personal_id(value: str | None) -> str | None:
    """Every digit but the last 3 hidden, separators kept: "001089012345" → "*********345"."""
    if not value:
        return value
    digits = sum(ch.isdigit() for ch in value)
    hidden, masked = max(digits - SHOWN_DIGITS, 0), []
    for ch in value:
        if ch.isdigit() and hidden:
            masked.append("*")
            hidden -= 1
        else:
            masked.append(ch)
    return "".join(masked)


def mask_ids_in_text(text: str) -> str:
    """The text with every personal id in it masked; digests and document ids (long hex words) are left."""
    return PERSONAL_ID.sub(_masked_unless_digest, text)


def _masked_unless_digest(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    if DIGEST.fullmatch(text[start:end]):
        return match.group()
    return mask_personal_id(match.group()) or ""


def sees_personal_ids(role: str) -> bool:
    return role in UNMASKED_ROLES


def text_for(role: str, text: str) -> str:
    """A text (a subject, a snippet, a file name, a message) as this role may see it."""
    return text if sees_personal_ids(role) else mask_ids_in_text(text)


def value_for(role: str, value: Any, *, personal: bool = False) -> Any:
    """A JSON value as this role may see it: strings under a personal field masked whole, ids masked in any text."""
    if sees_personal_ids(role):
        return value
    if isinstance(value, dict):
        return {k: value_for(role, v, personal=personal or k in PERSONAL_FIELDS) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [value_for(role, v, personal=personal) for v in value]
    if isinstance(value, str):
        return mask_personal_id(value) if personal else mask_ids_in_text(value)
    return value


def metadata_for(role: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata as this role may see it."""
    return value_for(role, metadata)
