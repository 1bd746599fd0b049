"""The editor's rich-text and media widgets (widget-html.js, widgets-media.js) in headless
Chromium inside the real editor page, saved through the real endpoints.

A teacher writes a MultiChoice question: the rich-text field offers only the tags its
semantics allow (bold yes, underline and links no), pasted markup outside them is reduced
to its text, and the stored HTML holds only allowed tags. The question's image is uploaded
through the image widget (preview shown) with its alternative text, and the save moves it
out of the temporary area. Checked with axe-core at desktop and phone size.
In an ImageHotspots text the link button takes http, https and mailto addresses only: a
javascript: address is refused at the field and a web address is stored as the link.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.editor.conftest import DESKTOP, PHONE, TEACHER, OpenPage
from tests.web.editor.test_visual_editors_browser import (
    EDITOR_PACKAGES,
    IMAGEHOTSPOTS,
    Site,
    _hotspot_text,
    open_editor,
    png,
    save,
    site,
    stored_params,
)

# The shared editor_site fixture (conftest) installs EDITOR_PACKAGES; `site` adds the LRS
# client and the learner's id.
__all__ = ["EDITOR_PACKAGES", "site"]

pytestmark = pytest.mark.browser

MULTICHOICE = "H5P.MultiChoice"
PASTED = (
    "<p>Think <u>carefully</u> about <a href='https://example.test/'>the sum</a>"
    "<script>window.pwned = 1</script></p>"
    "<table><tbody><tr><td>two</td><td>plus two</td></tr></tbody></table>"
)
PASTE = """([selector, html]) => {
  const target = document.querySelector(selector);
  target.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', html.replace(/<[^>]+>/g, ' '));
  target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


QUESTION = "[data-path='question'][data-widget='html']"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_rich_text_keeps_to_its_tags_and_an_image_uploads_with_alt_text(
    site: Site, open_page: OpenPage, tmp_path: Path, phone: bool
) -> None:
    view = open_page(
        TEACHER, PHONE if phone else DESKTOP, "widgets-" + ("phone" if phone else "desktop")
    )
    page = view.page
    with site.api(site.teacher_token) as http:
        library = http.get("/h5p/ajax", params={"action": "libraries"}).json()["data"]
    uber = next(item["uberName"] for item in library if item["machineName"] == MULTICHOICE)
    open_editor(view, f"/h5p/editor/new?type={uber}")
    page.get_by_label("Title", exact=True).first.fill("Sums")

    question = QUESTION
    toolbar = page.locator(f"{question} [role='toolbar']")
    # Only the field's tags get buttons: strong, em, sub, sup, h2, h3, pre, code.
    names = toolbar.get_by_role("button").all_inner_texts()
    assert any("Bold" in name for name in names)
    assert not any("Underline" in name or "Link" in name for name in names), names
    editable = page.locator(f"{question} [contenteditable='true']")
    editable.click()
    page.keyboard.type("What is ")
    bold = toolbar.get_by_role("button", name="Bold")
    bold.click()
    assert bold.get_attribute("aria-pressed") == "true"
    page.keyboard.type("two plus two")
    bold.click()
    assert bold.get_attribute("aria-pressed") == "false"
    page.keyboard.type("? ")
    page.evaluate(PASTE, [f"{question} [contenteditable='true']", PASTED])
    assert page.evaluate("() => window.pwned") is None

    # The question's image: H5P.Image as the media sub-content.
    media = page.locator(".ll-library select").first
    page.wait_for_function("(select) => !select.disabled", arg=media.element_handle())
    media.select_option(label="Image")
    image = tmp_path / "sum.png"
    image.write_bytes(png(64, 48, (200, 40, 40)))
    upload = page.locator("[data-widget='image']").first
    upload.locator("input[type='file']").set_input_files(str(image))
    preview = upload.locator("img.ll-w-preview")
    preview.wait_for()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 64", arg=preview.element_handle()
    )
    page.get_by_label("Alternative text", exact=False).first.fill("Two red squares")

    # The two answers (the list starts with them); the first is correct.
    texts = page.locator("[data-path$='.text'][data-widget='html'] [contenteditable='true']")
    texts.nth(0).click()
    page.keyboard.type("4")
    texts.nth(1).click()
    page.keyboard.type("5")
    page.get_by_label("Correct").first.check()
    view.check("multichoice-form")

    content_id = save(view)
    params = stored_params(site, content_id)
    stored = params["question"]
    assert stored.startswith(
        "<p>What is <strong>two plus two</strong>? Think carefully about the sum"
    )
    for tag in ("<u>", "<a ", "<table", "<td", "<script"):
        assert tag not in stored, stored
    assert "plus two" in stored.split("</strong>")[1]
    file = params["media"]["type"]["params"]["file"]
    assert file["path"].startswith("images/") and not file["path"].endswith("#tmp")
    assert (file["mime"], file["width"], file["height"]) == ("image/png", 64, 48)
    assert params["media"]["type"]["params"]["alt"] == "Two red squares"
    assert [answer["correct"] for answer in params["answers"]] == [True, False]
    assert view.problems == []


def test_rich_text_links_take_only_web_and_mail_addresses(
    site: Site, open_page: OpenPage, tmp_path: Path
) -> None:
    view = open_page(TEACHER, DESKTOP, "widgets-links")
    page = view.page
    open_editor(view, f"/h5p/editor/new?type={IMAGEHOTSPOTS}")
    page.get_by_label("Title", exact=True).first.fill("Garden links")
    image = tmp_path / "garden.png"
    image.write_bytes(png(200, 100, (90, 140, 200)))
    page.locator("[data-path='image'] input[type='file']").set_input_files(str(image))
    surface = page.locator("[data-widget='imageCoordinateSelector'] .ll-ih-surface").first
    surface.locator("img.ll-ih-image").wait_for()
    surface.click(position={"x": 20, "y": 20})
    _hotspot_text(page, 0, "Visit the garden")

    text = page.locator("li:has([data-widget='imageCoordinateSelector'])").first.locator(
        "[data-widget='html']"
    )
    toolbar = text.locator("[role='toolbar']")
    # H5P.Text allows del and a but not u: strikethrough and link, no underline.
    assert toolbar.get_by_role("button", name="Strikethrough").count() == 1
    assert toolbar.get_by_role("button", name="Underline").count() == 0
    page.keyboard.press("Control+a")
    toolbar.get_by_role("button", name="Link").click()
    address = text.get_by_label("Link address (http, https or mailto)")
    address.fill("javascript:alert(1)")
    address.press("Enter")
    error = text.locator(".ll-w-linkform .ll-w-errors")
    assert error.is_visible() and "http" in error.inner_text()
    assert address.get_attribute("aria-invalid") == "true"
    address.fill("https://example.test/garden")
    address.press("Enter")
    assert not address.is_visible()
    assert toolbar.get_by_role("button", name="Link").get_attribute("aria-pressed") == "true"
    view.check("links")

    content_id = save(view)
    stored = stored_params(site, content_id)["hotspots"][0]["content"][0]["params"]["text"]
    assert stored == '<p><a href="https://example.test/garden">Visit the garden</a></p>'


def test_video_sources_take_a_web_address_and_refuse_other_schemes(
    site: Site, open_page: OpenPage, tmp_path: Path
) -> None:
    view = open_page(TEACHER, DESKTOP, "widgets-video")
    page = view.page
    open_editor(view, f"/h5p/editor/new?type={IMAGEHOTSPOTS}")
    page.get_by_label("Title", exact=True).first.fill("Garden video")
    image = tmp_path / "garden.png"
    image.write_bytes(png(200, 100, (90, 140, 200)))
    page.locator("[data-path='image'] input[type='file']").set_input_files(str(image))
    surface = page.locator("[data-widget='imageCoordinateSelector'] .ll-ih-surface").first
    surface.locator("img.ll-ih-image").wait_for()
    surface.click(position={"x": 30, "y": 30})
    hotspot = page.locator("li:has([data-widget='imageCoordinateSelector'])").first
    select = hotspot.locator(".ll-library select").first
    page.wait_for_function("(select) => !select.disabled", arg=select.element_handle())
    select.select_option("H5P.Video 1.5")
    video = hotspot.locator("[data-widget='video']").first
    video.wait_for()
    address = video.get_by_label("YouTube or other video URL")
    address.fill("javascript:alert(1)")
    video.get_by_role("button", name="Add", exact=True).click()
    assert "http" in video.locator(".ll-w-errors").inner_text()
    address.fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    video.get_by_role("button", name="Add", exact=True).click()
    video.get_by_role("link", name="https://www.youtube.com/watch?v=dQw4w9WgXcQ").wait_for()
    view.check("video-source")

    content_id = save(view)
    sources = stored_params(site, content_id)["hotspots"][0]["content"][0]["params"]["sources"]
    assert sources == [
        {"path": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "mime": "video/YouTube"}
    ]
