"""The web app in headless Chromium against a live server, walked as each role would.

One test walks the whole school flow at desktop size (1280×800): the admin signs in and
uploads the first packages (installing their libraries), looks at the admin pages and
creates an LRS client; the teacher uploads three hub packages (and one broken package,
which fails on its own), filters the library, renames and tags an item, creates a class
from a CSV roster (with a preview, creating an account for the unknown address),
assigns content with a due date; the learner signs in, lands on their assignments,
plays one and sees it passed; the teacher reads the gradebook (including "not started"),
its CSV and the attempt report; learners and another teacher are refused. A second test
visits every page again at phone size (390×844).

Every page fails the test on a JavaScript error, a failed request, a request to any
other host, an axe-core serious or critical violation, or (on the phone) horizontal
scrolling. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    FilePayload,
    Request,
    Response,
    ViewportSize,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from learnloop.auth import users as user_service
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

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
AXE_SOURCE = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text()
PACKAGES = ["H5P.MultiChoice", "H5P.TrueFalse", "H5P.Blanks"]
BROKEN_PACKAGE = "broken-h5p-json.h5p"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

SERIOUS_VIOLATIONS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], iframes: false});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.help} @ ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""
PLAYER_READY = """() => {
  const container = document.querySelector('.h5p-content.h5p-initialized .h5p-container');
  return !!container && container.getBoundingClientRect().height > 20;
}"""


@dataclass
class Site:
    server: LiveServer
    content: dict[str, str] = field(default_factory=dict)  # package -> teacher's content id
    class_id: str = ""
    learner_id: str = ""

    @property
    def base_url(self) -> str:
        return self.server.base_url


def _seed_staff(url: str) -> None:
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            for email, name, role in (
                ("admin@example.test", "Ada Admin", Role.ADMIN),
                ("teacher-b@example.test", "Bo Other", Role.TEACHER),
            ):
                user_service.create_user(
                    session, email=email, display_name=name, role=role, password=LIVE_PASSWORD
                )
    finally:
        database.engine.dispose()


@pytest.fixture(scope="module")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("web")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    seed_accounts(url, learners=3)
    _seed_staff(url)
    server = start_live_server(
        url,
        directory / "live",
        {"LEARNLOOP_TEACHERS_CREATE_LEARNERS": "true", "LEARNLOOP_H5P_SAVE_FREQ_SECONDS": "1"},
    )
    try:
        yield Site(server=server)
    finally:
        server.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


class Watched:
    """A browser page whose every error, failed or foreign request is recorded."""

    def __init__(self, browser: Browser, site: Site, viewport: ViewportSize, label: str):
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.site = site
        self.label = label
        self.phone = viewport["width"] < 500
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
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _failed(self, request: Request) -> None:
        # A download is "aborted" as a page request once the browser saves it instead.
        if any(part in request.url for part in self.expected):
            return
        if "/export" not in request.url and "format=csv" not in request.url:
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _request(self, request: Request) -> None:
        url = request.url
        if not url.startswith((self.site.base_url, "data:", "blob:", "about:")):
            self.problems.append(f"external request: {url}")

    @contextmanager
    def expecting_errors(self, *url_parts: str) -> Iterator[None]:
        self.expected = list(url_parts)
        try:
            yield
        finally:
            self.page.wait_for_load_state("load")
            self.expected = []

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.site.base_url}{path}")

    def check(self, name: str) -> None:
        """Axe, the phone layout, a screenshot, and no error so far."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE)  # through the DevTools protocol: the page's CSP stays on
        violations = page.evaluate(SERIOUS_VIOLATIONS)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"web-{self.label}-{name}.png"), full_page=True)
        assert violations == [], f"{name}: {violations}"
        if self.phone:
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        assert self.problems == [], f"{name}: {self.problems}"

    def sign_in(self, email: str, home: str) -> None:
        self.goto("/")
        assert self.page.url == f"{self.site.base_url}/login", self.page.url
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(LIVE_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        try:
            self.page.wait_for_url(f"{self.site.base_url}{home}", timeout=15_000)
        except PlaywrightTimeout:
            error = self.page.locator("#login-error").inner_text()
            pytest.fail(f"sign-in as {email} ended on {self.page.url}: {error!r} {self.problems}")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(re.compile(r"/login$"))

    def close(self) -> None:
        self.context.close()


@contextmanager
def watched(browser: Browser, site: Site, viewport: ViewportSize, label: str) -> Iterator[Watched]:
    view = Watched(browser, site, viewport, label)
    try:
        yield view
    finally:
        view.close()


def upload(view: Watched, files: list[Path]) -> None:
    page = view.page
    page.get_by_label("Choose one or more .h5p files").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Upload", exact=True).click()
    page.locator("#upload-done").wait_for(state="visible", timeout=120_000)


def wait_for_player(view: Watched, path_part: str = "/h5p/embed/") -> Any:
    frame = next(f for f in view.page.frames if path_part in f.url)
    frame.wait_for_function(PLAYER_READY, timeout=20_000)
    return frame


# --- the whole flow, desktop -----------------------------------------------------------------


def test_school_flow_admin_teacher_learner_at_desktop_size(
    browser: Browser, site: Site, fixtures_dir: Path
) -> None:
    hub = fixtures_dir / "h5p" / "hub"
    packages = [hub / f"{name}.h5p" for name in PACKAGES]

    # The admin signs in, lands on the admin home and installs the libraries by uploading.
    with watched(browser, site, DESKTOP, "desktop-admin") as view:
        view.sign_in("admin@example.test", "/admin")
        view.check("admin-home")
        view.goto("/library")
        upload(view, packages)
        assert view.page.locator("#upload-results li.done").count() == 3
        view.goto("/admin/libraries")
        assert "H5P.MultiChoice-1." in view.page.locator("main").inner_text()
        view.check("admin-libraries")
        view.goto("/admin/users")
        assert "teacher@example.test" in view.page.locator("#users").inner_text()
        view.check("admin-users")
        view.goto("/admin/lrs-clients")
        view.page.get_by_label("Name").fill("Quiz tool")
        view.page.get_by_role("button", name="Create client").click()
        assert view.page.locator("#client-endpoint").inner_text() == f"{site.base_url}/xapi/"
        assert len(view.page.locator("#client-secret").inner_text()) >= 16
        view.check("admin-client-created")
        view.goto("/admin/jobs")
        view.check("admin-jobs")
        view.sign_out()

    # The teacher: an empty library, then three packages and one broken one.
    with watched(browser, site, DESKTOP, "desktop-teacher") as view:
        page = view.page
        view.sign_in("teacher@example.test", "/library")
        assert page.get_by_text("Your library is empty").count() == 1
        view.check("library-empty")
        with view.expecting_errors("/h5p/import"):
            upload(view, [*packages, fixtures_dir / "h5p" / "validator" / BROKEN_PACKAGE])
        assert page.locator("#upload-results li.done").count() == 3
        failed = page.locator("#upload-results li.failed")
        assert failed.count() == 1
        assert BROKEN_PACKAGE in failed.inner_text()
        assert "not imported:" in failed.inner_text()
        reason = failed.inner_text().split("not imported:")[1].strip()
        assert len(reason) > 5
        # The reason is written for people: the API's problem ids stay out of it.
        assert not re.search(r"\b[a-z]+(-[a-z0-9]+){2,}\b", reason), reason
        # The list refreshes itself once the uploads end, without a reload.
        assert page.get_by_text("The list below is up to date.").is_visible()
        assert page.get_by_role("link", name="Show the updated library").is_hidden()
        assert page.locator("#content-list li.item").count() == 3
        assert page.get_by_text("Your library is empty").count() == 0
        view.check("library-uploaded")
        page.reload()
        assert page.locator("#content-list li.item").count() == 3
        for item in page.locator("#content-list li.item").all():
            href = item.locator("a").first.get_attribute("href") or ""
            machine_name = item.locator(".meta").first.inner_text().split(" ")[0]
            site.content[machine_name] = href.rsplit("/", 1)[1]
        assert sorted(site.content) == sorted(PACKAGES)

        # htmx filters the list in place.
        page.get_by_label("Type").select_option("H5P.TrueFalse")
        page.wait_for_function(
            "() => document.querySelectorAll('#content-list li.item').length === 1"
        )
        assert "True/False" in page.locator("#content-list").inner_text()
        page.get_by_label("Search titles").fill("nothing like this")
        page.wait_for_function("() => document.querySelector('#content-list .empty') !== null")
        view.check("library-filtered")

        # One item: preview, rename, curriculum.
        multichoice = site.content["H5P.MultiChoice"]
        view.goto(f"/library/{multichoice}")
        wait_for_player(view)
        page.get_by_role("textbox", name="Title", exact=True).fill("Colours quiz")
        page.get_by_role("button", name="Rename").click()
        page.wait_for_url(re.compile(r"done=renamed"))
        assert page.get_by_role("heading", level=1).inner_text() == "Colours quiz"
        page.get_by_label("Topics (comma separated)").fill("colours, plants")
        page.get_by_role("button", name="Save curriculum").click()
        page.wait_for_url(re.compile(r"done=saved"))
        assert page.get_by_label("Topics (comma separated)").input_value() == "colours, plants"
        assert page.locator("#share-link").input_value().endswith(f"/h5p/embed/{multichoice}")
        assert f"/h5p/embed/{multichoice}" in page.locator("#embed-code").input_value()
        wait_for_player(view)
        view.check("content-detail")

        # A class from a CSV roster: a preview first, then the unknown address gets an account.
        view.goto("/classes")
        assert page.get_by_text("You have no classes yet").count() == 1
        page.get_by_label("Class name").fill("Class 7B")
        page.get_by_role("button", name="Create class").click()
        page.wait_for_url(re.compile(r"/classes/[0-9a-f-]+\?done=created"))
        site.class_id = page.url.split("/classes/")[1].split("?")[0]
        roster = (
            "name,email\n"
            "Lee 0,learner0@example.test\n"
            "Lee 1,LEARNER1@example.test\n"
            "New Kid,newkid@example.test\n"
            "Bo,teacher-b@example.test\n"
        )
        roster_file: FilePayload = {
            "name": "roster.csv",
            "mimeType": "text/csv",
            "buffer": roster.encode(),
        }
        page.get_by_label("Roster CSV").set_input_files(files=[roster_file])
        page.get_by_role("button", name="Preview").click()
        page.wait_for_url(re.compile(r"/roster/preview$"))
        assert page.locator("#will-add li").count() == 2
        not_added = page.locator("#not-added").inner_text()
        assert "newkid@example.test" in not_added and "teacher-b@example.test" in not_added
        view.check("roster-preview")
        page.get_by_label(re.compile("Create learner accounts")).check()
        page.get_by_role("button", name="Add to class").click()
        assert "newkid@example.test" in page.locator("table").inner_text()
        assert "teacher-b@example.test" not in page.locator("table").inner_text()
        view.check("created-learners")
        page.get_by_role("link", name="Back to the class").click()
        members = page.locator("#members").inner_text()
        for email in ("learner0@example.test", "learner1@example.test", "newkid@example.test"):
            assert email in members
        assert "teacher-b@example.test" not in members

        # Assign two items, one with a due date.
        page.get_by_label("Content to assign").select_option(multichoice)
        page.get_by_label("Due date (optional)").fill("2026-12-24")
        page.get_by_role("button", name="Assign").click()
        page.wait_for_url(re.compile(r"done=assigned"))
        page.get_by_label("Content to assign").select_option(site.content["H5P.TrueFalse"])
        page.get_by_role("button", name="Assign").click()
        page.wait_for_url(re.compile(r"done=assigned"))
        assigned = page.get_by_role("heading", name="Assigned content").locator("..").inner_text()
        assert "Colours quiz" in assigned and "24 Dec 2026" in assigned
        view.check("class-detail")
        view.sign_out()

    # The learner lands on their assignments and plays the private, assigned content.
    with watched(browser, site, DESKTOP, "desktop-learner") as view:
        page = view.page
        view.sign_in("learner0@example.test", "/my-assignments")
        cards = page.locator("#assignments li.assignment")
        assert cards.count() == 2
        quiz = page.locator(f'li[data-content-id="{multichoice}"]')
        assert "24 Dec 2026" in quiz.inner_text()
        assert "not started" in quiz.inner_text()
        view.check("my-assignments-new")
        quiz.get_by_role("link", name=re.compile("Start")).click()
        page.wait_for_url(f"{site.base_url}/play/{multichoice}")
        frame = wait_for_player(view)
        frame.locator(".h5p-answer", has_text="Very dark purple").click()
        frame.locator(".h5p-question-check-answer").click()
        frame.wait_for_function(
            "() => window.LearnLoopCapture && window.LearnLoopCapture.sent > 0"
            " && window.LearnLoopCapture.pending === 0",
            timeout=15_000,
        )
        assert frame.locator(".learnloop-player-error").count() == 0
        view.check("play")
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="My assignments"
        ).click()
        quiz = page.locator(f'li[data-content-id="{multichoice}"]')
        assert "passed" in quiz.inner_text()
        assert "100 %" in quiz.locator(".score").inner_text()
        assert "Play again" in quiz.inner_text()
        view.check("my-assignments-done")
        # A learner never sees teacher pages: a 403 page with their own navigation.
        with view.expecting_errors("/library"):
            view.goto("/library")
            assert page.get_by_role("heading", name="Not allowed").count() == 1
        view.check("learner-refused")
        view.sign_out()

    # Not in the class: the private content does not exist for this learner.
    with watched(browser, site, DESKTOP, "desktop-outsider") as view:
        view.sign_in("learner2@example.test", "/my-assignments")
        assert view.page.get_by_text("Nothing is assigned to you yet").count() == 1
        with view.expecting_errors(f"/play/{multichoice}"):
            view.goto(f"/play/{multichoice}")
            assert view.page.get_by_role("heading", name="Not found").count() == 1
        view.check("outsider-refused")

    # Another teacher cannot open the class.
    with watched(browser, site, DESKTOP, "desktop-teacher-b") as view:
        view.sign_in("teacher-b@example.test", "/library")
        with view.expecting_errors(f"/classes/{site.class_id}"):
            view.goto(f"/classes/{site.class_id}/gradebook")
            assert view.page.get_by_role("heading", name="Not allowed").count() == 1
        view.check("teacher-b-refused")

    # The teacher's gradebook: the played item, and everything not started.
    with watched(browser, site, DESKTOP, "desktop-gradebook") as view:
        page = view.page
        view.sign_in("teacher@example.test", "/library")
        view.goto(f"/classes/{site.class_id}/gradebook")
        rows = page.locator("#gradebook tbody tr")
        assert rows.count() == 3
        learner_row = rows.filter(has_text="learner0@example.test")
        cells = learner_row.locator("td")
        assert "passed" in cells.nth(0).inner_text() and "100 %" in cells.nth(0).inner_text()
        assert "not started" in cells.nth(1).inner_text()
        assert page.locator("#gradebook").inner_text().count("not started") == 5
        view.check("gradebook")
        csv_text = page.request.get(
            f"{site.base_url}/classes/{site.class_id}/gradebook?format=csv"
        ).text()
        assert csv_text.count("\n") == 7  # header + 3 learners × 2 items
        assert ",passed,100.00,100.00," in csv_text
        learner_row.get_by_role("link", name=re.compile("Answers")).click()
        answers = page.locator("#answers tbody tr")
        assert answers.count() == 1
        row_text = answers.first.inner_text()
        assert "What color does the blackcurrant berry actually have?" in row_text
        assert page.locator('#answers td[data-label="Response"]').inner_text() == "Very dark purple"
        correct = page.locator('#answers td[data-label="Correct response"]').inner_text()
        assert correct == "Very dark purple"
        assert "Correct" in page.locator('#answers td[data-label="Result"]').inner_text()
        view.check("attempt-report")
        view.sign_out()


# --- every page again at phone size ----------------------------------------------------------


def test_every_page_at_phone_size(browser: Browser, site: Site) -> None:
    assert site.class_id, "runs after the desktop flow, which creates the data"
    multichoice = site.content["H5P.MultiChoice"]
    with watched(browser, site, PHONE, "phone-teacher") as view:
        view.sign_in("teacher@example.test", "/library")
        view.check("library")
        view.goto(f"/library/{multichoice}")
        wait_for_player(view)
        view.check("content-detail")
        view.goto(f"/library/{multichoice}/delete")
        view.check("content-delete")
        for name, path in (
            ("classes", "/classes"),
            ("class-detail", f"/classes/{site.class_id}"),
            ("gradebook", f"/classes/{site.class_id}/gradebook"),
        ):
            view.goto(path)
            view.check(name)
        view.page.locator("#gradebook").get_by_role("link", name=re.compile("Answers")).click()
        view.check("attempt-report")
        view.goto(f"/dashboard?classId={site.class_id}")
        view.check("dashboard")
        view.sign_out()
    with watched(browser, site, PHONE, "phone-learner") as view:
        view.sign_in("learner0@example.test", "/my-assignments")
        view.check("my-assignments")
        view.goto("/my-progress")
        view.check("my-progress")
        view.goto(f"/play/{multichoice}")
        wait_for_player(view)
        view.check("play")
        view.sign_out()
    with watched(browser, site, PHONE, "phone-admin") as view:
        view.sign_in("admin@example.test", "/admin")
        for name, path in (
            ("admin-home", "/admin"),
            ("admin-users", "/admin/users"),
            ("admin-plans", "/admin/plans"),
            ("admin-clients", "/admin/lrs-clients"),
            ("admin-libraries", "/admin/libraries"),
            ("admin-jobs", "/admin/jobs"),
        ):
            view.goto(path)
            view.check(name)
        view.sign_out()


# --- a library that fails to load ------------------------------------------------------------


def test_content_whose_library_fails_to_load_shows_a_message(browser: Browser, site: Site) -> None:
    """The Blanks library's script is gone from storage (a broken install): H5P core
    finds no constructor, and the learner is told so instead of seeing a blank page."""
    assert site.content, "runs after the desktop flow, which imports the packages"
    storage = Path(site.server.env["LEARNLOOP_DATA_DIR"]) / "files" / "libraries"
    scripts = sorted(storage.glob("H5P.Blanks-*/js/blanks.js"))
    assert scripts, sorted(p.name for p in storage.iterdir())
    for script in scripts:
        script.unlink()
    blanks = site.content["H5P.Blanks"]
    with watched(browser, site, DESKTOP, "desktop-broken-library") as view:
        view.sign_in("teacher@example.test", "/library")
        with view.expecting_errors("/blanks.js"):
            view.goto(f"/play/{blanks}")
            frame = next(f for f in view.page.frames if "/h5p/embed/" in f.url)
            alert = frame.get_by_role("alert")
            alert.wait_for(timeout=15_000)
            text = alert.inner_text()
        assert "This content could not be started" in text
        assert "blanks.js" in text
        # The broken library's own errors (H5P core finds no constructor; the library's
        # other files extend an object that was never defined) are what this test causes.
        view.problems = [
            p
            for p in view.problems
            if "Unable to find constructor" not in p and not p.startswith("pageerror:")
        ]
        view.check("broken-library")
