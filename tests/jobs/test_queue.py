"""Jobs: written with their data, retried with backoff, dead-lettered, claimed once."""

import threading
import time
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.db import Database, utcnow
from learnloop.jobs import queue
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.worker import JobContext, JobRegistry, Worker
from learnloop.storage import LocalFileStorage
from tests.conftest import Account


def _worker(
    database: Database,
    settings: Settings,
    storage: LocalFileStorage,
    registry: JobRegistry,
    name: str = "w1",
) -> Worker:
    return Worker(
        database=database, registry=registry, settings=settings, storage=storage, worker_id=name
    )


def test_a_job_exists_only_if_its_transaction_commits(database: Database) -> None:
    with database.session() as session:
        session.begin()
        queue.enqueue(session, "send.report", {"id": 1})
        session.rollback()
    with database.session() as session:
        assert session.scalars(select(Job).where(Job.kind == "send.report")).all() == []


def test_the_worker_runs_a_due_job_and_its_writes_commit_with_the_done_mark(
    database: Database, settings: Settings, storage: LocalFileStorage, teacher: Account
) -> None:
    registry = JobRegistry()

    def rename(context: JobContext, payload: dict[str, Any]) -> None:
        user = context.session.get(User, payload["user_id"])
        assert user is not None
        user.display_name = "Renamed by job"

    registry.register("rename", rename)
    with database.session() as session:
        queue.enqueue(session, "rename", {"user_id": teacher.id})
        session.commit()
    assert _worker(database, settings, storage, registry).run_until_idle() == 1
    with database.session() as session:
        job = session.scalars(select(Job).where(Job.kind == "rename")).one()
        assert job.status == JobStatus.DONE.value
        assert job.attempts == 1
        assert session.get(User, teacher.id).display_name == "Renamed by job"  # type: ignore[union-attr]


def test_a_failing_job_is_retried_with_backoff_and_then_dead_lettered(
    database: Database, settings: Settings, storage: LocalFileStorage
) -> None:
    registry = JobRegistry()
    calls: list[int] = []

    def flaky(_context: JobContext, payload: dict[str, Any]) -> None:
        calls.append(payload["n"])
        raise RuntimeError("upstream LRS unreachable")

    registry.register("flaky", flaky)
    with database.session() as session:
        job = queue.enqueue(session, "flaky", {"n": 7}, max_attempts=3)
        session.commit()
        job_id = job.id
    worker = _worker(database, settings, storage, registry)

    delays = []
    for attempt in range(1, 4):
        started = utcnow()
        assert worker.run_once() is True
        with database.session() as session:
            current = session.get(Job, job_id)
            assert current is not None
            job = current
            assert job.attempts == attempt
            assert "upstream LRS unreachable" in (job.last_error or "")
            if attempt < 3:
                assert job.status == JobStatus.PENDING.value
                delays.append((job.run_after - started).total_seconds())
                # Not due yet: the worker finds nothing to do until run_after passes.
                assert worker.run_once() is False
                session.execute(update(Job).where(Job.id == job_id).values(run_after=utcnow()))
                session.commit()
            else:
                assert job.status == JobStatus.DEAD.value
    assert calls == [7, 7, 7]
    # Exponential: base 2 s, then 4 s.
    assert 1.5 < delays[0] < 2.5
    assert 3.5 < delays[1] < 4.5


def test_a_job_of_an_unknown_kind_ends_in_dead_letters(
    database: Database, settings: Settings, storage: LocalFileStorage
) -> None:
    with database.session() as session:
        job = queue.enqueue(session, "no.such.kind", {}, max_attempts=1)
        session.commit()
        job_id = job.id
    _worker(database, settings, storage, JobRegistry()).run_once()
    with database.session() as session:
        dead = session.get(Job, job_id)
        assert dead is not None and dead.status == JobStatus.DEAD.value
        assert "no handler" in (dead.last_error or "")


def test_a_job_held_by_a_dead_worker_is_claimed_again_after_the_lock_timeout(
    session: Session,
) -> None:
    job = queue.enqueue(session, "stuck", {})
    claimed = queue.claim_next(session, "crashed-worker", lock_timeout_seconds=600)
    assert claimed is not None and claimed.id == job.id
    assert queue.claim_next(session, "other", lock_timeout_seconds=600) is None
    job.locked_at = utcnow() - timedelta(seconds=601)
    session.flush()
    again = queue.claim_next(session, "other", lock_timeout_seconds=600)
    assert again is not None and again.id == job.id and again.attempts == 2


def test_admins_list_dead_jobs_and_retry_them(
    client: TestClient, session: Session, admin: Account, teacher: Account
) -> None:
    dead = queue.enqueue(session, "forward.statement", {"statement": "x"}, max_attempts=1)
    dead.status = JobStatus.DEAD.value
    dead.last_error = "HTTP 502"
    queue.enqueue(session, "other", {})
    session.commit()

    assert client.get("/api/admin/jobs?status=dead", headers=teacher.headers).status_code == 403
    listed = client.get("/api/admin/jobs?status=dead", headers=admin.headers).json()["data"]
    assert [job["id"] for job in listed] == [dead.id]
    assert listed[0]["lastError"] == "HTTP 502"

    retried = client.post(f"/api/admin/jobs/{dead.id}/retry", headers=admin.headers)
    assert retried.status_code == 200
    assert retried.json()["data"]["status"] == "pending"
    again = client.post(f"/api/admin/jobs/{dead.id}/retry", headers=admin.headers)
    assert again.status_code == 409


def test_listing_jobs_with_an_unknown_status_is_400(client: TestClient, admin: Account) -> None:
    assert client.get("/api/admin/jobs?status=weird", headers=admin.headers).status_code == 400


def test_concurrent_workers_run_every_job_exactly_once(
    committed_database: Database, settings: Settings, storage: LocalFileStorage
) -> None:
    job_count = 30
    ran: list[int] = []
    lock = threading.Lock()
    registry = JobRegistry()

    def record(_context: JobContext, payload: dict[str, Any]) -> None:
        time.sleep(0.005)
        with lock:
            ran.append(payload["n"])

    registry.register("record", record)
    with committed_database.transaction() as session:
        for n in range(job_count):
            queue.enqueue(session, "record", {"n": n})

    workers = [_worker(committed_database, settings, storage, registry, f"w{i}") for i in range(3)]
    threads = [threading.Thread(target=worker.run_until_idle) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(ran) == list(range(job_count))
    with committed_database.transaction() as session:
        statuses = session.scalars(select(Job.status)).all()
        assert statuses == [JobStatus.DONE.value] * job_count
        assert len(set(session.scalars(select(Job.locked_by)))) == 1  # cleared: all None
