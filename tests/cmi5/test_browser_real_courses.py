"""The six real course packages (ADL CATAPULT examples; AUs driven by Rustici's
cmi5.min.js) imported, launched in headless Chromium, reaching the LRS and reporting:
initialized, a result (passed/completed, or failed), terminated, and the AU's moveOn
judged by the LMS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog

from learnloop.auth.models import Role
from learnloop.cmi5.vocabulary import (
    VERB_COMPLETED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_TERMINATED,
)
from tests.cmi5.test_real_course_packages import PACKAGES, course_package
from tests.support.browser import chromium
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

LEARNERS = len(PACKAGES)
VERSION = {"X-Experience-API-Version": "1.0.3"}


@dataclass
class Lms:
    server: LiveServer
    teacher: httpx.Client
    learners: list[tuple[httpx.Client, str]]


def _login(http: httpx.Client, email: str) -> tuple[str, str]:
    response = http.post("/api/auth/login", json={"email": email, "password": LIVE_PASSWORD})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data["token"], data["user"]["id"]


def _client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Lms]:
    directory = tmp_path_factory.mktemp("cmi5-real-courses")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    seed_accounts(url, learners=LEARNERS, teacher_role=Role.ADMIN)
    # AU files from a second origin of the same server, as recommended in production.
    server = start_live_server(url, directory / "live", files_host="localhost")
    try:
        with httpx.Client(base_url=server.base_url, timeout=60) as http:
            teacher_token, _ = _login(http, "teacher@example.test")
            logins = [_login(http, f"learner{index}@example.test") for index in range(LEARNERS)]
        teacher = _client(server.base_url, teacher_token)
        learners = [(_client(server.base_url, token), user_id) for token, user_id in logins]
        yield Lms(server, teacher, learners)
        teacher.close()
        for client, _ in learners:
            client.close()
    finally:
        server.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _statements(lms: Lms, registration_id: str, verb: str) -> list[dict[str, Any]]:
    response = lms.teacher.get(
        "/xapi/statements",
        params={"registration": registration_id, "verb": verb},
        headers=VERSION,
    )
    assert response.status_code == 200, response.text
    statements: list[dict[str, Any]] = response.json()["statements"]
    return statements


def _wait_for(lms: Lms, registration_id: str, verbs: tuple[str, ...]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for verb in verbs:
            if _statements(lms, registration_id, verb):
                return verb
        time.sleep(0.25)
    raise AssertionError(f"none of {verbs} reached the LRS")


# Drive the course the way a learner does: answer its quiz correctly and submit, or (for
# courses that complete on launch) nothing at all. ``course`` is the page's global.
_TAKE_THE_COURSE = """() => {
    const quiz = course.pageList.indexOf("quiz");
    if (quiz >= 0) {
        course.gotoPage(quiz);
        course.autopass();
        course.submitAnswers();
    } else if (course.completionBehavior !== "launch") {
        course.pass();
    }
}"""


@pytest.mark.parametrize("package", PACKAGES)
def test_a_real_course_launches_reaches_the_lrs_and_reports(
    lms: Lms, browser: Browser, fixtures_dir: Path, package: str
) -> None:
    index = PACKAGES.index(package)
    learner, learner_id = lms.learners[index]
    imported = lms.teacher.post(
        "/api/cmi5/courses",
        files={"cmi5": (package, course_package(fixtures_dir, package), "application/zip")},
    )
    assert imported.status_code == 201, imported.text
    course_id = imported.json()["data"]["id"]
    registration = lms.teacher.post(
        "/api/cmi5/register", json={"courseId": course_id, "learnerId": learner_id}
    ).json()["data"]["id"]
    launched = learner.get(f"/api/cmi5/launch/{registration}", params={"auIndex": 0})
    assert launched.status_code == 200, launched.text
    launch_url = launched.json()["data"]["launchUrl"]

    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []

    def refuse_dialog(dialog: Dialog) -> None:
        # The course alerts when tracking fails ("Unable to initialize, reason: …").
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse_dialog)
    page.goto(launch_url)
    _wait_for(lms, registration, (VERB_INITIALIZED,))
    page.wait_for_function("() => typeof course !== 'undefined' && course.trackingPlugin")
    page.evaluate(_TAKE_THE_COURSE)
    reported = _wait_for(lms, registration, (VERB_PASSED, VERB_COMPLETED))
    page.wait_for_function("() => course.trackingPlugin.activeStatements === 0")
    errors = page.locator("#error-content").inner_text()
    page.evaluate("() => course.exit()")
    _wait_for(lms, registration, (VERB_TERMINATED,))
    context.close()

    assert dialogs == []
    assert errors == ""
    assert reported in (VERB_PASSED, VERB_COMPLETED)
    session = lms.teacher.get(f"/api/cmi5/sessions/{registration}").json()["data"]
    assert session["status"] == "terminated"
    first = session["aus"][0]
    assert first["passed"] or first["completed"]
    assert first["satisfied"] is True
