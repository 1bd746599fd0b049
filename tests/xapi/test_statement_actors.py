"""Issue 12 item 6: with a user's token, statements are about that user only. A teacher
(or admin) who could post statements for a learner would write their progress and
analytics; tools that record for others use LRS client credentials with scopes."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from learnloop.config import Settings
from tests.conftest import Account
from tests.xapi.conftest import VERSION, LrsCredentials, MakeCredentials, statement


def _bearer(account: Account) -> dict[str, str]:
    return {**account.headers, **VERSION}


def _account_actor(settings: Settings, account: Account) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": settings.base_url, "name": account.id}}


def _statements_about(client: TestClient, lrs: LrsCredentials, actor: dict[str, Any]) -> list[Any]:
    response = client.get(
        "/xapi/statements", params={"agent": json.dumps(actor)}, headers=lrs.headers
    )
    assert response.status_code == 200, response.text
    statements: list[Any] = response.json()["statements"]
    return statements


def test_teacher_token_posting_a_statement_for_a_learner_is_403_and_stores_nothing(
    client: TestClient, teacher: Account, learner: Account, settings: Settings, lrs: LrsCredentials
) -> None:
    for learner_actor in (
        {"mbox": f"mailto:{learner.user.email}"},
        _account_actor(settings, learner),
    ):
        forged = statement(actor=learner_actor)
        response = client.post("/xapi/statements", json=forged, headers=_bearer(teacher))
        assert response.status_code == 403, response.text
        put = client.put(
            "/xapi/statements",
            params={"statementId": "5d1c7bd8-9bb5-4e1f-8a35-7a0e3c1f0a01"},
            json=forged,
            headers=_bearer(teacher),
        )
        assert put.status_code == 403
        assert _statements_about(client, lrs, learner_actor) == []


def test_a_batch_with_one_foreign_actor_is_refused_whole(
    client: TestClient, teacher: Account, learner: Account, lrs: LrsCredentials
) -> None:
    own_actor = {"mbox": f"mailto:{teacher.user.email}"}
    batch = [statement(actor=own_actor), statement(actor={"mbox": f"mailto:{learner.user.email}"})]
    assert client.post("/xapi/statements", json=batch, headers=_bearer(teacher)).status_code == 403
    assert _statements_about(client, lrs, own_actor) == []


def test_admin_token_is_bound_to_the_admin_too(
    client: TestClient, admin: Account, learner: Account
) -> None:
    forged = statement(actor={"mbox": f"mailto:{learner.user.email}"})
    assert client.post("/xapi/statements", json=forged, headers=_bearer(admin)).status_code == 403


def test_teacher_token_posting_their_own_statement_is_200(
    client: TestClient, teacher: Account, settings: Settings
) -> None:
    for own_actor in (
        {"mbox": f"mailto:{teacher.user.email}"},
        _account_actor(settings, teacher),
    ):
        response = client.post(
            "/xapi/statements", json=statement(actor=own_actor), headers=_bearer(teacher)
        )
        assert response.status_code == 200, response.text


def test_an_lrs_client_with_statements_write_still_records_for_learners(
    client: TestClient, learner: Account, make_credentials: MakeCredentials, lrs: LrsCredentials
) -> None:
    tool = make_credentials("statements/write")
    learner_actor = {"mbox": f"mailto:{learner.user.email}"}
    response = client.post(
        "/xapi/statements", json=statement(actor=learner_actor), headers=tool.headers
    )
    assert response.status_code == 200, response.text
    assert len(_statements_about(client, lrs, learner_actor)) == 1


def test_teacher_cannot_void_a_learners_statement(
    client: TestClient, teacher: Account, learner: Account, lrs: LrsCredentials
) -> None:
    learner_actor = {"mbox": f"mailto:{learner.user.email}"}
    target = client.post(
        "/xapi/statements", json=statement(actor=learner_actor), headers=lrs.headers
    ).json()[0]
    voiding = statement(
        actor={"mbox": f"mailto:{teacher.user.email}"},
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": target},
    )
    assert (
        client.post("/xapi/statements", json=voiding, headers=_bearer(teacher)).status_code == 403
    )
    assert len(_statements_about(client, lrs, learner_actor)) == 1


def test_reference_statements_endpoint_records_the_sender_not_the_claimed_learner(
    client: TestClient, teacher: Account, learner: Account, settings: Settings, lrs: LrsCredentials
) -> None:
    """The reference contract overwrites the actor with the signed-in user
    (xapi-and-analytics-api.txt, POST /api/xapi/statements): a claimed learner actor
    never reaches the learner's records."""
    learner_actor = _account_actor(settings, learner)
    response = client.post(
        "/api/xapi/statements", json=statement(actor=learner_actor), headers=teacher.headers
    )
    assert response.status_code == 200, response.text
    assert _statements_about(client, lrs, learner_actor) == []
    assert len(_statements_about(client, lrs, _account_actor(settings, teacher))) == 1
    progress = client.get("/api/xapi/progress", headers=learner.headers)
    assert progress.json()["data"]["progress"] == []


def test_h5p_event_is_always_about_the_sender(
    client: TestClient, teacher: Account, learner: Account, settings: Settings, lrs: LrsCredentials
) -> None:
    event = {"contentId": "c1", "verb": "completed", "actor": _account_actor(settings, learner)}
    response = client.post("/api/xapi/h5p-event", json=event, headers=teacher.headers)
    assert response.status_code == 200, response.text
    assert _statements_about(client, lrs, _account_actor(settings, learner)) == []
    assert len(_statements_about(client, lrs, _account_actor(settings, teacher))) == 1
