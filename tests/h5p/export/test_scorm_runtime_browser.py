"""Exported SCORM packages in a real LMS runtime: scorm-again in headless Chromium.

The host page provides scorm-again's SCORM 1.2 ``API`` or SCORM 2004 ``API_1484_11`` and
launches the exported SCO in a frame, as an LMS does. The learner answers; the test then
reads what the LMS received (score, status, session time, suspend data, exit), and
relaunches the SCO with the stored data to check that the answers come back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Frame, Locator, Page

from tests.h5p.export.conftest import import_for
from tests.h5p.export.lms_host import LocalLms, local_lms
from tests.support.browser import chromium

SCORM_12_TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
SCORM_2004_DURATION = re.compile(r"^PT\d+H\d+M\d+(\.\d+)?S$")


@pytest.fixture
def browser_page(tmp_path) -> Iterator[tuple[LocalLms, Page, list[str]]]:
    errors: list[str] = []
    requests: list[str] = []
    with local_lms(tmp_path / "lms") as lms, chromium() as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 1000})
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield lms, page, errors
        # The package plays offline: nothing but the LMS's own files is ever requested
        # (no call back to LearnLoop, no CDN).
        assert requests
        leaving = [
            url
            for url in requests
            if not url.startswith((lms.base_url + "/", "data:", "blob:", "about:"))
        ]
        assert leaving == []


def export(client, headers, content_id: str, version: str, mastery: int | None) -> bytes:
    query = f"?version={version}" + (f"&masteryScore={mastery}" if mastery is not None else "")
    response = client.get(f"/h5p/content/{content_id}/export-scorm{query}", headers=headers)
    assert response.status_code == 200, response.text
    package: bytes = response.content
    return package


# --- answering each content type through its user interface ------------------------


def answer_multichoice(frame: Frame) -> None:
    frame.get_by_role("radio", name="Very dark purple").click()
    frame.locator(".h5p-question-check-answer").click()


def multichoice_restored(frame: Frame) -> None:
    chosen = frame.get_by_role("radio", name="Very dark purple")
    assert chosen.get_attribute("aria-checked") == "true"
    for other in ("Blue", "Black"):
        assert frame.get_by_role("radio", name=other).get_attribute("aria-checked") == "false"


BLANKS_ANSWERS = ["blue", "Cloud", "red"]  # the third blank's answer is "black"


def answer_blanks(frame: Frame) -> None:
    inputs = frame.locator("input.h5p-text-input")
    for index, word in enumerate(BLANKS_ANSWERS):
        inputs.nth(index).fill(word)
        inputs.nth(index).press("Tab")


def blanks_restored(frame: Frame) -> None:
    inputs = frame.locator("input.h5p-text-input")
    assert [inputs.nth(i).input_value() for i in range(3)] == BLANKS_ANSWERS


DRAG_TEXT_PLACEMENT = {"blue": 0, "red": 1, "orange": 2}


def answer_drag_text(frame: Frame) -> None:
    zones = frame.locator(".h5p-drag-dropzone-container .ui-droppable")
    for word, zone in DRAG_TEXT_PLACEMENT.items():
        word_handle = frame.locator(".ui-draggable", has_text=re.compile(rf"^{word}"))
        word_handle.drag_to(zones.nth(zone))
    frame.locator(".h5p-question-check-answer").click()


def drag_text_restored(frame: Frame) -> None:
    zones = frame.locator(".h5p-drag-dropzone-container .ui-droppable")
    for word, zone in DRAG_TEXT_PLACEMENT.items():
        assert word in zones.nth(zone).inner_text()


def answer_question_in_set(question: Locator) -> None:
    true_false = question.locator(".h5p-true-false-answer", has_text="True")
    if true_false.count():
        true_false.click()
    choices = question.locator(".h5p-answers .h5p-answer")
    if choices.count():
        choices.last.click()
    blank = question.locator("input.h5p-text-input")
    if blank.count():
        blank.fill("Norway")
        blank.press("Tab")
    words = question.locator(".h5p-word-selectable-words [role=option]")
    if words.count():
        words.first.click()
    check = question.locator(".h5p-question-check-answer")
    if check.count() and check.is_visible():
        check.click()


def answer_question_set(frame: Frame) -> None:
    """Every question in turn ("Norway" for the blanks, True for true/false), then Finish.

    The set offers Finish on its last question once every question has an answer; the
    check happens on arriving there, so the learner steps back and forth once.
    """
    while True:
        question = frame.locator(".question-container:visible")
        answer_question_in_set(question)
        next_button = question.locator(".h5p-question-next")
        if not next_button.count():
            break
        next_button.click()
    question.locator(".h5p-question-prev").click()
    frame.locator(".question-container:visible .h5p-question-next").click()
    frame.locator(".question-container:visible .h5p-question-finish").click()
    frame.locator(".questionset-results").wait_for()


def question_set_restored(frame: Frame) -> None:
    frame.locator(".question-container").first.wait_for(state="attached")
    values = frame.locator(".h5p-blanks input.h5p-text-input").evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )
    assert "Norway" in values


@dataclass(frozen=True)
class Case:
    package: str
    answer: Callable[[Frame], None]
    restored: Callable[[Frame], None]
    mastery: int | None
    # expected (raw, max) of the content's own score, or None: read from the content
    score: tuple[float, float] | None
    # None: no mastery threshold and the content reports no success, so none is set
    passed: bool | None


CASES = {
    "MultiChoice": Case(
        "H5P.MultiChoice.h5p", answer_multichoice, multichoice_restored, 50, (1, 1), True
    ),
    "Blanks": Case("H5P.Blanks.h5p", answer_blanks, blanks_restored, 80, (2, 3), False),
    "DragText": Case("H5P.DragText.h5p", answer_drag_text, drag_text_restored, None, (3, 3), None),
    "QuestionSet": Case(
        "H5P.QuestionSet.h5p", answer_question_set, question_set_restored, 1, None, True
    ),
}


def content_score(frame: Frame) -> tuple[float, float]:
    score, maximum = frame.evaluate("[H5P.instances[0].getScore(), H5P.instances[0].getMaxScore()]")
    return float(score), float(maximum)


def assert_received(
    version: str, cmi: dict[str, Any], case: Case, score: tuple[float, float], mastery: int | None
) -> None:
    raw, maximum = score
    fraction = raw / maximum
    passed = case.passed
    if version == "1.2":
        core = cmi["core"]
        assert float(core["score"]["raw"]) == pytest.approx(round(fraction * 100, 2))
        assert core["score"]["min"] == "0"
        assert core["score"]["max"] == "100"
        expected_status = {True: "passed", False: "failed", None: "completed"}[passed]
        assert core["lesson_status"] == expected_status
        assert core["exit"] == "suspend"
        assert SCORM_12_TIMESPAN.match(core["session_time"]), core["session_time"]
        assert core["session_time"] != "00:00:00.00"
    else:
        assert float(cmi["score"]["raw"]) == raw
        assert float(cmi["score"]["min"]) == 0
        assert float(cmi["score"]["max"]) == maximum
        assert float(cmi["score"]["scaled"]) == pytest.approx(fraction, abs=1e-6)
        assert cmi["completion_status"] == "completed"
        assert cmi["success_status"] == {True: "passed", False: "failed", None: "unknown"}[passed]
        assert cmi["exit"] == "suspend"
        assert SCORM_2004_DURATION.match(cmi["session_time"]), cmi["session_time"]
        assert cmi["session_time"] != "PT0H0M0.00S"
    assert cmi["suspend_data"]


def resume_preset(version: str, cmi: dict[str, Any]) -> dict[str, Any]:
    """What an LMS hands the next launch of a suspended attempt."""
    if version == "1.2":
        return {
            "cmi": {
                "suspend_data": cmi["suspend_data"],
                "core": {"entry": "resume", "lesson_status": cmi["core"]["lesson_status"]},
            }
        }
    return {
        "cmi": {
            "suspend_data": cmi["suspend_data"],
            "entry": "resume",
            "completion_status": cmi["completion_status"],
        }
    }


@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("name", list(CASES))
def test_sco_reports_score_status_and_time_and_resumes_from_suspend_data(
    client, admin, teacher, hub_dir, browser_page, name, version
):
    case = CASES[name]
    lms, page, errors = browser_page
    content_id = import_for(client, admin, teacher, hub_dir, case.package)
    lms.install_package(export(client, teacher.headers, content_id, version, case.mastery))

    frame = lms.launch(page, version)
    bridge = frame.evaluate("window.LearnLoopScormBridge")
    assert bridge["apiFound"] and bridge["initialized"]
    case.answer(frame)
    score = content_score(frame)
    if case.score is not None:
        assert score == case.score
    assert score[0] > 0
    frame.wait_for_timeout(300)
    lms.unload_sco(page)
    cmi = lms.received(page)
    assert_received(version, cmi, case, score, case.mastery)
    events = page.evaluate("window.lmsEvents")
    assert events.count("LMSFinish" if version == "1.2" else "Terminate") == 1
    assert events.count("LMSCommit" if version == "1.2" else "Commit") >= 2
    assert errors == []

    resumed = lms.launch(page, version, resume_preset(version, cmi))
    assert resumed.evaluate("window.LearnLoopScormBridge.resumed") is True
    case.restored(resumed)
    assert errors == []


def test_sco_plays_and_reports_nothing_without_an_lms(
    client, admin, teacher, hub_dir, browser_page
):
    lms, page, errors = browser_page
    content_id = import_for(client, admin, teacher, hub_dir, "H5P.MultiChoice.h5p")
    lms.install_package(export(client, teacher.headers, content_id, "2004", 50))
    page.goto(f"{lms.base_url}/sco/index.html")
    page.locator(".h5p-content.h5p-initialized").wait_for()
    answer_multichoice(page.main_frame)
    assert content_score(page.main_frame) == (1, 1)
    bridge = page.evaluate("window.LearnLoopScormBridge")
    assert bridge["apiFound"] is False
    assert bridge["initialized"] is False
    assert bridge["commits"] == 0
    assert errors == []


def test_sco_in_a_frame_inside_the_players_frame_finds_the_api_two_parents_up(
    client, admin, teacher, hub_dir, browser_page
):
    lms, page, errors = browser_page
    content_id = import_for(client, admin, teacher, hub_dir, "H5P.MultiChoice.h5p")
    lms.install_package(export(client, teacher.headers, content_id, "2004", 50))
    frame = lms.launch_nested(page, "2004")
    assert frame.evaluate("window.LearnLoopScormBridge.initialized") is True
    answer_multichoice(frame)
    lms.unload_sco(page)
    cmi = lms.received(page)
    assert cmi["success_status"] == "passed"
    assert cmi["score"]["scaled"] == "1"
    assert errors == []


def test_sco_in_a_new_window_finds_the_api_of_its_opener_and_finishes_on_close(
    client, admin, teacher, hub_dir, browser_page
):
    lms, page, _errors = browser_page
    content_id = import_for(client, admin, teacher, hub_dir, "H5P.MultiChoice.h5p")
    lms.install_package(export(client, teacher.headers, content_id, "1.2", 50))
    window = lms.launch_window(page, "1.2")
    assert window.evaluate("window.LearnLoopScormBridge.initialized") is True
    answer_multichoice(window.main_frame)
    window.close(run_before_unload=True)
    page.wait_for_function("window.lmsApi.isTerminated()", timeout=10_000)
    cmi = lms.received(page)
    assert cmi["core"]["lesson_status"] == "passed"
    assert cmi["core"]["score"]["raw"] == "100"
    assert cmi["core"]["exit"] == "suspend"


@pytest.mark.parametrize(
    ("version", "preset"),
    [
        ("1.2", {"cmi": {"student_data": {"mastery_score": "60"}}}),
        ("2004", {"cmi": {"scaled_passing_score": "0.6"}}),
    ],
)
def test_the_lms_mastery_threshold_wins_over_the_packaged_one(
    client, admin, teacher, hub_dir, browser_page, version, preset
):
    """2 of 3 blanks (67 %) fail the packaged 80 % but pass the LMS's 60 %."""
    lms, page, errors = browser_page
    content_id = import_for(client, admin, teacher, hub_dir, "H5P.Blanks.h5p")
    lms.install_package(export(client, teacher.headers, content_id, version, 80))
    frame = lms.launch(page, version, preset)
    answer_blanks(frame)
    frame.wait_for_timeout(300)
    lms.unload_sco(page)
    cmi = lms.received(page)
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "passed"
    else:
        assert cmi["success_status"] == "passed"
    assert errors == []


def test_scorm12_state_longer_than_4096_characters_is_not_sent_and_the_rest_is_reported(
    client, admin, teacher, hub_dir, browser_page
):
    lms, page, errors = browser_page
    content_id = import_for(client, admin, teacher, hub_dir, "H5P.Blanks.h5p")
    lms.install_package(export(client, teacher.headers, content_id, "1.2", 80))
    frame = lms.launch(page, "1.2")
    inputs = frame.locator("input.h5p-text-input")
    inputs.nth(0).fill("blue")
    inputs.nth(1).fill("Cloud")
    inputs.nth(1).press("Tab")
    frame.evaluate("window.LearnLoopScormBridge.finish()")  # what unload does
    short_state = lms.received(page)["suspend_data"]
    assert short_state
    frame.wait_for_timeout(100)

    frame2 = lms.launch(page, "1.2", {"cmi": {"suspend_data": short_state}})
    frame2.locator("input.h5p-text-input").nth(2).fill("x" * 5000)
    frame2.locator("input.h5p-text-input").nth(2).press("Tab")
    frame2.wait_for_timeout(300)
    refused = frame2.evaluate("window.LearnLoopScormBridge.errors")
    assert {"element": "cmi.suspend_data", "code": "too-long"}.items() <= refused[0].items()
    assert refused[0]["length"] > 4096
    lms.unload_sco(page)
    cmi = lms.received(page)
    assert cmi["suspend_data"] == short_state
    assert cmi["core"]["lesson_status"] == "failed"
    assert cmi["core"]["score"]["raw"] == "66.67"
    assert cmi["core"]["exit"] == "suspend"
    assert errors == []
