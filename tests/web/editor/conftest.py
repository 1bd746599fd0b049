"""Fixtures for the H5P editor's browser tests: a live server whose admin installed a list
of hub packages' libraries, and signed-in pages at desktop (1280×800) and phone (390×844)
size that record every JavaScript error, failed or foreign request.

A test module chooses the packages with a module-level ``EDITOR_PACKAGES`` list of hub
fixture names (default: :data:`DEFAULT_PACKAGES`). Pages sign in by the session cookie the
login API sets (as the login page does), so a test starts on the page it wants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, ViewportSize

from learnloop.auth import users as user_service
from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.models import Role
from learnloop.db import Database
from tests.support.browser import chromium
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "test-artifacts"
AXE_SOURCE = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text()
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
DEFAULT_PACKAGES = ["H5P.MultiChoice", "H5P.QuestionSet", "H5P.TrueFalse"]

TEACHER = "teacher@example.test"
OTHER_TEACHER = "teacher-b@example.test"
ADMIN = "admin@example.test"
LEARNER = "learner0@example.test"

SERIOUS_VIOLATIONS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], iframes: false});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.help} @ ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""


@dataclass
class EditorSite:
    """The live server, its database and one API token per seeded account."""

    server: LiveServer
    database_url: str
    packages: list[str]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def api(self, email: str = TEACHER) -> httpx.Client:
        """An API client of that account (Bearer token: no cookie, no CSRF)."""
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.tokens[email]}"},
            timeout=60.0,
        )


def _seed_staff(url: str) -> None:
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            for email, name, role in (
                (ADMIN, "Ada Admin", Role.ADMIN),
                (OTHER_TEACHER, "Bo Other", Role.TEACHER),
            ):
                user_service.create_user(
                    session, email=email, display_name=name, role=role, password=LIVE_PASSWORD
                )
    finally:
        database.engine.dispose()


def _sign_in(base_url: str, email: str) -> str:
    response = httpx.post(
        f"{base_url}/api/auth/login",
        json={"email": email, "password": LIVE_PASSWORD},
        timeout=30.0,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["data"]["token"]
    return token


@pytest.fixture(scope="module")
def editor_site(
    request: pytest.FixtureRequest,
    database_url: str,
    fixtures_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EditorSite]:
    packages: list[str] = list(getattr(request.module, "EDITOR_PACKAGES", DEFAULT_PACKAGES))
    directory = tmp_path_factory.mktemp("editor")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    seed_accounts(url, learners=1)
    _seed_staff(url)
    server = start_live_server(url, directory / "live")
    try:
        site = EditorSite(server=server, database_url=url, packages=packages)
        for email in (ADMIN, TEACHER, OTHER_TEACHER, LEARNER):
            site.tokens[email] = _sign_in(server.base_url, email)
        with site.api(ADMIN) as admin:
            for name in packages:
                package = fixtures_dir / "h5p" / "hub" / f"{name}.h5p"
                with package.open("rb") as handle:
                    response = admin.post(
                        "/h5p/libraries/upload",
                        files={"h5p": (package.name, handle, "application/zip")},
                    )
                assert response.status_code == 201, (name, response.text)
        yield site
    finally:
        server.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


class EditorPage:
    """A signed-in browser page whose every error, failed or foreign request is recorded."""

    def __init__(
        self, browser: Browser, site: EditorSite, email: str, viewport: ViewportSize, label: str
    ) -> None:
        self.site = site
        self.label = label
        self.phone = viewport["width"] < 500
        self.context = browser.new_context(viewport=viewport)
        self.context.add_cookies(
            [
                {
                    "name": TOKEN_COOKIE,
                    "value": site.tokens[email],
                    "url": site.base_url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.expected: list[str] = []  # URL fragments whose 4xx a step expects
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._failed)
        self.page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if self.expected and "Failed to load resource" in message.text:
            return
        self.problems.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not any(part in response.url for part in self.expected):
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def _failed(self, request: Request) -> None:
        if not any(part in request.url for part in self.expected):
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _request(self, request: Request) -> None:
        if not request.url.startswith((self.site.base_url, "data:", "blob:", "about:")):
            self.problems.append(f"external request: {request.url}")

    @contextmanager
    def expecting_errors(self, *url_parts: str) -> Iterator[None]:
        self.expected = list(url_parts)
        try:
            yield
        finally:
            self.expected = []

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.site.base_url}{path}")

    def wait_for_editor(self, state: str = "ready", timeout: float = 30_000) -> None:
        """The editor root's data-state: loading → ready (or saved/invalid/error)."""
        self.page.wait_for_function(
            "state => document.getElementById('learnloop-editor')"
            " && document.getElementById('learnloop-editor').dataset.state === state",
            arg=state,
            timeout=timeout,
        )

    def check(self, name: str) -> None:
        """Axe (no serious or critical violation), no sideways scrolling on the phone, a
        screenshot, and no error so far."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE)  # through the DevTools protocol: the page's CSP stays on
        violations = page.evaluate(SERIOUS_VIOLATIONS)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"editor-{self.label}-{name}.png"), full_page=True)
        assert violations == [], f"{name}: {violations}"
        if self.phone:
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        assert self.problems == [], f"{name}: {self.problems}"

    def close(self) -> None:
        self.context.close()


OpenPage = Callable[..., EditorPage]


@pytest.fixture
def open_page(browser: Browser, editor_site: EditorSite) -> Iterator[OpenPage]:
    """``open_page(email=TEACHER, viewport=DESKTOP, label=...)``: a signed-in page, closed
    at the end of the test."""
    pages: list[EditorPage] = []

    def make(
        email: str = TEACHER, viewport: ViewportSize = DESKTOP, label: str = "page"
    ) -> EditorPage:
        page = EditorPage(browser, editor_site, email, viewport, label)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


@pytest.fixture
def teacher_page(open_page: OpenPage) -> EditorPage:
    return open_page(TEACHER, DESKTOP, "desktop")


@pytest.fixture
def teacher_phone_page(open_page: OpenPage) -> EditorPage:
    return open_page(TEACHER, PHONE, "phone")


def stored_content(site: EditorSite, content_id: str, email: str = TEACHER) -> dict[str, Any]:
    """``{library, params, metadata}`` as the server stores them (GET /h5p/edit/{id})."""
    with site.api(email) as client:
        response = client.get(f"/h5p/edit/{content_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def content_ids(site: EditorSite, email: str = TEACHER) -> list[str]:
    with site.api(email) as client:
        response = client.get("/h5p/content")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]
