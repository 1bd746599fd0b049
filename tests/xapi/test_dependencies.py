"""Who may use /xapi: LRS client credentials with scopes, and LearnLoop bearer tokens."""

from __future__ import annotations

import base64
import json

from learnloop.auth.models import Role
from tests.xapi.conftest import VERSION, LrsCredentials, agent, statement


def test_missing_credentials_are_401_with_a_basic_challenge(client):
    response = client.get("/xapi/statements", headers=VERSION)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_wrong_secret_unknown_key_and_garbage_are_401(client, lrs: LrsCredentials):
    for raw in (f"{lrs.key}:wrong", "nobody:secret"):
        token = base64.b64encode(raw.encode()).decode()
        headers = {"Authorization": f"Basic {token}", **VERSION}
        assert client.get("/xapi/statements", headers=headers).status_code == 401
    garbage = {"Authorization": "Basic !!!", **VERSION}
    assert client.get("/xapi/statements", headers=garbage).status_code == 401


def test_revoked_client_is_401(client, session, lrs: LrsCredentials):
    from learnloop.xapi.credentials import revoke_client

    revoke_client(session, lrs.key)
    session.commit()
    assert client.get("/xapi/statements", headers=lrs.headers).status_code == 401


def test_write_scope_is_needed_to_store(client, make_credentials):
    reader = make_credentials("statements/read")
    response = client.post("/xapi/statements", json=statement(), headers=reader.headers)
    assert response.status_code == 403
    writer = make_credentials("statements/write")
    assert (
        client.post("/xapi/statements", json=statement(), headers=writer.headers).status_code == 200
    )


def test_read_scopes(client, make_credentials):
    writer = make_credentials("statements/write")
    mine = make_credentials("statements/write", "statements/read/mine")
    client.post("/xapi/statements", json=statement(), headers=writer.headers)
    own_id = client.post("/xapi/statements", json=statement(), headers=mine.headers).json()[0]

    assert client.get("/xapi/statements", headers=writer.headers).status_code == 403
    listing = client.get("/xapi/statements", headers=mine.headers).json()["statements"]
    assert [s["id"] for s in listing] == [own_id]
    for scope in ("statements/read", "all/read", "all"):
        reader = make_credentials(scope)
        assert len(client.get("/xapi/statements", headers=reader.headers).json()["statements"]) == 2


def _bearer(account):
    return {**account.headers, **VERSION}


def test_learner_token_writes_only_statements_about_themselves(client, learner, settings):
    own = statement(actor={"mbox": f"mailto:{learner.user.email}"})
    assert client.post("/xapi/statements", json=own, headers=_bearer(learner)).status_code == 200
    as_account = statement(actor={"account": {"homePage": settings.base_url, "name": learner.id}})
    assert (
        client.post("/xapi/statements", json=as_account, headers=_bearer(learner)).status_code
        == 200
    )
    other = statement(actor=agent("someone-else"))
    response = client.post("/xapi/statements", json=other, headers=_bearer(learner))
    assert response.status_code == 403


def test_learner_token_reads_only_their_own_statements(client, make_account, lrs: LrsCredentials):
    ann = make_account(Role.LEARNER)
    bob = make_account(Role.LEARNER)
    client.post(
        "/xapi/statements",
        json=statement(actor={"mbox": f"mailto:{ann.user.email}"}),
        headers=lrs.headers,
    )
    bob_id = client.post(
        "/xapi/statements",
        json=statement(actor={"mbox": f"mailto:{bob.user.email}"}),
        headers=lrs.headers,
    ).json()[0]
    listing = client.get("/xapi/statements", headers=_bearer(bob)).json()["statements"]
    assert [s["id"] for s in listing] == [bob_id]
    ann_filter = {"agent": json.dumps({"mbox": f"mailto:{ann.user.email}"})}
    assert (
        client.get("/xapi/statements", params=ann_filter, headers=_bearer(bob)).json()["statements"]
        == []
    )
    single = client.get("/xapi/statements", params={"statementId": bob_id}, headers=_bearer(ann))
    assert single.status_code == 404


def test_learner_cannot_void_someone_elses_statement(client, learner, lrs: LrsCredentials):
    target = client.post(
        "/xapi/statements", json=statement(actor=agent("other")), headers=lrs.headers
    ).json()[0]
    voiding = statement(
        actor={"mbox": f"mailto:{learner.user.email}"},
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": target},
    )
    assert (
        client.post("/xapi/statements", json=voiding, headers=_bearer(learner)).status_code == 403
    )
    assert (
        client.get(
            "/xapi/statements", params={"statementId": target}, headers=lrs.headers
        ).status_code
        == 200
    )


def test_admin_token_reads_everything(client, admin, lrs: LrsCredentials):
    client.post(
        "/xapi/statements", json=[statement(), statement(actor=agent("x"))], headers=lrs.headers
    )
    assert len(client.get("/xapi/statements", headers=_bearer(admin)).json()["statements"]) == 2


def test_user_token_authority_is_the_users_account(client, teacher, settings):
    own = statement(actor={"mbox": f"mailto:{teacher.user.email}"})
    statement_id = client.post("/xapi/statements", json=own, headers=_bearer(teacher)).json()[0]
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=_bearer(teacher)
    )
    assert stored.status_code == 200
    assert stored.json()["authority"]["account"] == {
        "homePage": settings.base_url,
        "name": teacher.id,
    }


def test_invalid_bearer_token_is_401(client):
    headers = {"Authorization": "Bearer not-a-token", **VERSION}
    assert client.get("/xapi/statements", headers=headers).status_code == 401
