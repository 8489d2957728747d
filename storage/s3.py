"""The object store on any S3 server with object lock (SeaweedFS, MinIO, AWS) through the `minio` client.

Buckets with a `RetentionPolicy` are created with object lock, which also turns versioning on. The
retention of a new object is set right after its upload, on the version the upload made: a PUT with
object-lock headers needs a Content-MD5 that minio does not send over plain HTTP, which some servers refuse.
Deletes in those buckets name the version, so it is the server's lock that refuses them.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import cast

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.error import S3Error
from minio.helpers import ObjectWriteResult, md5sum_hash
from minio.objectlockconfig import ObjectLockConfig
from minio.retention import Retention as S3Retention
from minio.versioningconfig import VersioningConfig
from minio.xml import marshal

from storage.objects import (
    ObjectLocked,
    ObjectNotFound,
    ObjectStoreError,
    Retention,
    RetentionMode,
    RetentionPolicy,
    StoredObject,
    check_expiry,
    check_retention_change,
    content_disposition,
    policy_retention,
    sha256_file,
)

SHA256_KEY = "sha256"
POOL_SIZE = 16
MISSING = ("NoSuchKey", "NoSuchBucket", "NoSuchObject", "NoSuchVersion")
BUCKET_EXISTS = ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")
NO_LOCK_CONFIG = ("ObjectLockConfigurationNotFoundError", "NoSuchObjectLockConfiguration")
NO_LEGAL_HOLD = ("NoSuchObjectLegalHold", "NoSuchObjectLockConfiguration")  # a version never held (SeaweedFS, AWS)
LOCK_REFUSALS = ("AccessDenied", "InvalidRequest", "ObjectLocked")  # what servers answer to a locked version
TRANSPORT_ERRORS = (OSError, urllib3.exceptions.HTTPError)
#: Headers, query parameters and metadata as the minio client types them.
Fields = dict[str, str | list[str] | tuple[str]]


class S3Store:
    """Buckets and keys on an S3 server; the SHA-256 of every object travels in its ASCII metadata."""

    def __init__(
        self, client: Minio, *, bucket_prefix: str = "", locked_buckets: Mapping[str, RetentionPolicy] | None = None
    ) -> None:
        self.client = client
        self.bucket_prefix = bucket_prefix
        self.locked_buckets = dict(locked_buckets or {})
        self._ready: set[str] = set()

    @classmethod
    def connect(
        cls,
        endpoint: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool = True,
        bucket_prefix: str = "",
        ca_file: Path | None = None,
        cert_check: bool = True,
        locked_buckets: Mapping[str, RetentionPolicy] | None = None,
    ) -> S3Store:
        """A store on `endpoint`; `ca_file` is the CA bundle for its TLS certificate, `cert_check=False` trusts any."""
        if ca_file is not None and not Path(ca_file).is_file():
            raise ObjectStoreError(f"the S3 CA file {ca_file} does not exist")
        tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": str(ca_file) if ca_file else None}
        retries = urllib3.Retry(total=3, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504))
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=10, read=120),
            retries=retries,
            maxsize=POOL_SIZE,  # one connection per worker thread, kept alive
            **(tls if cert_check else {"cert_reqs": "CERT_NONE"}),
        )
        return cls(
            Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http),
            bucket_prefix=bucket_prefix,
            locked_buckets=locked_buckets,
        )

    @contextmanager
    def _errors(self, bucket: str, key: str = "") -> Iterator[None]:
        """Server answers and transport failures as the store's own errors."""
        try:
            yield
        except ObjectStoreError:
            raise
        except S3Error as exc:
            raise self._error(bucket, key, exc) from exc
        except TRANSPORT_ERRORS as exc:
            raise ObjectStoreError(f"{bucket}/{key}: {exc}") from exc

    def _bucket(self, bucket: str) -> str:
        name = f"{self.bucket_prefix}{bucket}"
        if name not in self._ready:
            locked = bucket in self.locked_buckets
            with self._errors(bucket):
                created = False
                if not self.client.bucket_exists(name):
                    try:
                        self.client.make_bucket(name, object_lock=locked)
                        created = True
                    except S3Error as exc:
                        if exc.code not in BUCKET_EXISTS:
                            raise ObjectStoreError(f"cannot use bucket {name}: {exc.message}") from exc
                if locked and not created:
                    self._ensure_object_lock(name)
            self._ready.add(name)
        return name

    def _ensure_object_lock(self, name: str) -> None:
        """An existing bucket that must lock: turn versioning and object lock on, or say why it cannot be used."""
        try:
            self.client.get_object_lock_config(name)
            return
        except S3Error as exc:
            if exc.code not in NO_LOCK_CONFIG:
                raise
        self.client.set_bucket_versioning(name, VersioningConfig(ENABLED))
        try:
            self.client.set_object_lock_config(name, ObjectLockConfig(None, None, None))
        except S3Error as exc:
            raise ObjectStoreError(
                f"bucket {name} exists without object lock and the server cannot turn it on ({exc.message}); "
                "versioning is enabled now, but retention needs a bucket created with object lock"
            ) from exc

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
        # Files over the part size go up as a multipart upload.
        digest, size = sha256_file(path), path.stat().st_size
        return self._put(
            bucket,
            key,
            digest,
            size,
            metadata,
            lambda name, meta: self.client.fput_object(name, key, str(path), metadata=meta),
            retain_days,
        )

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        retain_days: int | None = None,
    ) -> StoredObject:
        digest = hashlib.sha256(data).hexdigest()
        return self._put(
            bucket,
            key,
            digest,
            len(data),
            metadata,
            lambda name, meta: self.client.put_object(name, key, BytesIO(data), len(data), metadata=meta),
            retain_days,
        )

    def _put(
        self,
        bucket: str,
        key: str,
        digest: str,
        size: int,
        metadata: Mapping[str, str] | None,
        upload: Callable[[str, Fields], ObjectWriteResult],
        retain_days: int | None = None,
    ) -> StoredObject:
        retention = policy_retention(self.locked_buckets, bucket, retain_days)
        try:
            name = self._bucket(bucket)
            meta: Fields = {**(metadata or {}), SHA256_KEY: digest}
            result = upload(name, meta)
        except (S3Error, *TRANSPORT_ERRORS) as exc:
            raise ObjectStoreError(f"cannot store {bucket}/{key}: {exc}") from exc
        if retention is not None:
            self._retain_new_version(bucket, name, key, result.version_id, retention)
        return StoredObject(bucket, key, size, digest, result.version_id, dict(metadata or {}), retention)

    def _retain_new_version(
        self, bucket: str, name: str, key: str, version_id: str | None, retention: Retention
    ) -> None:
        """Lock the version just uploaded; if that fails, remove it so a retry uploads (and locks) it again."""
        try:
            config = S3Retention(retention.mode, retention.retain_until)
            self.client.set_object_retention(name, key, config, version_id=version_id)
        except (S3Error, *TRANSPORT_ERRORS) as exc:
            with suppress(S3Error, *TRANSPORT_ERRORS):
                self.client.remove_object(name, key, version_id=version_id)
            raise ObjectStoreError(f"stored {bucket}/{key} but could not retain it, so it was removed: {exc}") from exc

    def get_bytes(self, bucket: str, key: str) -> bytes:
        with self._errors(bucket, key):
            response = self.client.get_object(self._bucket(bucket), key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        return self._head(bucket, key)

    def _head(self, bucket: str, key: str, version_id: str | None = None) -> StoredObject | None:
        """The object (or that version of it) with its retention and legal hold, None when missing."""
        with self._errors(bucket, key):
            try:
                info = self.client.stat_object(self._bucket(bucket), key, version_id=version_id)
            except S3Error as exc:
                if exc.code in MISSING:
                    return None
                raise
        headers = info.metadata or {}
        meta = {
            k.lower().removeprefix("x-amz-meta-"): v for k, v in headers.items() if k.lower().startswith("x-amz-meta-")
        }
        sha256 = meta.pop(SHA256_KEY, "")
        mode, until = headers.get("x-amz-object-lock-mode"), headers.get("x-amz-object-lock-retain-until-date")
        retention = Retention(cast(RetentionMode, mode), datetime.fromisoformat(until)) if mode and until else None
        legal_hold = headers.get("x-amz-object-lock-legal-hold", "").upper() == "ON"
        return StoredObject(bucket, key, info.size or 0, sha256, info.version_id, meta, retention, legal_hold)

    def _existing(self, bucket: str, key: str, version_id: str | None) -> StoredObject:
        stored = self._head(bucket, key, version_id)
        if stored is None:
            raise ObjectNotFound(f"{bucket}/{key}" + (f" version {version_id}" if version_id else ""))
        return stored

    def delete(self, bucket: str, key: str, version_id: str | None = None) -> None:
        """Remove the object; in a locked bucket its current version (or `version_id`), which the lock protects.

        A retained or held version is refused with ObjectLocked. A missing key is no error.
        """
        name = self._bucket(bucket)
        if version_id is None and bucket in self.locked_buckets:
            current = self._head(bucket, key)
            if current is None:
                return
            version_id = current.version_id
        with self._errors(bucket, key):
            try:
                self.client.remove_object(name, key, version_id=version_id)
            except S3Error as exc:
                raise self._refusal(bucket, key, version_id, exc) from exc

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        """Remove every object under the prefix (in a locked bucket every version); refused if any is locked."""
        if bucket not in self.locked_buckets:
            keys = list(self.list_keys(bucket, prefix))
            for key in keys:
                self.delete(bucket, key)
            return len(keys)
        with self._errors(bucket, prefix):
            versions = list(
                self.client.list_objects(
                    self._bucket(bucket), prefix=prefix or None, recursive=True, include_version=True
                )
            )
        for item in versions:
            stored = None if item.is_delete_marker else self._head(bucket, item.object_name, item.version_id)
            if stored is not None and (refusal := stored.lock_refusal()):
                raise refusal
        for item in versions:
            self.delete(bucket, item.object_name, item.version_id)
        return len({item.object_name for item in versions if item.is_latest == "true" and not item.is_delete_marker})

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        with self._errors(bucket, prefix):
            for item in self.client.list_objects(self._bucket(bucket), prefix=prefix or None, recursive=True):
                yield item.object_name

    @contextmanager
    def local_path(self, bucket: str, key: str) -> Iterator[Path]:
        """The object downloaded to a temporary file, which is removed afterwards."""
        with tempfile.TemporaryDirectory(prefix="sohoa-") as folder:
            path = Path(folder) / "object"
            with self._errors(bucket, key):
                self.client.fget_object(self._bucket(bucket), key, str(path))
            yield path

    def _require_lock(self, bucket: str) -> str:
        if bucket not in self.locked_buckets:
            raise ObjectStoreError(f"bucket {bucket} has no object lock: no retention or legal hold there")
        return self._bucket(bucket)

    def set_retention(
        self,
        bucket: str,
        key: str,
        retention: Retention,
        version_id: str | None = None,
        *,
        bypass_governance: bool = False,
    ) -> None:
        """Set or extend a version's retention; COMPLIANCE never shortens, GOVERNANCE only with bypass.

        The rules are checked here too, before the server (which enforces them as well) is asked.
        """
        name = self._require_lock(bucket)
        current = self._existing(bucket, key, version_id)
        check_retention_change(current, retention, bypass_governance=bypass_governance)
        config = S3Retention(retention.mode, retention.retain_until)
        with self._errors(bucket, key):
            try:
                if bypass_governance:
                    set_retention_bypassing_governance(self.client, name, key, config, current.version_id)
                else:
                    self.client.set_object_retention(name, key, config, version_id=current.version_id)
            except S3Error as exc:
                raise self._refusal(bucket, key, current.version_id, exc, "change the retention of") from exc

    def set_legal_hold(self, bucket: str, key: str, on: bool, version_id: str | None = None) -> None:
        """Put a legal hold on the version (the current one by default), or release it."""
        name = self._require_lock(bucket)
        version = self._existing(bucket, key, version_id).version_id
        with self._errors(bucket, key):
            if on:
                self.client.enable_object_legal_hold(name, key, version_id=version)
            else:
                self.client.disable_object_legal_hold(name, key, version_id=version)

    def legal_hold(self, bucket: str, key: str, version_id: str | None = None) -> bool:
        current = self._existing(bucket, key, version_id)
        if bucket not in self.locked_buckets:
            return current.legal_hold
        with self._errors(bucket, key):
            try:
                return self.client.is_object_legal_hold_enabled(
                    self._bucket(bucket), key, version_id=current.version_id
                )
            except S3Error as exc:
                if exc.code in NO_LEGAL_HOLD:
                    return False
                raise

    def download_url(
        self,
        bucket: str,
        key: str,
        expires: timedelta = timedelta(hours=1),
        filename: str | None = None,
        version_id: str | None = None,
    ) -> str:
        """A presigned GET URL; with `filename` the download is named (ASCII fallback plus RFC 5987 UTF-8 name)."""
        check_expiry(expires)
        self._existing(bucket, key, version_id)
        headers: Fields | None = {"response-content-disposition": content_disposition(filename)} if filename else None
        with self._errors(bucket, key):
            return self.client.get_presigned_url(
                "GET", self._bucket(bucket), key, expires=expires, response_headers=headers, version_id=version_id
            )

    def _refusal(
        self, bucket: str, key: str, version_id: str | None, exc: S3Error, action: str = "delete"
    ) -> ObjectStoreError:
        """A refused delete or retention change in a locked bucket is ObjectLocked, with the date when known."""
        if exc.code not in LOCK_REFUSALS or bucket not in self.locked_buckets:
            return self._error(bucket, key, exc)
        with suppress(ObjectStoreError):
            stored = self._head(bucket, key, version_id)
            if stored is not None and (refusal := stored.lock_refusal(action)):
                return refusal
        return ObjectLocked(bucket, key, version_id=version_id, action=action)

    @staticmethod
    def _error(bucket: str, key: str, exc: S3Error) -> ObjectStoreError:
        if exc.code in MISSING:
            return ObjectNotFound(f"{bucket}/{key}")
        return ObjectStoreError(f"{bucket}/{key}: {exc.message}")


def set_retention_bypassing_governance(
    client: Minio, bucket: str, key: str, config: S3Retention, version_id: str | None
) -> None:
    """PUT ?retention with x-amz-bypass-governance-retention: shortens or lifts a GOVERNANCE retention.

    minio-py's set_object_retention cannot send that header (minio-java and minio-go can), so this is its
    request with the header added; the one place sohoa calls the client's `_execute`.
    """
    body = marshal(config)
    query: Fields = {"retention": "", **({"versionId": version_id} if version_id else {})}
    headers: Fields = {"Content-MD5": md5sum_hash(body) or "", "x-amz-bypass-governance-retention": "true"}
    client._execute("PUT", bucket, key, body=body, headers=headers, query_params=query)
