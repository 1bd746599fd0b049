"""The FileStorage contract, on the local-directory implementation."""

import io
import os
from pathlib import Path

import pytest

from learnloop.storage import FileStorage, InvalidStorageKey, LocalFileStorage, StoredFileNotFound


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "root")


def test_local_storage_satisfies_the_protocol(store: LocalFileStorage) -> None:
    assert isinstance(store, FileStorage)


def test_bytes_round_trip(store: LocalFileStorage) -> None:
    store.put_bytes("content/1/images/a.png", b"\x89PNG data")
    assert store.get_bytes("content/1/images/a.png") == b"\x89PNG data"
    assert store.size("content/1/images/a.png") == 9
    assert store.exists("content/1/images/a.png")


def test_streams_are_stored_and_counted(store: LocalFileStorage) -> None:
    written = store.put_stream("big/file.bin", io.BytesIO(b"x" * 3_000_000))
    assert written == 3_000_000
    assert store.size("big/file.bin") == 3_000_000


def test_byte_ranges(store: LocalFileStorage) -> None:
    store.put_bytes("v.mp4", bytes(range(256)) * 4)
    assert b"".join(store.iter_range("v.mp4", 10, 19)) == bytes(range(10, 20))
    assert b"".join(store.iter_range("v.mp4", 1020)) == bytes(range(252, 256))
    assert b"".join(store.iter_range("v.mp4", 0, 99, chunk_size=7)) == (bytes(range(256)) * 4)[:100]


def test_listing_and_deleting_a_prefix(store: LocalFileStorage) -> None:
    for key in ("content/1/a.json", "content/1/images/b.png", "content/2/c.json"):
        store.put_bytes(key, b"{}")
    assert store.list_keys("content/1") == ["content/1/a.json", "content/1/images/b.png"]
    assert store.delete_prefix("content/1/") == 2
    assert store.list_keys("content") == ["content/2/c.json"]
    assert store.list_keys("nothing/here") == []


def test_missing_files_raise_not_found(store: LocalFileStorage) -> None:
    with pytest.raises(StoredFileNotFound):
        store.get_bytes("missing.txt")
    store.delete("missing.txt")  # deleting a missing file is fine


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
def test_keys_that_could_escape_the_root_are_refused(store: LocalFileStorage, key: str) -> None:
    with pytest.raises(InvalidStorageKey):
        store.put_bytes(key, b"nope")
    with pytest.raises(InvalidStorageKey):
        store.get_bytes(key)
    assert store.exists(key) is False


def test_a_symlink_inside_the_root_cannot_lead_outside(
    store: LocalFileStorage, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside, store.root / "link")
    with pytest.raises(InvalidStorageKey):
        store.get_bytes("link/secret.txt")
    with pytest.raises(InvalidStorageKey):
        store.put_bytes("link/planted.txt", b"x")
    assert not (outside / "planted.txt").exists()


def test_a_symlinked_file_cannot_be_read(store: LocalFileStorage, tmp_path: Path) -> None:
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0")
    os.symlink(target, store.root / "passwd")
    with pytest.raises(InvalidStorageKey):
        store.get_bytes("passwd")


def test_the_whole_store_cannot_be_deleted_by_prefix(store: LocalFileStorage) -> None:
    store.put_bytes("a.txt", b"a")
    with pytest.raises(InvalidStorageKey):
        store.delete_prefix("")
    assert store.exists("a.txt")
