"""Choosing the ``FileStorage`` a deployment uses from its settings."""

from __future__ import annotations

from learnloop.config import Settings
from learnloop.storage.base import FileStorage
from learnloop.storage.local import LocalFileStorage
from learnloop.storage.s3 import S3FileStorage, S3Location


class StorageMisconfigured(ValueError):
    """Raised at startup when the storage settings cannot work."""


def build_storage(settings: Settings) -> FileStorage:
    """``LEARNLOOP_STORAGE_BACKEND``: ``local`` (a directory) or ``s3`` (a bucket)."""
    if settings.storage_backend == "s3":
        if not settings.s3_bucket:
            raise StorageMisconfigured("LEARNLOOP_S3_BUCKET is required with the s3 backend")
        return S3FileStorage(s3_location(settings))
    return LocalFileStorage(settings.resolved_storage_dir)


def s3_location(settings: Settings) -> S3Location:
    return S3Location(
        bucket=settings.s3_bucket,
        prefix=settings.s3_prefix,
        endpoint_url=settings.s3_endpoint_url or None,
        region=settings.s3_region or None,
        access_key_id=settings.s3_access_key_id or None,
        secret_access_key=settings.s3_secret_access_key or None,
    )


def check_storage_reachable(storage: FileStorage) -> None:
    """Raise if the storage cannot be used (readiness checks).

    A local directory must exist and be writable-looking; a bucket must answer HEAD.
    """
    if isinstance(storage, S3FileStorage):
        storage.check_reachable()
        return
    storage.list_keys("health-check-probe")


def presigned_url(storage: FileStorage, key: str, expires_seconds: int) -> str | None:
    """A presigned URL for ``key`` when the storage can issue one, else ``None``."""
    if isinstance(storage, S3FileStorage):
        return storage.presigned_url(key, expires_seconds)
    return None
