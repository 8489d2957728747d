"""The object store interface: what every store does (`storage.local_store` on a folder, the embedded default;
`storage.s3` on an S3 server), its errors, and the object lock's retention.

A store may hold some buckets under object lock (the archive): every object put there is retained
for the bucket's `RetentionPolicy`, a legal hold can be set on demand, and deleting a retained or
held object is refused with `ObjectLocked`. On S3 the lock is the server's (versioned buckets, the
protected thing is the version); the local folder emulates it in its metadata sidecars.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import quote, unquote

CHUNK = 1 << 20
RetentionMode = Literal["GOVERNANCE", "COMPLIANCE"]
RETENTION_MODES = ("GOVERNANCE", "COMPLIANCE")
MAX_URL_EXPIRY = timedelta(days=7)  # the SigV4 limit for presigned URLs


class ObjectStoreError(OSError):
    """The store could not be read or written (disk full, permissions, unreachable server)."""


class ObjectNotFound(ObjectStoreError, KeyError):
    """No object under that bucket and key."""


class ObjectLocked(ObjectStoreError):
    """The object is retained or under legal hold, so it cannot be deleted, overwritten or released."""

    def __init__(
        self,
        bucket: str,
        key: str,
        *,
        retain_until: datetime | None = None,
        legal_hold: bool = False,
        version_id: str | None = None,
        action: str = "delete",
    ) -> None:
        self.bucket, self.key, self.version_id = bucket, key, version_id
        self.retain_until, self.legal_hold = retain_until, legal_hold
        reasons = ["it is under legal hold"] if legal_hold else []
        if retain_until is not None:
            reasons.append(f"it is retained until {retain_until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC")
        version = f" (version {version_id})" if version_id else ""
        super().__init__(f"cannot {action} {bucket}/{key}{version}: {' and '.join(reasons) or 'it is locked'}")


@dataclass(frozen=True)
class Retention:
    """An object's lock: GOVERNANCE (changeable by an explicit bypass) or COMPLIANCE (by no one)."""

    mode: RetentionMode
    retain_until: datetime

    def __post_init__(self) -> None:
        if self.mode not in RETENTION_MODES:
            raise ValueError(f"retention mode must be GOVERNANCE or COMPLIANCE, not {self.mode!r}")
        if self.retain_until.tzinfo is None:
            raise ValueError("retain_until must be timezone-aware")

    def active(self, now: datetime | None = None) -> bool:
        return self.retain_until > (now or datetime.now(UTC))

    def to_json(self) -> dict[str, str]:
        return {"mode": self.mode, "retain_until": self.retain_until.astimezone(UTC).isoformat()}

    @classmethod
    def from_json(cls, value: Mapping[str, str] | None) -> Retention | None:
        if not value:
            return None
        return cls(value["mode"], datetime.fromisoformat(value["retain_until"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class RetentionPolicy:
    """Object lock on a bucket: every object put there is retained `days` days in `mode`.

    `days=0` still locks the bucket (S3 versioning, legal holds possible) but retains nothing by itself.
    """

    mode: RetentionMode = "GOVERNANCE"
    days: int = 0

    def __post_init__(self) -> None:
        if self.mode not in RETENTION_MODES:
            raise ValueError(f"retention mode must be GOVERNANCE or COMPLIANCE, not {self.mode!r}")
        if self.days < 0:
            raise ValueError("retention days cannot be negative")

    def retention(self, now: datetime | None = None, *, days: int | None = None) -> Retention | None:
        """The retention for an object put now, to the second; None when the policy retains nothing.

        `days` overrides the policy's period for this object (e.g. per document type), in the policy's mode.
        """
        days = self.days if days is None else days
        if days < 0:
            raise ValueError("retention days cannot be negative")
        if days == 0:
            return None
        start = (now or datetime.now(UTC)).replace(microsecond=0)
        return Retention(self.mode, start + timedelta(days=days))


def policy_retention(policies: Mapping[str, RetentionPolicy], bucket: str, retain_days: int | None) -> Retention | None:
    """The retention of an object put now into `bucket`: its policy's, or `retain_days` in the policy's mode.

    A period asked for a bucket without object lock is refused: nothing there could hold it.
    """
    policy = policies.get(bucket)
    if policy is None:
        if retain_days:
            raise ObjectStoreError(f"bucket {bucket} has no object lock: cannot retain an object {retain_days} days")
        return None
    return policy.retention(days=retain_days)


@dataclass(frozen=True)
class StoredObject:
    """What the store holds under a key: size, SHA-256, version, ASCII metadata and its lock, if any."""

    bucket: str
    key: str
    size: int
    sha256: str
    version_id: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    retention: Retention | None = None
    legal_hold: bool = False

    def lock_refusal(self, action: str = "delete", now: datetime | None = None) -> ObjectLocked | None:
        """The error for deleting (or overwriting) this object now, or None when it is not protected."""
        retention = self.retention if self.retention is not None and self.retention.active(now) else None
        if retention is None and not self.legal_hold:
            return None
        until = retention.retain_until if retention else None
        return ObjectLocked(
            self.bucket,
            self.key,
            retain_until=until,
            legal_hold=self.legal_hold,
            version_id=self.version_id,
            action=action,
        )


class ObjectStore(Protocol):
    """What sohoa needs of an object store; an S3 server and the local folder both provide it."""

    def put_file(
        self,
        bucket: str,
        key: str,
        path: Path,
        *,
        metadata: Mapping[str, str] | None = None,
        retain_days: int | None = None,
    ) -> StoredObject: ...
    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        retain_days: int | None = None,
    ) -> StoredObject: ...
    def get_bytes(self, bucket: str, key: str) -> bytes: ...
    def stat(self, bucket: str, key: str) -> StoredObject | None: ...
    def delete(self, bucket: str, key: str, version_id: str | None = None) -> None: ...
    def delete_prefix(self, bucket: str, prefix: str) -> int: ...
    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]: ...
    @contextmanager
    def local_path(self, bucket: str, key: str) -> Iterator[Path]: ...
    def set_retention(
        self,
        bucket: str,
        key: str,
        retention: Retention,
        version_id: str | None = None,
        *,
        bypass_governance: bool = False,
    ) -> None: ...
    def set_legal_hold(self, bucket: str, key: str, on: bool, version_id: str | None = None) -> None: ...
    def legal_hold(self, bucket: str, key: str, version_id: str | None = None) -> bool: ...
    def download_url(
        self,
        bucket: str,
        key: str,
        expires: timedelta = timedelta(hours=1),
        filename: str | None = None,
        version_id: str | None = None,
    ) -> str: ...


def ascii_metadata(values: Mapping[str, str | None]) -> dict[str, str]:
    """Object metadata must be ASCII: Vietnamese values are percent-encoded (UTF-8), None dropped."""
    return {key: quote(value, safe=" -_.,:/()") for key, value in values.items() if value is not None}


def decode_metadata(values: Mapping[str, str]) -> dict[str, str]:
    return {key: unquote(value) for key, value in values.items()}


def check_retention_change(
    current: StoredObject, new: Retention, *, bypass_governance: bool = False, now: datetime | None = None
) -> None:
    """Refuse what S3 refuses: shortening or leaving COMPLIANCE, shortening or re-moding GOVERNANCE without bypass."""
    now = now or datetime.now(UTC)
    if not new.active(now):
        raise ValueError(f"a retention must end in the future, not at {new.retain_until.isoformat()}")
    old = current.retention
    if old is None or not old.active(now):
        return
    if new.retain_until >= old.retain_until and new.mode == old.mode:
        return  # extending is always allowed
    if old.mode == "GOVERNANCE" and bypass_governance:
        return
    needs = "" if old.mode == "COMPLIANCE" else " without bypass_governance"
    raise ObjectLocked(
        current.bucket,
        current.key,
        retain_until=old.retain_until,
        version_id=current.version_id,
        action=f"shorten or change the {old.mode} retention{needs} of",
    )


def check_expiry(expires: timedelta) -> None:
    """A download link lives from one second to seven days, the limits of S3 presigned URLs."""
    if not timedelta(seconds=1) <= expires <= MAX_URL_EXPIRY:
        raise ValueError("a download URL must expire between 1 second and 7 days")


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and, when it differs, the exact UTF-8 name (RFC 6266, RFC 5987)."""
    name = filename.replace("/", "_").replace("\\", "_").strip() or "download"  # "12/QĐ-UBND" is a number, not a path
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\%' else "_"
        for c in folded
        if not unicodedata.combining(c)
    )
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='!#$&+^`|')}"
    return value


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
