"""The visual editor widgets in headless Chromium against a live server: DragQuestion's stage
(visual-dragquestion.js) and ImageHotspots' position selector (visual-imagehotspots.js),
inside the real editor page (engine.js) and saved through the real endpoints.

- The hub packages' DragQuestion and ImageHotspots content, opened and saved without a
  change, keep params identical (round trip rule, editor contract §2).
- A teacher builds a DragQuestion from scratch: background image, two draggables and two
  drop zones placed by pointer and by keyboard, linked; saves; a learner plays it, drags
  both correctly and the LRS holds the full score.
- A teacher places two ImageHotspots hotspots (click and keyboard), saves; a learner plays
  it and opens a hotspot.
Every page fails on a JavaScript error, a failed request or an axe-core serious/critical
violation.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.support.live_server import LIVE_PASSWORD
from tests.web.editor.conftest import (
    ADMIN,
    ARTIFACTS,
    DESKTOP,
    LEARNER,
    TEACHER,
    EditorPage,
    EditorSite,
    OpenPage,
    stored_content,
)

pytestmark = pytest.mark.browser

PACKAGES = ("H5P.DragQuestion", "H5P.ImageHotspots")
# Libraries the shared editor_site fixture installs (conftest); MultiChoice serves
# test_widgets_browser.py, which shares this module's fixtures.
EDITOR_PACKAGES = [*PACKAGES, "H5P.MultiChoice"]
DRAGQUESTION = "H5P.DragQuestion 1.13"
IMAGEHOTSPOTS = "H5P.ImageHotspots 1.9"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"

PLAYER_READY = """() => {
  const container = document.querySelector('.h5p-content.h5p-initialized .h5p-container');
  return !!container && container.getBoundingClientRect().height > 20;
}"""


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG of the given size (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", header))
    out.write(chunk(b"IDAT", zlib.compress(raw)))
    out.write(chunk(b"IEND", b""))
    return out.getvalue()


@dataclass
class Site:
    """The shared editor test server (conftest ``editor_site``) with what these tests add:
    the learner's id and an LRS client that reads statements."""

    editor: EditorSite
    learner_id: str
    lrs_auth: tuple[str, str]

    @property
    def base_url(self) -> str:
        return self.editor.base_url

    @property
    def admin_token(self) -> str:
        return self.editor.tokens[ADMIN]

    @property
    def teacher_token(self) -> str:
        return self.editor.tokens[TEACHER]

    @property
    def learner_token(self) -> str:
        return self.editor.tokens[LEARNER]

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
        )


def import_package(site: Site, token: str, fixtures_dir: Path, name: str) -> str:
    package = fixtures_dir / "h5p" / "hub" / f"{name}.h5p"
    with site.api(token) as http, package.open("rb") as handle:
        response = http.post(
            "/h5p/import", files={"h5p": (package.name, handle, "application/zip")}
        )
    assert response.status_code == 201, response.text
    content_id: str = response.json()["data"]["contentId"]
    return content_id


def stored_params(site: Site, content_id: str) -> Any:
    return stored_content(site.editor, content_id)["params"]


def publish(site: Site, content_id: str) -> None:
    with site.api(site.teacher_token) as http:
        response = http.patch(
            f"/h5p/content/{content_id}/visibility", json={"visibility": "public"}
        )
    assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def site(editor_site: EditorSite) -> Site:
    with httpx.Client(base_url=editor_site.base_url, timeout=60) as http:
        login = http.post("/api/auth/login", json={"email": LEARNER, "password": LIVE_PASSWORD})
        assert login.status_code == 200, login.text
        client = http.post(
            "/api/admin/lrs-clients",
            headers={"Authorization": f"Bearer {editor_site.tokens[ADMIN]}"},
            json={"name": "Visual editor tests", "scopes": ["statements/read"]},
        )
        assert client.status_code == 201, client.text
    issued = client.json()["data"]
    return Site(
        editor=editor_site,
        learner_id=login.json()["data"]["user"]["id"],
        lrs_auth=(issued["key"], issued["secret"]),
    )


def open_editor(view: EditorPage, path: str) -> None:
    view.goto(path)
    view.wait_for_editor("ready")


def save(view: EditorPage) -> str:
    """Save with the editor's button; the content id the editor reports."""
    page = view.page
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(
        "#learnloop-editor[data-state='saved'], #learnloop-editor[data-state='invalid']",
        state="attached",
        timeout=30_000,
    )
    if page.get_attribute("#learnloop-editor", "data-state") != "saved":
        marked = page.evaluate(
            "() => Array.from(document.querySelectorAll('[aria-invalid=true]'))"
            ".map(e => (e.closest('[data-path]') || e).outerHTML.slice(0, 200))"
        )
        pytest.fail(f"save refused: {page.locator('#editor-status').inner_text()} {marked}")
    content_id = page.get_attribute("#learnloop-editor", "data-content-id")
    assert content_id
    return content_id


@pytest.fixture
def teacher_view(site: Site, open_page: OpenPage, request: pytest.FixtureRequest) -> EditorPage:
    return open_page(TEACHER, DESKTOP, request.node.name)


def learner_view(open_page: OpenPage, label: str) -> EditorPage:
    return open_page(LEARNER, DESKTOP, label)


def lrs_scores(site: Site, content_id: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{site.base_url}/xapi/statements",
        params={"activity": f"{site.base_url}/h5p/content/{content_id}", "limit": 200},
        auth=site.lrs_auth,
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [
        statement["result"]["score"]
        for statement in response.json()["statements"]
        if statement["verb"]["id"] in {ANSWERED, COMPLETED}
        and "score" in statement.get("result", {})
        and statement["actor"]["account"]["name"] == site.learner_id
    ]


def player(page: Page, site: Site, content_id: str) -> Page:
    page.goto(f"{site.base_url}/h5p/embed/{content_id}?token={site.learner_token}")
    page.wait_for_function(PLAYER_READY, timeout=20_000)
    return page


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES)
def test_hub_content_saved_unchanged_keeps_params_identical(
    site: Site, teacher_view: EditorPage, fixtures_dir: Path, package: str
) -> None:
    content_id = import_package(site, site.teacher_token, fixtures_dir, package)
    before = stored_params(site, content_id)
    open_editor(teacher_view, f"/h5p/editor/{content_id}")
    widget = "dragQuestion" if package == "H5P.DragQuestion" else "imageCoordinateSelector"
    assert teacher_view.page.locator(f"[data-widget='{widget}']").count() >= 1
    teacher_view.check("opened")
    assert save(teacher_view) == content_id
    after = stored_params(site, content_id)
    assert after == before


# --- DragQuestion from scratch ----------------------------------------------------------------


def _box(page: Page, selector: str) -> dict[str, float]:
    """The element's box in viewport coordinates (the mouse works in those), in view."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}


def _move_on_stage(page: Page, selector: str, x: float, y: float) -> None:
    """Drag an item by the pointer so its centre lands at (x, y) fractions of the stage."""
    page.locator(STAGE).scroll_into_view_if_needed()
    stage = _box(page, STAGE)
    item = _box(page, selector)
    start = (item["x"] + item["width"] / 3, item["y"] + item["height"] / 3)
    _drag(page, start, (stage["x"] + x * stage["width"], stage["y"] + y * stage["height"]))


def _resize_on_stage(page: Page, selector: str, dx: float, dy: float) -> None:
    handle = _box(page, f"{selector} >> .ll-dq-handle")
    start = (handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    _drag(page, start, (start[0] + dx, start[1] + dy))


def _drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
    page.mouse.move(*end, steps=5)
    page.mouse.up()


def _type_rich_text(page: Page, scope: str, text: str) -> None:
    editable = page.locator(f"{scope} [contenteditable='true']").first
    editable.click()
    page.keyboard.type(text)


STAGE = "[data-widget='dragQuestion'] .ll-dq-stage"
PANEL = "[data-widget='dragQuestion'] .ll-dq-panel"


def _upload_background(page: Page, tmp_path: Path) -> None:
    image = tmp_path / "meadow.png"
    image.write_bytes(png(600, 300, (120, 180, 90)))
    page.locator("[data-path='question.settings.background'] input[type='file']").set_input_files(
        str(image)
    )
    page.locator("[data-path='question.settings.background'] img.ll-w-preview").wait_for()
    # The task size follows the new image (H5P's dimensions widget).
    page.wait_for_function(
        "() => document.querySelector(\"[data-widget='dimensions'] input\").value === '600'"
    )


def _add_text(page: Page, text: str) -> None:
    page.locator("[data-widget='dragQuestion'] .ll-dq-toolbar").get_by_role(
        "button", name="Add text"
    ).click()
    _type_rich_text(page, f"{PANEL} [data-widget='html']", text)


def _add_drop_zone(page: Page, label: str) -> None:
    page.locator("[data-widget='dragQuestion'] .ll-dq-toolbar").get_by_role(
        "button", name="Add drop zone"
    ).click()
    _type_rich_text(page, f"{PANEL} [data-widget='html']", label)


def _tick_correct(page: Page, draggable: str) -> None:
    page.locator(PANEL).get_by_role("checkbox", name=draggable).check()


def _play_place(page: Page, text: str, zone: int) -> None:
    """The learner drops a draggable into a zone with DragQuestion's keyboard controls:
    Space grabs the focused draggable, the arrows walk to the zone, Space drops it there."""
    page.locator(".h5p-draggable", has_text=text).first.focus()
    page.keyboard.press("Space")
    for _ in range(8):
        focused = page.evaluate(
            "() => document.activeElement ? document.activeElement.textContent : ''"
        )
        if f"Dropzone {zone} of" in focused:
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    page.locator(".h5p-draggable.h5p-dropped", has_text=text).wait_for()


def test_dragquestion_built_from_scratch_by_pointer_and_keyboard_is_played_for_full_score(
    site: Site, teacher_view: EditorPage, open_page: OpenPage, tmp_path: Path
) -> None:
    page = teacher_view.page
    open_editor(teacher_view, f"/h5p/editor/new?type={DRAGQUESTION}")
    page.get_by_label("Title", exact=True).first.fill("Fruit sorting")
    _upload_background(page, tmp_path)
    # Draggable 1 by pointer: drag it from the top-left corner into place, widen it by its handle.
    _add_text(page, "Apple")
    item = f"{STAGE} .ll-dq-element >> nth=0"
    _move_on_stage(page, item, 0.12, 0.12)
    _resize_on_stage(page, item, 48, 16)

    # Draggable 2 by keyboard: arrows move it (1% a press), Shift+arrows resize it (0.5em).
    _add_text(page, "Pear")
    second = page.locator(f"{STAGE} .ll-dq-element").nth(1)
    second.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    for _ in range(40):
        page.keyboard.press("ArrowDown")
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")

    # Drop zone 1 by pointer, drop zone 2 by keyboard; each is linked to its draggable.
    _add_drop_zone(page, "Apples")
    zone = f"{STAGE} .ll-dq-dropZone >> nth=0"
    _move_on_stage(page, zone, 0.6, 0.2)
    _resize_on_stage(page, zone, 80, 60)
    _tick_correct(page, "Draggable 1: Apple")

    _add_drop_zone(page, "Pears")
    second_zone = page.locator(f"{STAGE} .ll-dq-dropZone").nth(1)
    second_zone.focus()
    for _ in range(60):
        page.keyboard.press("ArrowRight")
    for _ in range(55):
        page.keyboard.press("ArrowDown")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowRight")
    for _ in range(5):
        page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Enter")
    _tick_correct(page, "Draggable 2: Pear")

    # A third zone linked to draggable 1, then deleted: the links it held go with it.
    _add_drop_zone(page, "Spare")
    _tick_correct(page, "Draggable 1: Apple")
    page.locator(PANEL).get_by_role("button", name="Delete Drop zone 3").click()
    assert page.locator(f"{STAGE} .ll-dq-dropZone").count() == 2
    teacher_view.check("dragquestion-built")

    content_id = save(teacher_view)
    params = stored_params(site, content_id)
    task = params["question"]["task"]
    assert [element["type"]["params"]["text"] for element in task["elements"]] == [
        "<p>Apple</p>",
        "<p>Pear</p>",
    ]
    assert [element["dropZones"] for element in task["elements"]] == [["0"], ["1"]]
    assert [zone["correctElements"] for zone in task["dropZones"]] == [["0"], ["1"]]
    assert [zone["label"] for zone in task["dropZones"]] == ["Apples", "Pears"]
    pear = task["elements"][1]
    assert (pear["x"], pear["y"], pear["width"]) == (10, 40, 7)
    pear_zone = task["dropZones"][1]
    assert (pear_zone["x"], pear_zone["y"], pear_zone["width"], pear_zone["height"]) == (
        60,
        55,
        8,
        5,
    )
    apple = task["elements"][0]
    assert 5 < apple["x"] < 15 and 5 < apple["y"] < 15 and apple["width"] > 5
    assert params["question"]["settings"]["size"] == {"width": 600, "height": 300}
    assert params["question"]["settings"]["background"]["path"].startswith("images/")
    assert not params["question"]["settings"]["background"]["path"].endswith("#tmp")

    # A learner plays it and drags both draggables into their zones.
    publish(site, content_id)
    learner = learner_view(open_page, "dq-learner")
    play = player(learner.page, site, content_id)
    _play_place(play, "Apple", 1)
    _play_place(play, "Pear", 2)
    ARTIFACTS.mkdir(exist_ok=True)
    play.screenshot(path=str(ARTIFACTS / "editor-dragquestion-played.png"))
    play.get_by_role("button", name="Check").click()
    play.wait_for_function(
        "() => window.LearnLoopCapture && window.LearnLoopCapture.sent > 0"
        " && window.LearnLoopCapture.pending === 0",
        timeout=15_000,
    )
    scores = lrs_scores(site, content_id)
    assert scores, "no scored statement reached the LRS"
    assert scores[0]["raw"] == scores[0]["max"] == 2
    assert learner.problems == []


# --- ImageHotspots ------------------------------------------------------------------------------


def _hotspot_text(page: Page, hotspot: int, text: str) -> None:
    """Give hotspot ``hotspot`` one H5P.Text popup with ``text`` (the engine's own fields)."""
    # The engine names a new list item's path once it is in the list, so find it by order.
    item = page.locator("li:has([data-widget='imageCoordinateSelector'])").nth(hotspot)
    # New content starts each list with its default item; add one only when there is none.
    if item.locator(".ll-library select").count() == 0:
        item.get_by_role("button", name="Add item").click()
    select = item.locator(".ll-library select").first
    page.wait_for_function("(select) => !select.disabled", arg=select.element_handle())
    select.select_option("H5P.Text 1.1")
    editable = item.locator("[data-widget='html'] [contenteditable='true']").last
    editable.wait_for()
    editable.click()
    page.keyboard.type(text)


def test_imagehotspots_placed_by_click_and_keyboard_are_saved_and_open_in_the_player(
    site: Site, teacher_view: EditorPage, open_page: OpenPage, tmp_path: Path
) -> None:
    page = teacher_view.page
    open_editor(teacher_view, f"/h5p/editor/new?type={IMAGEHOTSPOTS}")
    page.get_by_label("Title", exact=True).first.fill("Garden map")
    image = tmp_path / "garden.png"
    image.write_bytes(png(400, 200, (90, 140, 200)))
    page.locator("[data-path='image'] input[type='file']").set_input_files(str(image))
    page.locator("[data-path='image'] img.ll-w-preview").wait_for()

    # Hotspot 1 (the list starts with one): a click at a quarter across, half down.
    selectors = page.locator("[data-widget='imageCoordinateSelector']")
    first = selectors.nth(0).locator(".ll-ih-surface")
    first.locator("img.ll-ih-image").wait_for()
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.5 * box["height"])
    _hotspot_text(page, 0, "The pond")

    # Hotspot 2: added to the list, placed by keyboard from the centre.
    page.get_by_role("button", name="Add hotspot").click()
    marker = selectors.nth(1).locator(".ll-ih-marker")
    marker.focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    for _ in range(2):
        page.keyboard.press("ArrowUp")
    _hotspot_text(page, 1, "The shed")
    teacher_view.check("imagehotspots-built")

    content_id = save(teacher_view)
    params = stored_params(site, content_id)
    positions = [hotspot["position"] for hotspot in params["hotspots"]]
    assert len(positions) == 2
    assert abs(positions[0]["x"] - 25) < 2 and abs(positions[0]["y"] - 50) < 2
    assert positions[1] == {"x": 80, "y": 48}
    texts = [hotspot["content"][0]["params"]["text"] for hotspot in params["hotspots"]]
    assert texts == ["<p>The pond</p>", "<p>The shed</p>"]
    assert params["image"]["path"].startswith("images/")

    publish(site, content_id)
    learner = learner_view(open_page, "ih-learner")
    play = player(learner.page, site, content_id)
    hotspots = play.locator(".h5p-image-hotspot")
    assert hotspots.count() == 2
    # The player orders hotspots by position; open each and read its popup.
    seen = []
    for index in range(2):
        hotspots.nth(index).click()
        popup = play.locator(".h5p-image-hotspot-popup").first
        popup.wait_for()
        # The player shows the popup's content 100ms after building it (readyToPopup) and
        # marks the hotspot active then; closing it before that breaks the player.
        play.locator(".h5p-image-hotspot.active").wait_for()
        seen.append(popup.inner_text().strip())
        play.locator(".h5p-image-hotspot-close-popup-button").first.click()
        popup.wait_for(state="detached")
    assert sorted(seen) == ["The pond", "The shed"]
    ARTIFACTS.mkdir(exist_ok=True)
    play.screenshot(path=str(ARTIFACTS / "editor-imagehotspots-played.png"))
    assert learner.problems == []
