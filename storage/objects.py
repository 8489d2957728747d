"""The object store interface and its local-folder implementation (the embedded default)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote, unquote

CHUNK = 1 << 20


class ObjectStoreError(OSError):
    """The store could not be read or written (disk full, permissions, unreachable server)."""


class ObjectNotFound(ObjectStoreError, KeyError):
    """No object under that bucket and key."""


@dataclass(frozen=True)
class StoredObject:
    """What the store holds under a key: size, SHA-256, version and ASCII metadata."""

    bucket: str
    key: str
    size: int
    sha256: str
    version_id: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


class ObjectStore(Protocol):
    """What sohoa needs of an object store; MinIO and the local folder both provide it."""

    def put_file(
        self, bucket: str, key: str, path: Path, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject: ...
    def put_bytes(
        self, bucket: str, key: str, data: bytes, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject: ...
    def get_bytes(self, bucket: str, key: str) -> bytes: ...
    def stat(self, bucket: str, key: str) -> StoredObject | None: ...
    def delete_prefix(self, bucket: str, prefix: str) -> int: ...
    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]: ...
    @contextmanager
    def local_path(self, bucket: str, key: str) -> Iterator[Path]: ...


def ascii_metadata(values: Mapping[str, str | None]) -> dict[str, str]:
    """Object metadata must be ASCII: Vietnamese values are percent-encoded (UTF-8), None dropped."""
    return {key: quote(value, safe=" -_.,:/()") for key, value in values.items() if value is not None}


def decode_metadata(values: Mapping[str, str]) -> dict[str, str]:
    return {key: unquote(value) for key, value in values.items()}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class LocalFolderStore:
    """Objects as files under `root/bucket/key`, metadata beside them; every write is atomic."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, bucket: str, key: str) -> Path:
        if not key or key.startswith("/") or ".." in Path(key).parts or bucket in ("", ".", ".."):
            raise ValueError(f"unsafe object key: {bucket}/{key}")
        return self.root / bucket / key

    def _meta_path(self, bucket: str, key: str) -> Path:
        return self.root / ".meta" / bucket / f"{key}.json"

    def put_file(self, bucket: str, key: str, path: Path, *, metadata: Mapping[str, str] | None = None) -> StoredObject:
        with path.open("rb") as fh:
            return self._write(bucket, key, fh, metadata)

    def put_bytes(
        self, bucket: str, key: str, data: bytes, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        return self._write(bucket, key, BytesIO(data), metadata)

    def _write(self, bucket: str, key: str, source: BinaryIO, metadata: Mapping[str, str] | None) -> StoredObject:
        target = self._path(bucket, key)
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
            stored = StoredObject(bucket, key, size, digest.hexdigest(), metadata=dict(metadata or {}))
            self._write_meta(stored)
            os.replace(tmp.name, target)
        except OSError as exc:
            raise ObjectStoreError(f"cannot write {bucket}/{key}: {exc.strerror or exc}") from exc
        return stored

    def _write_meta(self, stored: StoredObject) -> None:
        meta_path = self._meta_path(stored.bucket, stored.key)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"size": stored.size, "sha256": stored.sha256, "metadata": dict(stored.metadata)}
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
        return StoredObject(bucket, key, size, meta["sha256"], metadata=meta.get("metadata", {}))

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        removed = 0
        for key in list(self.list_keys(bucket, prefix)):
            self._path(bucket, key).unlink(missing_ok=True)
            self._meta_path(bucket, key).unlink(missing_ok=True)
            removed += 1
        folder = self.root / bucket / prefix
        if prefix.endswith("/") and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(self.root / ".meta" / bucket / prefix, ignore_errors=True)
        return removed

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        base = self.root / bucket
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            key = path.relative_to(base).as_posix()
            if path.is_file() and not path.name.startswith(".part-") and key.startswith(prefix):
                yield key

    @contextmanager
    def local_path(self, bucket: str, key: str) -> Iterator[Path]:
        """The object as a file on disk; here it already is one, so nothing is copied."""
        path = self._path(bucket, key)
        if not path.is_file():
            raise ObjectNotFound(f"{bucket}/{key}")
        yield path
