"""Two server processes on one PostgreSQL share launches and fetch tokens: a launch made
through one process is fetched, used and refused again through the other."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from learnloop.cmi5.vocabulary import CATEGORY_CMI5, EXT_SESSION_ID
from tests.cmi5.course_files import Au, course_xml
from tests.support.databases import is_postgresql
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

PASSWORD = LIVE_PASSWORD
AU = "https://example.test/aus/shared"
VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def servers(committed_database_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    if not is_postgresql(committed_database_url):
        pytest.skip("several server processes share one database only on PostgreSQL")

    seed_accounts(committed_database_url, learners=0)
    first = start_live_server(committed_database_url, tmp_path / "a")
    try:
        second = start_live_server(committed_database_url, tmp_path / "b")
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def _client(server: LiveServer, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.base_url, timeout=30, headers=headers)


def _fetch_path(launch_url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    fetch = parse_qs(urlsplit(launch_url).query)["fetch"][0]
    return urlsplit(fetch).path


def test_launch_on_one_process_is_fetched_and_refused_again_on_the_other(
    servers: tuple[LiveServer, LiveServer], tmp_path: Path
) -> None:
    first, second = servers
    with _client(first) as anonymous:
        login = anonymous.post(
            "/api/auth/login", json={"email": "teacher@example.test", "password": PASSWORD}
        )
    token = login.json()["data"]["token"]
    teacher_id = login.json()["data"]["user"]["id"]
    with _client(first, token) as a, _client(second, token) as b:
        xml = course_xml([Au(AU, "https://aus.example.test/shared", move_on="Completed")])
        course = a.post("/api/cmi5/courses", files={"file": ("cmi5.xml", xml, "application/xml")})
        assert course.status_code == 201, course.text
        registration = b.post(
            "/api/cmi5/register",
            json={"courseId": course.json()["data"]["id"], "learnerId": teacher_id},
        ).json()["data"]
        launched = a.get(f"/api/cmi5/launch/{registration['id']}").json()["data"]
        from urllib.parse import parse_qs, urlsplit

        params = {k: v[0] for k, v in parse_qs(urlsplit(launched["launchUrl"]).query).items()}
        fetch_path = _fetch_path(launched["launchUrl"])

        auth = b.post(fetch_path)
        assert auth.status_code == 200
        auth_token = auth.json()["auth-token"]
        again = a.post(fetch_path)
        assert again.json()["error-code"] == "1"

        au_headers = {"Authorization": f"Basic {auth_token}", **VERSION}
        state = a.get(
            "/xapi/activities/state",
            headers=au_headers,
            params={
                "stateId": "LMS.LaunchData",
                "activityId": params["activityId"],
                "agent": params["actor"],
                "registration": params["registration"],
            },
        )
        assert state.status_code == 200, state.text
        assert (
            state.json()["contextTemplate"]["extensions"][EXT_SESSION_ID] == launched["sessionId"]
        )

        def initialized() -> dict[str, Any]:
            return {
                "id": str(uuid.uuid4()),
                "actor": json.loads(params["actor"]),
                "verb": {"id": "http://adlnet.gov/expapi/verbs/initialized"},
                "object": {"id": params["activityId"]},
                "timestamp": "2026-12-03T10:00:00Z",
                "context": {
                    "registration": params["registration"],
                    "contextActivities": {
                        "category": [{"id": CATEGORY_CMI5}],
                        "grouping": [{"id": AU}],
                    },
                    "extensions": {EXT_SESSION_ID: launched["sessionId"]},
                },
            }

        # cmi5 11.0.0.0-3: read on one process, Initialized accepted on the other.
        preferences = a.get(
            "/xapi/agents/profile",
            headers=au_headers,
            params={"agent": params["actor"], "profileId": "cmi5LearnerPreferences"},
        )
        assert preferences.status_code == 200, preferences.text
        stored = b.post("/xapi/statements", headers=au_headers, json=initialized())
        assert stored.status_code == 200, stored.text
        # The second process sees the session initialized by the first: a second
        # initialized is refused there.
        assert a.post("/xapi/statements", headers=au_headers, json=initialized()).status_code == 403
        # A new launch on one process abandons the session opened on the other.
        b.get(f"/api/cmi5/launch/{registration['id']}")
        status = a.get(f"/api/cmi5/sessions/{registration['id']}").json()["data"]
        assert status["status"] == "launched"
        terminated = dict(
            initialized(),
            verb={"id": "http://adlnet.gov/expapi/verbs/terminated"},
            result={"duration": "PT1S"},
        )
        refused = b.post("/xapi/statements", headers=au_headers, json=terminated)
        assert refused.status_code == 403
        assert "abandoned" in refused.text


def test_racing_fetches_on_two_processes_issue_one_token(
    servers: tuple[LiveServer, LiveServer],
) -> None:
    first, second = servers
    with _client(first) as anonymous:
        login = anonymous.post(
            "/api/auth/login", json={"email": "teacher@example.test", "password": PASSWORD}
        )
    token = login.json()["data"]["token"]
    teacher_id = login.json()["data"]["user"]["id"]
    with _client(first, token) as a:
        xml = course_xml([Au(AU, "https://aus.example.test/shared")])
        course_id = a.post("/api/cmi5/courses", files={"file": ("cmi5.xml", xml)}).json()["data"][
            "id"
        ]
        registration = a.post(
            "/api/cmi5/register", json={"courseId": course_id, "learnerId": teacher_id}
        ).json()["data"]
        fetch_paths = [
            _fetch_path(a.get(f"/api/cmi5/launch/{registration['id']}").json()["data"]["launchUrl"])
            for _ in range(10)
        ]
    for fetch_path in fetch_paths:
        answers = _redeem_concurrently(fetch_path, (first, second))
        assert sorted("auth-token" in answer for answer in answers) == [False, True]
        assert [a.get("error-code") for a in answers if "auth-token" not in a] == ["1"]


def _redeem_concurrently(path: str, servers: tuple[LiveServer, ...]) -> list[dict[str, str]]:
    barrier = threading.Barrier(len(servers))
    answers: list[dict[str, str]] = []
    lock = threading.Lock()

    def redeem(server: LiveServer) -> None:
        with _client(server) as client:
            barrier.wait()
            body = client.post(path).json()
        with lock:
            answers.append(body)

    threads = [threading.Thread(target=redeem, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers
