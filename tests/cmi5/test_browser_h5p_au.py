"""H5P content as a cmi5 AU, in headless Chromium: a content registration launches the
cmi5 wrapper of the player page, which turns the content's own xAPI events into cmi5
defined statements."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from learnloop.auth.models import Role
from learnloop.cmi5.vocabulary import (
    VERB_COMPLETED,
    VERB_FAILED,
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

PASSWORD = LIVE_PASSWORD


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    url = create_fresh_database(sibling_database_url(database_url, tmp_path))
    seed_accounts(url, learners=1, teacher_role=Role.ADMIN)
    live = start_live_server(url, tmp_path / "live")
    try:
        yield live
    finally:
        live.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


def _login(http: httpx.Client, email: str) -> tuple[str, str]:
    response = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["data"]["token"], response.json()["data"]["user"]["id"]


def test_an_h5p_question_launched_as_a_cmi5_au_records_cmi5_statements(
    server: LiveServer, fixtures_dir: Path
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=120) as http:
        teacher_token, _ = _login(http, "teacher@example.test")
        learner_token, learner_id = _login(http, "learner0@example.test")
        teacher = {"Authorization": f"Bearer {teacher_token}"}
        package = fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p"
        with package.open("rb") as handle:
            imported = http.post(
                "/h5p/import",
                headers=teacher,
                files={"h5p": (package.name, handle, "application/zip")},
            )
        assert imported.status_code == 201, imported.text
        content_id = imported.json()["data"]["contentId"]
        published = http.patch(
            f"/h5p/content/{content_id}/visibility", headers=teacher, json={"visibility": "public"}
        )
        assert published.status_code == 200, published.text
        registration = http.post(
            "/api/cmi5/register",
            headers=teacher,
            json={
                "contentId": content_id,
                "learnerId": learner_id,
                "actorAccount": {"homePage": server.base_url, "name": learner_id},
            },
        ).json()["data"]
        launched = http.get(
            f"/api/cmi5/launch/{registration['id']}",
            headers={"Authorization": f"Bearer {learner_token}"},
        ).json()["data"]
    assert urlsplit(launched["launchUrl"]).path == f"/cmi5/h5p/{content_id}"

    with chromium() as browser:
        context = browser.new_context()
        # The player page inside the AU authenticates the learner with their cookie.
        context.add_cookies(
            [{"name": "learnloop_token", "value": learner_token, "url": server.base_url}]
        )
        page = context.new_page()
        page.goto(launched["launchUrl"])
        page.wait_for_function("() => window.cmi5H5P && window.cmi5H5P.ready", timeout=60_000)
        frame = page.frame_locator("#player")
        frame.locator(".h5p-true-false-answer").first.click()
        frame.locator(".h5p-question-check-answer").click()
        page.wait_for_function(
            """() => window.cmi5H5P.log.some(e => e.verb.endsWith('/passed')
                   || e.verb.endsWith('/failed'))""",
            timeout=30_000,
        )
        page.click("#exit")
        page.wait_for_function(
            "() => window.cmi5H5P.log.some(e => e.verb.endsWith('/terminated'))",
            timeout=30_000,
        )
        state: dict[str, Any] = page.evaluate("() => window.cmi5H5P")
        context.close()
    assert "error" not in state, state
    verbs = [entry["verb"] for entry in state["log"]]
    assert all(entry["status"] == 200 for entry in state["log"]), state["log"]
    assert verbs[0] == VERB_INITIALIZED
    assert VERB_COMPLETED in verbs
    assert VERB_PASSED in verbs or VERB_FAILED in verbs
    assert verbs[-1] == VERB_TERMINATED

    with httpx.Client(base_url=server.base_url, timeout=60, headers=teacher) as http:
        satisfied = http.get(
            "/xapi/statements",
            params={"registration": registration["id"], "verb": VERB_SATISFIED},
            headers={"X-Experience-API-Version": "1.0.3"},
        ).json()["statements"]
        session = http.get(f"/api/cmi5/sessions/{registration['id']}").json()["data"]
    # moveOn CompletedOrPassed: completing the question satisfies the one-AU course.
    assert len(satisfied) == 1
    assert session["satisfied"] is True
    assert session["status"] == "terminated"
