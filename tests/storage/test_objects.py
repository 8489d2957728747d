"""The object store contract, run against every implementation (the local folder for now)."""

import hashlib
import uuid
from urllib.parse import unquote

import pytest

from storage.objects import LocalFolderStore, ObjectNotFound, ObjectStoreError, ascii_metadata, decode_metadata
from storage.s3 import S3Store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalFolderStore(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Store.connect(endpoint, "testing", "testing", secure=False, bucket_prefix=f"t{uuid.uuid4().hex[:8]}-")


def test_put_and_get_round_trip_with_hash(store, tmp_path):
    data = "Giấy phép xây dựng".encode() * 1000
    stored = store.put_bytes("archive", "doc/doc.pdf", data, metadata={"k": "v"})
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert store.get_bytes("archive", "doc/doc.pdf") == data
    stat = store.stat("archive", "doc/doc.pdf")
    assert (stat.sha256, stat.size, dict(stat.metadata)) == (stored.sha256, len(data), {"k": "v"})
    source = tmp_path / "scan.bin"
    source.write_bytes(b"x" * 3_000_000)
    assert store.put_file("incoming", "ab/abc", source).sha256 == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    with store.local_path("incoming", "ab/abc") as path:
        assert path.read_bytes() == source.read_bytes()


def test_missing_objects(store):
    assert store.stat("archive", "nope") is None
    with pytest.raises(ObjectNotFound):
        store.get_bytes("archive", "nope")
    with pytest.raises(ObjectNotFound), store.local_path("archive", "nope"):
        pass


def test_listing_and_deleting_a_prefix(store):
    for key in ("d1/page-0001.jpg", "d1/page-0002.jpg", "d2/page-0001.jpg"):
        store.put_bytes("work", key, b"data")
    assert list(store.list_keys("work", "d1/")) == ["d1/page-0001.jpg", "d1/page-0002.jpg"]
    assert store.delete_prefix("work", "d1/") == 2
    assert list(store.list_keys("work")) == ["d2/page-0001.jpg"]


def test_keys_cannot_escape_the_local_store(tmp_path):
    store = LocalFolderStore(tmp_path / "objects")
    for key in ("../outside", "/etc/passwd", "a/../../b"):
        with pytest.raises(ValueError):
            store.put_bytes("work", key, b"x")


def test_a_full_disk_is_a_clear_error_and_leaves_nothing_behind(tiny_disk):
    store = LocalFolderStore(tiny_disk / "objects")
    store.put_bytes("archive", "small", b"x" * 1000)
    with pytest.raises(ObjectStoreError, match="No space left"):
        store.put_bytes("archive", "doc/doc.pdf", b"x" * 3_000_000)
    assert store.stat("archive", "doc/doc.pdf") is None
    assert [p.name for p in (tiny_disk / "objects" / "archive").rglob("*") if p.is_file()] == ["small"]
    assert store.get_bytes("archive", "small") == b"x" * 1000


def test_metadata_is_ascii_and_round_trips_vietnamese():
    encoded = ascii_metadata({"organ": "Ủy ban nhân dân tỉnh Ninh Bình", "missing": None})
    assert encoded["organ"].isascii() and "missing" not in encoded
    assert decode_metadata(encoded) == {"organ": "Ủy ban nhân dân tỉnh Ninh Bình"}
    assert unquote(encoded["organ"]) == "Ủy ban nhân dân tỉnh Ninh Bình"
