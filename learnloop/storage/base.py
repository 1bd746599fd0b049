"""The ``FileStorage`` protocol and the key rules every implementation shares.

Keys are ``/``-separated relative paths such as ``libraries/H5P.MultiChoice-1.16/library.json``.
They never start with ``/``, never contain ``..``, ``.``, empty segments, backslashes or NUL,
so a key cannot name anything outside the store, whatever the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol, runtime_checkable

from learnloop.errors import BadRequest, NotFound

MAX_KEY_LENGTH = 1024


class InvalidStorageKey(BadRequest):
    code = "invalid_storage_key"


class StoredFileNotFound(NotFound):
    code = "file_not_found"


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a safe relative key, else raise ``InvalidStorageKey``."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidStorageKey(f"invalid storage key length: {len(key)}")
    if "\\" in key or "\x00" in key:
        raise InvalidStorageKey("storage key contains a backslash or NUL")
    if key.startswith("/") or (len(key) > 1 and key[1] == ":"):
        raise InvalidStorageKey("storage key must be relative")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidStorageKey(f"storage key has a forbidden segment: {key!r}")
    return key


def validate_prefix(prefix: str) -> str:
    """A prefix is a key, or the empty string for the whole store; a trailing ``/`` is allowed."""
    stripped = prefix.rstrip("/")
    return "" if stripped == "" else validate_key(stripped)


@runtime_checkable
class FileStorage(Protocol):
    def put_bytes(self, key: str, data: bytes) -> None: ...

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        """Store a stream; return the number of bytes written."""
        ...

    def get_bytes(self, key: str) -> bytes: ...

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = 65536
    ) -> Iterator[bytes]:
        """Yield the bytes ``start`` to ``end`` inclusive (``None``: to the end of the file)."""
        ...

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove a file; removing a missing file is not an error."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every file under ``prefix``; return how many were removed."""
        ...

    def list_keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, sorted."""
        ...
