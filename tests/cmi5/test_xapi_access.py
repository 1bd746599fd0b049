"""The fetched auth token on the conformant LRS, over HTTP."""

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.cmi5.vocabulary import (
    CATEGORY_CMI5,
    CATEGORY_MOVE_ON,
    EXT_SESSION_ID,
    VERB_INITIALIZED,
)
from learnloop.xapi.agents import agent_key
from learnloop.xapi.document_store import (
    DocumentContext,
    DocumentResource,
    Preconditions,
    put_document,
)
from tests.cmi5.conftest import AU1, Launched, launch, register, statements_with_verb
from tests.conftest import Account

VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def launched(client: TestClient, teacher: Account, learner: Account, course) -> Launched:
    registration = register(client, teacher, course["id"], learner)
    return launch(client, learner, registration["id"], AU1)


def _auth(client: TestClient, launched: Launched) -> dict[str, str]:
    token = client.post(launched.fetch_path).json()["auth-token"]
    return {"Authorization": f"Basic {token}", **VERSION}


def _state_params(
    launched: Launched, state_id: str = "LMS.LaunchData", **overrides: str
) -> dict[str, str]:
    params = {
        "activityId": launched.params["activityId"],
        "agent": launched.params["actor"],
        "registration": launched.params["registration"],
        "stateId": state_id,
    }
    params.update(overrides)
    return params


def _statement(
    launched: Launched, verb: str, result: dict[str, Any] | None = None, move_on: bool = False
) -> dict[str, Any]:
    categories = [{"id": CATEGORY_CMI5}] + ([{"id": CATEGORY_MOVE_ON}] if move_on else [])
    statement: dict[str, Any] = {
        "actor": json.loads(launched.params["actor"]),
        "id": str(uuid.uuid4()),
        "verb": {"id": verb},
        "object": {"id": launched.params["activityId"]},
        "timestamp": datetime.now(UTC).isoformat(),
        "context": {
            "registration": launched.params["registration"],
            "contextActivities": {"category": categories, "grouping": [{"id": AU1}]},
            "extensions": {EXT_SESSION_ID: launched.session_id},
        },
    }
    if result is not None:
        statement["result"] = result
    return statement


def test_the_au_reads_its_launch_data(client: TestClient, launched: Launched) -> None:
    headers = _auth(client, launched)
    response = client.get("/xapi/activities/state", headers=headers, params=_state_params(launched))
    assert response.status_code == 200, response.text
    assert response.json()["contextTemplate"]["extensions"][EXT_SESSION_ID] == launched.session_id


def test_the_au_writes_its_own_state_but_not_launch_data(
    client: TestClient, launched: Launched
) -> None:
    headers = _auth(client, launched)
    own = client.put(
        "/xapi/activities/state",
        headers=headers,
        params=_state_params(launched, "bookmark"),
        json={"page": 3},
    )
    assert own.status_code == 204, own.text
    assert client.get(
        "/xapi/activities/state", headers=headers, params=_state_params(launched, "bookmark")
    ).json() == {"page": 3}
    launch_data = client.put(
        "/xapi/activities/state", headers=headers, params=_state_params(launched), json={}
    )
    assert launch_data.status_code == 403


def test_the_au_cannot_touch_other_learners_or_registrations(
    client: TestClient, launched: Launched
) -> None:
    headers = _auth(client, launched)
    other_agent = json.dumps({"mbox": "mailto:other@example.test"})
    for overrides in (
        {"agent": other_agent},
        {"registration": "6f7d7f37-0000-4000-8000-000000000000"},
        {"activityId": AU1},
    ):
        response = client.get(
            "/xapi/activities/state", headers=headers, params=_state_params(launched, **overrides)
        )
        assert response.status_code == 403, overrides
    profile = {"activityId": launched.params["activityId"], "profileId": "p"}
    assert (
        client.get("/xapi/activities/profile", headers=headers, params=profile).status_code == 403
    )


def _read_preferences(client: TestClient, launched: Launched, headers: dict[str, str]) -> Any:
    params = {"agent": launched.params["actor"], "profileId": "cmi5LearnerPreferences"}
    return client.get("/xapi/agents/profile", headers=headers, params=params)


def test_the_au_reads_learner_preferences_only(client: TestClient, launched: Launched) -> None:
    headers = _auth(client, launched)
    params = {"agent": launched.params["actor"], "profileId": "cmi5LearnerPreferences"}
    # The LMS wrote the learner's preferences at launch (cmi5 11.0, 11.1, 11.2).
    read = client.get("/xapi/agents/profile", headers=headers, params=params)
    assert read.status_code == 200
    assert read.json() == {"languagePreference": "en", "audioPreference": "on"}
    assert (
        client.put("/xapi/agents/profile", headers=headers, params=params, json={}).status_code
        == 403
    )
    other = {"agent": launched.params["actor"], "profileId": "secrets"}
    assert client.get("/xapi/agents/profile", headers=headers, params=other).status_code == 403


def test_11_0_0_0_3_initialized_before_the_learner_preferences_read_is_refused(
    client: TestClient, launched: Launched, session: Session
) -> None:
    headers = _auth(client, launched)
    initialized = _statement(launched, "http://adlnet.gov/expapi/verbs/initialized")
    # Reading LMS.LaunchData or listing the profile ids is not reading the preferences.
    assert (
        client.get(
            "/xapi/activities/state", headers=headers, params=_state_params(launched)
        ).status_code
        == 200
    )
    listed = client.get(
        "/xapi/agents/profile", headers=headers, params={"agent": launched.params["actor"]}
    )
    assert listed.status_code == 200
    refused = client.post("/xapi/statements", headers=headers, json=initialized)
    assert refused.status_code == 403
    assert "11.0.0.0-3" in refused.text
    # Nothing was stored, and a refused Initialized does not use the session up.
    session.expire_all()
    assert statements_with_verb(session, VERB_INITIALIZED, launched.registration_id) == []
    assert _read_preferences(client, launched, headers).status_code == 200
    accepted = client.post("/xapi/statements", headers=headers, json=initialized)
    assert accepted.status_code == 200, accepted.text


def test_a_preferences_document_the_learner_has_is_kept_at_launch(
    client: TestClient,
    teacher: Account,
    learner: Account,
    course: dict[str, Any],
    session: Session,
) -> None:
    registration = register(client, teacher, course["id"], learner)
    first = launch(client, learner, registration["id"], AU1)
    own = {"languagePreference": "fr-FR,en-US", "audioPreference": "off"}
    # The learner's own preferences, as another LMS or a profile page would store them.
    put_document(
        session,
        DocumentContext(
            DocumentResource.AGENT_PROFILE,
            agent_key=agent_key(json.loads(first.params["actor"])) or "",
        ),
        "cmi5LearnerPreferences",
        json.dumps(own).encode(),
        "application/json",
        Preconditions(),
        require_precondition=False,
    )
    session.commit()
    second = launch(client, learner, registration["id"], AU1)
    read = _read_preferences(client, second, _auth(client, second))
    assert read.status_code == 200
    assert read.json() == own


def test_statements_follow_the_session_rules_over_http(
    client: TestClient, launched: Launched
) -> None:
    headers = _auth(client, launched)
    assert _read_preferences(client, launched, headers).status_code == 200
    initialized = client.post(
        "/xapi/statements",
        headers=headers,
        json=_statement(launched, "http://adlnet.gov/expapi/verbs/initialized"),
    )
    assert initialized.status_code == 200, initialized.text
    no_duration = client.post(
        "/xapi/statements",
        headers=headers,
        json=_statement(
            launched, "http://adlnet.gov/expapi/verbs/passed", {"success": True}, move_on=True
        ),
    )
    assert no_duration.status_code == 403
    assert "duration" in no_duration.text
    terminated = client.post(
        "/xapi/statements",
        headers=headers,
        json=_statement(
            launched, "http://adlnet.gov/expapi/verbs/terminated", {"duration": "PT5S"}
        ),
    )
    assert terminated.status_code == 200
    after = client.post(
        "/xapi/statements",
        headers=headers,
        json=_statement(
            launched, "http://adlnet.gov/expapi/verbs/terminated", {"duration": "PT5S"}
        ),
    )
    assert after.status_code == 403
    assert "terminated" in after.text
    write = client.put(
        "/xapi/activities/state", headers=headers, params=_state_params(launched, "late"), json={}
    )
    assert write.status_code == 403


def test_a_bad_auth_token_is_401(client: TestClient, launched: Launched) -> None:
    token = client.post(launched.fetch_path).json()["auth-token"]
    key = base64.b64decode(token).decode().partition(":")[0]
    forged = base64.b64encode(f"{key}:nope".encode()).decode()
    response = client.get(
        "/xapi/activities/state",
        headers={"Authorization": f"Basic {forged}", **VERSION},
        params=_state_params(launched),
    )
    assert response.status_code == 401
