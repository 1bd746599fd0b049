"""A launch from the test platform in headless Chromium: an LMS course page (on another
site) frames the platform's launch, the tool's login and launch run inside the iframe,
and the content's H5P player opens there without third-party cookies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from learnloop.auth.models import Role
from tests.lti.platform import INSTRUCTOR, LEARNER, Person, TestPlatform, running_platform
from tests.support.browser import chromium
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

PACKAGE = "H5P.TrueFalse"


@dataclass
class Deployment:
    server: LiveServer
    platform: TestPlatform
    content_id: str


@pytest.fixture
def deployment(
    committed_database_url: str, tmp_path: Path, fixtures_dir: Path
) -> Iterator[Deployment]:
    seed_accounts(committed_database_url, learners=0, teacher_role=Role.ADMIN)
    # The worker runs in the server (also on PostgreSQL) so grade jobs run while we wait.
    server = start_live_server(
        committed_database_url,
        tmp_path / "live",
        {"LEARNLOOP_RUN_WORKER_IN_PROCESS": "true", "LEARNLOOP_JOB_POLL_SECONDS": "0.2"},
    )
    try:
        with (
            running_platform(server.base_url, host="localhost") as platform,
            httpx.Client(base_url=server.base_url, timeout=60) as http,
        ):
            login = http.post(
                "/api/auth/login",
                json={"email": "teacher@example.test", "password": LIVE_PASSWORD},
            )
            headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
            registered = http.post(
                "/api/admin/lti/platforms",
                headers=headers,
                json={
                    "issuer": platform.issuer,
                    "clientId": platform.client_id,
                    "authLoginUrl": platform.auth_login_url,
                    "tokenUrl": platform.token_url,
                    "jwksUrl": platform.jwks_url,
                    "deploymentIds": [platform.deployment_id],
                },
            )
            assert registered.status_code == 201, registered.text
            package = fixtures_dir / "h5p" / "hub" / f"{PACKAGE}.h5p"
            with package.open("rb") as handle:
                imported = http.post(
                    "/h5p/import",
                    headers=headers,
                    files={"h5p": (package.name, handle, "application/zip")},
                )
            assert imported.status_code == 201, imported.text
            content_id = imported.json()["data"]["contentId"]
            published = http.patch(
                f"/h5p/content/{content_id}/visibility",
                headers=headers,
                json={"visibility": "public"},
            )
            assert published.status_code == 200, published.text
            yield Deployment(server=server, platform=platform, content_id=content_id)
    finally:
        server.stop()


def test_learner_launch_opens_the_player_in_the_lms_iframe(deployment: Deployment) -> None:
    platform = deployment.platform
    platform.people["learner-7"] = Person(roles=[LEARNER], name="Lena Learner")
    platform.people["teacher-7"] = Person(roles=[INSTRUCTOR], name="Theo Teacher")
    target = f"{deployment.server.base_url}/lti/content/{deployment.content_id}"
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        for login_hint in ("teacher-7", "learner-7"):
            page.goto(
                platform.issuer
                + "/course?"
                + urlencode({"login_hint": login_hint, "target": target})
            )
            frame = page.frame_locator("#tool")
            frame.locator(".h5p-content.h5p-initialized").wait_for(timeout=30_000)
            tool_frame = next(f for f in page.frames if "/h5p/embed/" in f.url)
            assert tool_frame.url.startswith(
                f"{deployment.server.base_url}/h5p/embed/{deployment.content_id}?token="
            )
        # Nothing rode on a cookie of the tool's site.
        assert not [c for c in context.cookies() if c["name"] == "learnloop_token"]
        context.close()


def test_a_learners_answer_in_the_lms_frame_reaches_the_platform_gradebook(
    deployment: Deployment,
) -> None:
    """The whole loop: launch in the LMS iframe, the learner answers True/False in the real
    H5P player, the statement is stored, the grade job takes a token from the platform
    (which checks the client assertion against LearnLoop's published JWKS) and posts."""
    platform = deployment.platform
    platform.people["learner-8"] = Person(roles=[LEARNER], name="Gina Grade")
    target = f"{deployment.server.base_url}/lti/content/{deployment.content_id}"
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        page.goto(
            platform.issuer + "/course?" + urlencode({"login_hint": "learner-8", "target": target})
        )
        frame = page.frame_locator("#tool")
        frame.locator(".h5p-content.h5p-initialized").wait_for(timeout=30_000)
        # The first alternative is "true", the right answer of this package.
        frame.locator(".h5p-true-false-answer").first.click()
        frame.locator(".h5p-question-check-answer").first.click()
        deadline = time.monotonic() + 30
        while not platform.scores and time.monotonic() < deadline:
            time.sleep(0.2)
        context.close()
    assert len(platform.scores) == 1, deployment.server.log()[-3000:]
    score = platform.scores[0]
    assert score["userId"] == "learner-8"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, 1.0)
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"


AXE_SOURCE = (Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js").read_text()
SERIOUS_VIOLATIONS = """async () => {
  const result = await axe.run(document);
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id);
}"""


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_refused_launch_shows_a_readable_page_in_the_browser(
    deployment: Deployment, viewport: tuple[int, int]
) -> None:
    """A forged launch posted by the browser (as an LMS frame would) gets the refusal
    page: the reason, what to do, no horizontal scrolling and no serious axe finding."""
    base = deployment.server.base_url
    with chromium() as browser:
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.set_content(
            f'<form method="post" action="{base}/lti/launch">'
            '<input name="id_token" value="not.a.token"><input name="state" value="forged">'
            '<button type="submit">Launch</button></form>'
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Launch").click()
        assert page.url == f"{base}/lti/launch"
        assert page.get_by_role("heading", name="This course link could not be opened").is_visible()
        assert "Reason:" in page.locator(".reason").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.evaluate(AXE_SOURCE)
        assert page.evaluate(SERIOUS_VIOLATIONS) == []
        page.close()
