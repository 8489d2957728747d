"""The object store on a local folder, the embedded default: one file per object, its metadata in a sidecar.

Object lock is emulated in the sidecars: an object put in a locked bucket is retained for the bucket's
`RetentionPolicy`, a legal hold is a flag, and deleting a retained or held object is refused with
`ObjectLocked`, as an S3 server refuses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from storage.objects import (
    CHUNK,
    ObjectNotFound,
    ObjectStoreError,
    Retention,
    RetentionPolicy,
    StoredObject,
    check_expiry,
    check_retention_change,
    policy_retention,
)


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
