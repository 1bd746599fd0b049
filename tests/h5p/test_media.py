"""Media uploads (sniffed, allow-listed, per user) and attaching them to owned content."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from learnloop.h5p.media import sniff_type


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(client, headers, filename="diagram.png", data: bytes | None = None, **extra):
    body = {
        "filename": filename,
        "data": base64.b64encode(png_bytes() if data is None else data).decode(),
        **extra,
    }
    return client.post("/h5p/media/upload", headers=headers, json=body)


def test_upload_stores_in_the_callers_temp_area(client, teacher, storage):
    response = upload(client, teacher.headers, contentType="image/png")

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data == {
        "url": f"/h5p/temp/{teacher.id}/diagram.png",
        "filename": "diagram.png",
        "size": len(png_bytes()),
        "contentType": "image/png",
    }
    assert storage.get_bytes(f"temp/{teacher.id}/diagram.png") == png_bytes()
    served = client.get(data["url"], headers=teacher.headers)
    assert served.status_code == 200 and served.content == png_bytes()
    assert served.headers["content-type"] == "image/png"


def test_temp_files_are_private_to_their_uploader(client, teacher, learner):
    url = upload(client, teacher.headers).json()["data"]["url"]
    assert client.get(url, headers=learner.headers).status_code == 404
    assert client.get(url).status_code == 401


@pytest.mark.parametrize(
    ("filename", "data", "extra", "status"),
    [
        ("../escape.png", None, {}, 400),
        ("dir/evil.png", None, {}, 400),
        (".hidden.png", None, {}, 400),
        ("script.js", b"alert(1)", {}, 400),
        ("fake.png", b"<html><script>alert(1)</script></html>", {}, 400),
        ("photo.jpg", None, {}, 400),  # PNG bytes under a .jpg name
        ("diagram.png", None, {"contentType": "image/gif"}, 400),
    ],
)
def test_upload_refuses_unsafe_names_and_mismatched_types(
    client, teacher, storage, filename, data, extra, status
):
    response = upload(client, teacher.headers, filename, data, **extra)
    assert response.status_code == status, response.text
    assert storage.list_keys("temp") == []


def test_upload_refuses_invalid_base64_and_oversized_files(client, teacher, settings):
    bad = client.post(
        "/h5p/media/upload", headers=teacher.headers, json={"filename": "a.png", "data": "!!!"}
    )
    assert bad.status_code == 400
    settings.h5p_media_max_bytes = 10
    assert upload(client, teacher.headers).status_code == 413


def test_uploaded_svg_is_sanitised(client, teacher, storage):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect width="1"/></svg>'
    response = upload(client, teacher.headers, "shape.svg", svg)
    assert response.status_code == 201, response.text
    stored = storage.get_bytes(f"temp/{teacher.id}/shape.svg")
    assert b"script" not in stored and b"onload" not in stored and b"<rect" in stored


def test_attach_copies_uploads_into_owned_content(client, teacher, multichoice, storage):
    upload(client, teacher.headers, "diagram.png")
    upload(client, teacher.headers, "chart.png")

    response = client.post(
        "/h5p/media/attach",
        headers=teacher.headers,
        json={"contentId": multichoice, "files": ["diagram.png", "chart.png"]},
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {
        "contentId": multichoice,
        "attached": ["diagram.png", "chart.png"],
        "count": 2,
        "mediaType": "images",
    }
    assert storage.get_bytes(f"content/{multichoice}/images/chart.png") == png_bytes()
    served = client.get(f"/h5p/content/{multichoice}/images/chart.png", headers=teacher.headers)
    assert served.status_code == 200 and served.content == png_bytes()


def test_attach_reports_missing_files_and_attaches_none(client, teacher, multichoice, storage):
    upload(client, teacher.headers, "diagram.png")
    response = client.post(
        "/h5p/media/attach",
        headers=teacher.headers,
        json={"contentId": multichoice, "files": ["diagram.png", "missing.png"]},
    )
    assert response.status_code == 400
    assert "missing.png" in response.json()["error"]
    assert not storage.exists(f"content/{multichoice}/images/diagram.png")


def test_only_the_owner_may_attach(client, make_account, multichoice, storage):
    other = make_account("teacher")
    upload(client, other.headers, "diagram.png")
    response = client.post(
        "/h5p/media/attach",
        headers=other.headers,
        json={"contentId": multichoice, "files": ["diagram.png"]},
    )
    assert response.status_code == 404
    assert not storage.exists(f"content/{multichoice}/images/diagram.png")


def test_attach_refuses_escaping_names_and_unknown_media_types(client, teacher, multichoice):
    for body in (
        {"contentId": multichoice, "files": ["../../h5p.json"]},
        {"contentId": multichoice, "files": ["a.png"], "mediaType": "../libraries"},
        {"contentId": multichoice, "files": []},
    ):
        assert (
            client.post("/h5p/media/attach", headers=teacher.headers, json=body).status_code == 400
        )


def test_create_attaches_temp_image_files(client, teacher, multichoice, storage):
    from tests.h5p.conftest import MULTICHOICE_PARAMS

    upload(client, teacher.headers, "ai-image.png")
    response = client.post(
        "/h5p/content",
        headers=teacher.headers,
        json={
            "library": "H5P.MultiChoice 1.14",
            "params": MULTICHOICE_PARAMS,
            "tempImageFiles": ["ai-image.png"],
        },
    )
    assert response.status_code == 201, response.text
    content_id = response.json()["data"]["contentId"]
    assert storage.exists(f"content/{content_id}/images/ai-image.png")


def test_sniffing_recognises_common_media():
    assert sniff_type(png_bytes()) == "image/png"
    assert sniff_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_type(b"GIF89a....") == "image/gif"
    assert sniff_type(b"OggS\x00\x02") == "audio/ogg"
    assert sniff_type(b"ID3\x04\x00") == "audio/mpeg"
    assert sniff_type(b"\x00\x00\x00\x18ftypmp42") == "video/mp4"
    assert (
        sniff_type(b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>")
        == "image/svg+xml"
    )
    assert sniff_type(b"plain text") is None
