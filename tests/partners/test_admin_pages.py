"""The partner admin pages in headless Chromium against a live server: an admin creates a
partner, an organization and a client, the issued credentials work at /oauth/token, and
revoking ends them; forms without the CSRF token are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from learnloop.auth.models import Role
from tests.support.browser import chromium
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts

AXE_SOURCE = (
    Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
).read_text()
SERIOUS_VIOLATIONS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], iframes: false});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.help}`);
}"""

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(LIVE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("load")


def no_serious_violations(page: Page) -> None:
    page.evaluate(AXE_SOURCE)
    assert page.evaluate(SERIOUS_VIOLATIONS) == []


def test_an_admin_creates_a_partner_and_a_client_whose_credentials_work(
    browser: Browser, live_server: LiveServer, committed_database_url: str
) -> None:
    seed_accounts(committed_database_url, learners=1, teacher_role=Role.ADMIN)
    base = live_server.base_url
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "teacher@example.test")
    page.goto(f"{base}/admin/partners")
    no_serious_violations(page)
    page.get_by_label("URL name").fill("acme")
    page.get_by_label("Display name").fill("Acme Learning")
    page.get_by_label("Track events about unknown users").select_option("create")
    page.get_by_role("button", name="Create partner").click()
    page.wait_for_url(f"{base}/admin/partners/acme?done=created")
    page.get_by_label("Organization id").fill("north")
    page.get_by_role("button", name="Add organization").click()
    page.wait_for_url(f"{base}/admin/partners/acme?done=created")
    no_serious_violations(page)
    page.get_by_label("For").select_option("north")
    page.get_by_label("statements:read").uncheck()
    page.get_by_role("button", name="Create client").click()
    page.wait_for_load_state("load")
    client_id = page.locator("#client-id").inner_text()
    secret = page.locator("#client-secret").inner_text()
    assert page.locator("#api-base").inner_text() == f"{base}/v1/partners/acme/organizations/north"
    no_serious_violations(page)

    token = httpx.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert token.status_code == 200
    assert token.json()["scope"] == "track:write statements:write"

    page.goto(f"{base}/admin/partners/acme")
    assert "organization north" in page.locator("table").inner_text()
    # A form posted with the session cookie but without the CSRF token is refused.
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    forged = httpx.post(
        f"{base}/admin/partners/acme/clients/{client_id}/revoke",
        cookies=cookies,
        follow_redirects=False,
    )
    assert forged.status_code == 403
    page.get_by_role("button", name=f"Revoke {client_id}").click()
    page.wait_for_url(f"{base}/admin/partners/acme?done=revoked")
    refused = httpx.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert refused.status_code == 401
    assert problems == []
    context.close()


def test_the_partner_pages_are_for_admins_only(
    browser: Browser, live_server: LiveServer, committed_database_url: str
) -> None:
    seed_accounts(committed_database_url, learners=1)
    base = live_server.base_url
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(f"{base}/admin/partners")
    assert response is not None and page.url.startswith(f"{base}/login")
    sign_in(page, base, "teacher@example.test")
    response = page.goto(f"{base}/admin/partners")
    assert response is not None and response.status == 403
    context.close()
