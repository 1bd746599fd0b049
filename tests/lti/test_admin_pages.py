"""The LTI admin page in headless Chromium against a live server: the tool URLs, and an
admin registers a platform, adds a deployment id and removes it; a form post without the
CSRF token is refused; teachers are kept out."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from learnloop.auth.models import Role
from tests.support.browser import chromium
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts

pytestmark = pytest.mark.browser

AXE_SOURCE = (
    Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
).read_text()
SERIOUS_VIOLATIONS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], iframes: false});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.help}`);
}"""


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(LIVE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("load")


def test_an_admin_registers_extends_and_removes_a_platform(
    live_server: LiveServer, committed_database_url: str
) -> None:
    seed_accounts(committed_database_url, learners=0, teacher_role=Role.ADMIN)
    base = live_server.base_url
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, base, "teacher@example.test")
        page.goto(f"{base}/admin/lti")
        assert f"{base}/lti/login" in page.locator("#tool-urls").inner_text()
        assert f"{base}/lti/jwks" in page.locator("#tool-urls").inner_text()
        page.evaluate(AXE_SOURCE)
        assert page.evaluate(SERIOUS_VIOLATIONS) == []

        page.get_by_label("Issuer").fill("https://moodle.example")
        page.get_by_label("Client id").fill("moodle-client")
        page.get_by_label("Authorization (OIDC auth) URL").fill("https://moodle.example/auth")
        page.get_by_label("Access token URL").fill("https://moodle.example/token")
        page.get_by_label("Public keyset (JWKS) URL").fill("https://moodle.example/jwks")
        page.get_by_label("Deployment ids (one a line)").fill("1\n2")
        page.get_by_role("button", name="Register platform").click()
        page.wait_for_url(lambda url: "done=created" in url)
        row = page.locator("tbody tr", has_text="https://moodle.example")
        assert "1, 2" in row.inner_text()

        page.get_by_label("Add deployment id").fill("3")
        page.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_url(lambda url: "done=saved" in url)
        assert "1, 2, 3" in page.locator("tbody tr", has_text="moodle").inner_text()

        # A cross-site form post rides on the cookie but has no CSRF token.
        forged = context.request.post(
            f"{base}/admin/lti",
            form={
                "issuer": "https://evil.example",
                "client_id": "x",
                "auth_login_url": "https://evil.example/a",
                "token_url": "https://evil.example/t",
                "jwks_url": "https://evil.example/j",
            },
        )
        assert forged.status == 403
        page.goto(f"{base}/admin/lti")
        assert "evil.example" not in page.content()

        page.get_by_role("button", name="Remove https://moodle.example").click()
        page.wait_for_url(lambda url: "done=deleted" in url)
        assert "No platforms registered yet." in page.content()
        assert problems == []
        context.close()


def test_teachers_do_not_see_the_lti_admin_page(
    live_server: LiveServer, committed_database_url: str
) -> None:
    seed_accounts(committed_database_url, learners=0)
    with httpx.Client(base_url=live_server.base_url) as http:
        login = http.post(
            "/api/auth/login", json={"email": "teacher@example.test", "password": LIVE_PASSWORD}
        )
        token = login.json()["data"]["token"]
        page = http.get("/admin/lti", headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 403
        post = http.post(
            "/admin/lti",
            headers={"Authorization": f"Bearer {token}"},
            data={
                "issuer": "https://x.example",
                "client_id": "x",
                "auth_login_url": "https://x.example/a",
                "token_url": "https://x.example/t",
                "jwks_url": "https://x.example/j",
            },
        )
        assert post.status_code == 403
        listed = http.get("/api/admin/lti/platforms", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 403
