"""The editor pages through HTTP (the form itself is driven in test_engine_browser.py):
who may open /h5p/editor/new and /h5p/editor/{id}, what the page hands the engine, its
headers, the allow-listed editor assets and the library's links to the editor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, MakeAccount
from tests.web.test_pages import PACKAGE, _import


@pytest.fixture
def content_id(client: TestClient, admin: Account, teacher: Account, fixtures_dir: Path) -> str:
    package = fixtures_dir / "h5p" / "hub" / PACKAGE
    _import(client, admin, package)  # an admin installs the libraries first
    return _import(client, teacher, package)


def _visibility(client: TestClient, owner: Account, content_id: str, visibility: str) -> None:
    response = client.patch(
        f"/h5p/content/{content_id}/visibility",
        headers=owner.headers,
        json={"visibility": visibility},
    )
    assert response.status_code == 200, response.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, content_id: str) -> None:
    client.cookies.clear()
    for path in ("/h5p/editor/new", f"/h5p/editor/{content_id}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=%2Fh5p%2Feditor%2F")


def test_learners_are_refused(signed_in: Any, learner: Account, content_id: str) -> None:
    browser = signed_in(learner)
    for path in ("/h5p/editor/new", f"/h5p/editor/{content_id}"):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "Not allowed" in response.text
        assert "engine.js" not in response.text


def test_teacher_opens_the_picker_and_own_content(
    signed_in: Any, teacher: Account, content_id: str
) -> None:
    browser = signed_in(teacher)
    new = browser.get("/h5p/editor/new")
    assert new.status_code == 200
    assert 'id="learnloop-editor"' in new.text
    assert 'data-content-id=""' in new.text
    assert '<script src="/assets/static/editor/engine.js"></script>' in new.text
    assert f'<meta name="csrf-token" content="{browser.csrf}">' in new.text
    policy = new.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "media-src 'self' data: blob:" in policy
    assert "unsafe-inline" not in policy

    edit = browser.get(f"/h5p/editor/{content_id}")
    assert edit.status_code == 200
    assert f'data-content-id="{content_id}"' in edit.text
    assert "Edit: " in edit.text


def test_other_teachers_content_is_refused(
    client: TestClient,
    signed_in: Any,
    teacher: Account,
    admin: Account,
    make_account: MakeAccount,
    content_id: str,
) -> None:
    from learnloop.auth.models import Role

    other = signed_in(make_account(Role.TEACHER))
    _visibility(client, teacher, content_id, "public")
    assert other.get(f"/h5p/editor/{content_id}").status_code == 403
    # Private content of someone else does not exist for them (as on the content API).
    _visibility(client, teacher, content_id, "private")
    assert other.get(f"/h5p/editor/{content_id}").status_code == 404
    # An admin sees it exists but edits only their own content, as PUT /h5p/content does.
    assert signed_in(admin).get(f"/h5p/editor/{content_id}").status_code == 403
    assert other.get("/h5p/editor/new").status_code == 200


def test_unknown_and_malformed_content_ids(signed_in: Any, teacher: Account) -> None:
    browser = signed_in(teacher)
    missing = browser.get("/h5p/editor/no-such-content")
    assert missing.status_code == 404
    assert "Not found" in missing.text
    assert browser.get("/h5p/editor/bad%20id!").status_code == 400
    assert browser.get("/h5p/editor/new?language=<script>").status_code == 400


def test_editor_assets_are_served_from_the_allow_list(client: TestClient) -> None:
    for name, media_type in (
        ("editor/engine.js", "text/javascript"),
        ("editor/editor.css", "text/css"),
    ):
        response = client.get(f"/assets/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "window.LearnLoopEditor" in client.get("/assets/static/editor/engine.js").text
    for name in (
        "editor/richtext-entry.js",  # the bundle's source is not served
        "editor/%2e%2e/app.js",  # a dot segment the client does not resolve
        "editor/..%2fapp.js",
        "editor/nothing.js",
        "editor",
    ):
        assert client.get(f"/assets/static/{name}").status_code == 404, name
    assert client.get("/assets/static/app.js").status_code == 200


def test_library_links_to_the_editor(signed_in: Any, teacher: Account, content_id: str) -> None:
    browser = signed_in(teacher)
    listing = browser.get("/library")
    assert '<a class="button" href="/h5p/editor/new" id="new-content">New content</a>' in (
        listing.text
    )
    detail = browser.get(f"/library/{content_id}")
    assert f'href="/h5p/editor/{content_id}" id="edit-content">Edit</a>' in detail.text
