"""The object store interface and its local-folder implementation (the embedded default).

A store may hold some buckets under object lock (the archive): every object put there is retained
for the bucket's `RetentionPolicy`, a legal hold can be set on demand, and deleting a retained or
held object is refused with `ObjectLocked`. On S3 the lock is the server's (versioned buckets, the
protected thing is the version); the local folder emulates it in its metadata sidecars.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal, Protocol
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


def _keys_under(folder: Path | str, under: str, prefix: str) -> Iterator[str]:
    """The files below `folder` (named `under` in keys) whose keys start with `prefix`, folders followed in name
    order: the order of sorting every path, with one folder's names in memory at a time."""
    with os.scandir(folder) as scanned:
        entries = sorted(scanned, key=lambda entry: entry.name)
    for entry in entries:
        key = under + entry.name
        if entry.is_dir(follow_symlinks=False):
            if (key + "/").startswith(prefix) or prefix.startswith(key + "/"):
                yield from _keys_under(entry.path, key + "/", prefix)
        elif entry.is_file() and not entry.name.startswith(".part-") and key.startswith(prefix):
            yield key


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


class LocalFolderStore:
    """Objects as files under `root/bucket/key`, metadata beside them; every write is atomic.

    Object lock is emulated in the `.meta` JSON sidecar (retention and legal hold). The folder keeps a
    single version of each object (`version_id` is always None), so where S3 would add a new version
    over a protected one, a put over a retained or held object is refused here with `ObjectLocked`.
    """

    def __init__(self, root: Path, *, locked_buckets: Mapping[str, RetentionPolicy] | None = None) -> None:
        self.root = Path(root)
        self.locked_buckets = dict(locked_buckets or {})

    def _path(self, bucket: str, key: str) -> Path:
        if not key or key.startswith("/") or ".." in Path(key).parts or bucket in ("", ".", ".."):
            raise ValueError(f"unsafe object key: {bucket}/{key}")
        return self.root / bucket / key

    def _meta_path(self, bucket: str, key: str) -> Path:
        return self.root / ".meta" / bucket / f"{key}.json"

    def put_file(
        self,
        bucket: str,
        key: str,
        path: Path,
        *,
        metadata: Mapping[str, str] | None = None,
        retain_days: int | None = None,
    ) -> StoredObject:
        """Store the file; in a locked bucket it is retained `retain_days` (default: the bucket's policy)."""
        with path.open("rb") as fh:
            return self._write(bucket, key, fh, metadata, retain_days)

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        retain_days: int | None = None,
    ) -> StoredObject:
        return self._write(bucket, key, BytesIO(data), metadata, retain_days)

    def _write(
        self,
        bucket: str,
        key: str,
        source: BinaryIO,
        metadata: Mapping[str, str] | None,
        retain_days: int | None = None,
    ) -> StoredObject:
        target = self._path(bucket, key)
        retention = policy_retention(self.locked_buckets, bucket, retain_days)
        current = self.stat(bucket, key)  # one version only: a protected object cannot be replaced
        if current is not None and (refusal := current.lock_refusal("overwrite")):
            raise refusal
        digest, size = hashlib.sha256(), 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".part-", delete=False) as tmp:
                try:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        tmp.write(chunk)
                    tmp.flush()
                    os.fsync(tmp.fileno())
                except BaseException:
                    Path(tmp.name).unlink(missing_ok=True)
                    raise
            stored = StoredObject(
                bucket,
                key,
                size,
                digest.hexdigest(),
                metadata=dict(metadata or {}),
                retention=retention,
            )
            self._write_meta(stored)
            os.replace(tmp.name, target)
        except OSError as exc:
            raise ObjectStoreError(f"cannot write {bucket}/{key}: {exc.strerror or exc}") from exc
        return stored

    def _write_meta(self, stored: StoredObject) -> None:
        meta_path = self._meta_path(stored.bucket, stored.key)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, object] = {"size": stored.size, "sha256": stored.sha256, "metadata": dict(stored.metadata)}
        if stored.retention is not None:
            payload["retention"] = stored.retention.to_json()
        if stored.legal_hold:
            payload["legal_hold"] = True
        tmp = meta_path.with_name(f".part-{meta_path.name}")
        tmp.write_text(json.dumps(payload), encoding="ascii")
        os.replace(tmp, meta_path)

    def get_bytes(self, bucket: str, key: str) -> bytes:
        try:
            return self._path(bucket, key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(f"{bucket}/{key}") from None

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        path = self._path(bucket, key)
        try:
            meta = json.loads(self._meta_path(bucket, key).read_text(encoding="ascii"))
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        return StoredObject(
            bucket,
            key,
            size,
            meta["sha256"],
            metadata=meta.get("metadata", {}),
            retention=Retention.from_json(meta.get("retention")),
            legal_hold=bool(meta.get("legal_hold")),
        )

    def _existing(self, bucket: str, key: str, version_id: str | None) -> StoredObject:
        """The object (its only version) or ObjectNotFound; a version id names nothing here."""
        stored = self.stat(bucket, key) if version_id is None else None
        if stored is None:
            raise ObjectNotFound(f"{bucket}/{key}" + (f" version {version_id}" if version_id else ""))
        return stored

    def _require_lock(self, bucket: str) -> None:
        if bucket not in self.locked_buckets:
            raise ObjectStoreError(f"bucket {bucket} has no object lock: no retention or legal hold there")

    def delete(self, bucket: str, key: str, version_id: str | None = None) -> None:
        """Remove the object; refused with ObjectLocked while it is retained or held. A missing key is no error.

        There is one version here, so `version_id` (None for every local object) changes nothing.
        """
        stored = self.stat(bucket, key)
        if stored is None:
            return
        if refusal := stored.lock_refusal():
            raise refusal
        self._path(bucket, key).unlink(missing_ok=True)
        self._meta_path(bucket, key).unlink(missing_ok=True)

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        """Remove every object under the prefix; if any is retained or held, nothing is removed."""
        keys = list(self.list_keys(bucket, prefix))
        for key in keys:
            stored = self.stat(bucket, key)
            if stored is not None and (refusal := stored.lock_refusal()):
                raise refusal
        for key in keys:
            self._path(bucket, key).unlink(missing_ok=True)
            self._meta_path(bucket, key).unlink(missing_ok=True)
        folder = self.root / bucket / prefix
        if prefix.endswith("/") and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(self.root / ".meta" / bucket / prefix, ignore_errors=True)
        return len(keys)

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Keys in sorted order, read a folder at a time (an archive of 700,000 documents holds 2 million files)."""
        base = self.root / bucket
        if base.is_dir():
            yield from _keys_under(base, "", prefix)

    @contextmanager
    def local_path(self, bucket: str, key: str) -> Iterator[Path]:
        """The object as a file on disk; here it already is one, so nothing is copied."""
        path = self._path(bucket, key)
        if not path.is_file():
            raise ObjectNotFound(f"{bucket}/{key}")
        yield path

    def set_retention(
        self,
        bucket: str,
        key: str,
        retention: Retention,
        version_id: str | None = None,
        *,
        bypass_governance: bool = False,
    ) -> None:
        """Set or extend the object's retention; COMPLIANCE never shortens, GOVERNANCE only with bypass."""
        self._require_lock(bucket)
        stored = self._existing(bucket, key, version_id)
        check_retention_change(stored, retention, bypass_governance=bypass_governance)
        self._update_meta(stored, retention=retention)

    def set_legal_hold(self, bucket: str, key: str, on: bool, version_id: str | None = None) -> None:
        self._require_lock(bucket)
        self._update_meta(self._existing(bucket, key, version_id), legal_hold=on)

    def legal_hold(self, bucket: str, key: str, version_id: str | None = None) -> bool:
        return self._existing(bucket, key, version_id).legal_hold

    def _update_meta(self, stored: StoredObject, **changes: object) -> None:
        try:
            self._write_meta(replace(stored, **changes))  # type: ignore[arg-type]
        except OSError as exc:
            raise ObjectStoreError(f"cannot update {stored.bucket}/{stored.key}: {exc.strerror or exc}") from exc

    def download_url(
        self,
        bucket: str,
        key: str,
        expires: timedelta = timedelta(hours=1),
        filename: str | None = None,
        version_id: str | None = None,
    ) -> str:
        """A `file://` URI of the object; a file never expires and carries no download name (both are checked only)."""
        check_expiry(expires)
        self._existing(bucket, key, version_id)
        return self._path(bucket, key).resolve().as_uri()
