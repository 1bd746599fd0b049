"""setFinished (one row per user and content) and the finished-results endpoints."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.h5p.player_models import H5PFinishedResult
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage

OPENED = 1_795_000_000
FINISHED = OPENED + 75


@pytest.fixture
def public_content(client, teacher, multichoice):
    client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    return multichoice


def report(content_id: str, score="1", max_score="1", **extra):
    fields = {
        "contentId": content_id,
        "score": score,
        "maxScore": max_score,
        "opened": str(OPENED),
        "finished": str(FINISHED),
    }
    fields.update(extra)
    return fields


def finish(client, account, fields, settings_url="/h5p/setFinished"):
    return client.post(settings_url, headers=account.headers, data=fields)


def rows(session):
    session.expire_all()
    return session.scalars(select(H5PFinishedResult)).all()


def test_set_finished_stores_the_result(client, session, learner, public_content):
    response = finish(client, learner, report(public_content, time="70"))
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}
    [row] = rows(session)
    assert (row.content_id, row.user_id) == (public_content, learner.id)
    assert (row.score, row.max_score, row.time_seconds) == (1, 1, 70)
    assert int(row.opened_at.timestamp()) == OPENED
    assert int(row.finished_at.timestamp()) == FINISHED


def test_a_later_attempt_replaces_the_earlier_one(client, session, learner, public_content):
    finish(client, learner, report(public_content, score="0"))
    finish(client, learner, report(public_content, score="1"))
    [row] = rows(session)
    assert row.score == 1
    assert row.time_seconds == FINISHED - OPENED  # no time sent: finished - opened


def test_each_learner_gets_their_own_row(client, session, make_account, public_content):
    for _ in range(2):
        finish(client, make_account("learner"), report(public_content))
    assert len(rows(session)) == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"score": "1"},  # missing fields
        {"score": "x", "maxScore": "1", "opened": str(OPENED), "finished": str(FINISHED)},
        {"score": "2", "maxScore": "-1", "opened": str(OPENED), "finished": str(FINISHED)},
        {"score": "nan", "maxScore": "1", "opened": str(OPENED), "finished": str(FINISHED)},
        {"score": "1", "maxScore": "1", "opened": str(FINISHED), "finished": str(OPENED)},
        {"score": "1", "maxScore": "1", "opened": "1e300", "finished": "1e301"},
        {
            "score": "1",
            "maxScore": "1",
            "opened": str(OPENED),
            "finished": str(FINISHED),
            "time": "-5",
        },
    ],
)
def test_bad_reports_are_400_and_store_nothing(client, session, learner, public_content, fields):
    response = finish(client, learner, {"contentId": public_content, **fields})
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False
    assert rows(session) == []


def test_set_finished_needs_a_user_and_readable_content(client, learner, multichoice):
    assert client.post("/h5p/setFinished", data=report(multichoice)).status_code == 401
    assert finish(client, learner, report(multichoice)).status_code == 404  # private
    assert finish(client, learner, report("404404")).status_code == 404


def app_with(settings: Settings, database: Database, storage: LocalFileStorage, **changes):
    changed = settings.model_copy(update=changes)
    return create_app(changed, database=database, storage=storage)


def test_set_finished_is_refused_when_completion_tracking_is_off(
    settings, database, storage, teacher, multichoice, session
):
    app: FastAPI = app_with(settings, database, storage, h5p_set_finished_enabled=False)
    with TestClient(app) as client:
        response = finish(client, teacher, report(multichoice))
        assert response.status_code == 404
        model = client.get(f"/h5p/play/{multichoice}", headers=teacher.headers).json()["data"]
        assert model["integration"]["postUserStatistics"] is False
    assert rows(session) == []


def test_the_set_finished_url_is_configurable(settings, database, storage, teacher, multichoice):
    app = app_with(settings, database, storage, h5p_set_finished_url="/lms/finished")
    with TestClient(app) as client:
        model = client.get(f"/h5p/play/{multichoice}", headers=teacher.headers).json()["data"]
        assert model["integration"]["ajax"]["setFinished"].startswith("/lms/finished?")
        assert finish(client, teacher, report(multichoice), "/lms/finished").status_code == 200
        assert finish(client, teacher, report(multichoice)).status_code in (404, 405)


# --- listing and deleting -----------------------------------------------------------------


@pytest.fixture
def two_results(client, make_account, public_content):
    learners = [make_account("learner") for _ in range(2)]
    for index, account in enumerate(learners):
        finish(client, account, report(public_content, score=str(index)))
    return learners


def test_the_owner_lists_the_results_of_their_content(client, teacher, public_content, two_results):
    response = client.get(f"/h5p/finished/content/{public_content}", headers=teacher.headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert {item["userId"] for item in data} == {account.id for account in two_results}
    assert set(data[0]) == {
        "contentId",
        "userId",
        "score",
        "maxScore",
        "openedAt",
        "finishedAt",
        "timeSeconds",
    }
    assert data[0]["openedAt"].endswith("Z")


def test_other_teachers_and_learners_cannot_list_a_contents_results(
    client, make_account, public_content, two_results
):
    other_teacher = make_account("teacher")
    for account in (other_teacher, two_results[0]):
        response = client.get(f"/h5p/finished/content/{public_content}", headers=account.headers)
        assert response.status_code == 403


def test_an_admin_lists_any_contents_results(client, admin, public_content, two_results):
    response = client.get(f"/h5p/finished/content/{public_content}", headers=admin.headers)
    assert response.status_code == 200
    assert len(response.json()["data"]) == 2


def test_a_learner_lists_their_own_results_only(client, admin, public_content, two_results):
    first, second = two_results
    own = client.get(f"/h5p/finished/users/{first.id}", headers=first.headers)
    assert own.status_code == 200
    assert [item["userId"] for item in own.json()["data"]] == [first.id]
    assert client.get(f"/h5p/finished/users/{second.id}", headers=first.headers).status_code == 403
    by_admin = client.get(f"/h5p/finished/users/{second.id}", headers=admin.headers)
    assert [item["userId"] for item in by_admin.json()["data"]] == [second.id]


def test_the_owner_deletes_one_learners_result_or_all(
    client, session, teacher, public_content, two_results
):
    first, _second = two_results
    one = client.delete(
        f"/h5p/finished/content/{public_content}",
        headers=teacher.headers,
        params={"userId": first.id},
    )
    assert one.json()["data"] == {"deleted": 1}
    assert [row.user_id for row in rows(session)] == [two_results[1].id]
    rest = client.delete(f"/h5p/finished/content/{public_content}", headers=teacher.headers)
    assert rest.json()["data"] == {"deleted": 1}
    assert rows(session) == []


def test_a_learner_cannot_delete_results(client, session, public_content, two_results):
    response = client.delete(
        f"/h5p/finished/content/{public_content}", headers=two_results[0].headers
    )
    assert response.status_code == 403
    assert len(rows(session)) == 2


def test_results_of_unknown_content_are_404(client, teacher):
    assert client.get("/h5p/finished/content/404404", headers=teacher.headers).status_code == 404


def test_deleting_content_deletes_its_results(
    client, session, teacher, public_content, two_results
):
    assert (
        client.delete(f"/h5p/content/{public_content}", headers=teacher.headers).status_code == 200
    )
    assert rows(session) == []
