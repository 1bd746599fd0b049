"""The H5P player page in headless Chromium against a live server.

Real hub packages are imported over HTTP; the official H5P core (npm h5p-standalone)
runs them. For the question types a learner answers and presses Check; the tests then
read the setFinished row, the statements in the LRS and the resumed state after a
reload. Every hub package must render without a JavaScript error (screenshots go to
test-artifacts/). One test embeds the player in an iframe on a page from another port.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Response,
)

from learnloop.auth.models import Role
from tests.support.browser import chromium
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = LIVE_PASSWORD
SAVE_FREQ_SECONDS = 1
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


@dataclass
class Player:
    """A live server with the hub packages imported, a teacher and learners."""

    server: LiveServer
    teacher_token: str
    learner_tokens: list[str]
    learner_ids: list[str]
    content: dict[str, str]  # package stem ("H5P.MultiChoice") -> content id
    used: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def learner(self, index: int) -> tuple[str, str]:
        return self.learner_tokens[index], self.learner_ids[index]

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )


def _login(http: httpx.Client, email: str) -> tuple[str, str]:
    response = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data["token"], data["user"]["id"]


@pytest.fixture(scope="module")
def player(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path
) -> Iterator[Player]:
    directory = tmp_path_factory.mktemp("player")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    # The importing account is an admin: the hub packages install libraries (library_rights).
    seed_accounts(url, learners=8, teacher_role=Role.ADMIN)
    server = start_live_server(
        url, directory / "live", {"LEARNLOOP_H5P_SAVE_FREQ_SECONDS": str(SAVE_FREQ_SECONDS)}
    )
    try:
        with httpx.Client(base_url=server.base_url, timeout=120) as http:
            teacher_token, _ = _login(http, "teacher@example.test")
            learners = [_login(http, f"learner{index}@example.test") for index in range(8)]
            content: dict[str, str] = {}
            headers = {"Authorization": f"Bearer {teacher_token}"}
            for package in sorted((fixtures_dir / "h5p" / "hub").glob("*.h5p")):
                with package.open("rb") as handle:
                    response = http.post(
                        "/h5p/import",
                        headers=headers,
                        files={"h5p": (package.name, handle, "application/zip")},
                    )
                assert response.status_code == 201, response.text
                content_id = response.json()["data"]["contentId"]
                published = http.patch(
                    f"/h5p/content/{content_id}/visibility",
                    headers=headers,
                    json={"visibility": "public"},
                )
                assert published.status_code == 200, published.text
                content[package.stem] = content_id
        yield Player(
            server=server,
            teacher_token=teacher_token,
            learner_tokens=[token for token, _ in learners],
            learner_ids=[user_id for _, user_id in learners],
            content=content,
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
class WatchedPage:
    page: Page
    errors: list[str]


@pytest.fixture
def watched(browser: Browser) -> Iterator[WatchedPage]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_response(response: Response) -> None:
        if response.status >= 400:
            errors.append(f"HTTP {response.status}: {response.url}")

    page.on("response", on_response)
    page.on(
        "requestfailed",
        lambda request: errors.append(f"request failed: {request.url} {request.failure}"),
    )
    yield WatchedPage(page, errors)
    context.close()


def embed_url(player: Player, name: str, token: str) -> str:
    return f"{player.base_url}/h5p/embed/{player.content[name]}?token={token}"


SHOWS_CONTENT = """() => {
  const container = document.querySelector('.h5p-content.h5p-initialized .h5p-container');
  if (!container || container.getBoundingClientRect().height <= 20) return false;
  const media = container.querySelectorAll('img, canvas, svg, video, audio');
  return container.innerText.trim().length > 0 || media.length > 0;
}"""


def wait_for_player(frame: Page | Frame) -> None:
    """Until H5P core initialised the content and it shows text or media."""
    frame.wait_for_function(SHOWS_CONTENT, timeout=20_000)


def wait_for_capture(page: Page) -> None:
    """Until every xAPI statement the page captured has reached the LRS."""
    page.wait_for_function(
        "() => window.LearnLoopCapture && window.LearnLoopCapture.pending === 0", timeout=15_000
    )


def statements(player: Player, token: str, content_id: str, verb: str) -> list[dict[str, Any]]:
    with player.api(token) as http:
        response = http.get(
            "/api/xapi/statements",
            params={"verbId": verb, "objectId": f"{player.base_url}/h5p/content/{content_id}"},
        )
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["statements"])


def finished_rows(player: Player, content_id: str) -> list[dict[str, Any]]:
    with player.api(player.teacher_token) as http:
        response = http.get(f"/h5p/finished/content/{content_id}")
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def learner_result(player: Player, content_id: str, learner_id: str) -> list[dict[str, Any]]:
    """The learner's setFinished rows, once H5P core's (asynchronous) POST has arrived."""
    deadline = time.monotonic() + 15
    while True:
        rows = [row for row in finished_rows(player, content_id) if row["userId"] == learner_id]
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


CURRENT_STATE = "() => JSON.stringify(H5P.instances[0].getCurrentState())"


def parsed(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else None


def eventually(condition: Callable[[], bool], seconds: float = 10) -> bool:
    """Poll ``condition`` (content applies its previous state while it builds itself)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def saved_state(player: Player, token: str, content_id: str) -> Any:
    with player.api(token) as http:
        response = http.get(f"/h5p/contentUserData/{content_id}/state/0")
    assert response.status_code == 200, response.text
    return response.json()["data"]


# --- every hub package renders ----------------------------------------------------------------


HUB_PACKAGES = [
    "H5P.Accordion",
    "H5P.Agamotto",
    "H5P.Audio",
    "H5P.Blanks",
    "H5P.Chart",
    "H5P.Dialogcards",
    "H5P.DragQuestion",
    "H5P.DragText",
    "H5P.Essay",
    "H5P.FindTheWords",
    "H5P.Flashcards",
    "H5P.GuessTheAnswer",
    "H5P.ImageHotspots",
    "H5P.ImageSequencing",
    "H5P.MarkTheWords",
    "H5P.MemoryGame",
    "H5P.MultiChoice",
    "H5P.QuestionSet",
    "H5P.SingleChoiceSet",
    "H5P.Summary",
    "H5P.TrueFalse",
]


def test_the_hub_fixture_list_is_complete(player: Player) -> None:
    assert sorted(player.content) == HUB_PACKAGES


@pytest.mark.parametrize("name", HUB_PACKAGES)
def test_every_hub_package_renders_without_a_javascript_error(
    player: Player, watched: WatchedPage, name: str
) -> None:
    token, _ = player.learner(7)
    watched.page.goto(embed_url(player, name, token))
    wait_for_player(watched.page)
    watched.page.wait_for_load_state("networkidle")  # images and fonts in the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(ARTIFACTS / f"player-{name}.png"), full_page=True)
    assert watched.errors == []


# --- answering, completion, xAPI and resume ---------------------------------------------------


def check(page: Page) -> None:
    """Press Check (Blanks with autoCheck has none: it checks once every blank is filled)."""
    button = page.locator(".h5p-question-check-answer")
    if button.count() and button.first.is_visible():
        button.first.click()


def answer_multichoice(page: Page) -> None:
    page.locator(".h5p-answer", has_text="Very dark purple").click()
    check(page)


def restored_multichoice(page: Page) -> bool:
    chosen = page.locator(".h5p-answer", has_text="Very dark purple")
    return chosen.get_attribute("aria-checked") == "true"


def answer_truefalse(page: Page) -> None:
    # The first alternative is "true" (labelled "Yes" by this package's l10n).
    page.locator(".h5p-true-false-answer").first.click()
    check(page)


def restored_truefalse(page: Page) -> bool:
    return page.locator(".h5p-true-false-answer").first.get_attribute("aria-checked") == "true"


BLANKS = ["blue", "Cloud", "black"]


def answer_blanks(page: Page) -> None:
    inputs = page.locator("input.h5p-text-input")
    assert inputs.count() == len(BLANKS)
    for index, word in enumerate(BLANKS):
        inputs.nth(index).fill(word)
        inputs.nth(index).press("Tab")
    check(page)


def restored_blanks(page: Page) -> bool:
    inputs = page.locator("input.h5p-text-input")
    return [inputs.nth(index).input_value() for index in range(inputs.count())] == BLANKS


DRAG_WORDS = ["blue", "red", "orange"]
DROP_ZONES = ".h5p-drag-dropzone-container .ui-droppable"


def drag(page: Page, source: Locator, target: Locator) -> None:
    """jQuery UI draggables follow real mouse moves, in steps."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 5, end["y"] + 5, steps=8)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def answer_dragtext(page: Page) -> None:
    zones = page.locator(DROP_ZONES)
    assert zones.count() == len(DRAG_WORDS)
    for index, word in enumerate(DRAG_WORDS):
        source = page.locator(".h5p-drag-draggables-container .ui-draggable", has_text=word)
        drag(page, source.first, zones.nth(index))
    check(page)


def restored_dragtext(page: Page) -> bool:
    zones = page.locator(DROP_ZONES)
    placed = []
    for index in range(zones.count()):
        word = zones.nth(index).locator(".ui-draggable")
        placed.append(word.inner_text().strip() if word.count() else "")
    return placed == DRAG_WORDS


def answer_questionset(page: Page) -> None:
    """Answer both True/False questions with "true", check every question, finish."""
    for _ in range(20):
        slide = page.locator(".questionset .question-container:visible").first
        true_false = slide.locator(".h5p-true-false-answer")
        if true_false.count():
            true_false.first.click()
        check(page)
        finish = page.locator(".h5p-question-finish:visible")
        if finish.count():
            finish.first.click()
            page.wait_for_selector(".questionset-results")
            return
        current = slide.element_handle()
        slide.locator(".h5p-question-next").click()
        page.wait_for_function("(old) => old.offsetParent === null", arg=current)
    raise AssertionError("the question set never offered Finish")


def restored_questionset(page: Page) -> bool:
    """Both True/False questions of the set show the answer given before."""
    answers = page.locator(".questionset .h5p-true-false-answers")
    return answers.count() == 2 and all(
        answers.nth(index).locator(".h5p-true-false-answer").first.get_attribute("aria-checked")
        == "true"
        for index in range(2)
    )


@dataclass(frozen=True)
class Exercise:
    name: str
    answer: Callable[[Page], None]
    restored: Callable[[Page], bool]
    score: float
    max_score: float


EXERCISES = [
    Exercise("H5P.MultiChoice", answer_multichoice, restored_multichoice, 1, 1),
    Exercise("H5P.TrueFalse", answer_truefalse, restored_truefalse, 1, 1),
    Exercise("H5P.Blanks", answer_blanks, restored_blanks, 3, 3),
    Exercise("H5P.DragText", answer_dragtext, restored_dragtext, 3, 3),
    # 9 questions, 14 points: the two True/False answers and the empty questions score 5.
    Exercise("H5P.QuestionSet", answer_questionset, restored_questionset, 5, 14),
]


def own_statements(player: Player, token: str, content_id: str) -> list[dict[str, Any]]:
    with player.api(token) as http:
        response = http.get(
            "/api/xapi/statements",
            params={"objectId": f"{player.base_url}/h5p/content/{content_id}", "limit": 500},
        )
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["statements"])


@pytest.mark.parametrize("exercise", EXERCISES, ids=[exercise.name for exercise in EXERCISES])
def test_a_learner_answers_and_the_result_statements_and_state_are_kept(
    player: Player, watched: WatchedPage, exercise: Exercise
) -> None:
    index = EXERCISES.index(exercise)
    token, learner_id = player.learner(index)
    content_id = player.content[exercise.name]
    page = watched.page
    page.goto(embed_url(player, exercise.name, token))
    wait_for_player(page)

    exercise.answer(page)
    wait_for_capture(page)
    page.wait_for_function(
        "() => window.LearnLoopCapture.sent > 0 && window.LearnLoopCapture.pending === 0"
    )
    assert page.evaluate("() => window.LearnLoopCapture.rejected") == []

    # The statement that finished the content, about the content itself, with the score.
    verbs = {ANSWERED, COMPLETED}
    scored = [
        statement
        for statement in own_statements(player, token, content_id)
        if statement["verb"]["id"] in verbs and "score" in statement.get("result", {})
    ]
    assert scored, "no answered/completed statement reached the LRS"
    latest = scored[0]
    assert latest["actor"]["account"]["name"] == learner_id
    assert latest["result"]["score"]["raw"] == exercise.score
    assert latest["result"]["score"]["max"] == exercise.max_score

    # The learner's progress (analytics projections kept on ingest) saw the attempt.
    with player.api(token) as http:
        progress = http.get(f"/api/xapi/progress/{content_id}").json()["data"]
    assert progress["attempts"] >= 1
    assert progress["lastScore"] == round(100 * exercise.score / exercise.max_score, 2)

    # setFinished stored one row for this learner with the same score.
    rows = learner_result(player, content_id, learner_id)
    assert len(rows) == 1
    assert rows[0]["score"] == exercise.score
    assert rows[0]["maxScore"] == exercise.max_score

    # H5P core saves the state every saveFreq seconds (and on unload): wait until the
    # server holds exactly the content's current state, reload, and the answers are back.
    before = json.loads(page.evaluate(CURRENT_STATE))
    assert before
    assert eventually(lambda: parsed(saved_state(player, token, content_id)) == before)
    page.reload()
    wait_for_player(page)
    assert eventually(lambda: exercise.restored(page)), f"{exercise.name} lost its state"
    assert watched.errors == []


# --- embedded in another site -----------------------------------------------------------------


@pytest.fixture
def other_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain static web server on another port: the "other site" that embeds the player."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_player_works_in_an_iframe_on_a_page_from_another_port(
    player: Player, watched: WatchedPage, other_site: tuple[str, Path]
) -> None:
    site_url, site_dir = other_site
    token, learner_id = player.learner(5)
    content_id = player.content["H5P.TrueFalse"]
    with player.api(token) as api:
        model = api.get(f"/h5p/play/{content_id}").json()["data"]["integration"]
    content = model["contents"][f"cid-{content_id}"]
    # The embed code and resizer script exactly as the player offers them, plus the
    # learner's token (an iframe on another site authenticates by ?token=).
    embed_code = (
        content["embedCode"]
        .replace(":w", "800")
        .replace(":h", "150")
        .replace(f'/h5p/embed/{content_id}"', f'/h5p/embed/{content_id}?token={token}"')
    )
    assert "?token=" in embed_code
    (site_dir / "index.html").write_text(
        "<!doctype html><html><head><title>Another site</title>"
        '<link rel="icon" href="data:,"></head><body>'
        f"<h1>Course page</h1>{embed_code}{content['resizeCode']}</body></html>"
    )

    page = watched.page
    page.goto(f"{site_url}/index.html")
    assert site_url != player.base_url
    frame = page.frame_locator("iframe")
    frame.locator(".h5p-true-false-answer").first.wait_for()
    player_frame = next(f for f in page.frames if f.url.startswith(player.base_url))
    wait_for_player(player_frame)
    # The resizer made the iframe as tall as the content (it started at 150px).
    page.wait_for_function(
        "() => parseInt(document.querySelector('iframe').style.height || '0', 10) > 150"
    )
    frame.locator(".h5p-true-false-answer").first.click()
    frame.locator(".h5p-question-check-answer").click()
    player_frame.wait_for_function(
        "() => window.LearnLoopCapture.sent > 0 && window.LearnLoopCapture.pending === 0"
    )
    rows = learner_result(player, content_id, learner_id)
    assert [(row["score"], row["maxScore"]) for row in rows] == [(1, 1)]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "player-in-iframe.png"), full_page=True)
    assert watched.errors == []


def test_a_signed_in_learner_plays_by_cookie_with_csrf_protected_posts(
    player: Player, watched: WatchedPage
) -> None:
    page = watched.page
    _token, learner_id = player.learner(6)
    login = page.request.post(
        f"{player.base_url}/api/auth/login",
        data={"email": "learner6@example.test", "password": PASSWORD},
    )
    assert login.ok
    content_id = player.content["H5P.TrueFalse"]
    page.goto(f"{player.base_url}/h5p/embed/{content_id}")
    wait_for_player(page)
    ajax = page.evaluate("() => window.H5PIntegration.ajax")
    assert "csrf=" in ajax["setFinished"] and "token=" not in ajax["setFinished"]
    answer_truefalse(page)
    wait_for_capture(page)
    rows = learner_result(player, content_id, learner_id)
    assert [(row["score"], row["maxScore"]) for row in rows] == [(1, 1)]
    # The same POST without the CSRF token, from the signed-in browser, is refused.
    forged = page.request.post(
        f"{player.base_url}/h5p/setFinished",
        form={
            "contentId": content_id,
            "score": "0",
            "maxScore": "1",
            "opened": "1795000000",
            "finished": "1795000001",
        },
    )
    assert forged.status == 403
    assert learner_result(player, content_id, learner_id)[0]["score"] == 1
    assert watched.errors == []
