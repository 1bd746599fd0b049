"""Issue 12 item 13: reads need a read scope; activity profiles of hosted content are
changed only by its owner (or an admin); content aggregates only for who may see them."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.config import Settings
from tests.analytics.conftest import add_content
from tests.conftest import Account, MakeAccount
from tests.xapi.conftest import VERSION, LrsCredentials, MakeCredentials, agent, statement


def _bearer(account: Account) -> dict[str, str]:
    return {**account.headers, **VERSION}


def test_a_write_only_client_reads_no_lrs_resource(
    client: TestClient, make_credentials: MakeCredentials, lrs: LrsCredentials
) -> None:
    activity = "http://example.com/activities/quiz"
    client.post("/xapi/statements", json=statement(), headers=lrs.headers)
    writer = make_credentials("statements/write")
    who = json.dumps(agent())
    reads = [
        ("/xapi/statements", {}),
        ("/xapi/activities", {"activityId": activity}),
        ("/xapi/agents", {"agent": who}),
        ("/xapi/activities/state", {"activityId": activity, "agent": who}),
        ("/xapi/activities/profile", {"activityId": activity}),
        ("/xapi/agents/profile", {"agent": who}),
    ]
    for path, params in reads:
        response = client.get(path, params=params, headers=writer.headers)
        assert response.status_code == 403, (path, response.text)
    reader = make_credentials("statements/read")
    for path in ("/xapi/activities", "/xapi/agents"):
        params = reads[1][1] if path == "/xapi/activities" else reads[2][1]
        assert client.get(path, params=params, headers=reader.headers).status_code == 200


def test_teacher_b_cannot_change_activity_profiles_of_teacher_as_content(
    client: TestClient,
    session: Session,
    settings: Settings,
    teacher: Account,
    make_account: MakeAccount,
    admin: Account,
) -> None:
    from learnloop.auth.models import Role

    other = make_account(Role.TEACHER)
    add_content(session, "a-quiz", "A's quiz", teacher)
    activity = f"{settings.base_url}/h5p/content/a-quiz"
    params = {"activityId": activity, "profileId": "p"}
    created = client.put(
        "/xapi/activities/profile",
        params=params,
        json={"by": "A"},
        headers={**_bearer(teacher), "If-None-Match": "*"},
    )
    assert created.status_code == 204, created.text
    for method in ("PUT", "POST", "DELETE"):
        response = client.request(
            method,
            "/xapi/activities/profile",
            params=params,
            content=b'{"by": "B"}' if method != "DELETE" else None,
            headers={**_bearer(other), "Content-Type": "application/json", "If-Match": "*"},
        )
        assert response.status_code == 403, (method, response.text)
    stored = client.get("/xapi/activities/profile", params=params, headers=_bearer(other))
    assert stored.json() == {"by": "A"}
    as_admin = client.post(
        "/xapi/activities/profile",
        params=params,
        json={"admin": True},
        headers=_bearer(admin),
    )
    assert as_admin.status_code == 204


def test_activity_state_is_per_agent_so_teacher_b_cannot_touch_a_learners_state(
    client: TestClient, teacher: Account, learner: Account, lrs: LrsCredentials
) -> None:
    learner_agent = json.dumps({"mbox": f"mailto:{learner.user.email}"})
    params = {"activityId": "http://example.com/a", "agent": learner_agent, "stateId": "s"}
    assert (
        client.put(
            "/xapi/activities/state", params=params, json={"x": 1}, headers=_bearer(learner)
        ).status_code
        == 204
    )
    for method in ("PUT", "DELETE", "GET"):
        response = client.request(
            method,
            "/xapi/activities/state",
            params=params,
            content=b"{}" if method == "PUT" else None,
            headers={**_bearer(teacher), "Content-Type": "application/json"},
        )
        assert response.status_code == 403, method


def test_content_aggregates_answer_only_who_may_see_the_contents_analytics(
    client: TestClient,
    session: Session,
    teacher: Account,
    learner: Account,
    admin: Account,
    make_account: MakeAccount,
) -> None:
    from learnloop.auth.models import Role

    other = make_account(Role.TEACHER)
    add_content(session, "private-quiz", "Private", teacher)
    path = "/api/xapi/analytics/content/private-quiz"
    assert client.get(path, headers=teacher.headers).status_code == 200
    assert client.get(path, headers=admin.headers).status_code == 200
    for outsider in (other, learner):
        response = client.get(path, headers=outsider.headers)
        assert response.status_code == 403, response.text
    assert client.get(path).status_code == 401


def test_a_teacher_reads_statements_about_their_own_content_only(
    client: TestClient,
    session: Session,
    settings: Settings,
    teacher: Account,
    learner: Account,
    make_account: MakeAccount,
    lrs: LrsCredentials,
) -> None:
    from learnloop.auth.models import Role

    other = make_account(Role.TEACHER)
    add_content(session, "a-quiz", "A's quiz", teacher)
    about = statement(
        actor={"mbox": f"mailto:{learner.user.email}"},
        object={"objectType": "Activity", "id": f"{settings.base_url}/h5p/content/a-quiz"},
    )
    statement_id = client.post("/xapi/statements", json=about, headers=lrs.headers).json()[0]
    owner_view = client.get("/xapi/statements", headers=_bearer(teacher)).json()["statements"]
    assert [s["id"] for s in owner_view] == [statement_id]
    assert client.get("/xapi/statements", headers=_bearer(other)).json()["statements"] == []
