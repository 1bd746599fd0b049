"""File storage behind a small protocol: a local directory now, an object store later."""

from learnloop.storage.base import FileStorage, InvalidStorageKey, StoredFileNotFound
from learnloop.storage.local import LocalFileStorage

__all__ = ["FileStorage", "InvalidStorageKey", "LocalFileStorage", "StoredFileNotFound"]
