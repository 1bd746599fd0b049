"""The launch endpoint as AU libraries use it (issue 13 item 2) and 401s that do not pop
up a browser login dialog inside an AU (item 6)."""

from __future__ import annotations

import base64
import json
import uuid

from fastapi.testclient import TestClient

from learnloop.cmi5.vocabulary import CATEGORY_CMI5, EXT_SESSION_ID, VERB_INITIALIZED
from tests.cmi5.conftest import AU1, Launched, launch, register
from tests.conftest import Account

VERSION = {"X-Experience-API-Version": "1.0.3"}


def _launched(client: TestClient, teacher: Account, learner: Account, course_id: str) -> Launched:
    registration = register(client, teacher, course_id, learner)
    return launch(client, learner, registration["id"], AU1)


def test_the_endpoint_is_handed_out_without_a_trailing_slash(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    launched = _launched(client, teacher, learner, course["id"])
    assert launched.params["endpoint"] == "http://testserver/xapi"


def test_paths_joined_with_an_extra_slash_reach_the_lrs(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    launched = _launched(client, teacher, learner, course["id"])
    token = client.post(launched.fetch_path).json()["auth-token"]
    auth = {"Authorization": f"Basic {token}", **VERSION}
    params = {
        "activityId": launched.params["activityId"],
        "agent": launched.params["actor"],
        "registration": launched.params["registration"],
        "stateId": "LMS.LaunchData",
    }
    for endpoint in ("/xapi", "/xapi/", "/xapi//"):
        response = client.get(f"{endpoint}/activities/state", params=params, headers=auth)
        assert response.status_code == 200, endpoint
        assert response.json()["launchMode"] == "Normal"
    preferences = client.get(
        "/xapi//agents/profile",
        params={"agent": launched.params["actor"], "profileId": "cmi5LearnerPreferences"},
        headers=auth,
    )
    assert preferences.status_code == 200, preferences.text
    statement = {
        "id": str(uuid.uuid4()),
        "actor": json.loads(launched.params["actor"]),
        "verb": {"id": VERB_INITIALIZED},
        "object": {"id": launched.params["activityId"]},
        "context": {
            "registration": launched.params["registration"],
            "contextActivities": {"category": [{"id": CATEGORY_CMI5}], "grouping": [{"id": AU1}]},
            "extensions": {EXT_SESSION_ID: launched.session_id},
        },
        "timestamp": "2026-12-03T10:00:00.000Z",
    }
    stored = client.post("/xapi//statements", json=statement, headers=auth)
    assert stored.status_code == 200, stored.text
    assert client.get("///xapi///about").status_code == 200


def test_repeated_slashes_outside_the_lrs_are_left_alone(client: TestClient) -> None:
    assert client.get("/api//cmi5/courses").status_code == 404


def test_a_401_to_a_browser_script_carries_no_basic_challenge(client: TestClient) -> None:
    wrong = base64.b64encode(b"cmi5-nope:secret").decode()
    for headers in ({}, {"Authorization": f"Basic {wrong}"}, {"Authorization": "Basic %%%"}):
        plain = client.get("/xapi/statements", headers={**headers, **VERSION})
        assert plain.status_code == 401
        assert plain.headers["www-authenticate"].startswith("Basic")
        from_page = client.get(
            "/xapi/statements",
            headers={**headers, **VERSION, "Origin": "https://lms.example.com"},
        )
        assert from_page.status_code == 401
        assert "www-authenticate" not in from_page.headers
        fetch_mode = client.get(
            "/xapi/statements", headers={**headers, **VERSION, "Sec-Fetch-Mode": "cors"}
        )
        assert fetch_mode.status_code == 401
        assert "www-authenticate" not in fetch_mode.headers
