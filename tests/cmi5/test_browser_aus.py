"""Real cmi5 AUs in headless Chromium against a live server.

The AUs are HTML pages (tests/cmi5/aus/) written with the npm libraries ``@xapi/cmi5``
(POSTs statements, expects 200 with ids) and ``@rusticisoftware/cmi5`` (PUTs each
statement, expects 204), packaged with their browser bundles into a course zip that
LearnLoop imports and serves. The AU page reports what happened in ``window.auResult``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from learnloop.auth.models import Role
from learnloop.cmi5.vocabulary import EXT_SESSION_ID, VERB_ABANDONED, VERB_SATISFIED
from tests.cmi5.course_files import Au, Block, course_xml
from tests.support.browser import chromium
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AU_PAGES = Path(__file__).resolve().parent / "aus"
PASSWORD = LIVE_PASSWORD
COURSE = "https://example.test/courses/c1"
BLOCK = "https://example.test/blocks/libraries"
AU_XAPI = "https://example.test/aus/xapi-cmi5"
AU_RUSTICI = "https://example.test/aus/rustici-cmi5"
AU_RULES = "https://example.test/aus/rules"


def _package() -> bytes:
    xml = course_xml(
        [
            Block(
                BLOCK,
                [
                    Au(
                        AU_XAPI,
                        "xapi_cmi5_au.html",
                        move_on="CompletedAndPassed",
                        mastery_score="0.8",
                    ),
                    Au(
                        AU_RUSTICI,
                        "rustici_cmi5_au.html?from=course",
                        move_on="CompletedAndPassed",
                        mastery_score="0.8",
                    ),
                ],
            ),
            Au(AU_RULES, "rules_au.html", move_on="NotApplicable", mastery_score="0.5"),
        ]
    )
    files = {
        "cmi5.xml": xml,
        "xapi_cmi5_au.html": (AU_PAGES / "xapi_cmi5_au.html").read_bytes(),
        "rustici_cmi5_au.html": (AU_PAGES / "rustici_cmi5_au.html").read_bytes(),
        "rules_au.html": (AU_PAGES / "rules_au.html").read_bytes(),
        "lib/xapi-cmi5.umd.js": (REPO / "node_modules/@xapi/cmi5/dist/Cmi5.umd.js").read_bytes(),
        "lib/rustici-cmi5.js": (
            REPO / "node_modules/@rusticisoftware/cmi5/dist/cmi5.js"
        ).read_bytes(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class Lms:
    server: LiveServer
    teacher: httpx.Client
    learners: list[tuple[httpx.Client, str]]
    course_id: str

    def learner(self, index: int) -> httpx.Client:
        return self.learners[index][0]

    def register(self, index: int) -> str:
        """Each test uses its own learner, so each has a registration of its own."""
        response = self.teacher.post(
            "/api/cmi5/register",
            json={"courseId": self.course_id, "learnerId": self.learners[index][1]},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["id"])

    def launch(self, registration_id: str, au: str) -> dict[str, Any]:
        response = self.teacher.get(f"/api/cmi5/launch/{registration_id}", params={"auId": au})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def statements(self, registration_id: str, verb: str) -> list[dict[str, Any]]:
        response = self.teacher.get(
            "/xapi/statements",
            params={"registration": registration_id, "verb": verb, "ascending": "true"},
            headers={"X-Experience-API-Version": "1.0.3"},
        )
        assert response.status_code == 200, response.text
        statements: list[dict[str, Any]] = response.json()["statements"]
        return statements


def _login(http: httpx.Client, email: str) -> tuple[str, str]:
    response = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data["token"], data["user"]["id"]


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Lms]:
    from tests.support.databases import (
        create_fresh_database,
        drop_postgres_database,
        is_postgresql,
        sibling_database_url,
    )

    directory = tmp_path_factory.mktemp("cmi5-browser")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    # An admin teacher: they read every statement of the registration through /xapi/.
    seed_accounts(url, learners=3, teacher_role=Role.ADMIN)
    # AU files come from a second origin, as recommended in production: @xapi/cmi5's HTTP
    # client reads document.cookie for an LRS on the AU's own host, which a sandboxed AU
    # page (no allow-same-origin, learnloop/files_origin.py) may not.
    server = start_live_server(url, directory / "live", files_host="localhost")
    try:
        with httpx.Client(base_url=server.base_url, timeout=60) as http:
            teacher_token, _ = _login(http, "teacher@example.test")
            logins = [_login(http, f"learner{index}@example.test") for index in range(3)]
        teacher = httpx.Client(
            base_url=server.base_url,
            timeout=60,
            headers={"Authorization": f"Bearer {teacher_token}"},
        )
        learners = [
            (
                httpx.Client(
                    base_url=server.base_url,
                    timeout=60,
                    headers={"Authorization": f"Bearer {token}"},
                ),
                user_id,
            )
            for token, user_id in logins
        ]
        imported = teacher.post(
            "/api/cmi5/courses", files={"file": ("course.zip", _package(), "application/zip")}
        )
        assert imported.status_code == 201, imported.text
        yield Lms(server, teacher, learners, imported.json()["data"]["id"])
        teacher.close()
        for client, _ in learners:
            client.close()
    finally:
        server.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _run_au(browser: Browser, url: str) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url)
        page.wait_for_function("() => window.auResult !== undefined", timeout=60_000)
        result: dict[str, Any] = page.evaluate("() => window.auResult")
    finally:
        context.close()
    assert not errors, errors
    return result


def test_both_libraries_run_their_aus_and_the_block_and_course_are_satisfied(
    lms: Lms, browser: Browser
) -> None:
    registration = lms.register(0)

    xapi_launch = lms.launch(registration, AU_XAPI)
    xapi = _run_au(browser, xapi_launch["launchUrl"])
    assert "error" not in xapi, xapi
    assert xapi["launchData"]["launchMode"] == "Normal"
    assert xapi["launchData"]["moveOn"] == "CompletedAndPassed"
    assert (
        xapi["launchData"]["contextTemplate"]["extensions"][EXT_SESSION_ID]
        == xapi_launch["sessionId"]
    )
    for step in ("completed", "passed", "terminated"):
        assert xapi[step]["status"] == 200
        assert len(xapi[step]["ids"]) == 1
    assert lms.statements(registration, VERB_SATISFIED) == []

    rustici_launch = lms.launch(registration, AU_RUSTICI)
    rustici = _run_au(browser, rustici_launch["launchUrl"])
    assert rustici.get("done") is True, rustici
    assert rustici["sessionId"] == rustici_launch["sessionId"]
    assert rustici["masteryScore"] == 0.8

    satisfied = lms.statements(registration, VERB_SATISFIED)
    assert [s["context"]["contextActivities"]["grouping"][0]["id"] for s in satisfied] == [
        BLOCK,
        COURSE,
    ]
    session = lms.learner(0).get(f"/api/cmi5/sessions/{registration}").json()["data"]
    assert session["satisfied"] is True
    assert session["status"] == "terminated"
    by_au = {a["publisherId"]: a for a in session["aus"]}
    assert by_au[AU_XAPI]["passed"] and by_au[AU_XAPI]["completed"]
    assert by_au[AU_RUSTICI]["passed"] and by_au[AU_RUSTICI]["completed"]


def test_a_second_launch_abandons_the_first_session(lms: Lms, browser: Browser) -> None:
    registration = lms.register(1)
    first = lms.launch(registration, AU_XAPI)
    second = lms.launch(registration, AU_XAPI)
    abandoned = lms.statements(registration, VERB_ABANDONED)
    assert [s["context"]["extensions"][EXT_SESSION_ID] for s in abandoned] == [first["sessionId"]]
    assert abandoned[0]["result"]["duration"].startswith("PT")
    # The abandoned session's fetch URL still hands out a token, but the LRS refuses its
    # statements; the open session runs normally.
    result = _run_au(browser, second["launchUrl"])
    assert "error" not in result, result


def test_each_broken_rule_is_refused_and_a_reused_fetch_url_is_error_code_1(
    lms: Lms, browser: Browser
) -> None:
    registration = lms.register(2)
    launched = lms.launch(registration, AU_RULES)
    result = _run_au(browser, launched["launchUrl"])
    assert "error" not in result, result
    assert result["refetch"]["status"] == 200
    assert result["refetch"]["body"]["error-code"] == "1"
    steps = {name: step["status"] for name, step in result["steps"].items()}
    accepted = {"initialized", "completed", "passed", "terminated"}
    for name, status in steps.items():
        expected = 200 if name in accepted else 403
        assert status == expected, (name, result["steps"][name])
    assert "duration" in result["steps"]["completed_without_duration"]["text"]
    assert "masteryScore" in result["steps"]["passed_below_mastery"]["text"]
    assert "terminated" in result["steps"]["after_terminated"]["text"]
