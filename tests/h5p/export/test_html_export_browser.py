"""The offline HTML folder plays from disk (file://) with no request leaving the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.h5p.export.conftest import import_for, unpack, zip_entries
from tests.support.browser import chromium

ALLOWED_SCHEMES = ("data:", "blob:", "about:")


@pytest.mark.parametrize(
    ("package", "title"),
    [("H5P.MultiChoice.h5p", "Quiz: Ätna / 1"), ("H5P.DragText.h5p", "Drag")],
)
def test_html_folder_plays_from_file_url_without_leaving_the_folder(
    client, admin, teacher, hub_dir, tmp_path, session, package, title
):
    from learnloop.h5p.models import H5PContent

    content_id = import_for(client, admin, teacher, hub_dir, package)
    session.get(H5PContent, content_id).title = title
    session.flush()
    response = client.get(f"/h5p/content/{content_id}/export-html", headers=teacher.headers)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    stem = title.replace("Ä", "A").replace(":", "").replace("/", "")
    stem = " ".join(stem.split())
    assert disposition.startswith(f'attachment; filename="{stem}_html.zip"')
    entries = zip_entries(response.content)
    assert {name.split("/", 1)[0] for name in entries} == {stem}
    assert f"{stem}/index.html" in entries
    assert not any(name.endswith("imsmanifest.xml") for name in entries)

    folder = unpack(response.content, tmp_path / "unpacked") / stem
    folder_url = folder.resolve().as_uri() + "/"
    requests: list[str] = []
    errors: list[str] = []
    with chromium() as browser:
        context = browser.new_context()
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(folder_url + "index.html")
        page.locator(".h5p-content.h5p-initialized .h5p-question").wait_for()
        if package == "H5P.MultiChoice.h5p":
            page.get_by_role("radio", name="Very dark purple").click()
            page.locator(".h5p-question-check-answer").click()
            assert page.evaluate("H5P.instances[0].getScore()") == 1
            assert page.locator("img").first.evaluate("img => img.naturalWidth") > 0
        page.wait_for_timeout(500)
        context.close()
    assert requests, "the page made no requests at all"
    leaving = [
        url
        for url in requests
        if not url.startswith(folder_url) and not url.startswith(ALLOWED_SCHEMES)
    ]
    assert leaving == []
    assert failed == []
    assert errors == []
    # every script and style the page asked for exists in the folder
    for url in requests:
        if url.startswith(folder_url):
            assert (folder / Path(url.removeprefix(folder_url).split("?")[0])).is_file(), url
