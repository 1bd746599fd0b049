"""File storage behind a small protocol: a local directory or an S3-compatible bucket."""

from learnloop.storage.base import FileStorage, InvalidStorageKey, StoredFileNotFound
from learnloop.storage.local import LocalFileStorage
from learnloop.storage.s3 import S3FileStorage, S3Location
from learnloop.storage.selection import build_storage

__all__ = [
    "FileStorage",
    "InvalidStorageKey",
    "LocalFileStorage",
    "S3FileStorage",
    "S3Location",
    "StoredFileNotFound",
    "build_storage",
]
