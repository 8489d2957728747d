"""The object store contract, run against every implementation: the local folder and S3 (the minio client
on a real SeaweedFS server, `tests/seaweedfs.py`). What the archive promises under object lock is also
asserted on the server alone, with the plain `minio` client: the server, not sohoa, refuses.
"""

from __future__ import annotations

import hashlib
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import pytest
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention as S3Retention

from schemas.settings import Settings
from storage.local_store import LocalFolderStore
from storage.objects import (
    ObjectLocked,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreError,
    Retention,
    RetentionPolicy,
    ascii_metadata,
    content_disposition,
    decode_metadata,
)
from storage.s3 import LOCK_REFUSALS, MISSING, S3Store, set_retention_bypassing_governance
from tests.seaweedfs import S3Server
from workers.runtime import open_store

PRODUCTION = {"archive": RetentionPolicy("GOVERNANCE", 3650)}  # the settings' default
HOLD_ONLY = {"archive": RetentionPolicy("GOVERNANCE", 0)}  # locked bucket, nothing retained by itself
MakeStore = Callable[..., ObjectStore]


# --- the stores -----------------------------------------------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def make_store(store_kind: str, request, tmp_path: Path) -> MakeStore:
    """A fresh store (its own folder or bucket prefix) with the given buckets under object lock."""

    def make(locked_buckets: dict[str, RetentionPolicy] | None = None) -> ObjectStore:
        if store_kind == "local":
            return LocalFolderStore(tmp_path / uuid.uuid4().hex[:8], locked_buckets=locked_buckets)
        return request.getfixturevalue("s3_server").store(f"t{uuid.uuid4().hex[:8]}-", locked_buckets)

    return make


@pytest.fixture
def store(make_store: MakeStore) -> ObjectStore:
    return make_store(PRODUCTION)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET the URL: status, headers and body, also for a refusal."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status = 200 if url.startswith("file:") else response.status  # a file has no HTTP status
            return status, dict(response.headers), response.read()
    except HTTPError as refused:
        with refused:
            return refused.code, dict(refused.headers), refused.read()


# --- the contract ---------------------------------------------------------------------------------------


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
    with pytest.raises(ObjectNotFound):
        store.download_url("archive", "nope")
    with pytest.raises(ObjectNotFound):
        store.set_legal_hold("archive", "nope", True)
    store.delete("archive", "nope")  # deleting nothing is no error


def test_a_local_folder_lists_its_keys_in_path_order_a_folder_at_a_time(tmp_path: Path):
    store = LocalFolderStore(tmp_path / "objects")
    keys = ["a-c/x.json", "a/b/c.pdf", "a/b.json", "a/z", "b", "d1/page-0001.jpg", "d10/page-0001.jpg", "đ/ý.xml"]
    for key in reversed(keys):
        store.put_bytes("archive", key, b"data")
    (tmp_path / "objects" / "archive" / "a" / ".part-unfinished").write_bytes(b"half")

    everything = sorted(path for path in (tmp_path / "objects" / "archive").rglob("*") if path.is_file())
    expected = [p.relative_to(tmp_path / "objects" / "archive").as_posix() for p in everything]
    assert list(store.list_keys("archive")) == [key for key in expected if ".part-" not in key]
    assert list(store.list_keys("archive", "a/")) == ["a/b/c.pdf", "a/b.json", "a/z"]
    assert list(store.list_keys("archive", "a/b")) == ["a/b/c.pdf", "a/b.json"]
    assert list(store.list_keys("archive", "d1")) == ["d1/page-0001.jpg", "d10/page-0001.jpg"]
    assert list(store.list_keys("missing")) == []


def test_listing_and_deleting_a_prefix(store):
    for key in ("d1/page-0001.jpg", "d1/page-0002.jpg", "d2/page-0001.jpg"):
        store.put_bytes("work", key, b"data")
    assert list(store.list_keys("work", "d1/")) == ["d1/page-0001.jpg", "d1/page-0002.jpg"]
    assert store.delete_prefix("work", "d1/") == 2
    assert list(store.list_keys("work")) == ["d2/page-0001.jpg"]
    store.delete("work", "d2/page-0001.jpg")
    assert list(store.list_keys("work")) == [] and store.stat("work", "d2/page-0001.jpg") is None


@pytest.mark.parametrize(("mode", "days"), [("GOVERNANCE", 3650), ("COMPLIANCE", 30)])
def test_archived_objects_are_retained_with_the_configured_mode(make_store, store_kind, mode, days):
    store = make_store({"archive": RetentionPolicy(mode, days)})
    organ = "Ủy ban nhân dân tỉnh Ninh Bình"
    stored = store.put_bytes("archive", "d/d.pdf", b"%PDF signed", metadata=ascii_metadata({"organ": organ}))
    expected_until = datetime.now(UTC) + timedelta(days=days)

    assert stored.retention is not None and stored.retention.mode == mode
    assert abs(stored.retention.retain_until - expected_until) < timedelta(minutes=1)
    stat = store.stat("archive", "d/d.pdf")
    assert stat.retention == stored.retention and stat.legal_hold is False
    assert stat.version_id == stored.version_id
    assert (stored.version_id is not None) == (store_kind == "s3")  # S3 versions; the folder keeps one copy
    assert all(value.isascii() for value in stat.metadata.values())
    assert decode_metadata(stat.metadata) == {"organ": organ} and stat.sha256 == sha256(b"%PDF signed")
    # Other buckets are not locked.
    work = store.put_bytes("work", "d/page.jpg", b"jpeg")
    assert work.retention is None and store.stat("work", "d/page.jpg").retention is None


def test_a_retained_object_cannot_be_deleted(store):
    data = "Quyết định số 12/QĐ-UBND".encode() * 500
    stored = store.put_bytes("archive", "d/d.pdf", data)
    day = f"{stored.retention.retain_until:%Y-%m-%d}"

    with pytest.raises(ObjectLocked, match=rf"archive/d/d\.pdf.*retained until {day}") as refused:
        store.delete("archive", "d/d.pdf")
    assert refused.value.retain_until == stored.retention.retain_until and not refused.value.legal_hold
    with pytest.raises(ObjectLocked, match=r"archive/d/d\.pdf"):
        store.delete_prefix("archive", "d/")
    with pytest.raises(ObjectLocked):
        store.delete("archive", "d/d.pdf", stored.version_id)

    assert sha256(store.get_bytes("archive", "d/d.pdf")) == sha256(data) == store.stat("archive", "d/d.pdf").sha256
    assert list(store.list_keys("archive", "d/")) == ["d/d.pdf"]


def test_putting_over_a_retained_object(store, store_kind):
    first = store.put_bytes("archive", "d/d.json", b"first")
    if store_kind == "local":
        # One version only: replacing it would destroy what is retained.
        with pytest.raises(ObjectLocked, match=r"cannot overwrite archive/d/d\.json"):
            store.put_bytes("archive", "d/d.json", b"second")
        assert store.get_bytes("archive", "d/d.json") == b"first"
        return
    # S3 keeps both versions; stat sees the new one and the first version stays protected.
    second = store.put_bytes("archive", "d/d.json", b"second")
    assert second.version_id not in (None, first.version_id)
    stat = store.stat("archive", "d/d.json")
    assert (stat.version_id, stat.sha256, stat.retention) == (second.version_id, sha256(b"second"), second.retention)
    with pytest.raises(ObjectLocked, match=first.version_id):
        store.delete("archive", "d/d.json", first.version_id)
    assert store.get_bytes("archive", "d/d.json") == b"second"


def test_a_legal_hold_blocks_deleting_until_released(make_store):
    store = make_store(HOLD_ONLY)
    data = b"permit" * 100
    stored = store.put_bytes("archive", "d/d.pdf", data)
    assert stored.retention is None and store.legal_hold("archive", "d/d.pdf") is False

    store.set_legal_hold("archive", "d/d.pdf", True, stored.version_id)
    assert store.legal_hold("archive", "d/d.pdf") is True and store.stat("archive", "d/d.pdf").legal_hold
    with pytest.raises(ObjectLocked, match=r"archive/d/d\.pdf.*legal hold") as refused:
        store.delete("archive", "d/d.pdf")
    assert refused.value.legal_hold and refused.value.retain_until is None
    with pytest.raises(ObjectLocked):
        store.delete_prefix("archive", "d/")
    assert sha256(store.get_bytes("archive", "d/d.pdf")) == sha256(data)

    store.set_legal_hold("archive", "d/d.pdf", False)
    assert store.legal_hold("archive", "d/d.pdf") is False
    store.delete("archive", "d/d.pdf")
    assert store.stat("archive", "d/d.pdf") is None and list(store.list_keys("archive")) == []
    with pytest.raises(ObjectNotFound):
        store.get_bytes("archive", "d/d.pdf")


def test_a_legal_hold_needs_a_locked_bucket(store):
    store.put_bytes("work", "d/page.jpg", b"jpeg")
    with pytest.raises(ObjectStoreError, match="no object lock") as refused:
        store.set_legal_hold("work", "d/page.jpg", True)
    assert not isinstance(refused.value, ObjectLocked)
    assert store.legal_hold("work", "d/page.jpg") is False


def test_delete_prefix_removes_nothing_when_one_object_is_locked(make_store):
    store = make_store(HOLD_ONLY)
    for key in ("d/d.json", "d/d.pdf", "d/d.xml"):
        store.put_bytes("archive", key, key.encode())
    store.set_legal_hold("archive", "d/d.xml", True)
    with pytest.raises(ObjectLocked, match=r"archive/d/d\.xml"):
        store.delete_prefix("archive", "d/")
    assert list(store.list_keys("archive", "d/")) == ["d/d.json", "d/d.pdf", "d/d.xml"]
    store.set_legal_hold("archive", "d/d.xml", False)
    assert store.delete_prefix("archive", "d/") == 3
    assert list(store.list_keys("archive")) == []


def test_compliance_never_shortens_and_governance_only_with_bypass(make_store):
    store = make_store({"archive": RetentionPolicy("COMPLIANCE", 30)})
    stored = store.put_bytes("archive", "c.pdf", b"c")
    until = stored.retention.retain_until
    for shorter in (Retention("COMPLIANCE", until - timedelta(days=1)), Retention("GOVERNANCE", until)):
        for bypass in (False, True):
            with pytest.raises(ObjectLocked, match="COMPLIANCE"):
                store.set_retention("archive", "c.pdf", shorter, bypass_governance=bypass)
    assert store.stat("archive", "c.pdf").retention.retain_until == until
    longer = Retention("COMPLIANCE", until + timedelta(days=365))
    store.set_retention("archive", "c.pdf", longer)
    assert store.stat("archive", "c.pdf").retention == longer

    store = make_store({"archive": RetentionPolicy("GOVERNANCE", 30)})
    stored = store.put_bytes("archive", "g.pdf", b"g")
    shorter = Retention("GOVERNANCE", stored.retention.retain_until - timedelta(days=20))
    with pytest.raises(ObjectLocked, match="bypass_governance"):
        store.set_retention("archive", "g.pdf", shorter)
    assert store.stat("archive", "g.pdf").retention == stored.retention
    store.set_retention("archive", "g.pdf", shorter, bypass_governance=True)
    assert store.stat("archive", "g.pdf").retention == shorter
    with pytest.raises(ValueError, match="future"):
        store.set_retention("archive", "g.pdf", Retention("GOVERNANCE", datetime.now(UTC) - timedelta(days=1)))


def test_an_object_can_be_deleted_once_its_retention_ends(make_store):
    store = make_store(HOLD_ONLY)
    store.put_bytes("archive", "soon.pdf", b"soon")
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    store.set_retention("archive", "soon.pdf", Retention("GOVERNANCE", until))
    with pytest.raises(ObjectLocked, match="retained until"):
        store.delete("archive", "soon.pdf")
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 1.0)
    store.delete("archive", "soon.pdf")
    assert store.stat("archive", "soon.pdf") is None


def test_download_url_gives_the_exact_bytes_under_a_vietnamese_name(store, store_kind):
    data = "Giấy chứng nhận quyền sử dụng đất".encode() * 2000
    store.put_bytes("archive", "d/d.pdf", data)
    name = "Quyết định số 12/QĐ-UBND.pdf"
    url = store.download_url("archive", "d/d.pdf", expires=timedelta(minutes=5), filename=name)

    status, headers, body = fetch(url)
    assert status == 200 and sha256(body) == sha256(data)
    if store_kind == "local":
        assert url.startswith("file:///")
        return
    assert urlsplit(url).scheme == "http" and "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert headers["Content-Disposition"] == content_disposition(name)


def test_download_url_limits(store):
    store.put_bytes("archive", "d/d.pdf", b"x")
    for expires in (timedelta(0), timedelta(days=8)):
        with pytest.raises(ValueError, match="expire"):
            store.download_url("archive", "d/d.pdf", expires=expires)


def test_an_expired_or_tampered_download_url_is_refused(s3_server: S3Server):
    # S3 only: a local file:// URI carries no signature and no expiry.
    store = s3_server.store(f"t{uuid.uuid4().hex[:8]}-")
    store.put_bytes("archive", "d/d.pdf", b"the signed PDF")
    store.put_bytes("archive", "other/other.pdf", b"someone else's PDF")
    url = store.download_url("archive", "d/d.pdf", expires=timedelta(seconds=1), filename="Quyết định.pdf")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = query["X-Amz-Signature"]

    def with_query(**changes: str) -> str:
        pairs = [(k, changes.get(k, v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        return urlunsplit(parts._replace(query="&".join(f"{k}={urllib.request.quote(v, safe='')}" for k, v in pairs)))

    tampered = [
        with_query(**{"X-Amz-Signature": signature[:-1] + ("0" if signature[-1] != "0" else "1")}),
        url.replace("/d/d.pdf?", "/other/other.pdf?"),
        with_query(**{"response-content-disposition": 'attachment; filename="evil.exe"'}),
        with_query(**{"X-Amz-Expires": "604800"}),
    ]
    for bad in tampered:
        status, _, body = fetch(bad)
        assert status == 403, (bad, body)
    assert fetch(url)[0] == 200  # the untouched URL works while it is valid...
    time.sleep(2.1)
    status, _, body = fetch(url)  # ...and not after it expires
    assert status == 403 and b"expired" in body


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    value = content_disposition('Quyết định số 12/QĐ-UBND "Đất đai".pdf')
    assert value.isascii()
    assert value.startswith("attachment; filename=\"Quyet dinh so 12_QD-UBND _Dat dai_.pdf\"; filename*=UTF-8''")
    assert unquote(value.split("filename*=UTF-8''")[1]) == 'Quyết định số 12_QĐ-UBND "Đất đai".pdf'
    assert content_disposition("record.json") == 'attachment; filename="record.json"'


# --- S3 only: buckets, TLS and the settings -------------------------------------------------------------


def test_an_existing_archive_bucket_gets_versioning_and_object_lock(s3_server: S3Server):
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    client = s3_server.client()
    client.make_bucket(f"{prefix}archive")  # made earlier, without object lock
    store = S3Store(client, bucket_prefix=prefix, locked_buckets=PRODUCTION)
    stored = store.put_bytes("archive", "d/d.pdf", b"pdf")
    assert stored.version_id is not None and stored.retention is not None
    assert client.get_bucket_versioning(f"{prefix}archive").status == "Enabled"
    with pytest.raises(ObjectLocked):
        store.delete("archive", "d/d.pdf")

    # One with objects in it: SeaweedFS (and AWS since 2023) turn object lock on; MinIO refuses, and sohoa then
    # says the bucket cannot be used (`S3Store._ensure_object_lock`).
    client.make_bucket(f"{prefix}x-archive")
    S3Store(client, bucket_prefix=prefix).put_bytes("x-archive", "old.pdf", b"old")
    locked = S3Store(client, bucket_prefix=prefix, locked_buckets={"x-archive": RetentionPolicy("GOVERNANCE", 1)})
    stored = locked.put_bytes("x-archive", "d/d.pdf", b"pdf")
    assert stored.retention is not None and locked.stat("x-archive", "d/d.pdf").retention == stored.retention
    with pytest.raises(ObjectLocked):
        locked.delete("x-archive", "d/d.pdf")


def test_tls_with_a_private_ca(s3_server: S3Server):
    endpoint, ca, keys = s3_server.https_endpoint, s3_server.ca_file, (s3_server.access_key, s3_server.secret_key)
    store = S3Store.connect(endpoint, *keys, secure=True, ca_file=ca, bucket_prefix=f"tls{uuid.uuid4().hex[:6]}-")
    assert store.put_bytes("work", "a", b"over TLS").sha256 == sha256(b"over TLS")
    assert store.get_bytes("work", "a") == b"over TLS"
    untrusting = S3Store.connect(endpoint, *keys, secure=True, bucket_prefix=store.bucket_prefix)
    with pytest.raises(ObjectStoreError, match="CERTIFICATE_VERIFY_FAILED"):
        untrusting.get_bytes("work", "a")
    with pytest.raises(ObjectStoreError, match="does not exist"):
        S3Store.connect(endpoint, *keys, ca_file=ca.with_name("missing.pem"))


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_without_a_certificate_check(s3_server: S3Server):
    store = S3Store.connect(
        s3_server.https_endpoint,
        s3_server.access_key,
        s3_server.secret_key,
        secure=True,
        cert_check=False,
        bucket_prefix=f"tls{uuid.uuid4().hex[:6]}-",
    )
    store.put_bytes("work", "b", b"unchecked")
    assert store.get_bytes("work", "b") == b"unchecked"


def test_open_store_passes_tls_and_retention_settings(s3_server: S3Server, tmp_path):
    endpoint, ca = s3_server.https_endpoint, s3_server.ca_file
    base = {
        "data_dir": tmp_path / "data",
        "s3_access_key": s3_server.access_key,
        "s3_secret_key": s3_server.secret_key,
        "s3_bucket_prefix": f"o{uuid.uuid4().hex[:8]}-",
    }
    settings = Settings(
        **base, s3_endpoint=endpoint, s3_ca_file=ca, archive_retention_mode="COMPLIANCE", archive_retention_days=7
    )
    store = open_store(settings)
    assert isinstance(store, S3Store) and store.locked_buckets == {"archive": RetentionPolicy("COMPLIANCE", 7)}
    stored = store.put_bytes("archive", f"{uuid.uuid4().hex}/d.pdf", b"pdf")  # over TLS, trusting only the CA file
    assert stored.retention.mode == "COMPLIANCE" and stored.version_id is not None

    unchecked = open_store(Settings(**base, s3_endpoint=endpoint, s3_cert_check=False, archive_retention_days=0))
    assert unchecked.locked_buckets == {}
    assert unchecked.client._http.connection_pool_kw["cert_reqs"] == "CERT_NONE"
    assert open_store(Settings(**base, archive_retention_mode=None)).locked_buckets == {}
    local = open_store(Settings(**base))
    assert isinstance(local, LocalFolderStore) and local.locked_buckets == {
        "archive": RetentionPolicy("GOVERNANCE", 3650)
    }


# --- local folder only ----------------------------------------------------------------------------------


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


# --- what the S3 server itself enforces (plain minio client, no sohoa rules in between) ------------------


@pytest.fixture
def locked_bucket(s3_server: S3Server) -> tuple[Minio, str]:
    client = s3_server.client()
    name = f"lock{uuid.uuid4().hex[:8]}"
    client.make_bucket(name, object_lock=True)
    return client, name


def _put_retained(client: Minio, bucket: str, key: str, data: bytes, mode: str, days: int) -> tuple[str, datetime]:
    version = client.put_object(bucket, key, BytesIO(data), len(data)).version_id
    until = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    client.set_object_retention(bucket, key, S3Retention(mode, until), version_id=version)
    return version, until


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(S3Error) as refused:
        call()
    return refused.value.code


def test_the_server_refuses_to_delete_shorten_or_replace_a_compliance_version(locked_bucket):
    client, bucket = locked_bucket
    version, until = _put_retained(client, bucket, "c.pdf", b"%PDF compliance", COMPLIANCE, 30)

    read = client.get_object_retention(bucket, "c.pdf", version_id=version)
    assert (read.mode, read.retain_until_date) == (COMPLIANCE, until)
    assert _refused(lambda: client.remove_object(bucket, "c.pdf", version_id=version)) in LOCK_REFUSALS
    shorter = S3Retention(COMPLIANCE, until - timedelta(days=1))
    assert _refused(lambda: client.set_object_retention(bucket, "c.pdf", shorter, version_id=version))
    assert _refused(lambda: set_retention_bypassing_governance(client, bucket, "c.pdf", shorter, version))
    governance = S3Retention(GOVERNANCE, until)
    assert _refused(lambda: client.set_object_retention(bucket, "c.pdf", governance, version_id=version))

    # A put under the same key makes a new version; the retained one is still there, bytes intact.
    newer = client.put_object(bucket, "c.pdf", BytesIO(b"%PDF other"), 10).version_id
    assert newer != version
    response = client.get_object(bucket, "c.pdf", version_id=version)
    try:
        assert response.read() == b"%PDF compliance"
    finally:
        response.close()
        response.release_conn()
    read = client.get_object_retention(bucket, "c.pdf", version_id=version)
    assert (read.mode, read.retain_until_date) == (COMPLIANCE, until)


def test_the_server_lets_only_a_bypass_shorten_a_governance_version(locked_bucket):
    client, bucket = locked_bucket
    version, until = _put_retained(client, bucket, "g.pdf", b"%PDF governance", GOVERNANCE, 30)

    assert _refused(lambda: client.remove_object(bucket, "g.pdf", version_id=version)) in LOCK_REFUSALS
    shorter = S3Retention(GOVERNANCE, until - timedelta(days=20))
    assert _refused(lambda: client.set_object_retention(bucket, "g.pdf", shorter, version_id=version))
    assert client.get_object_retention(bucket, "g.pdf", version_id=version).retain_until_date == until

    set_retention_bypassing_governance(client, bucket, "g.pdf", shorter, version)
    assert client.get_object_retention(bucket, "g.pdf", version_id=version).retain_until_date == until - timedelta(
        days=20
    )
    assert _refused(lambda: client.remove_object(bucket, "g.pdf", version_id=version)) in LOCK_REFUSALS


def test_the_server_keeps_a_held_version_until_the_hold_is_cleared(locked_bucket):
    client, bucket = locked_bucket
    version = client.put_object(bucket, "h.pdf", BytesIO(b"%PDF held"), 9).version_id
    client.enable_object_legal_hold(bucket, "h.pdf", version_id=version)
    assert client.is_object_legal_hold_enabled(bucket, "h.pdf", version_id=version)
    assert _refused(lambda: client.remove_object(bucket, "h.pdf", version_id=version)) in LOCK_REFUSALS
    assert client.stat_object(bucket, "h.pdf", version_id=version).size == 9

    client.disable_object_legal_hold(bucket, "h.pdf", version_id=version)
    client.remove_object(bucket, "h.pdf", version_id=version)
    assert _refused(lambda: client.stat_object(bucket, "h.pdf", version_id=version)) in MISSING


def test_a_wrong_key_is_refused(s3_server: S3Server):
    prefix = f"k{uuid.uuid4().hex[:8]}-"
    s3_server.store(prefix).put_bytes("work", "a", b"mine")
    wrong_secret = S3Store.connect(s3_server.endpoint, s3_server.access_key, "not-the-secret", secure=False)
    unknown_key = S3Store.connect(s3_server.endpoint, "SOHOAUNKNOWNKEY", s3_server.secret_key, secure=False)
    for store, code in ((wrong_secret, "SignatureDoesNotMatch"), (unknown_key, "InvalidAccessKeyId")):
        store.bucket_prefix = prefix
        with pytest.raises(ObjectStoreError) as refused:
            store.get_bytes("work", "a")
        assert isinstance(refused.value.__cause__, S3Error) and refused.value.__cause__.code == code
        with pytest.raises(ObjectStoreError):
            store.put_bytes("work", "b", b"theirs")
    assert list(s3_server.store(prefix).list_keys("work")) == ["a"]
