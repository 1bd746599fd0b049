"""Uploaded files: always sandboxed, and moved to LEARNLOOP_FILES_BASE_URL when it is set."""

from __future__ import annotations

import pytest

from tests.cmi5.course_files import Au, course_xml, course_zip
from tests.h5p.conftest import teacher_import
from tests.h5p.test_media import upload

FILES_ORIGIN = "http://files.example.test"
FILES_HOST = {"host": "files.example.test"}
LIBRARY_JS = "/h5p/libraries/H5P.GreetingCard-1.0/greetingcard.js"


@pytest.fixture
def greeting(client, admin, teacher, fixtures_dir):
    package = fixtures_dir / "h5p" / "validator" / "valid2.h5p"
    response = teacher_import(client, admin.headers, teacher.headers, package)
    assert response.status_code == 201, response.text
    return response.json()["data"]["contentId"]


@pytest.fixture
def course_id(client, admin):
    package = course_zip(
        course_xml([Au("https://example.test/au/1", "index.html")]),
        {"index.html": b"<!doctype html><p>AU</p>"},
    )
    response = client.post(
        "/api/cmi5/courses",
        headers=admin.headers,
        files={"file": ("course.zip", package, "application/zip")},
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def _grant_url(client, content_id, headers) -> str:
    model = client.get(f"/h5p/play/{content_id}", headers=headers).json()["data"]
    return str(model["integration"]["contents"][f"cid-{content_id}"]["contentUrl"])


def _file_urls(client, teacher, greeting, course_id) -> list[tuple[str, dict[str, str]]]:
    uploaded = upload(client, teacher.headers)
    assert uploaded.status_code == 201, uploaded.text
    return [
        (LIBRARY_JS, {}),
        (f"/h5p/content/{greeting}/earth.jpg", teacher.headers),
        (uploaded.json()["data"]["url"], teacher.headers),
        (f"{_grant_url(client, greeting, teacher.headers)}/earth.jpg", {}),
        (f"/cmi5/courses/{course_id}/files/index.html", {}),
    ]


def test_every_uploaded_file_route_is_sandboxed_without_same_origin(
    client, teacher, greeting, course_id
):
    for url, headers in _file_urls(client, teacher, greeting, course_id):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        policy = response.headers["content-security-policy"]
        assert policy.startswith("sandbox"), url
        assert "allow-same-origin" not in policy, url
        assert response.headers["x-content-type-options"] == "nosniff", url


def test_only_au_pages_may_run_script_in_their_sandbox(client, teacher, greeting, course_id):
    au = client.get(f"/cmi5/courses/{course_id}/files/index.html")
    library = client.get(LIBRARY_JS)
    assert "allow-scripts" in au.headers["content-security-policy"]
    assert "allow-scripts" not in library.headers["content-security-policy"]


def test_with_a_files_origin_file_routes_on_the_app_host_redirect_there(
    client, settings, teacher, greeting, course_id
):
    urls = _file_urls(client, teacher, greeting, course_id)
    settings.files_base_url = FILES_ORIGIN + "/"

    for url, headers in urls:
        moved = client.get(url, headers=headers, follow_redirects=False)
        assert moved.status_code == 307, url
        assert moved.headers["location"] == f"{FILES_ORIGIN}{url}", url
        served = client.get(url, headers={**headers, **FILES_HOST}, follow_redirects=False)
        assert served.status_code == 200, url
        assert served.headers["content-security-policy"].startswith("sandbox"), url


def test_with_a_files_origin_the_player_loads_library_and_content_files_from_it(
    client, settings, teacher, greeting
):
    settings.files_base_url = FILES_ORIGIN

    model = client.get(f"/h5p/play/{greeting}", headers=teacher.headers).json()["data"]
    integration = model["integration"]
    assert integration["urlLibraries"] == f"{FILES_ORIGIN}/h5p/libraries"
    assert integration["contents"][f"cid-{greeting}"]["contentUrl"].startswith(
        f"{FILES_ORIGIN}/h5p/play-files/{greeting}/"
    )
    library_scripts = [url for url in model["scripts"] if "/libraries/" in url]
    assert library_scripts and all(url.startswith(FILES_ORIGIN) for url in library_scripts)

    page = client.get(f"/h5p/embed/{greeting}", params={"token": teacher.token})
    assert page.status_code == 200
    assert f'<script src="{FILES_ORIGIN}/h5p/libraries/' in page.text
    policy = page.headers["content-security-policy"]
    assert f"script-src 'self' {FILES_ORIGIN} " in policy
    assert "sandbox" not in policy  # the player page is ours and runs the trusted core


def test_without_a_files_origin_nothing_redirects(client, teacher, greeting):
    assert client.get(LIBRARY_JS, follow_redirects=False).status_code == 200
