"""Each editable content type, end to end in headless Chromium against a live server.

For every recipe (tests/web/editor/type_recipes.py) a learner plays content holding the
recipe's params and answers it; the statement about the content itself, read back from the
LRS by an LRS client (``GET /xapi/statements``, HTTP Basic), carries the expected score.
First the content is created through the API, which proves the recipe and the answer; then
a teacher builds the same content from scratch in the editor form, and the stored params
hold the recipe's params before the learner plays it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

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
from tests.web.editor.type_recipes import (
    IMAGES,
    RECIPES,
    UNINSTALLABLE,
    Recipe,
    contains,
    png,
    with_defaults,
)

pytestmark = pytest.mark.browser

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
LEARNERS = 2


@dataclass
class Site:
    server: LiveServer
    admin_token: str
    teacher_token: str
    learner_tokens: list[str]
    learner_ids: list[str]
    lrs_auth: tuple[str, str]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
        )


def _login(http: httpx.Client, email: str) -> tuple[str, str]:
    response = http.post("/api/auth/login", json={"email": email, "password": LIVE_PASSWORD})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data["token"], data["user"]["id"]


def _seed_admin(url: str) -> None:
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            user_service.create_user(
                session,
                email="admin@example.test",
                display_name="Ada Admin",
                role=Role.ADMIN,
                password=LIVE_PASSWORD,
            )
    finally:
        database.engine.dispose()


@pytest.fixture(scope="module")
def site(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path
) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("types")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    seed_accounts(url, learners=LEARNERS)
    _seed_admin(url)
    server = start_live_server(url, directory / "live")
    try:
        with httpx.Client(base_url=server.base_url, timeout=120) as http:
            admin_token, _ = _login(http, "admin@example.test")
            teacher_token, _ = _login(http, "teacher@example.test")
            learners = [_login(http, f"learner{index}@example.test") for index in range(LEARNERS)]
            admin = {"Authorization": f"Bearer {admin_token}"}
            # The admin installs the content types by importing their hub packages.
            for recipe in RECIPES:
                package = fixtures_dir / "h5p" / "hub" / f"{recipe.name}.h5p"
                with package.open("rb") as handle:
                    response = http.post(
                        "/h5p/import",
                        headers=admin,
                        files={"h5p": (package.name, handle, "application/zip")},
                    )
                assert response.status_code == 201, response.text
            client = http.post(
                "/api/admin/lrs-clients",
                headers=admin,
                json={"name": "Type tests", "scopes": ["statements/read"]},
            )
            assert client.status_code == 201, client.text
            issued = client.json()["data"]
        yield Site(
            server=server,
            admin_token=admin_token,
            teacher_token=teacher_token,
            learner_tokens=[token for token, _ in learners],
            learner_ids=[user_id for _, user_id in learners],
            lrs_auth=(issued["key"], issued["secret"]),
        )
    finally:
        server.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@dataclass
class Watched:
    page: Page
    errors: list[str]


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            errors.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("response", on_response)
    yield Watched(page, errors)
    context.close()


# --- content through the API -----------------------------------------------------------------


def upload_images(site: Site, names: tuple[str, ...]) -> dict[str, str]:
    """Upload the recipe's images into the teacher's temporary area; stored names by name."""
    stored: dict[str, str] = {}
    with site.api(site.teacher_token) as http:
        for name in names:
            response = http.post(
                "/h5p/media/upload",
                json={
                    "filename": name,
                    "data": base64.b64encode(png(IMAGES[name])).decode(),
                    "contentType": "image/png",
                },
            )
            assert response.status_code == 201, response.text
            stored[name] = response.json()["data"]["filename"]
    return stored


def renamed_images(params: dict[str, Any], stored: dict[str, str]) -> dict[str, Any]:
    """``params`` with each ``images/<name>`` replaced by the name the upload was stored as."""
    text = json.dumps(params)
    for name, filename in stored.items():
        text = text.replace(f'"images/{name}"', json.dumps(f"images/{filename}"))
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def create_through_api(site: Site, recipe: Recipe, hub: Path) -> tuple[str, dict[str, str]]:
    """The recipe's params with the defaults the form fills in for new content, saved by
    the teacher with the images uploaded first (as the editor does), published. Returns
    the content id and the stored names of the images."""
    stored = upload_images(site, recipe.images)
    params = renamed_images(with_defaults(hub, recipe.library, recipe.params), stored)
    with site.api(site.teacher_token) as http:
        response = http.post(
            "/h5p/content",
            json={
                "library": recipe.library,
                "params": params,
                "metadata": {"title": recipe.title},
                "tempImageFiles": list(stored.values()),
            },
        )
        assert response.status_code == 201, response.text
        content_id: str = response.json()["data"]["contentId"]
        published = http.patch(
            f"/h5p/content/{content_id}/visibility", json={"visibility": "public"}
        )
        assert published.status_code == 200, published.text
    return content_id, stored


# --- playing and the LRS ------------------------------------------------------------------


SHOWS_CONTENT = """() => {
  const container = document.querySelector('.h5p-content.h5p-initialized .h5p-container');
  if (!container || container.getBoundingClientRect().height <= 20) return false;
  const media = container.querySelectorAll('img, canvas, svg, video, audio');
  return container.innerText.trim().length > 0 || media.length > 0;
}"""


def lrs_statements(site: Site, content_id: str) -> list[dict[str, Any]]:
    """Statements about the content itself (not its sub-content), newest first."""
    response = httpx.get(
        f"{site.base_url}/xapi/statements",
        params={"activity": f"{site.base_url}/h5p/content/{content_id}", "limit": 200},
        auth=site.lrs_auth,
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["statements"])


def play(site: Site, watched: Watched, recipe: Recipe, content_id: str, learner: int) -> None:
    """The learner opens the content, answers it, and the score reaches the LRS."""
    page = watched.page
    page.goto(f"{site.base_url}/h5p/embed/{content_id}?token={site.learner_tokens[learner]}")
    page.wait_for_function(SHOWS_CONTENT, timeout=20_000)
    recipe.answer(page)
    if recipe.score is None:
        assert watched.errors == []
        return
    page.wait_for_function(
        "() => window.LearnLoopCapture && window.LearnLoopCapture.sent > 0"
        " && window.LearnLoopCapture.pending === 0",
        timeout=15_000,
    )
    assert page.evaluate("() => window.LearnLoopCapture.rejected") == []
    scored = [
        statement
        for statement in lrs_statements(site, content_id)
        if statement["verb"]["id"] in {ANSWERED, COMPLETED}
        and "score" in statement.get("result", {})
        and statement["actor"]["account"]["name"] == site.learner_ids[learner]
    ]
    assert scored, "no scored statement about the content reached the LRS"
    score = scored[0]["result"]["score"]
    assert (score["raw"], score["max"]) == recipe.score
    assert watched.errors == []


# --- tests -----------------------------------------------------------------------------------


def test_types_without_a_hub_package_are_named_and_every_recipe_has_one(
    fixtures_dir: Path,
) -> None:
    hub = {package.stem for package in (fixtures_dir / "h5p" / "hub").glob("*.h5p")}
    assert {recipe.name for recipe in RECIPES} <= hub
    assert not hub & set(UNINSTALLABLE)


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.name for recipe in RECIPES])
def test_the_recipe_params_play_and_score_in_the_player(
    site: Site, watched: Watched, recipe: Recipe, fixtures_dir: Path
) -> None:
    content_id, images = create_through_api(site, recipe, fixtures_dir / "h5p" / "hub")
    with site.api(site.teacher_token) as http:
        stored = http.get(f"/h5p/content/{content_id}/params").json()["data"]["params"]
    assert contains(stored, renamed_images(recipe.params, images)) == []
    play(site, watched, recipe, content_id, learner=0)
