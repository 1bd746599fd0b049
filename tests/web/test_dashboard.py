"""The analytics pages: rendered in-process for status and content, and in headless
Chromium against a live server for charts, JavaScript errors and screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Page, Request

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.db import Database
from learnloop.h5p.models import ContentCurriculum, ContentOwnership, H5PContent, H5PLibrary
from tests.analytics.conftest import Dataset, dataset, statement
from tests.support.browser import chromium
from tests.support.live_server import LiveServer

__all__ = ["dataset"]  # the fixture, shared with the API tests

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"


# --- in-process ---------------------------------------------------------------------------


def cookie_client(client: TestClient, token: str) -> TestClient:
    client.cookies.set("learnloop_token", token)
    return client


def test_pages_send_a_signed_out_visitor_to_the_login_page(client: TestClient) -> None:
    for path in ("/dashboard", "/my-progress", "/dashboard/content/bio"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=%2F")
    login = client.get("/login?next=//evil.example/x")
    assert login.status_code == 200
    assert 'data-next="/"' in login.text  # "/" leads to the role's home


def test_the_overview_page_shows_the_teachers_students(
    client: TestClient, dataset: Dataset
) -> None:
    page = cookie_client(client, dataset.teacher.token).get("/dashboard")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert 'id="total-students">3<' in page.text
    for name in ("Lena One", "Lars Two", "Lia Three"):
        assert name in page.text
    assert "https://" not in page.text.replace("https://'", "")  # nothing from the internet


def test_a_learner_gets_403_on_the_teacher_pages(client: TestClient, dataset: Dataset) -> None:
    learner = cookie_client(client, dataset.l1.token)
    assert learner.get("/dashboard").status_code == 403
    assert learner.get(f"/dashboard/student/{dataset.l2.id}").status_code == 403
    own = learner.get("/my-progress")
    assert own.status_code == 200
    assert "Cell Biology" in own.text and "Other Quiz" not in own.text


def test_another_teacher_cannot_open_the_content_or_student_pages(
    client: TestClient, dataset: Dataset
) -> None:
    other = cookie_client(client, dataset.other_teacher.token)
    assert other.get("/dashboard/content/bio").status_code == 403
    assert other.get(f"/dashboard/student/{dataset.l1.id}").status_code == 403


def test_vendor_assets_are_served_only_from_the_allow_list(client: TestClient) -> None:
    chart = client.get("/assets/vendor/chart.js")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("text/javascript")
    for name in ("../package.json", "chart.js%2F..%2F..%2Fpackage.json", "h5p.js"):
        assert client.get(f"/assets/vendor/{name}").status_code == 404


# --- headless Chromium ---------------------------------------------------------------------


def seed(database_url: str, live: LiveServer) -> dict[str, str]:
    """A teacher with two content items and two learners who played them, through the
    live server's own API (so the projections are filled by the real ingest path)."""
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            teacher = user_service.create_user(
                session,
                email="teach@example.test",
                display_name="Tess Teacher",
                role=Role.TEACHER,
                password=PASSWORD,
            )
            learners = [
                user_service.create_user(
                    session,
                    email=f"l{i}@example.test",
                    display_name=name,
                    role=Role.LEARNER,
                    password=PASSWORD,
                )
                for i, name in enumerate(["Lena One", "Lars Two", "Lia Three"], start=1)
            ]
            library = H5PLibrary(
                machine_name="H5P.Test",
                major_version=1,
                minor_version=0,
                patch_version=0,
                title="Test",
            )
            session.add(library)
            session.flush()
            for content_id, title, topics in (
                ("bio", "Cell Biology", ["Cells", "Genetics"]),
                ("math", "Math Basics", ["Fractions"]),
            ):
                session.add(H5PContent(id=content_id, title=title, main_library_id=library.id))
                session.flush()
                session.add(ContentOwnership(content_id=content_id, user_id=teacher.id))
                session.add(ContentCurriculum(content_id=content_id, topic_names=topics))
            ids = {"teacher": teacher.id, **{f"l{i}": u.id for i, u in enumerate(learners, 1)}}
    finally:
        database.engine.dispose()

    today = datetime.now(UTC).date()
    with httpx.Client(base_url=live.base_url, timeout=30) as http:
        for index in range(1, 4):
            login = http.post(
                "/api/auth/login", json={"email": f"l{index}@example.test", "password": PASSWORD}
            )
            token = login.json()["data"]["token"]
            batch: list[dict[str, Any]] = []
            for days_ago in range(0, 25, 3 + index):
                stamp = f"{today - timedelta(days=days_ago)}T09:00:00Z"
                for content in ("bio", "math"):
                    offset = 0.0 if content == "bio" else -0.2
                    scaled = max(round(0.25 * index + 0.05 * (days_ago % 4) + offset, 2), 0.0)
                    batch.append(
                        statement(
                            live.base_url,
                            "x",
                            "completed",
                            content,
                            timestamp=stamp,
                            result={
                                "score": {"scaled": min(scaled, 1.0)},
                                "success": scaled >= 0.6,
                                "duration": "PT3M20S",
                            },
                        )
                    )
                    for question in ("q1", "q2", "q3"):
                        batch.append(
                            statement(
                                live.base_url,
                                "x",
                                "answered",
                                content,
                                question=question,
                                timestamp=stamp,
                                result={"success": (days_ago + index) % 2 == 0, "response": "a"},
                            )
                        )
            stored = http.post(
                "/api/xapi/statements", json=batch, headers={"Authorization": f"Bearer {token}"}
            )
            assert stored.status_code == 200, stored.text
    return ids


@pytest.fixture
def browser_page() -> Iterator[tuple[Page, list[str]]]:
    problems: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append(f"console: {message.text}")

        page.on("console", on_console)

        def on_request(request: Request) -> None:
            if not request.url.startswith(("http://127.0.0.1", "data:", "about:")):
                problems.append(f"external request: {request.url}")

        page.on("request", on_request)
        page.on(
            "response",
            lambda response: (
                problems.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400
                else None
            ),
        )
        yield page, problems


CANVAS_HAS_INK = """(canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


def assert_charts_drawn(page: Page, expected: int) -> None:
    page.wait_for_function("window.learnloopCharts !== undefined")
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == expected
    for index in range(expected):
        canvas = canvases.nth(index)
        assert canvas.evaluate(CANVAS_HAS_INK), canvas.get_attribute("data-chart")


def sign_in(page: Page, base_url: str, path: str, email: str) -> None:
    page.goto(base_url + path)
    page.wait_for_url("**/login?next=*")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + path)


def test_dashboard_pages_render_charts_in_chromium(
    live_server: LiveServer,
    committed_database_url: str,
    browser_page: tuple[Page, list[str]],
) -> None:
    ids = seed(committed_database_url, live_server)
    page, problems = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.base_url

    sign_in(page, base, "/dashboard", "teach@example.test")
    assert page.locator("#total-students").inner_text() == "3"
    assert page.locator(".heatmap .cell").count() == 30
    assert page.locator(".heatmap .cell:not(.l0)").count() > 0
    assert_charts_drawn(page, 3)  # top, weakest, topics; activity is the heatmap alone
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)

    page.click("text=Cell Biology")
    page.wait_for_url("**/dashboard/content/bio")
    assert page.locator("#questions tbody tr").count() == 3
    assert_charts_drawn(page, 2)
    page.screenshot(path=str(ARTIFACTS / "dashboard-content.png"), full_page=True)

    page.goto(f"{base}/dashboard/student/{ids['l2']}")
    assert page.locator("h1").inner_text() == "Lars Two"
    assert page.locator("#recent tbody tr").count() == 20
    assert_charts_drawn(page, 1)
    page.screenshot(path=str(ARTIFACTS / "dashboard-student.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, base, "/my-progress", "l1@example.test")
    assert page.locator("#progress tbody tr").count() == 2
    assert_charts_drawn(page, 1)
    page.screenshot(path=str(ARTIFACTS / "my-progress.png"), full_page=True)

    assert problems == []
