"""The object store on MinIO (or any S3 server) through the `minio` client, behind the same interface."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import urllib3
from minio import Minio
from minio.error import S3Error
from minio.helpers import ObjectWriteResult

from storage.objects import ObjectNotFound, ObjectStoreError, StoredObject, sha256_file

SHA256_KEY = "sha256"
MISSING = ("NoSuchKey", "NoSuchBucket", "NoSuchObject")


class S3Store:
    """Buckets and keys on an S3 server; the SHA-256 of every object travels in its ASCII metadata."""

    def __init__(self, client: Minio, *, bucket_prefix: str = "") -> None:
        self.client = client
        self.bucket_prefix = bucket_prefix
        self._ready: set[str] = set()

    @classmethod
    def connect(
        cls, endpoint: str, access_key: str, secret_key: str, *, secure: bool = True, bucket_prefix: str = ""
    ) -> S3Store:
        retries = urllib3.Retry(total=3, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504))
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=120), retries=retries)
        return cls(
            Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http),
            bucket_prefix=bucket_prefix,
        )

    def _bucket(self, bucket: str) -> str:
        name = f"{self.bucket_prefix}{bucket}"
        if name not in self._ready:
            try:
                if not self.client.bucket_exists(name):
                    self.client.make_bucket(name)
            except S3Error as exc:
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise ObjectStoreError(f"cannot use bucket {name}: {exc.message}") from exc
            self._ready.add(name)
        return name

    def put_file(self, bucket: str, key: str, path: Path, *, metadata: Mapping[str, str] | None = None) -> StoredObject:
        # Files over the part size go up as a multipart upload.
        digest, size = sha256_file(path), path.stat().st_size
        return self._put(
            bucket,
            key,
            digest,
            size,
            metadata,
            lambda name, meta: self.client.fput_object(name, key, str(path), metadata=meta),
        )

    def put_bytes(
        self, bucket: str, key: str, data: bytes, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        digest = hashlib.sha256(data).hexdigest()
        return self._put(
            bucket,
            key,
            digest,
            len(data),
            metadata,
            lambda name, meta: self.client.put_object(name, key, BytesIO(data), len(data), metadata=meta),
        )

    def _put(
        self,
        bucket: str,
        key: str,
        digest: str,
        size: int,
        metadata: Mapping[str, str] | None,
        upload: Callable[[str, dict[str, str]], ObjectWriteResult],
    ) -> StoredObject:
        try:
            result = upload(self._bucket(bucket), {**(metadata or {}), SHA256_KEY: digest})
        except (S3Error, OSError, urllib3.exceptions.HTTPError) as exc:
            raise ObjectStoreError(f"cannot store {bucket}/{key}: {exc}") from exc
        return StoredObject(bucket, key, size, digest, result.version_id, dict(metadata or {}))

    def get_bytes(self, bucket: str, key: str) -> bytes:
        try:
            response = self.client.get_object(self._bucket(bucket), key)
        except S3Error as exc:
            raise self._error(bucket, key, exc) from exc
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        try:
            info = self.client.stat_object(self._bucket(bucket), key)
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            raise self._error(bucket, key, exc) from exc
        meta = {
            k.lower().removeprefix("x-amz-meta-"): v
            for k, v in (info.metadata or {}).items()
            if k.lower().startswith("x-amz-meta-")
        }
        sha256 = meta.pop(SHA256_KEY, "")
        return StoredObject(bucket, key, info.size or 0, sha256, info.version_id, meta)

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        keys = list(self.list_keys(bucket, prefix))
        for key in keys:
            try:
                self.client.remove_object(self._bucket(bucket), key)
            except S3Error as exc:
                raise self._error(bucket, key, exc) from exc
        return len(keys)

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        for item in self.client.list_objects(self._bucket(bucket), prefix=prefix or None, recursive=True):
            yield item.object_name

    @contextmanager
    def local_path(self, bucket: str, key: str) -> Iterator[Path]:
        """The object downloaded to a temporary file, which is removed afterwards."""
        with tempfile.TemporaryDirectory(prefix="sohoa-") as folder:
            path = Path(folder) / "object"
            try:
                self.client.fget_object(self._bucket(bucket), key, str(path))
            except S3Error as exc:
                raise self._error(bucket, key, exc) from exc
            yield path

    @staticmethod
    def _error(bucket: str, key: str, exc: S3Error) -> ObjectStoreError:
        if exc.code in MISSING:
            return ObjectNotFound(f"{bucket}/{key}")
        return ObjectStoreError(f"{bucket}/{key}: {exc.message}")
