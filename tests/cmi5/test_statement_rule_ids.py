"""One test per cmi5 statement rule the LMS enforces on AU statements, named by its
requirement id (node_modules/@cmi5/requirements; issue 13 item 4). Each sends the
offending statement the way an AU does (its fetched auth token) and checks that the
statement is refused and nothing of it is stored."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.cmi5.errors import StatementRuleViolation
from learnloop.cmi5.vocabulary import (
    ACTIVITY_TYPE_BLOCK,
    ACTIVITY_TYPE_COURSE,
    CATEGORY_MOVE_ON,
    EXT_MASTERY_SCORE,
    EXT_SESSION_ID,
    LEARNER_PREFERENCES_PROFILE_ID,
    VERB_SATISFIED,
)
from learnloop.xapi.models import StatementRow
from tests.cmi5.au_statements import (
    COMPLETED,
    FAILED,
    INITIALIZED,
    PASSED,
    TERMINATED,
    AuSession,
    start,
)
from tests.cmi5.conftest import AU1, AU2, launch, register, statements_with_verb
from tests.conftest import Account

DURATION = {"duration": "PT1M"}
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def au1(
    client: TestClient, app: FastAPI, session: Session, teacher: Account, learner: Account, course
) -> AuSession:
    registration = register(client, teacher, course["id"], learner)
    au = start(client, app, session, launch(client, learner, registration["id"], AU1), AU1)
    au.send(session, au.statement(INITIALIZED))
    return au


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StatementRow)) or 0


def _refused(session: Session, au: AuSession, statement: dict[str, Any]) -> str:
    before = _count(session)
    with pytest.raises(StatementRuleViolation) as raised:
        au.send(session, statement)
    session.rollback()
    assert _count(session) == before
    assert raised.value.status_code == 403
    return raised.value.message


def test_9_1_0_0_1_a_statement_without_id_is_refused(au1: AuSession, session: Session) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False)
    del statement["id"]
    assert "9.1.0.0-1" in _refused(session, au1, statement)


def test_9_7_0_0_1_a_statement_without_timestamp_is_refused(
    au1: AuSession, session: Session
) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False)
    del statement["timestamp"]
    assert "9.7.0.0-1" in _refused(session, au1, statement)


@pytest.mark.parametrize("timestamp", ["2026-12-03T10:00:00+01:00", "2026-12-03T10:00:00-05:00"])
def test_9_7_0_0_2_a_timestamp_not_in_utc_is_refused(
    au1: AuSession, session: Session, timestamp: str
) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False)
    statement["timestamp"] = timestamp
    assert "9.7.0.0-2" in _refused(session, au1, statement)


@pytest.mark.parametrize("timestamp", ["2026-12-03T10:00:00Z", "2026-12-03T10:00:00.123+00:00"])
def test_9_7_0_0_2_utc_timestamps_are_accepted(
    au1: AuSession, session: Session, timestamp: str
) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False)
    statement["timestamp"] = timestamp
    au1.send(session, statement)


def test_9_2_0_0_2_a_group_as_actor_of_a_cmi5_defined_statement_is_refused(
    au1: AuSession, session: Session
) -> None:
    statement = au1.statement(COMPLETED, result={"completion": True, **DURATION})
    statement["actor"] = {"objectType": "Group", "member": [statement["actor"]]}
    assert "9.2.0.0-2" in _refused(session, au1, statement)


@pytest.mark.parametrize("score", [{"raw": 5}, {"raw": 5, "min": 0}, {"raw": 5, "max": 10}])
def test_9_5_1_0_3_a_raw_score_without_min_and_max_is_refused(
    au1: AuSession, session: Session, score: dict[str, Any]
) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False, result={"score": score})
    assert "9.5.1.0-3" in _refused(session, au1, statement)
    au1.send(
        session,
        au1.statement(EXPERIENCED, cmi5=False, result={"score": {"raw": 5, "min": 0, "max": 10}}),
    )


def test_9_6_2_2_2_the_move_on_category_on_an_allowed_statement_is_refused(
    au1: AuSession, session: Session
) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False, move_on=True)
    assert statement["context"]["contextActivities"]["category"] == [{"id": CATEGORY_MOVE_ON}]
    assert "9.6.2.2-2" in _refused(session, au1, statement)


def test_9_6_3_1_4_an_allowed_statement_without_the_session_id_is_refused(
    au1: AuSession, session: Session
) -> None:
    statement = au1.statement(EXPERIENCED, cmi5=False)
    del statement["context"]["extensions"][EXT_SESSION_ID]
    assert "9.6.3.1-4" in _refused(session, au1, statement)


@pytest.mark.parametrize("mastery", [None, 0.5, "0.8"])
def test_9_6_3_2_2_passed_with_a_score_needs_the_masteryscore_extension(
    au1: AuSession, session: Session, mastery: Any
) -> None:
    """AU1 has masteryScore 0.8."""
    statement = au1.statement(
        PASSED, result={"success": True, "score": {"scaled": 0.9}, **DURATION}
    )
    if mastery is None:
        del statement["context"]["extensions"][EXT_MASTERY_SCORE]
    else:
        statement["context"]["extensions"][EXT_MASTERY_SCORE] = mastery
    assert "9.6.3.2-2" in _refused(session, au1, statement)


def test_9_6_3_2_2_failed_with_a_score_needs_the_masteryscore_extension(
    au1: AuSession, session: Session
) -> None:
    statement = au1.statement(
        FAILED, result={"success": False, "score": {"scaled": 0.1}, **DURATION}
    )
    del statement["context"]["extensions"][EXT_MASTERY_SCORE]
    assert "9.6.3.2-2" in _refused(session, au1, statement)
    statement["context"]["extensions"][EXT_MASTERY_SCORE] = 0.8
    au1.send(session, statement)


def test_9_3_0_0_2_a_cmi5_defined_verb_is_used_once_per_session(
    au1: AuSession, session: Session
) -> None:
    au1.send(session, au1.statement(FAILED, result={"success": False, **DURATION}))
    again = au1.statement(FAILED, result={"success": False, **DURATION})
    assert "9.3.0.0-2" in _refused(session, au1, again)


def test_9_3_0_0_3_passed_after_failed_in_a_session_is_refused(
    au1: AuSession, session: Session
) -> None:
    au1.send(session, au1.statement(FAILED, result={"success": False, **DURATION}))
    assert "9.3.0.0-3" in _refused(
        session, au1, au1.statement(PASSED, result={"success": True, **DURATION})
    )


def test_9_3_0_0_5_a_repeat_of_a_stored_statement_after_terminated_is_refused(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    """Over HTTP: a statement stored before Terminated and sent again afterwards is refused
    (the cmi5 checks run before the LRS's duplicate short-cut)."""
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU2)
    token = client.post(launched.fetch_path).json()["auth-token"]
    auth = {"Authorization": f"Basic {token}", **VERSION}

    def statement(verb: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "actor": json.loads(launched.params["actor"]),
            "verb": {"id": verb},
            "object": {"id": launched.params["activityId"]},
            "timestamp": "2026-12-03T10:00:00.000Z",
            "context": {
                "registration": launched.params["registration"],
                "contextActivities": {
                    "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
                    "grouping": [{"id": AU2}],
                },
                "extensions": {EXT_SESSION_ID: launched.session_id},
            },
        }
        if result is not None:
            body["result"] = result
        return body

    preferences = {"agent": launched.params["actor"], "profileId": "cmi5LearnerPreferences"}
    assert client.get("/xapi/agents/profile", params=preferences, headers=auth).status_code == 200
    initialized = statement(INITIALIZED)
    assert client.post("/xapi/statements", json=initialized, headers=auth).status_code == 200
    # Before Terminated a repeat is acknowledged (xAPI: same id, same content).
    assert client.post("/xapi/statements", json=initialized, headers=auth).status_code == 200
    terminated = statement(TERMINATED, DURATION)
    assert client.post("/xapi/statements", json=terminated, headers=auth).status_code == 200
    for repeat in (initialized, terminated):
        response = client.post("/xapi/statements", json=repeat, headers=auth)
        assert response.status_code == 403
        assert "9.3.0.0-5" in response.text


def test_6_3_0_0_1_an_au_may_not_void_statements(
    client: TestClient, au1: AuSession, session: Session
) -> None:
    [stored_id] = au1.send(session, au1.statement(EXPERIENCED, cmi5=False))
    voiding = au1.statement("http://adlnet.gov/expapi/verbs/voided", cmi5=False)
    voiding["object"] = {"objectType": "StatementRef", "id": stored_id}
    assert "6.3.0.0-1" in _refused(session, au1, voiding)


def test_11_0_0_0_1_agent_profile_requests_without_agent_are_400(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    token = client.post(launched.fetch_path).json()["auth-token"]
    auth = {"Authorization": f"Basic {token}", **VERSION}
    params = {"profileId": LEARNER_PREFERENCES_PROFILE_ID}
    put = client.put("/xapi/agents/profile", params=params, json={"x": 1}, headers=auth)
    assert put.status_code == 400
    assert client.get("/xapi/agents/profile", params=params, headers=auth).status_code == 400
    # Someone else as agent: forbidden (cmi5 11.0.0.0-1 (d)).
    other = json.dumps({"mbox": "mailto:other@example.test"})
    assert (
        client.get(
            "/xapi/agents/profile", params={**params, "agent": other}, headers=auth
        ).status_code
        == 403
    )


def test_9_3_9_0_2_and_6_satisfied_carries_the_block_and_course_activity_types(
    client: TestClient,
    app: FastAPI,
    teacher: Account,
    learner: Account,
    course,
    session: Session,
) -> None:
    """The course: a block of AU1 (Passed) and AU2 (Completed), and AU3 (NotApplicable)."""
    registration = register(client, teacher, course["id"], learner)
    for publisher_id, verb, result in (
        (AU1, PASSED, {"success": True, **DURATION}),
        (AU2, COMPLETED, {"completion": True, **DURATION}),
    ):
        au = start(
            client,
            app,
            session,
            launch(client, learner, registration["id"], publisher_id),
            publisher_id,
        )
        au.send(session, au.statement(INITIALIZED))
        au.send(session, au.statement(verb, result=result))
    satisfied = statements_with_verb(session, VERB_SATISFIED, registration["id"])
    types = {s["context"]["contextActivities"]["grouping"][0]["id"]: s for s in satisfied}
    block = types["https://example.test/blocks/b1"]["object"]
    course_object = types["https://example.test/courses/c1"]["object"]
    assert block["definition"] == {"type": ACTIVITY_TYPE_BLOCK}
    assert course_object["definition"] == {"type": ACTIVITY_TYPE_COURSE}
    assert course_object["id"] != "https://example.test/courses/c1"  # LMS generated
