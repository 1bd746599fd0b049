"""``FileStorage`` on a local directory.

Besides the key rules of :func:`validate_key`, every resolved path is checked to lie
inside the root after symlinks are followed, so a symlink planted inside the store
cannot lead a read or write outside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from learnloop.storage.base import (
    InvalidStorageKey,
    StoredFileNotFound,
    validate_key,
    validate_prefix,
)

COPY_CHUNK_BYTES = 1024 * 1024


class LocalFileStorage:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        validate_key(key)
        candidate = self.root.joinpath(*key.split("/"))
        resolved = candidate.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise InvalidStorageKey(f"storage key escapes the store: {key!r}")
        return candidate

    def _existing_file(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise StoredFileNotFound(f"no such file: {key}")
        return path

    def put_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._check_parent_inside(path)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._check_parent_inside(path)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        written = 0
        try:
            with os.fdopen(fd, "wb") as handle:
                while chunk := stream.read(COPY_CHUNK_BYTES):
                    handle.write(chunk)
                    written += len(chunk)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return written

    def _check_parent_inside(self, path: Path) -> None:
        parent = path.parent.resolve()
        if parent != self.root and self.root not in parent.parents:
            raise InvalidStorageKey("storage key escapes the store")

    def get_bytes(self, key: str) -> bytes:
        return self._existing_file(key).read_bytes()

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = 65536
    ) -> Iterator[bytes]:
        path = self._existing_file(key)
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                to_read = chunk_size if remaining is None else min(chunk_size, remaining)
                chunk = handle.read(to_read)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def size(self, key: str) -> int:
        return self._existing_file(key).stat().st_size

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except InvalidStorageKey:
            return False

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_file() or path.is_symlink():
            path.unlink()

    def delete_prefix(self, prefix: str) -> int:
        normalized = validate_prefix(prefix)
        if normalized == "":
            raise InvalidStorageKey("refusing to delete the whole store")
        path = self._path(normalized)
        if path.is_file():
            path.unlink()
            return 1
        if not path.is_dir():
            return 0
        count = sum(1 for item in path.rglob("*") if item.is_file())
        shutil.rmtree(path)
        return count

    def list_keys(self, prefix: str = "") -> list[str]:
        normalized = validate_prefix(prefix)
        base = self.root if normalized == "" else self._path(normalized)
        if base.is_file():
            return [normalized]
        if not base.is_dir():
            return []
        keys = []
        for item in base.rglob("*"):
            if item.is_file() and not item.is_symlink() and not item.name.startswith(".tmp-"):
                keys.append(item.relative_to(self.root).as_posix())
        return sorted(keys)
