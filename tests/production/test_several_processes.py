"""Two ``learnloop serve`` processes and one ``learnloop worker`` on one PostgreSQL
database and one S3 bucket (moto), as ARCHITECTURE.md "Scaling past one machine" has it.

A teacher imports an H5P package through server A; a learner plays it through server B
(player page, library and content files from the shared bucket); statements go in
through both servers and each server reads all of them; a clean-up job is done by the
worker process, which deletes an expired temporary file from the bucket.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from learnloop.auth import users as user_service
from learnloop.auth.models import Role, User
from learnloop.db import Database, utcnow
from learnloop.h5p.models import H5PTempFile
from learnloop.h5p.temp_files import TEMP_CLEANUP_JOB, temp_key
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.queue import enqueue
from learnloop.storage import S3FileStorage
from learnloop.xapi.credentials import create_client
from tests.support.databases import is_postgresql
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server
from tests.support.s3_server import S3Endpoint

PACKAGE = "H5P.MultiChoice.h5p"


@pytest.fixture
def postgres_url(committed_database_url: str) -> str:
    if not is_postgresql(committed_database_url):
        pytest.skip("several processes share one PostgreSQL database (SQLite serves from one)")
    return committed_database_url


@pytest.fixture
def bucket(s3: S3Endpoint) -> S3FileStorage:
    return s3.new_bucket_storage("shared")


@pytest.fixture
def servers(
    postgres_url: str, s3: S3Endpoint, bucket: S3FileStorage, tmp_path: Path
) -> Iterator[tuple[LiveServer, LiveServer]]:
    seed_accounts(postgres_url, learners=1, teacher_role=Role.ADMIN)
    env = {**s3.server_env(bucket.bucket, "shared"), "LEARNLOOP_RUN_WORKER_IN_PROCESS": "false"}
    first = start_live_server(postgres_url, tmp_path / "a", env)
    try:
        second = start_live_server(postgres_url, tmp_path / "b", env)
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def _login(base_url: str, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/auth/login", json={"email": email, "password": LIVE_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


def _statement(actor: str) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:{actor}@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/activities/shared"},
    }


def test_two_servers_and_a_worker_share_one_database_and_bucket(
    servers: tuple[LiveServer, LiveServer],
    postgres_url: str,
    bucket: S3FileStorage,
    fixtures_dir: Path,
    tmp_path: Path,
) -> None:
    server_a, server_b = servers
    database = Database.from_url(postgres_url)
    worker: subprocess.Popen[bytes] | None = None
    try:
        # Import on A.
        teacher = _login(server_a.base_url, "teacher@example.test")
        package = fixtures_dir / "h5p" / "hub" / PACKAGE
        with package.open("rb") as handle:
            imported = httpx.post(
                f"{server_a.base_url}/h5p/import",
                headers=teacher,
                files={"h5p": (package.name, handle, "application/zip")},
                timeout=120,
            )
        assert imported.status_code == 201, imported.text
        content_id = imported.json()["data"]["contentId"]
        published = httpx.patch(
            f"{server_a.base_url}/h5p/content/{content_id}/visibility",
            headers=teacher,
            json={"visibility": "public"},
        )
        assert published.status_code == 200, published.text

        # Play on B: the player page and the files it names come from the shared bucket.
        learner = _login(server_b.base_url, "learner0@example.test")
        page = httpx.get(f"{server_b.base_url}/h5p/embed/{content_id}", headers=learner)
        assert page.status_code == 200, page.text
        library_keys = [key for key in bucket.list_keys("libraries") if key.endswith(".js")]
        assert library_keys
        served = httpx.get(f"{server_b.base_url}/h5p/{library_keys[0]}")
        assert served.status_code == 200
        assert served.content == bucket.get_bytes(library_keys[0])

        # Statements through both servers, each server reads all of them.
        with database.transaction() as session:
            issued = create_client(session, name="two servers", scopes=("all",))
            token = base64.b64encode(f"{issued.client.key}:{issued.secret}".encode()).decode()
        lrs = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        sent: list[str] = []
        for index in range(10):
            server = server_a if index % 2 == 0 else server_b
            statement = _statement("shared-learner")
            response = httpx.post(f"{server.base_url}/xapi/statements", json=statement, headers=lrs)
            assert response.status_code == 200, response.text
            sent.append(str(statement["id"]))
        for server in (server_a, server_b):
            listed = httpx.get(
                f"{server.base_url}/xapi/statements",
                params={"agent": '{"mbox":"mailto:shared-learner@example.com"}'},
                headers=lrs,
            )
            assert listed.status_code == 200, listed.text
            assert sorted(s["id"] for s in listed.json()["statements"]) == sorted(sent)

        # A job for the worker: an expired temporary file in the bucket.
        with database.transaction() as session:
            user_id = session.scalar(select(User.id).where(User.email == "learner0@example.test"))
            assert user_id is not None
            bucket.put_bytes(temp_key(user_id, "old.png"), b"png")
            session.add(
                H5PTempFile(
                    user_id=user_id,
                    filename="old.png",
                    size=3,
                    expires_at=utcnow() - timedelta(minutes=1),
                )
            )
            job_id = enqueue(session, TEMP_CLEANUP_JOB, {}).id
        worker_log = (tmp_path / "worker.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "learnloop.cli.main", "worker"],
            env={**server_a.env, "LEARNLOOP_JOB_POLL_SECONDS": "0.2"},
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            with database.session() as session:
                status = session.scalar(select(Job.status).where(Job.id == job_id))
            if status == JobStatus.DONE.value:
                break
            time.sleep(0.3)
        assert status == JobStatus.DONE.value, (tmp_path / "worker.log").read_text()
        assert not bucket.exists(temp_key(user_id, "old.png"))
        with database.session() as session:
            assert session.scalar(select(H5PTempFile.id)) is None
            assert user_service.get_by_email(session, "teacher@example.test").role == Role.ADMIN
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)
        database.engine.dispose()
