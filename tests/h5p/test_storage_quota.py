"""Per-user storage quotas, the temporary-area cap and the temp clean-up job (issue 12,
item 11): a user cannot fill the disk through imports, media uploads or attachments."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from learnloop.db import utcnow
from learnloop.h5p.models import H5PContent, H5PTempFile
from learnloop.h5p.temp_files import TEMP_CLEANUP_JOB, register_h5p_jobs
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.worker import JobRegistry, Worker
from learnloop.plans.plans import assign_plan, upsert_plan
from tests.h5p.conftest import import_file, install_libraries
from tests.h5p.test_media import png_bytes, upload

KB = 1024


def _plan(session, account, quotas: dict[str, int]) -> None:
    upsert_plan(session, "small", name="Small", features=[], quotas=quotas)
    assign_plan(session, session.merge(account.user), "small")
    session.commit()


def _temp_rows(session, account) -> list[H5PTempFile]:
    session.expire_all()
    return list(session.scalars(select(H5PTempFile).where(H5PTempFile.user_id == account.id)))


def test_an_import_past_the_storage_quota_is_413_and_writes_nothing(
    client, admin, teacher, hub_dir, session, storage
):
    package = hub_dir / "H5P.TrueFalse.h5p"  # its content holds a 200 kB+ image
    install_libraries(client, admin.headers, package)
    _plan(session, teacher, {"storage-bytes": 50 * KB})

    response = import_file(client, teacher.headers, package)

    assert response.status_code == 413, response.text
    assert "Storage quota exceeded" in response.json()["error"]
    assert "plan 'small'" in response.json()["error"]
    assert session.scalar(select(func.count()).select_from(H5PContent)) == 0
    assert storage.list_keys("content") == []


def test_imported_content_counts_its_files_against_the_quota(
    client, admin, teacher, hub_dir, session
):
    package = hub_dir / "H5P.TrueFalse.h5p"
    install_libraries(client, admin.headers, package)
    first = import_file(client, teacher.headers, package)
    assert first.status_code == 201, first.text
    session.expire_all()
    stored = session.get(H5PContent, first.json()["data"]["contentId"]).files_bytes
    assert stored > 100 * KB
    _plan(session, teacher, {"storage-bytes": stored + 10 * KB})

    second = import_file(client, teacher.headers, package)

    assert second.status_code == 413, second.text
    deleted = client.delete(
        f"/h5p/content/{first.json()['data']['contentId']}", headers=teacher.headers
    )
    assert deleted.status_code == 200
    assert import_file(client, teacher.headers, package).status_code == 201


def test_a_media_upload_past_the_storage_quota_is_413_and_stores_nothing(
    client, teacher, session, storage
):
    _plan(session, teacher, {"storage-bytes": 10})

    response = upload(client, teacher.headers)

    assert response.status_code == 413, response.text
    assert "Storage quota exceeded" in response.json()["error"]
    assert storage.list_keys(f"temp/{teacher.id}") == []
    assert _temp_rows(session, teacher) == []


def test_attaching_media_counts_against_the_quota(client, teacher, multichoice, session, storage):
    size = len(png_bytes())
    assert upload(client, teacher.headers, "a.png").status_code == 201
    content_bytes = session.get(H5PContent, multichoice).files_bytes
    # Room for what is stored and nothing more: the copy into the content is refused.
    _plan(session, teacher, {"storage-bytes": content_bytes + size + 1})

    refused = client.post(
        "/h5p/media/attach",
        headers=teacher.headers,
        json={"contentId": multichoice, "files": ["a.png"], "mediaType": "images"},
    )

    assert refused.status_code == 413, refused.text
    assert not storage.exists(f"content/{multichoice}/images/a.png")
    _plan(session, teacher, {"storage-bytes": content_bytes + 2 * size})
    attached = client.post(
        "/h5p/media/attach",
        headers=teacher.headers,
        json={"contentId": multichoice, "files": ["a.png"], "mediaType": "images"},
    )
    assert attached.status_code == 200, attached.text
    session.expire_all()
    assert session.get(H5PContent, multichoice).files_bytes >= size


def test_a_learner_cannot_fill_the_temp_area_past_the_per_user_cap(
    client, learner, settings, session, storage
):
    size = len(png_bytes())
    settings.h5p_temp_max_bytes_per_user = 3 * size

    statuses = [upload(client, learner.headers, f"f{index}.png").status_code for index in range(5)]

    assert statuses == [201, 201, 201, 413, 413]
    refused = upload(client, learner.headers, "f9.png")
    assert "temporary uploads are limited" in refused.json()["error"]
    assert len(storage.list_keys(f"temp/{learner.id}")) == 3
    assert len(_temp_rows(session, learner)) == 3
    # Uploading a file again replaces it: the cap counts it once.
    assert upload(client, learner.headers, "f0.png").status_code == 201


def test_a_plans_temp_bytes_quota_replaces_the_default_cap(client, learner, session):
    _plan(session, learner, {"temp-bytes": 10})
    assert upload(client, learner.headers).status_code == 413


def test_the_clean_up_job_deletes_expired_temp_files_only(
    client, teacher, learner, settings, database, session, storage
):
    assert upload(client, learner.headers, "old.png").status_code == 201
    assert upload(client, teacher.headers, "fresh.png").status_code == 201
    session.expire_all()
    pending = session.scalars(
        select(Job).where(Job.kind == TEMP_CLEANUP_JOB, Job.status == JobStatus.PENDING.value)
    ).all()
    assert len(pending) == 1  # one job for the earliest expiry, not one per upload
    assert pending[0].run_after > utcnow() + timedelta(hours=23)
    # The learner's file expired an hour ago; the job is due now.
    old = _temp_rows(session, learner)[0]
    old.expires_at = utcnow() - timedelta(hours=1)
    pending[0].run_after = utcnow() - timedelta(seconds=1)
    session.commit()

    registry = JobRegistry()
    register_h5p_jobs(registry)
    worker = Worker(database=database, registry=registry, settings=settings, storage=storage)
    assert worker.run_until_idle() == 1

    assert not storage.exists(f"temp/{learner.id}/old.png")
    assert storage.exists(f"temp/{teacher.id}/fresh.png")
    assert _temp_rows(session, learner) == []
    assert len(_temp_rows(session, teacher)) == 1
    assert client.get(f"/h5p/temp/{learner.id}/old.png", headers=learner.headers).status_code == 404
    # The fresh file keeps a clean-up pending for its own expiry.
    rescheduled = session.scalars(
        select(Job).where(Job.kind == TEMP_CLEANUP_JOB, Job.status == JobStatus.PENDING.value)
    ).all()
    assert len(rescheduled) == 1
    assert rescheduled[0].run_after > utcnow() + timedelta(hours=23)
