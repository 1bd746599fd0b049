"""Assignment and Grade Services: a learner's scored statement about launched content
writes a job in the statement's transaction; the worker gets a token from the real test
platform with a JWT client assertion and posts the score to the line item."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database, utcnow
from learnloop.jobs.models import Job
from learnloop.lti.grades import POST_SCORE_JOB
from learnloop.main import build_worker, create_app
from learnloop.storage import LocalFileStorage
from tests.conftest import Account
from tests.lti.conftest import TOOL_BASE_URL, platform_launch
from tests.lti.platform import INSTRUCTOR, LEARNER, Person, TestPlatform

pytestmark = pytest.mark.usefixtures("registered")

CONTENT_ID = "graded-content"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@pytest.fixture(autouse=True)
def platform_knows_the_tool_keys(client: TestClient, lti_platform: TestPlatform) -> Iterator[None]:
    lti_platform.tool_jwks = client.get("/lti/jwks").json()
    lti_platform.scores.clear()
    lti_platform.refuse_scores = 0
    yield
    lti_platform.tool_jwks = None


def _learner_launch(client: TestClient, platform: TestPlatform, hint: str) -> tuple[str, str]:
    """Launch ``hint`` as a learner into the graded content; the player token and user id."""
    platform.people[hint] = Person(roles=[LEARNER], name=f"Learner {hint}")
    launch = platform_launch(client, platform, hint, f"{TOOL_BASE_URL}/lti/content/{CONTENT_ID}")
    response = client.post("/lti/launch", data=launch.form(), follow_redirects=False)
    assert response.status_code == 303, response.text
    token = parse_qs(urlsplit(response.headers["location"]).query)["token"][0]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    return token, str(me.json()["data"]["id"])


def _statement(user_id: str, verb: str, raw: float, maximum: float = 4) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": TOOL_BASE_URL, "name": user_id}},
        "verb": {"id": verb},
        "object": {"objectType": "Activity", "id": f"{TOOL_BASE_URL}/h5p/content/{CONTENT_ID}"},
        "result": {"score": {"raw": raw, "max": maximum, "scaled": raw / maximum}},
        "timestamp": "2026-12-03T10:00:00Z",
    }


def _send(client: TestClient, token: str, statement: dict[str, Any]) -> None:
    response = client.post(
        "/xapi/statements",
        json=statement,
        headers={**XAPI_HEADERS, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text


def _jobs(session: Session) -> list[Job]:
    session.expire_all()
    return list(session.scalars(select(Job).where(Job.kind == POST_SCORE_JOB)))


def test_completion_posts_the_score_to_the_line_item(
    client: TestClient, app: FastAPI, lti_platform: TestPlatform, session: Session
) -> None:
    token, user_id = _learner_launch(client, lti_platform, "grade-1")
    _send(client, token, _statement(user_id, COMPLETED, 3))
    assert len(_jobs(session)) == 1
    build_worker(app.state.services).run_until_idle()
    assert len(lti_platform.scores) == 1
    posted = lti_platform.scores[0]
    assert posted["lineitem"].startswith("link-")
    assert posted == {
        "lineitem": posted["lineitem"],
        "userId": "grade-1",
        "scoreGiven": 3.0,
        "scoreMaximum": 4.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-12-03T10:00:00Z",
    }
    assert [job.status for job in _jobs(session)] == ["done"]


def test_an_answer_about_the_content_itself_is_a_finished_attempt(
    client: TestClient, app: FastAPI, lti_platform: TestPlatform
) -> None:
    token, user_id = _learner_launch(client, lti_platform, "grade-7")
    _send(client, token, _statement(user_id, ANSWERED, 1, 1))
    build_worker(app.state.services).run_until_idle()
    assert [(s["scoreGiven"], s["scoreMaximum"]) for s in lti_platform.scores] == [(1.0, 1.0)]


def test_best_attempt_policy_keeps_the_best_score(
    client: TestClient, app: FastAPI, lti_platform: TestPlatform
) -> None:
    token, user_id = _learner_launch(client, lti_platform, "grade-2")
    for raw in (3, 2, 4):
        _send(client, token, _statement(user_id, COMPLETED, raw))
        build_worker(app.state.services).run_until_idle()
    assert [score["scoreGiven"] for score in lti_platform.scores] == [3.0, 4.0]


def test_last_attempt_policy_sends_every_scored_attempt(
    settings: Settings,
    database: Database,
    storage: LocalFileStorage,
    lti_platform: TestPlatform,
) -> None:
    last_app = create_app(
        settings.model_copy(update={"lti_grade_policy": "last"}),
        database=database,
        storage=storage,
    )
    with TestClient(last_app, raise_server_exceptions=False) as last_client:
        lti_platform.tool_jwks = last_client.get("/lti/jwks").json()
        token, user_id = _learner_launch(last_client, lti_platform, "grade-3")
        for raw in (3, 2):
            _send(last_client, token, _statement(user_id, COMPLETED, raw))
            build_worker(last_app.state.services).run_until_idle()
    assert [score["scoreGiven"] for score in lti_platform.scores] == [3.0, 2.0]


def test_a_refused_score_is_retried_by_the_job(
    client: TestClient, app: FastAPI, lti_platform: TestPlatform, session: Session
) -> None:
    token, user_id = _learner_launch(client, lti_platform, "grade-4")
    lti_platform.refuse_scores = 1
    _send(client, token, _statement(user_id, COMPLETED, 3))
    build_worker(app.state.services).run_until_idle()
    assert lti_platform.scores == []
    (job,) = _jobs(session)
    assert job.status == "pending" and job.attempts == 1
    assert "503" in (job.last_error or "")
    session.execute(update(Job).where(Job.id == job.id).values(run_after=utcnow()))
    session.commit()
    build_worker(app.state.services).run_until_idle()
    assert [score["scoreGiven"] for score in lti_platform.scores] == [3.0]


def test_sub_question_answers_and_other_learners_statements_send_nothing(
    client: TestClient, lti_platform: TestPlatform, learner: Account, session: Session
) -> None:
    token, user_id = _learner_launch(client, lti_platform, "grade-5")
    sub_question = _statement(user_id, ANSWERED, 1, 1)
    sub_question["object"]["id"] += "?subContentId=q1"
    _send(client, token, sub_question)
    unscored = _statement(user_id, COMPLETED, 1)
    del unscored["result"]
    _send(client, token, unscored)
    # A learner who never launched from the platform, about the same content.
    _send(client, learner.token, _statement(learner.id, COMPLETED, 4))
    assert _jobs(session) == []


def test_a_statement_naming_the_launched_learner_from_another_account_is_refused(
    client: TestClient, lti_platform: TestPlatform, learner: Account, session: Session
) -> None:
    """Someone else cannot earn the launched learner a grade: the LRS refuses the actor."""
    _, user_id = _learner_launch(client, lti_platform, "grade-6")
    response = client.post(
        "/xapi/statements",
        json=_statement(user_id, COMPLETED, 4),
        headers={**XAPI_HEADERS, **learner.headers},
    )
    assert response.status_code in (400, 403)
    assert _jobs(session) == []


def test_an_instructor_trying_the_content_sends_no_grade(
    client: TestClient, lti_platform: TestPlatform, session: Session
) -> None:
    lti_platform.people["grade-teacher"] = Person(roles=[INSTRUCTOR], name="Tess")
    launch = platform_launch(
        client, lti_platform, "grade-teacher", f"{TOOL_BASE_URL}/lti/content/{CONTENT_ID}"
    )
    response = client.post("/lti/launch", data=launch.form(), follow_redirects=False)
    token = parse_qs(urlsplit(response.headers["location"]).query)["token"][0]
    user_id = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()[
        "data"
    ]["id"]
    _send(client, token, _statement(user_id, COMPLETED, 4))
    assert _jobs(session) == []
