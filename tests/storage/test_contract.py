"""One FileStorage contract, run against the local directory and a real S3 API server.

The S3 side talks HTTP to ``moto_server`` started by the tests (or to the server named by
``LEARNLOOP_TEST_S3_ENDPOINT_URL``); each test gets a bucket of its own.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import httpx
import pytest

from learnloop.storage import (
    FileStorage,
    InvalidStorageKey,
    LocalFileStorage,
    S3FileStorage,
    StoredFileNotFound,
)
from learnloop.storage.selection import presigned_url
from tests.support.s3_server import S3Endpoint


@pytest.fixture(params=["local", "s3", "s3-prefixed"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStorage:
    if request.param == "local":
        return LocalFileStorage(tmp_path / "root")
    endpoint: S3Endpoint = request.getfixturevalue("s3")
    prefix = "deployment-a/files" if request.param == "s3-prefixed" else ""
    return endpoint.new_bucket_storage(prefix)


def test_the_storage_satisfies_the_protocol(store: FileStorage) -> None:
    assert isinstance(store, FileStorage)


def test_bytes_round_trip(store: FileStorage) -> None:
    store.put_bytes("content/1/images/a.png", b"\x89PNG data")
    assert store.get_bytes("content/1/images/a.png") == b"\x89PNG data"
    assert store.size("content/1/images/a.png") == 9
    assert store.exists("content/1/images/a.png")
    assert not store.exists("content/1/images")


def test_writing_a_key_again_replaces_the_file(store: FileStorage) -> None:
    store.put_bytes("a.json", b"first version, longer")
    store.put_bytes("a.json", b"second")
    assert store.get_bytes("a.json") == b"second"
    assert store.size("a.json") == 6


def test_an_empty_file_is_stored_and_read(store: FileStorage) -> None:
    store.put_bytes("empty.txt", b"")
    assert store.size("empty.txt") == 0
    assert store.get_bytes("empty.txt") == b""
    assert b"".join(store.iter_range("empty.txt")) == b""


def test_a_large_stream_is_stored_in_parts_and_counted(store: FileStorage) -> None:
    # Above the S3 multipart threshold (8 MiB), so the upload goes in several parts.
    data = os.urandom(1024 * 1024) * 9 + b"tail"
    written = store.put_stream("big/file.bin", io.BytesIO(data))
    assert written == len(data)
    assert store.size("big/file.bin") == len(data)
    digest = hashlib.sha256()
    for chunk in store.iter_range("big/file.bin", chunk_size=1024 * 1024):
        assert len(chunk) <= 1024 * 1024
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_byte_ranges(store: FileStorage) -> None:
    store.put_bytes("v.mp4", bytes(range(256)) * 4)
    assert b"".join(store.iter_range("v.mp4", 10, 19)) == bytes(range(10, 20))
    assert b"".join(store.iter_range("v.mp4", 1020)) == bytes(range(252, 256))
    assert b"".join(store.iter_range("v.mp4", 0, 99, chunk_size=7)) == (bytes(range(256)) * 4)[:100]
    assert b"".join(store.iter_range("v.mp4", 1023, 5000)) == bytes([255])
    assert b"".join(store.iter_range("v.mp4", 1024)) == b""


def test_a_range_of_a_missing_file_is_not_found(store: FileStorage) -> None:
    with pytest.raises(StoredFileNotFound):
        b"".join(store.iter_range("missing.bin", 0, 10))


def test_listing_and_deleting_a_prefix(store: FileStorage) -> None:
    for key in (
        "content/1/a.json",
        "content/1/images/b.png",
        "content/10/x.json",
        "content/2/c.json",
    ):
        store.put_bytes(key, b"{}")
    assert store.list_keys("content/1") == ["content/1/a.json", "content/1/images/b.png"]
    assert store.list_keys("content/1/a.json") == ["content/1/a.json"]
    assert store.delete_prefix("content/1/") == 2
    assert store.list_keys("content") == ["content/10/x.json", "content/2/c.json"]
    assert store.list_keys() == ["content/10/x.json", "content/2/c.json"]
    assert store.list_keys("nothing/here") == []
    assert store.delete_prefix("nothing/here") == 0


def test_deleting_more_files_than_one_delete_request_takes(store: FileStorage) -> None:
    for index in range(1005):
        store.put_bytes(f"many/{index:04d}.txt", b"x")
    assert store.delete_prefix("many") == 1005
    assert store.list_keys("many") == []


def test_missing_files_raise_not_found(store: FileStorage) -> None:
    with pytest.raises(StoredFileNotFound):
        store.get_bytes("missing.txt")
    with pytest.raises(StoredFileNotFound):
        store.size("missing.txt")
    assert store.exists("missing.txt") is False
    store.delete("missing.txt")  # deleting a missing file is fine


def test_a_deleted_file_is_gone(store: FileStorage) -> None:
    store.put_bytes("gone.txt", b"bye")
    store.delete("gone.txt")
    assert not store.exists("gone.txt")
    assert store.list_keys() == []


@pytest.mark.parametrize(
    "key",
    [
        "../outside.txt",
        "content/../../outside.txt",
        "content/./a.txt",
        "/etc/passwd",
        "C:/windows/win.ini",
        "content\\..\\x",
        "content//a.txt",
        "a\x00b",
        "",
        "x" * 2000,
    ],
)
def test_keys_that_could_escape_the_store_are_refused(store: FileStorage, key: str) -> None:
    with pytest.raises(InvalidStorageKey):
        store.put_bytes(key, b"nope")
    with pytest.raises(InvalidStorageKey):
        store.put_stream(key, io.BytesIO(b"nope"))
    with pytest.raises(InvalidStorageKey):
        store.get_bytes(key)
    with pytest.raises(InvalidStorageKey):
        b"".join(store.iter_range(key))
    assert store.exists(key) is False
    assert store.list_keys() == []


def test_the_whole_store_cannot_be_deleted_by_prefix(store: FileStorage) -> None:
    store.put_bytes("a.txt", b"a")
    with pytest.raises(InvalidStorageKey):
        store.delete_prefix("")
    with pytest.raises(InvalidStorageKey):
        store.delete_prefix("/")
    assert store.exists("a.txt")


def test_a_prefixed_bucket_keeps_its_files_under_the_prefix(s3: S3Endpoint) -> None:
    store = s3.new_bucket_storage("tenant-a")
    neighbour = S3FileStorage(s3.location(store.bucket, "tenant-b"))
    store.put_bytes("content/1/a.json", b"{}")
    neighbour.put_bytes("content/1/a.json", b"[]")
    listed = store.client.list_objects_v2(Bucket=store.bucket)
    assert sorted(item["Key"] for item in listed["Contents"]) == [
        "tenant-a/content/1/a.json",
        "tenant-b/content/1/a.json",
    ]
    assert store.list_keys() == ["content/1/a.json"]
    assert store.delete_prefix("content") == 1
    assert neighbour.get_bytes("content/1/a.json") == b"[]"


def test_a_presigned_url_is_signed_and_serves_the_file(s3: S3Endpoint) -> None:
    store = s3.new_bucket_storage("files")
    store.put_bytes("libraries/H5P.Foo-1.0/foo.js", b"var foo = 1;")
    url = presigned_url(store, "libraries/H5P.Foo-1.0/foo.js", 60)
    assert url is not None
    assert "Signature=" in url or "X-Amz-Signature=" in url
    assert "Expires=" in url or "X-Amz-Expires=60" in url
    assert httpx.get(url).content == b"var foo = 1;"


def test_local_storage_has_no_presigned_urls(tmp_path: Path) -> None:
    assert presigned_url(LocalFileStorage(tmp_path), "a.txt", 60) is None
