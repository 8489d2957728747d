"""Configuration changes in the audit log: a `config_changed` event when a process starts with settings that
differ from the last recorded ones, secrets only as HMAC digests under a key kept outside the database."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
import socket
from typing import TYPE_CHECKING

from sqlalchemy import select

from schemas.settings import SecretStr
from storage.audit import SYSTEM, open_event_row, seal_event_row
from storage.tables import AuditEvent

if TYPE_CHECKING:
    from schemas.settings import Settings
    from storage.catalog import Catalog

CONFIG_CHANGED = "config_changed"
#: Settings that belong to one machine or process, not to the archive: never a configuration change.
LOCAL_SETTINGS = frozenset({"data_dir", "workers", "web_host", "web_port", "audit_key_file"})
#: Settings whose values are never written to the log (besides every `SecretStr`): URLs may hold passwords.
SENSITIVE_SETTINGS = frozenset({"database_url", "broker_url", "tsa_url", "s3_access_key"})
#: The audit key's file in the data folder, when `audit_key_file` is not set; its shortest acceptable length.
AUDIT_KEY_NAME = "audit-hmac.key"
MIN_KEY_BYTES = 16


# --- configuration changes -------------------------------------------------------------------------------------------
def audit_key(settings: Settings) -> bytes:
    """The key of the HMAC over secret settings: `audit_key_file`, or `data_dir/audit-hmac.key` made on first use.

    A plain SHA-256 of a password in the log could be guessed back from a list of likely passwords; an HMAC
    with a key that is not in the database cannot. Processes starting together make one key, not one each.
    """
    path = settings.audit_key_file or settings.data_dir / AUDIT_KEY_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            draft.write_text(secrets.token_hex(32))
            draft.chmod(0o600)
            os.link(draft, path)  # atomic: the first process's key wins, whole
        except FileExistsError:
            pass
        finally:
            draft.unlink(missing_ok=True)
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{path}: the audit key has {len(key)} bytes; it needs at least {MIN_KEY_BYTES}")
    return key


def settings_digests(settings: Settings, key: bytes) -> tuple[dict[str, str], set[str]]:
    """A SHA-256 per setting (secrets first through an HMAC with `key`, so no value can be guessed back), and
    the sensitive keys."""
    digests: dict[str, str] = {}
    sensitive = set(SENSITIVE_SETTINGS)
    for name in (field.name for field in dataclasses.fields(settings)):
        if name in LOCAL_SETTINGS:
            continue
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            sensitive.add(name)
            value = hmac.new(key, value.get_secret_value().encode(), hashlib.sha256).hexdigest()
        elif name in SENSITIVE_SETTINGS and value is not None:
            value = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
        canonical = json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)
        digests[name] = hashlib.sha256(canonical.encode()).hexdigest()
    return digests, sensitive


def settings_fingerprint(digests: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()


class _Unchanged(Exception):
    """The settings are those of the last `config_changed` event: roll the opened row back."""


def record_config_change(catalog: Catalog, settings: Settings, *, actor: str = SYSTEM) -> int | None:
    """Append a `config_changed` event when the settings differ from the last one recorded; its id, or None.

    The event names the changed keys and, for settings that are not sensitive, their new values; secrets
    appear only as digests. The row is inserted (taking the chain's lock) before the last configuration is
    read, so processes starting together record one change, not one each.
    """
    digests, sensitive = settings_digests(settings, audit_key(settings))
    fingerprint = settings_fingerprint(digests)
    try:
        with catalog.session() as s:
            row = open_event_row(s, CONFIG_CHANGED, actor=actor, role=None, document_id=None)
            last = s.scalar(
                select(AuditEvent.details)
                .where(AuditEvent.action == CONFIG_CHANGED, AuditEvent.id < row.id)
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            if last and last.get("fingerprint") == fingerprint:
                raise _Unchanged
            before = (last or {}).get("digests", {})
            changed = sorted(k for k in digests.keys() | before.keys() if digests.get(k) != before.get(k))
            values = {k: getattr(settings, k) for k in changed if k in digests and k not in sensitive}
            details = {
                "fingerprint": fingerprint,
                "changed": changed,
                "values": json.loads(json.dumps(values, default=str)),
                "first": last is None,
                "host": socket.gethostname(),
                "digests": digests,
            }
            seal_event_row(s, row, details)
            return row.id
    except _Unchanged:
        return None
