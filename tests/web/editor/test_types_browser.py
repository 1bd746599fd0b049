"""Each editable content type, end to end in headless Chromium against a live server.

For every recipe (tests/web/editor/type_recipes.py) a learner plays content holding the
recipe's params and answers it; the statement about the content itself, read back from the
LRS by an LRS client (``GET /xapi/statements``, HTTP Basic), carries the expected score.
First the content is created through the API, which proves the recipe and its answer; then
a teacher builds the same content from scratch in the editor form (typing, uploading
images, adding and reordering list items, choosing nested sub-content), saves it, and the
stored params hold the recipe's params before the learner plays it.
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import ElementHandle, Locator, Page

from tests.web.editor.conftest import (
    ADMIN,
    DESKTOP,
    LEARNER,
    TEACHER,
    EditorPage,
    EditorSite,
    OpenPage,
    stored_content,
)
from tests.web.editor.type_recipes import (
    IMAGES,
    RECIPES,
    UNINSTALLABLE,
    AddItem,
    Choose,
    Library,
    MoveItem,
    Recipe,
    Step,
    Tick,
    Type,
    Upload,
    contains,
    png,
    with_defaults,
)

pytestmark = pytest.mark.browser

EDITOR_PACKAGES = [recipe.name for recipe in RECIPES]
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


@dataclass
class Site:
    """The shared editor site plus an LRS client that reads every statement."""

    editor: EditorSite
    lrs_auth: tuple[str, str]

    @property
    def base_url(self) -> str:
        return self.editor.base_url


@pytest.fixture(scope="module")
def site(editor_site: EditorSite) -> Site:
    with editor_site.api(ADMIN) as admin:
        response = admin.post(
            "/api/admin/lrs-clients", json={"name": "Type tests", "scopes": ["statements/read"]}
        )
    assert response.status_code == 201, response.text
    issued = response.json()["data"]
    return Site(editor=editor_site, lrs_auth=(issued["key"], issued["secret"]))


# --- content through the API -----------------------------------------------------------------


def upload_images(site: Site, names: tuple[str, ...]) -> dict[str, str]:
    """Upload the recipe's images into the teacher's temporary area; stored names by name."""
    stored: dict[str, str] = {}
    with site.editor.api(TEACHER) as http:
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
    the teacher with the images uploaded first (as the editor does). Returns the content
    id and the stored names of the images."""
    stored = upload_images(site, recipe.images)
    params = renamed_images(with_defaults(hub, recipe.library, recipe.params), stored)
    with site.editor.api(TEACHER) as http:
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


def play(site: Site, open_page: OpenPage, recipe: Recipe, content_id: str) -> None:
    """The teacher publishes the content; the learner, signed in, opens it, answers it,
    and the score reaches the LRS."""
    with site.editor.api(TEACHER) as http:
        published = http.patch(
            f"/h5p/content/{content_id}/visibility", json={"visibility": "public"}
        )
    assert published.status_code == 200, published.text
    view = open_page(LEARNER, DESKTOP, "learner")
    page = view.page
    view.goto(f"/h5p/embed/{content_id}")
    page.wait_for_function(SHOWS_CONTENT, timeout=20_000)
    recipe.answer(page)
    if recipe.score is not None:
        page.wait_for_function(
            "() => window.LearnLoopCapture && window.LearnLoopCapture.sent > 0"
            " && window.LearnLoopCapture.pending === 0",
            timeout=15_000,
        )
        assert page.evaluate("() => window.LearnLoopCapture.rejected") == []
        with site.editor.api(LEARNER) as http:
            learner_id = http.get("/api/auth/me").json()["data"]["id"]
        # Some types send the statement about the whole content a moment after the last
        # answer (SingleChoiceSet shows its results after a timeout).
        deadline = time.monotonic() + 15
        while True:
            scored = [
                statement
                for statement in lrs_statements(site, content_id)
                if statement["verb"]["id"] in {ANSWERED, COMPLETED}
                and "score" in statement.get("result", {})
                and statement["actor"]["account"]["name"] == learner_id
            ]
            if scored or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert scored, "no scored statement about the content reached the LRS"
        score = scored[0]["result"]["score"]
        assert (score["raw"], score["max"]) == recipe.score
    assert view.problems == []


# --- building content in the editor form ----------------------------------------------------

# The field at a params path: the engine keeps every built widget with its path function
# (the path syntax of the server's field errors); the newest one still on the page wins.
FIELD_AT = """(path) => {
  const form = window.LearnLoopEditor && window.LearnLoopEditor.current;
  if (!form) return null;
  const found = form.nodes.filter(n => n.pathFn() === path && n.widget.element.isConnected);
  return found.length ? found[found.length - 1].widget.element : null;
}"""

OPTION_INDEX = """([path, value]) => {
  const form = window.LearnLoopEditor.current;
  const node = form.nodes.filter(n => n.pathFn() === path && n.widget.element.isConnected).pop();
  const options = [];
  (node.widget.semantic.options || []).forEach(o => {
    if (o.type === 'optgroup') { o.options.forEach(sub => options.push(sub)); } else { options.push(o); }
  });
  return options.findIndex(o => String(o.value) === value);
}"""


# Folded groups (<details>) around the field are unfolded as a teacher would, by their summary.
OPEN_AND_MARK = """(node, marker) => {
  const closed = [];
  for (let up = node.parentElement; up; up = up.parentElement) {
    if (up.tagName === 'DETAILS' && !up.open) closed.unshift(up);
  }
  closed.forEach(details => details.querySelector(':scope > summary').click());
  node.setAttribute('data-test-field', marker);
}"""
HEADINGS = ".ll-label, .ll-w-label, .ll-list-title, .ll-check-label, summary"


def field_at(page: Page, path: str, label: str) -> Locator:
    """The field at ``path``, once it is on the page (sub-content forms load their
    semantics first); its label is the one the language file gives."""
    page.wait_for_function(FIELD_AT, arg=path, timeout=15_000)
    handle = page.evaluate_handle(FIELD_AT, path).as_element()
    assert isinstance(handle, ElementHandle), path
    marker = f"ll-test-{re.sub(r'[^a-zA-Z0-9]+', '-', path)}"
    handle.evaluate(OPEN_AND_MARK, marker)
    field = page.locator(f"[data-test-field='{marker}']")
    heading = field.locator(HEADINGS).first
    assert label in heading.inner_text(), (path, heading.inner_text(), label)
    return field


def type_into(page: Page, field: Locator, text: str) -> None:
    rich = field.locator("[contenteditable=true]")
    if rich.count():
        rich.first.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        return
    control = field.locator("textarea, input[type=text], input[type=number], input:not([type])")
    control.first.fill(text)


def do_step(page: Page, step: Step) -> None:
    field = field_at(page, step.path, step.label)
    if isinstance(step, Type):
        type_into(page, field, step.text)
    elif isinstance(step, Tick):
        field.locator("input[type=checkbox]").first.set_checked(step.on)
    elif isinstance(step, Choose):
        index = page.evaluate(OPTION_INDEX, [step.path, step.value])
        assert index >= 0, step
        radios = field.locator(f"input[type=radio][value='{index}']")
        if radios.count():
            radios.first.check()
        else:
            field.locator("select").first.select_option(str(index))
    elif isinstance(step, AddItem):
        field.locator(":scope > button.ll-add").click()
    elif isinstance(step, MoveItem):
        item = field.locator(":scope > ol > li").nth(step.index)
        item.locator(":scope > .ll-item-tools button.ll-move").first.click()
    elif isinstance(step, Upload):
        field.locator("input[type=file]").set_input_files(
            {"name": step.image, "mimeType": "image/png", "buffer": png(IMAGES[step.image])}
        )
        field.locator("img").first.wait_for()
    elif isinstance(step, Library):
        field.locator(":scope > select").select_option(step.uber_name)


def build_in_editor(view: EditorPage, recipe: Recipe) -> str:
    """Open the type from the picker, follow the recipe's steps, give a title, save."""
    page = view.page
    view.goto("/h5p/editor/new")
    view.wait_for_editor()
    page.wait_for_load_state("networkidle")  # the type icons, before leaving the picker
    machine_name = recipe.library.split(" ")[0]
    page.locator(f"#type-list a[href^='/h5p/editor/new?type={machine_name}%20']").click()
    view.wait_for_editor()
    # The metadata form comes first (a type may have a field called Title too).
    page.get_by_role("textbox", name="Title", exact=True).first.fill(recipe.title)
    for step in recipe.steps:
        do_step(page, step)
    page.get_by_role("button", name="Save", exact=True).click()
    try:
        view.wait_for_editor("saved", timeout=15_000)
    except Exception as error:  # the editor's own words say why it did not save
        invalid = page.locator("[aria-invalid=true]").evaluate_all(
            "nodes => nodes.map(n => (n.closest('.ll-field, .ll-w-html, .ll-w-media') || n)"
            ".innerText.slice(0, 200))"
        )
        status = page.locator("#editor-status").inner_text()
        raise AssertionError(f"not saved: {status} {invalid} {view.problems}") from error
    content_id = page.locator("#learnloop-editor").get_attribute("data-content-id")
    assert content_id
    return content_id


ANY_UPLOAD = re.compile(r"images/[^#]+\.png")


def uploaded_paths(expected: Any, stored: Any) -> Any:
    """``expected`` with each recipe image path replaced by the stored one when the stored
    one is a moved upload (``images/<name>.png``, no ``#tmp`` left)."""
    if isinstance(expected, dict):
        result = {
            key: uploaded_paths(value, stored.get(key) if isinstance(stored, dict) else None)
            for key, value in expected.items()
        }
        if (
            isinstance(expected.get("path"), str)
            and expected["path"].startswith("images/")
            and isinstance(stored, dict)
            and ANY_UPLOAD.fullmatch(str(stored.get("path")))
        ):
            result["path"] = stored["path"]
        return result
    if isinstance(expected, list) and isinstance(stored, list) and len(stored) == len(expected):
        return [uploaded_paths(e, s) for e, s in zip(expected, stored, strict=True)]
    return expected


# --- tests -----------------------------------------------------------------------------------


def test_types_without_a_hub_package_are_named_and_every_recipe_has_one(
    fixtures_dir: Path,
) -> None:
    hub = {package.stem for package in (fixtures_dir / "h5p" / "hub").glob("*.h5p")}
    assert {recipe.name for recipe in RECIPES} <= hub
    assert not hub & set(UNINSTALLABLE)


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.name for recipe in RECIPES])
def test_the_recipe_params_play_and_score_in_the_player(
    site: Site, open_page: OpenPage, recipe: Recipe, fixtures_dir: Path
) -> None:
    content_id, images = create_through_api(site, recipe, fixtures_dir / "h5p" / "hub")
    stored = stored_content(site.editor, content_id)["params"]
    assert contains(stored, renamed_images(recipe.params, images)) == []
    play(site, open_page, recipe, content_id)


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.name for recipe in RECIPES])
def test_a_teacher_builds_the_type_in_the_editor_and_a_learner_scores(
    site: Site, open_page: OpenPage, recipe: Recipe
) -> None:
    view = open_page(TEACHER, DESKTOP, "teacher")
    content_id = build_in_editor(view, recipe)
    stored = stored_content(site.editor, content_id)
    assert stored["library"] == recipe.library
    assert stored["metadata"]["title"] == recipe.title
    params = stored["params"]
    assert contains(params, uploaded_paths(recipe.params, params)) == []
    assert view.problems == []
    play(site, open_page, recipe, content_id)
