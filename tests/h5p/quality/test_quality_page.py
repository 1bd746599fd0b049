"""The quality report on the library's content page, in headless Chromium against a live
server: the score, the Bloom's level and each suggestion with the field it refers to."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from learnloop.auth.models import Role
from tests.support.browser import chromium
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[3]
AXE_SOURCE = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text()
SERIOUS_VIOLATIONS = """async () => {
  const result = await axe.run(document.querySelector('#quality'), {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.help}`);
}"""


def test_the_content_page_shows_the_quality_report_with_its_suggestions(
    live_server: LiveServer, committed_database_url: str, hub_dir: Path
):
    # The admin of a fresh server uploads the package (installing its libraries) and owns it.
    seed_accounts(committed_database_url, learners=0, teacher_role=Role.ADMIN)
    base = live_server.base_url
    login = httpx.post(
        f"{base}/api/auth/login",
        json={"email": "teacher@example.test", "password": LIVE_PASSWORD},
        headers={"Origin": base},
    )
    assert login.status_code == 200, login.text
    token = login.json()["data"]["token"]
    with (hub_dir / "H5P.MultiChoice.h5p").open("rb") as package:
        imported = httpx.post(
            f"{base}/h5p/import",
            headers={"Authorization": f"Bearer {token}"},
            files={"h5p": ("H5P.MultiChoice.h5p", package, "application/zip")},
            timeout=60,
        )
    assert imported.status_code == 201, imported.text
    content_id = imported.json()["data"]["contentId"]

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill("teacher@example.test")
        page.get_by_label("Password").fill(LIVE_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/login$)"))
        page.goto(f"{base}/library/{content_id}")

        section = page.locator("#quality")
        assert section.get_by_role("heading", name="Quality").is_visible()
        assert "Score 80/100" in section.inner_text()
        assert "Bloom's level: Remember" in section.inner_text()
        suggestions = section.locator(".quality-suggestions li").all_inner_texts()
        assert (
            "Add feedback for incorrect answers (why they are wrong) "
            "answers[1].tipsAndFeedback.chosenFeedback" in suggestions
        )
        assert "Images have alt text" in section.locator(".quality-strengths").inner_text()
        page.evaluate(AXE_SOURCE)  # through the DevTools protocol: the page's CSP stays on
        assert page.evaluate(SERIOUS_VIOLATIONS) == []
