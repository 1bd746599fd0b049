"""Attacks on registrations and session records (issue 12 item 5): a learner registering
under someone else's xAPI account, and a learner grading themselves."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.cmi5.errors import StatementRuleViolation
from learnloop.cmi5.models import Cmi5Registration
from tests.cmi5.au_statements import INITIALIZED, PASSED, start
from tests.cmi5.conftest import AU1, launch, register
from tests.conftest import Account


def _registrations(session: Session) -> list[Cmi5Registration]:
    return list(session.scalars(select(Cmi5Registration)))


def test_a_learner_registering_with_another_learners_account_is_refused(
    client: TestClient, learner: Account, make_account, course: dict[str, Any], session: Session
) -> None:
    victim = make_account("learner")
    victim_account = {"homePage": "http://testserver", "name": victim.id}
    for body in (
        {"courseId": course["id"], "learnerId": learner.id, "actorAccount": victim_account},
        {"contentId": "quiz-1", "learnerId": learner.id, "actorAccount": victim_account},
    ):
        response = client.post("/api/cmi5/register", headers=learner.headers, json=body)
        assert response.status_code == 403, response.text
    assert _registrations(session) == []


def test_a_learners_registration_is_bound_to_the_learner(
    client: TestClient, app: FastAPI, learner: Account, course: dict[str, Any], session: Session
) -> None:
    own = {"homePage": "http://testserver", "name": learner.id}
    response = client.post(
        "/api/cmi5/register",
        headers=learner.headers,
        json={"courseId": course["id"], "learnerId": learner.id},
    )
    assert response.status_code == 201
    assert response.json()["data"]["actorAccount"] == own
    explicit = client.post(
        "/api/cmi5/register",
        headers=learner.headers,
        json={"contentId": "quiz-2", "learnerId": learner.id, "actorAccount": own},
    )
    assert explicit.status_code == 201
    assert explicit.json()["data"]["actorAccount"] == own


def test_an_au_may_not_post_passed_as_another_learner(
    client: TestClient,
    app: FastAPI,
    teacher: Account,
    learner: Account,
    make_account,
    course: dict[str, Any],
    session: Session,
) -> None:
    """The second half of the attack: even with a launch of their own, the learner cannot
    send statements whose actor is someone else."""
    victim = make_account("learner")
    registration = register(client, teacher, course["id"], learner)
    au = start(client, app, session, launch(client, learner, registration["id"], AU1), AU1)
    au.send(session, au.statement(INITIALIZED))
    passed = au.statement(PASSED, result={"success": True, "duration": "PT1S"})
    passed["actor"] = {
        "objectType": "Agent",
        "account": {"homePage": "http://testserver", "name": victim.id},
    }
    try:
        au.send(session, passed)
    except StatementRuleViolation as refused:
        assert refused.status_code == 403
    else:
        raise AssertionError("a statement about another learner was accepted")


def test_a_learner_may_not_grade_their_own_registration(
    client: TestClient,
    teacher: Account,
    learner: Account,
    admin: Account,
    course: dict[str, Any],
    session: Session,
) -> None:
    registration = register(client, teacher, course["id"], learner)
    path = f"/api/cmi5/sessions/{registration['id']}"
    grade = {"status": "passed", "score": {"scaled": 1.0}}
    response = client.put(path, headers=learner.headers, json=grade)
    assert response.status_code == 403
    stored = session.get(Cmi5Registration, registration["id"])
    assert stored is not None
    session.refresh(stored)
    assert (stored.status, stored.score) == ("initialized", None)
    for account in (teacher, admin):
        assert client.put(path, headers=account.headers, json=grade).status_code == 200


def test_a_learner_registering_themselves_on_their_own_launch_cannot_change_the_actor(
    client: TestClient, learner: Account, course: dict[str, Any], session: Session
) -> None:
    """Registering again never rebinds an existing registration to another account."""
    first = client.post(
        "/api/cmi5/register",
        headers=learner.headers,
        json={"courseId": course["id"], "learnerId": learner.id},
    ).json()["data"]
    again = client.post(
        "/api/cmi5/register",
        headers=learner.headers,
        json={
            "courseId": course["id"],
            "learnerId": learner.id,
            "actorAccount": {"homePage": "https://other.example", "name": "someone"},
        },
    )
    assert again.status_code == 403
    [stored] = _registrations(session)
    assert stored.id == first["id"]
    assert stored.actor_account == {"homePage": "http://testserver", "name": learner.id}
