"""The editor's form engine (static/editor/engine.js) in headless Chromium against a live
server: the content-type picker, a MultiChoice and a QuestionSet built through the form
and saved (checked against the stored params), client-side validation that saves nothing,
a server-side refusal shown at its field, the unsaved-change guard, and axe-core on the
picker and the form at desktop and phone size.

Every page fails its test on a JavaScript error, an unexpected failed request or a
request to any other host (see conftest.EditorPage).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Locator, expect

from tests.web.editor.conftest import (
    PHONE,
    EditorPage,
    EditorSite,
    OpenPage,
    content_ids,
    stored_content,
)

pytestmark = pytest.mark.browser

HUB = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "h5p" / "hub"
# Every hub fixture: the round trip test opens and saves each one.
EDITOR_PACKAGES = sorted(path.stem for path in HUB.glob("*.h5p"))


def text_of(html: str) -> str:
    """The words of a rich-text value (the html widget may wrap them in <p> or <div>)."""
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def open_new(view: EditorPage, title: str) -> None:
    """From the picker, open the form of the content type called ``title``."""
    view.goto("/h5p/editor/new")
    view.wait_for_editor()
    # The icons finish loading first: leaving the page would abort them.
    view.page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    links = view.page.locator("#type-list a")
    links.filter(has=view.page.get_by_text(title, exact=True)).click()
    view.wait_for_editor()


def answers(view: EditorPage) -> Locator:
    return view.page.get_by_role("region", name="Available options").locator(".ll-list-item")


def saved_id(view: EditorPage) -> str:
    view.wait_for_editor("saved")
    content_id = view.page.locator("#learnloop-editor").get_attribute("data-content-id")
    assert content_id
    return content_id


def test_picker_lists_installed_types_with_search(
    editor_site: EditorSite, open_page: OpenPage
) -> None:
    for view in (open_page(label="desktop"), open_page(viewport=PHONE, label="phone")):
        view.goto("/h5p/editor/new")
        view.wait_for_editor()
        types = view.page.locator("#type-list li")
        titles = types.all_inner_texts()
        assert any("Multiple Choice" in title for title in titles), titles
        assert any("Question Set" in title or "Quiz" in title for title in titles), titles
        assert any("True/False" in title for title in titles), titles
        # Sub-content libraries that are not runnable (H5P.Image's runnable is 0? no: it is
        # runnable) - at least the three main types; nothing not installed.
        assert not any("Course Presentation" in title for title in titles)
        view.check("picker")
        view.page.get_by_label("Search content types").fill("true")
        expect(view.page.locator("#type-list li:visible")).to_have_count(1)
        assert "True/False" in view.page.locator("#type-list li:visible").inner_text()
        view.page.get_by_label("Search content types").fill("no such type at all")
        expect(view.page.get_by_text("No content type matches this search.")).to_be_visible()
        view.check("picker-searched")


def test_multichoice_from_scratch_add_remove_reorder_and_save(
    editor_site: EditorSite, teacher_page: EditorPage
) -> None:
    view = teacher_page
    page = view.page
    before = set(content_ids(editor_site))
    open_new(view, "Multiple Choice")
    view.check("multichoice-new")
    page.get_by_role("textbox", name="Title", exact=True).fill("Sky colours")
    page.get_by_role("textbox", name="Question", exact=True).fill("Which colour is the sky?")
    items = answers(view)
    expect(items).to_have_count(2)  # the list's defaultNum
    items.nth(0).get_by_role("textbox", name="Text", exact=True).fill("Blue")
    items.nth(1).get_by_role("textbox", name="Text", exact=True).fill("Green")
    page.get_by_role("button", name="Add option").click()
    expect(items).to_have_count(3)
    items.nth(2).get_by_role("textbox", name="Text", exact=True).fill("Red")
    # Remove "Green", then move "Red" above "Blue" with the keyboard.
    page.get_by_role("button", name="Remove option 2").click()
    expect(items).to_have_count(2)
    page.get_by_role("button", name="Move option 2 up").focus()
    page.keyboard.press("Enter")
    expect(items.nth(0).get_by_role("textbox", name="Text", exact=True)).to_have_text("Red")
    # The moved item's own button keeps the focus ("Move option 1 down" now).
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused == "Move option 1 down", focused
    items.nth(1).get_by_role("checkbox", name="Correct", exact=True).check()
    # Metadata: license with its version, one author. "Undisclosed" has no versions, and
    # the media's sub-content title shows only once a media type is chosen.
    expect(page.get_by_role("combobox", name="License version")).to_be_hidden()
    expect(page.get_by_role("textbox", name="Title of this part")).to_be_hidden()
    page.get_by_role("combobox", name="License", exact=True).select_option("1")  # CC BY
    expect(page.get_by_role("combobox", name="License version")).to_be_visible()
    page.get_by_role("combobox", name="License version").select_option("3.0")
    page.get_by_role("button", name="Add author").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("Ada Lovelace")
    page.get_by_role("combobox", name="Role").select_option(label="Editor")
    view.check("multichoice-filled")
    page.get_by_role("button", name="Save", exact=True).click()
    content_id = saved_id(view)
    assert set(content_ids(editor_site)) == before | {content_id}
    status = page.locator("#editor-status")
    expect(status).to_contain_text("Saved.")
    assert status.get_by_role("link", name="Play it").get_attribute("href") == f"/play/{content_id}"
    assert (
        status.get_by_role("link", name="Back to the library").get_attribute("href") == "/library"
    )
    assert page.url.endswith(f"/h5p/editor/{content_id}")

    stored = stored_content(editor_site, content_id)
    assert stored["library"].startswith("H5P.MultiChoice 1.")
    assert stored["metadata"]["title"] == "Sky colours"
    assert stored["metadata"]["license"] == "CC BY"
    assert stored["metadata"]["licenseVersion"] == "3.0"
    assert stored["metadata"]["authors"] == [{"name": "Ada Lovelace", "role": "Editor"}]
    params = stored["params"]
    assert text_of(params["question"]) == "Which colour is the sky?"
    assert [(text_of(a["text"]), a["correct"]) for a in params["answers"]] == [
        ("Red", False),
        ("Blue", True),
    ]
    # Defaults of new content are filled in (semantics' default values).
    assert params["behaviour"]["enableRetry"] is True
    assert params["UI"]["checkAnswerButton"] == "Check"
    view.check("multichoice-saved")

    # Opened again and saved without a change: the stored params stay identical.
    view.goto(f"/h5p/editor/{content_id}")
    view.wait_for_editor()
    expect(answers(view)).to_have_count(2)
    page.get_by_role("button", name="Save", exact=True).click()
    view.wait_for_editor("saved")
    again = stored_content(editor_site, content_id)
    assert again["params"] == params
    assert again["metadata"]["title"] == "Sky colours"


def test_questionset_with_two_nested_questions(
    editor_site: EditorSite, teacher_page: EditorPage
) -> None:
    view = teacher_page
    page = view.page
    open_new(view, "Question Set")
    page.get_by_role("textbox", name="Title", exact=True).fill("Two questions")
    questions = page.get_by_role("region", name="Questions").locator(":scope > ol > li")
    expect(questions).to_have_count(1)
    first = questions.nth(0)
    first.get_by_role("combobox", name="Question type").select_option(label="Multiple Choice")
    first.get_by_role("textbox", name="Question", exact=True).fill("Pick the even number")
    nested = first.get_by_role("region", name="Available options").locator(".ll-list-item")
    expect(nested).to_have_count(2)
    nested.nth(0).get_by_role("textbox", name="Text", exact=True).fill("Two")
    nested.nth(0).get_by_role("checkbox", name="Correct", exact=True).check()
    nested.nth(1).get_by_role("textbox", name="Text", exact=True).fill("Three")
    page.get_by_role("button", name="Add question").click()
    expect(questions).to_have_count(2)
    second = questions.nth(1)
    second.get_by_role("combobox", name="Question type").select_option(label="True/False Question")
    second.get_by_role("textbox", name="Question", exact=True).fill("The sun is a star")
    second.get_by_role("radio", name="True").check()
    view.check("questionset-filled")
    page.get_by_role("button", name="Save", exact=True).click()
    content_id = saved_id(view)

    params = stored_content(editor_site, content_id)["params"]
    first_q, second_q = params["questions"]
    assert first_q["library"].startswith("H5P.MultiChoice 1.")
    assert text_of(first_q["params"]["question"]) == "Pick the even number"
    assert [(text_of(a["text"]), a["correct"]) for a in first_q["params"]["answers"]] == [
        ("Two", True),
        ("Three", False),
    ]
    assert second_q["library"].startswith("H5P.TrueFalse 1.")
    assert text_of(second_q["params"]["question"]) == "The sun is a star"
    assert second_q["params"]["correct"] == "true"
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    for question, content_type in ((first_q, "Multiple Choice"), (second_q, "True/False Question")):
        assert uuid.match(question["subContentId"]), question
        assert question["metadata"]["license"] == "U"
        assert question["metadata"]["contentType"] == content_type

    # Reopened: the sub-content keeps its subContentId and metadata on a save without change.
    view.goto(f"/h5p/editor/{content_id}")
    view.wait_for_editor()
    page.get_by_role("button", name="Save", exact=True).click()
    view.wait_for_editor("saved")
    assert stored_content(editor_site, content_id)["params"] == params


def test_show_when_and_common_fields(editor_site: EditorSite, teacher_page: EditorPage) -> None:
    view = teacher_page
    page = view.page
    open_new(view, "Question Set")
    page.get_by_role("textbox", name="Title", exact=True).fill("Shared texts")
    questions = page.get_by_role("region", name="Questions").locator(":scope > ol > li")
    page.get_by_role("button", name="Add question").click()
    expect(questions).to_have_count(2)
    for index, (right, wrong) in enumerate((("Yes", "No"), ("Up", "Down"))):
        question = questions.nth(index)
        question.get_by_role("combobox", name="Question type").select_option(
            label="Multiple Choice"
        )
        question.get_by_role("textbox", name="Question", exact=True).fill(f"Question {index}")
        options = question.get_by_role("region", name="Available options").locator(".ll-list-item")
        options.nth(0).get_by_role("textbox", name="Text", exact=True).fill(right)
        options.nth(0).get_by_role("checkbox", name="Correct", exact=True).check()
        options.nth(1).get_by_role("textbox", name="Text", exact=True).fill(wrong)
    # showWhen: "Disable image zooming" shows only once the media type is an image.
    first = questions.nth(0)
    zooming = first.get_by_role("checkbox", name="Disable image zooming")
    expect(zooming).to_be_hidden()
    first.get_by_role("combobox", name=re.compile(r"^Type \(optional\)$")).select_option(
        label="Image"
    )
    expect(zooming).to_be_visible()
    first.get_by_role("combobox", name=re.compile(r"^Type \(optional\)$")).select_option(index=0)
    expect(zooming).to_be_hidden()
    # Common fields: one "Settings and texts" section per library, shared by both questions.
    sections = page.locator("details.ll-common", has_text="Settings and texts: Multiple Choice")
    expect(sections).to_have_count(1)
    sections.locator(":scope > summary").click()
    sections.get_by_role("textbox", name="Check answer button label").fill("Submit")
    view.check("common-fields")
    page.get_by_role("button", name="Save", exact=True).click()
    content_id = saved_id(view)
    stored = stored_content(editor_site, content_id)["params"]["questions"]
    assert [q["params"]["UI"]["checkAnswerButton"] for q in stored] == ["Submit", "Submit"]
    # An untouched common text keeps its default in both.
    assert [q["params"]["UI"]["showSolutionButton"] for q in stored] == ["Show solution"] * 2
    assert all("media" not in q["params"] or "type" not in q["params"]["media"] for q in stored)


def test_client_validation_shows_errors_and_saves_nothing(
    editor_site: EditorSite, teacher_page: EditorPage
) -> None:
    view = teacher_page
    page = view.page
    before = content_ids(editor_site)
    open_new(view, "True/False Question")
    title = page.get_by_role("textbox", name="Title", exact=True)
    title.fill("x" * 300)  # the metadata title allows 255 characters
    saves: list[str] = []
    page.on(
        "request",
        lambda r: (
            saves.append(r.url) if r.method in ("POST", "PUT") and "/h5p/content" in r.url else None
        ),
    )
    page.get_by_role("button", name="Save", exact=True).click()
    view.wait_for_editor("invalid")
    expect(page.locator("#editor-status")).to_contain_text("fix the marked fields")
    assert page.locator("#editor-status").get_attribute("role") == "alert"
    # The title is too long and the question (required) is empty; the first gets focus.
    expect(title).to_have_attribute("aria-invalid", "true")
    errors_id = (title.get_attribute("aria-describedby") or "").split()[-1]
    assert "at most 255 characters" in page.locator(f"#{errors_id}").inner_text()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-invalid')") == "true"
    question = page.get_by_role("textbox", name="Question", exact=True)
    expect(question).to_have_attribute("aria-invalid", "true")
    view.check("validation-errors")
    assert saves == []
    assert content_ids(editor_site) == before

    # Fixed, it saves.
    title.fill("A fact")
    question.fill("Water boils at 100 °C at sea level")
    page.get_by_role("button", name="Save", exact=True).click()
    content_id = saved_id(view)
    expect(title).not_to_have_attribute("aria-invalid", "true")
    assert stored_content(editor_site, content_id)["metadata"]["title"] == "A fact"


def test_server_refusal_is_shown_at_its_field(
    editor_site: EditorSite, teacher_page: EditorPage
) -> None:
    view = teacher_page
    page = view.page
    before = content_ids(editor_site)
    open_new(view, "Multiple Choice")
    page.get_by_role("textbox", name="Title", exact=True).fill("Refused")
    page.get_by_role("textbox", name="Question", exact=True).fill("Anything")
    items = answers(view)
    items.nth(0).get_by_role("textbox", name="Text", exact=True).fill("One")
    items.nth(1).get_by_role("textbox", name="Text", exact=True).fill("Two")
    percentage = page.get_by_role("textbox", name="Pass percentage")
    percentage.fill("a lot")
    # The page's hook turns client validation off, so the server's filter answers.
    page.evaluate("() => window.LearnLoopEditor.setClientValidation(false)")
    with view.expecting_errors("/h5p/content"):
        page.get_by_role("button", name="Save", exact=True).click()
        view.wait_for_editor("invalid")
    expect(page.locator("#editor-status")).to_contain_text("not saved")
    expect(percentage).to_have_attribute("aria-invalid", "true")
    errors_id = (percentage.get_attribute("aria-describedby") or "").split()[-1]
    assert "number" in page.locator(f"#{errors_id}").inner_text()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-invalid')") == "true"
    assert content_ids(editor_site) == before
    view.problems = [p for p in view.problems if "/h5p/content" not in p]
    view.check("server-refusal")


def test_unsaved_changes_guard(editor_site: EditorSite, teacher_page: EditorPage) -> None:
    view = teacher_page
    page = view.page
    open_new(view, "True/False Question")
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    # Nothing typed yet: leaving asks nothing.
    assert page.evaluate("() => window.LearnLoopEditor.current.dirty") is False
    page.get_by_role("textbox", name="Title", exact=True).fill("Unsaved")
    assert page.evaluate("() => window.LearnLoopEditor.current.dirty") is True
    page.get_by_role("textbox", name="Title", exact=True).click()  # a user gesture
    with pytest.raises(Exception):  # noqa: B017 - the navigation is cancelled
        page.goto(f"{editor_site.base_url}/library", timeout=5_000)
    assert dialogs == ["beforeunload"]
    assert "/h5p/editor/new" in page.url


def test_forms_pass_axe_at_phone_size(
    editor_site: EditorSite, teacher_phone_page: EditorPage
) -> None:
    view = teacher_phone_page
    open_new(view, "Multiple Choice")
    view.check("multichoice-form")
    open_new(view, "Question Set")
    view.page.get_by_role("combobox", name="Question type").select_option(label="Multiple Choice")
    view.wait_for_editor()
    view.page.get_by_role("region", name="Available options").wait_for()
    view.check("questionset-form")


@pytest.mark.parametrize("package", EDITOR_PACKAGES)
def test_hub_content_opened_and_saved_unchanged_keeps_identical_params(
    editor_site: EditorSite, teacher_page: EditorPage, package: str
) -> None:
    """ROUND TRIP RULE (engine.js): every built-in and registered widget returns what it
    was given when the teacher changes nothing."""
    with editor_site.api() as client, (HUB / f"{package}.h5p").open("rb") as handle:
        response = client.post(
            "/h5p/import", files={"h5p": (f"{package}.h5p", handle, "application/zip")}
        )
    assert response.status_code == 201, response.text
    content_id = response.json()["data"]["contentId"]
    before = stored_content(editor_site, content_id)
    view = teacher_page
    view.goto(f"/h5p/editor/{content_id}")
    view.page.wait_for_function(
        "() => ['ready', 'error'].includes(document.getElementById('learnloop-editor').dataset.state)",
        timeout=30_000,
    )
    if view.page.locator("#learnloop-editor").get_attribute("data-state") == "error":
        # Only a type that needs a visual editor LearnLoop lacks may refuse, and says why.
        expect(view.page.locator("#learnloop-editor")).to_contain_text("cannot be edited here")
        return
    assert view.page.evaluate("() => window.LearnLoopEditor.current.dirty") is False
    view.page.get_by_role("button", name="Save", exact=True).click()
    view.wait_for_editor("saved")
    after = stored_content(editor_site, content_id)
    assert after["params"] == before["params"]
    assert after["library"] == before["library"]
    assert after["metadata"]["title"] == before["metadata"]["title"]
    assert view.problems == [], view.problems
