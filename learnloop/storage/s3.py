"""``FileStorage`` on an S3-compatible object store (AWS S3, MinIO, Ceph, moto).

Every key is stored under an optional prefix inside one bucket, so several deployments
(or a deployment and its tests) can share a bucket. Keys pass the same
:func:`validate_key` rules as on the local store: a key that is refused locally is
refused here too, so content moves between backends without surprises.

Credentials come from the usual AWS chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``,
``AWS_PROFILE``, instance roles …) unless given explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from learnloop.storage.base import (
    InvalidStorageKey,
    StoredFileNotFound,
    validate_key,
    validate_prefix,
)

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

# S3's DeleteObjects takes at most 1,000 keys per request.
DELETE_BATCH = 1000
# Files above this size are uploaded in parts of this size, so a large upload streams
# through memory instead of being held whole.
MULTIPART_CHUNK_BYTES = 8 * 1024 * 1024
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


class _CountingReader:
    """A read-only file object that counts what passes through it (for ``put_stream``)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.count += len(chunk)
        return chunk


class S3FileStorage:
    def __init__(self, location: S3Location, *, max_pool_connections: int = 32) -> None:
        self.bucket = location.bucket
        self.prefix = validate_prefix(location.prefix)
        self.client: S3Client = boto3.client(
            "s3",
            endpoint_url=location.endpoint_url or None,
            region_name=location.region or None,
            aws_access_key_id=location.access_key_id or None,
            aws_secret_access_key=location.secret_access_key or None,
            config=Config(
                max_pool_connections=max_pool_connections,
                retries={"max_attempts": 3, "mode": "standard"},
                # Path-style addressing works with every S3-compatible server and with
                # bucket names that are not valid host names.
                s3={"addressing_style": "path"},
            ),
        )
        self._transfer = TransferConfig(
            multipart_threshold=MULTIPART_CHUNK_BYTES, multipart_chunksize=MULTIPART_CHUNK_BYTES
        )

    def _object_key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _store_key(self, object_key: str) -> str:
        return object_key[len(self.prefix) + 1 :] if self.prefix else object_key

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (first start, tests)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if _error_code(error) not in _NOT_FOUND_CODES:
                raise
            self.client.create_bucket(Bucket=self.bucket)

    def check_reachable(self) -> None:
        """Raise if the bucket cannot be reached with the configured credentials."""
        self.client.head_bucket(Bucket=self.bucket)

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._object_key(key), Body=data)

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        object_key = self._object_key(key)
        reader = _CountingReader(stream)
        # upload_fileobj only calls read(); the reader counts the bytes as they pass.
        self.client.upload_fileobj(
            cast(IO[bytes], reader), self.bucket, object_key, Config=self._transfer
        )
        return reader.count

    def get_bytes(self, key: str) -> bytes:
        body = self._get_object(key)["Body"]
        try:
            data: bytes = body.read()
            return data
        finally:
            body.close()

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = 65536
    ) -> Iterator[bytes]:
        object_key = self._object_key(key)
        if end is not None and end < start:
            return
        byte_range = f"bytes={start}-{'' if end is None else end}"
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=object_key, Range=byte_range)
        except ClientError as error:
            code = _error_code(error)
            if code in _NOT_FOUND_CODES:
                raise StoredFileNotFound(f"no such file: {key}") from None
            # A range starting at or past the end (also any range of an empty file) is
            # answered 416 by S3; the local store yields nothing for it, and so do we.
            if code == "InvalidRange":
                return
            raise
        body = response["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except (StoredFileNotFound, InvalidStorageKey):
            return False
        return True

    def delete(self, key: str) -> None:
        # DeleteObject succeeds for a missing key, which is the contract.
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def delete_prefix(self, prefix: str) -> int:
        normalized = validate_prefix(prefix)
        if normalized == "":
            raise InvalidStorageKey("refusing to delete the whole store")
        keys = self.list_keys(normalized)
        for first in range(0, len(keys), DELETE_BATCH):
            batch = keys[first : first + DELETE_BATCH]
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={
                    "Objects": [{"Key": self._object_key(key)} for key in batch],
                    "Quiet": True,
                },
            )
        return len(keys)

    def list_keys(self, prefix: str = "") -> list[str]:
        normalized = validate_prefix(prefix)
        if normalized and self.exists(normalized):
            # As on a file system, a prefix naming a file lists that file.
            return [normalized]
        if normalized:
            listing_prefix = self._object_key(normalized) + "/"
        else:
            listing_prefix = f"{self.prefix}/" if self.prefix else ""
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=listing_prefix):
            for item in page.get("Contents", []):
                keys.append(self._store_key(item["Key"]))
        return sorted(keys)

    def presigned_url(self, key: str, expires_seconds: int) -> str:
        """A time-limited GET URL for ``key`` on the object store itself."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._object_key(key)},
            ExpiresIn=expires_seconds,
        )

    def _head(self, key: str) -> Any:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as error:
            if _error_code(error) in _NOT_FOUND_CODES:
                raise StoredFileNotFound(f"no such file: {key}") from None
            raise

    def _get_object(self, key: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as error:
            if _error_code(error) in _NOT_FOUND_CODES:
                raise StoredFileNotFound(f"no such file: {key}") from None
            raise


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
