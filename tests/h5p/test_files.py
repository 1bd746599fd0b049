"""Library, content and temp files served with byte ranges, types and caching headers."""

from __future__ import annotations

import pytest

from learnloop.errors import AppError
from learnloop.h5p.files import ByteRange, content_type_for, parse_range

JS = "/h5p/libraries/H5P.GreetingCard-1.0/greetingcard.js"


@pytest.fixture
def greeting(client, admin, teacher, validator_dir, storage):
    from tests.h5p.conftest import teacher_import

    response = teacher_import(client, admin.headers, teacher.headers, validator_dir / "valid2.h5p")
    return response.json()["data"]["contentId"]


def test_library_files_are_public_immutable_and_typed(client, greeting, storage):
    response = client.get(JS)

    assert response.status_code == 200
    assert response.content == storage.get_bytes("libraries/H5P.GreetingCard-1.0/greetingcard.js")
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    # Uploaded by someone: opened directly it runs nothing (learnloop/files_origin.py).
    assert response.headers["content-security-policy"] == "sandbox; frame-ancestors *"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["accept-ranges"] == "bytes"


def test_byte_ranges_are_served_for_seeking(client, greeting, storage):
    whole = storage.get_bytes("libraries/H5P.GreetingCard-1.0/greetingcard.js")
    size = len(whole)

    first = client.get(JS, headers={"Range": "bytes=0-9"})
    assert first.status_code == 206
    assert first.content == whole[:10]
    assert first.headers["content-range"] == f"bytes 0-9/{size}"
    assert first.headers["content-length"] == "10"

    tail = client.get(JS, headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == whole[-5:]
    open_ended = client.get(JS, headers={"Range": f"bytes={size - 3}-"})
    assert open_ended.content == whole[-3:]

    beyond = client.get(JS, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


def test_head_reports_length_without_a_body(client, greeting, storage):
    response = client.head(JS)
    assert response.status_code == 200
    assert response.headers["content-length"] == str(
        storage.size("libraries/H5P.GreetingCard-1.0/greetingcard.js")
    )
    assert response.content == b""


def test_content_files_need_a_reader_and_are_not_cached_publicly(
    client, teacher, learner, greeting
):
    url = f"/h5p/content/{greeting}/earth.jpg"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=learner.headers).status_code == 404  # private content
    response = client.get(url, headers=teacher.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["content-security-policy"] == "sandbox; frame-ancestors *"
    assert "access-control-allow-origin" not in response.headers


def test_missing_and_escaping_paths_are_not_served(client, teacher, greeting):
    assert client.get("/h5p/libraries/H5P.GreetingCard-1.0/nope.js").status_code == 404
    assert client.get("/h5p/libraries/../../etc/passwd").status_code in (400, 404)
    assert client.get("/h5p/libraries/H5P.GreetingCard-1.0/%2e%2e/%2e%2e/x").status_code in (
        400,
        404,
    )


def test_json_api_responses_under_h5p_may_be_framed(client, learner):
    response = client.get("/h5p/libraries", headers=learner.headers)
    assert response.headers["content-security-policy"] == "frame-ancestors *"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" not in client.get(
        "/api/plans/me", headers=learner.headers
    ).headers.get("content-security-policy", "")


def test_range_parsing_rules():
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-0", 100) == ByteRange(0, 0)
    assert parse_range("bytes=90-200", 100) == ByteRange(90, 99)
    assert parse_range("bytes=-200", 100) == ByteRange(0, 99)
    assert parse_range("bytes=0-1,5-6", 100) is None  # several ranges: whole file
    assert parse_range("items=0-1", 100) is None
    with pytest.raises(AppError):
        parse_range("bytes=5-1", 100)
    with pytest.raises(AppError):
        parse_range("bytes=-0", 100)


def test_content_types():
    assert content_type_for("a/b.css") == "text/css; charset=utf-8"
    assert content_type_for("a/b.woff2") == "font/woff2"
    assert content_type_for("a/b.mp4") == "video/mp4"
    assert content_type_for("a/b.svg") == "image/svg+xml"
    assert content_type_for("a/b.html") == "text/plain; charset=utf-8"
    assert content_type_for("a/noextension") == "application/octet-stream"
