"""A cmi5 launch of H5P content plays for a learner without a LearnLoop session (issue 13
item 5), in headless Chromium: a fresh browser context (no cookies) opens the launch
URL, the AU page trades its auth token for a play grant, the learner answers a real hub
question, and the LRS receives the AU's cmi5 statements."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from learnloop.auth.models import Role
from learnloop.cmi5.vocabulary import (
    VERB_COMPLETED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_SATISFIED,
    VERB_TERMINATED,
)
from tests.support.browser import chromium
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

LEARNER_ACCOUNT = {"homePage": "https://lms.example.com", "name": "external-learner-1"}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    url = create_fresh_database(sibling_database_url(database_url, tmp_path))
    seed_accounts(url, learners=0, teacher_role=Role.ADMIN)
    live = start_live_server(url, tmp_path / "live")
    try:
        yield live
    finally:
        live.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


def _statements(http: httpx.Client, registration: str, verb: str) -> list[dict[str, Any]]:
    response = http.get(
        "/xapi/statements",
        params={"registration": registration, "verb": verb},
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200, response.text
    statements: list[dict[str, Any]] = response.json()["statements"]
    return statements


def test_a_launch_url_plays_h5p_content_in_a_browser_without_a_session(
    server: LiveServer, fixtures_dir: Path
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=120) as http:
        login = http.post(
            "/api/auth/login", json={"email": "teacher@example.test", "password": LIVE_PASSWORD}
        )
        assert login.status_code == 200, login.text
        admin = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        package = fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p"
        with package.open("rb") as handle:
            imported = http.post(
                "/h5p/import",
                headers=admin,
                files={"h5p": (package.name, handle, "application/zip")},
            )
        assert imported.status_code == 201, imported.text
        # The content stays private: the launch alone lets the learner play it.
        content_id = imported.json()["data"]["contentId"]
        registered = http.post(
            "/api/cmi5/register",
            headers=admin,
            json={
                "contentId": content_id,
                "learnerId": LEARNER_ACCOUNT["name"],
                "actorAccount": LEARNER_ACCOUNT,
            },
        )
        assert registered.status_code == 201, registered.text
        registration = registered.json()["data"]["id"]
        launched = http.get(f"/api/cmi5/launch/{registration}", headers=admin)
        assert launched.status_code == 200, launched.text
        launch_url = launched.json()["data"]["launchUrl"]

    requested: list[str] = []
    with chromium() as browser:
        context = browser.new_context()
        assert context.cookies() == []
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(launch_url)
        page.wait_for_function("() => window.cmi5H5P && window.cmi5H5P.ready", timeout=60_000)
        frame = page.frame_locator("#player")
        frame.locator(".h5p-question-image img").wait_for(state="visible", timeout=30_000)
        image_loaded = frame.locator(".h5p-question-image img").evaluate(
            "img => img.complete && img.naturalWidth > 0"
        )
        # "Oslo is the capital of Norway": the first answer, "Yes", is right.
        frame.locator(".h5p-true-false-answer").first.click()
        frame.locator(".h5p-question-check-answer").click()
        page.wait_for_function(
            "() => window.cmi5H5P.log.some(e => e.verb.endsWith('/passed'))", timeout=30_000
        )
        page.click("#exit")
        page.wait_for_function(
            "() => window.cmi5H5P.log.some(e => e.verb.endsWith('/terminated'))",
            timeout=30_000,
        )
        state: dict[str, Any] = page.evaluate("() => window.cmi5H5P")
        context.close()

    assert "error" not in state, state
    assert image_loaded
    verbs = [entry["verb"] for entry in state["log"]]
    assert all(entry["status"] == 200 for entry in state["log"]), state["log"]
    assert verbs[0] == VERB_INITIALIZED
    assert verbs[-1] == VERB_TERMINATED
    # The granted player posts nothing itself: no LRS capture, saved state or setFinished.
    assert not [url for url in requested if "/api/xapi" in url or "contentUserData" in url]
    assert not [url for url in requested if "setFinished" in url or "/finished" in url]

    with httpx.Client(base_url=server.base_url, timeout=60, headers=admin) as http:
        completed = _statements(http, registration, VERB_COMPLETED)
        passed = _statements(http, registration, VERB_PASSED)
        satisfied = _statements(http, registration, VERB_SATISFIED)
        session = http.get(f"/api/cmi5/sessions/{registration}").json()["data"]
    assert len(completed) == 1
    assert len(passed) == 1
    assert passed[0]["result"]["success"] is True
    assert passed[0]["result"]["score"]["scaled"] == 1
    assert passed[0]["actor"]["account"]["name"] == LEARNER_ACCOUNT["name"]
    assert len(satisfied) == 1
    assert session["satisfied"] is True
    assert session["status"] == "terminated"
