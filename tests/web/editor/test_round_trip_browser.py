"""Opening existing content in the editor and saving it without a change keeps it as it was.

Every hub package in ../shared/fixtures/h5p/hub is imported by a teacher (its libraries
installed by the admin first), opened at /h5p/editor/{id} in headless Chromium and saved
as it is; ``GET /h5p/edit/{id}`` then returns the same library, params and metadata as
before. Each type's form also passes axe-core (no serious or critical violation) and loads
without a JavaScript error. A type the editor cannot edit must say so instead of showing a
form; the hub fixtures hold none, which the test notes by checking the libraries list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES_DIR
from tests.web.editor.conftest import (
    DESKTOP,
    TEACHER,
    EditorSite,
    OpenPage,
    stored_content,
)

pytestmark = pytest.mark.browser

HUB = FIXTURES_DIR / "h5p" / "hub"
EDITOR_PACKAGES = sorted(package.stem for package in HUB.glob("*.h5p"))


@pytest.fixture(scope="module")
def imported(editor_site: EditorSite, fixtures_dir: Path) -> dict[str, str]:
    """Content id per hub package, imported by the teacher."""
    content: dict[str, str] = {}
    with editor_site.api(TEACHER) as http:
        for name in editor_site.packages:
            package = fixtures_dir / "h5p" / "hub" / f"{name}.h5p"
            with package.open("rb") as handle:
                response = http.post(
                    "/h5p/import", files={"h5p": (package.name, handle, "application/zip")}
                )
            assert response.status_code == 201, (name, response.text)
            content[name] = response.json()["data"]["contentId"]
    return content


@pytest.fixture(scope="module")
def editable(editor_site: EditorSite) -> dict[str, dict[str, Any]]:
    """The editor's libraries list, by machine name."""
    with editor_site.api(TEACHER) as http:
        response = http.get("/h5p/ajax", params={"action": "libraries"})
    assert response.status_code == 200, response.text
    return {library["machineName"]: library for library in response.json()["data"]}


def test_the_hub_fixtures_are_found() -> None:
    assert len(EDITOR_PACKAGES) >= 17, HUB


@pytest.mark.parametrize("name", EDITOR_PACKAGES)
def test_saving_unchanged_keeps_the_content_identical(
    editor_site: EditorSite,
    open_page: OpenPage,
    imported: dict[str, str],
    editable: dict[str, dict[str, Any]],
    name: str,
) -> None:
    content_id = imported[name]
    before = stored_content(editor_site, content_id)
    library = editable[name]
    view = open_page(TEACHER, DESKTOP, f"round-trip-{name}")
    page = view.page
    view.goto(f"/h5p/editor/{content_id}")
    if not library["editable"]:
        # Never a broken form: the page names the reason and the way in (import/export).
        view.page.get_by_text(library["notEditableReason"]).wait_for()
        return
    view.wait_for_editor()
    # Sub-content forms and media previews load after the form is ready.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Save", exact=True).click()
    view.wait_for_editor("saved")
    after = stored_content(editor_site, content_id)
    assert after["library"] == before["library"]
    assert after["params"] == before["params"]
    # H5P's editor writes the metadata's defaultLanguage on save (its metadata form) when
    # the package had none; everything the package brought stays as it was.
    metadata = dict(after["metadata"])
    if "defaultLanguage" not in before["metadata"]:
        metadata.pop("defaultLanguage", None)
    assert metadata == before["metadata"]
    view.check(f"{name}-saved")
