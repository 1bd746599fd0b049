"""A real S3 API server for tests: ``moto_server`` (moto[server]) on a free 127.0.0.1 port.

``LEARNLOOP_TEST_S3_ENDPOINT_URL`` points the tests at an existing S3-compatible server
instead (MinIO, Ceph); its credentials come from the usual ``AWS_*`` variables.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from learnloop.storage import S3FileStorage, S3Location
from tests.support.live_server import free_port

MOTO_ACCESS_KEY = "moto-test-access-key"
MOTO_SECRET_KEY = "moto-test-secret-key"  # moto accepts any credentials
STARTUP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"

    def location(self, bucket: str, prefix: str = "") -> S3Location:
        return S3Location(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=self.url,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
        )

    def new_bucket_storage(self, prefix: str = "") -> S3FileStorage:
        """A storage on a bucket of its own, created now."""
        storage = S3FileStorage(self.location(f"ll-test-{uuid.uuid4().hex[:20]}", prefix))
        storage.ensure_bucket()
        return storage

    def server_env(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """``LEARNLOOP_*`` variables selecting this endpoint for a server process."""
        return {
            "LEARNLOOP_STORAGE_BACKEND": "s3",
            "LEARNLOOP_S3_BUCKET": bucket,
            "LEARNLOOP_S3_PREFIX": prefix,
            "LEARNLOOP_S3_ENDPOINT_URL": self.url,
            "LEARNLOOP_S3_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }


@contextmanager
def s3_endpoint(log_dir: Path) -> Iterator[S3Endpoint]:
    external = os.environ.get("LEARNLOOP_TEST_S3_ENDPOINT_URL")
    if external:
        yield S3Endpoint(
            url=external,
            access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", ""),
            secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            region=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        )
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    moto_server = Path(sys.executable).with_name("moto_server")
    with (log_dir / "moto.log").open("wb") as log_file:
        process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError((log_dir / "moto.log").read_text(errors="replace"))
            try:
                httpx.get(f"{url}/moto-api/", timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start in time") from None
                time.sleep(0.2)
        yield S3Endpoint(url=url, access_key_id=MOTO_ACCESS_KEY, secret_access_key=MOTO_SECRET_KEY)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
