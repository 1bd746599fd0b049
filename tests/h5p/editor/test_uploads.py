"""The editor's files action and saving content whose params name "#tmp" uploads."""

from __future__ import annotations

import json
import struct
import zlib

import pytest
from sqlalchemy import select

from learnloop.auth.models import Role
from learnloop.h5p.models import H5PContent, H5PTempFile
from learnloop.plans.plans import assign_plan, upsert_plan
from tests.h5p.conftest import MULTICHOICE_PARAMS

IMAGE_FIELD = json.dumps({"name": "file", "type": "image", "label": "Image"})
VIDEO_FIELD = json.dumps({"name": "files", "type": "video"})


def png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * width * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def send(client, headers, *, name="Photo of me.png", data=None, field=IMAGE_FIELD, extra=None):
    return client.post(
        "/h5p/ajax?action=files",
        headers=headers,
        files={"file": (name, png() if data is None else data, "application/octet-stream")},
        data={"field": field, **(extra or {})},
    )


def temp_rows(session, account):
    session.expire_all()
    return list(session.scalars(select(H5PTempFile).where(H5PTempFile.user_id == account.id)))


def test_an_image_goes_to_the_temp_area_with_its_size(client, teacher, storage, session):
    response = send(client, teacher.headers)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["path"].startswith("images/Photo-of-me-") and data["path"].endswith(".png#tmp")
    assert (data["mime"], data["width"], data["height"]) == ("image/png", 3, 2)
    stored = data["path"].removeprefix("images/").removesuffix("#tmp")
    assert storage.exists(f"temp/{teacher.id}/{stored}")
    assert [row.filename for row in temp_rows(session, teacher)] == [stored]
    assert data["url"] == f"/h5p/temp/{teacher.id}/{stored}"
    preview = client.get(data["url"], headers=teacher.headers, follow_redirects=False)
    assert preview.status_code in (200, 307)


def test_an_svg_is_sanitised_and_sized_from_its_view_box(client, teacher, storage):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30" onload="x()"><script>x()</script></svg>'
    response = send(client, teacher.headers, name="shape.svg", data=svg)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["width"], data["height"]) == (40, 30)
    key = f"temp/{teacher.id}/{data['path'].removeprefix('images/').removesuffix('#tmp')}"
    assert b"script" not in storage.get_bytes(key)


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("clip.png", None, VIDEO_FIELD),  # an image for a video field
        ("photo.mp4", None, IMAGE_FIELD),  # an extension the image field does not take
        ("photo.jpg", None, IMAGE_FIELD),  # PNG bytes under a .jpg name
        ("page.png", b"<html><script>alert(1)</script></html>", IMAGE_FIELD),
        ("noextension", None, IMAGE_FIELD),
        ("empty.png", b"", IMAGE_FIELD),
        ("a.png", None, "{not json"),
        ("a.png", None, json.dumps({"type": "text"})),
        ("a.png", None, json.dumps(["image"])),
        ("a.png", None, '{"type": "image", "label": "\x00"}'),
    ],
)
def test_wrong_uploads_are_400_and_store_nothing(
    client, teacher, storage, session, name, data, field
):
    response = send(client, teacher.headers, name=name, data=data, field=field)
    assert response.status_code == 400, response.text
    assert storage.list_keys("temp") == []
    assert temp_rows(session, teacher) == []


def test_a_raw_nul_in_the_file_name_is_400(client, teacher, storage):
    boundary = "edb0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\n{IMAGE_FIELD}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a\x00.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + png()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/h5p/ajax?action=files",
        headers={**teacher.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=body,
    )
    assert response.status_code == 400, response.text
    assert storage.list_keys("temp") == []


def test_missing_parts_are_400(client, teacher):
    no_field = client.post(
        "/h5p/ajax?action=files", headers=teacher.headers, files={"file": ("a.png", png())}
    )
    assert no_field.status_code == 400
    no_file = client.post(
        "/h5p/ajax?action=files", headers=teacher.headers, data={"field": IMAGE_FIELD}
    )
    assert no_file.status_code == 400


def test_an_oversized_upload_is_413_and_stores_nothing(client, teacher, settings, storage):
    settings.h5p_media_max_bytes = 20
    assert send(client, teacher.headers).status_code == 413
    assert storage.list_keys("temp") == []


def test_an_upload_past_the_storage_quota_is_refused_with_the_quota(
    client, teacher, session, storage
):
    upsert_plan(session, "tiny", name="Tiny", features=[], quotas={"storage-bytes": 10})
    assign_plan(session, session.merge(teacher.user), "tiny")
    session.commit()
    response = send(client, teacher.headers)
    # The storage quota answers as media upload does (413, see learnloop.h5p.storage_quota).
    assert response.status_code == 413
    assert "Storage quota exceeded" in response.json()["error"]
    assert storage.list_keys("temp") == []


def test_content_id_must_be_content_the_caller_owns(client, teacher, make_account, multichoice):
    other = make_account(Role.TEACHER)
    response = send(client, other.headers, extra={"contentId": multichoice})
    assert response.status_code == 404
    assert send(client, teacher.headers, extra={"contentId": multichoice}).status_code == 200


def _params_with_image(path: str) -> dict[str, object]:
    return {
        **MULTICHOICE_PARAMS,
        "media": {
            "type": {
                "library": "H5P.Image 1.1",
                "params": {"file": {"path": path, "mime": "image/png", "width": 3, "height": 2}},
            }
        },
    }


def test_saving_moves_tmp_uploads_into_the_content(client, teacher, multichoice, storage, session):
    path = send(client, teacher.headers).json()["data"]["path"]
    stored = path.removesuffix("#tmp")

    created = client.post(
        "/h5p/content",
        headers=teacher.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": _params_with_image(path)},
    )

    assert created.status_code == 201, created.text
    content_id = created.json()["data"]["contentId"]
    session.expire_all()
    content = session.get(H5PContent, content_id)
    assert content.params["media"]["type"]["params"]["file"]["path"] == stored
    assert content.files_bytes == len(png())
    assert temp_rows(session, teacher) == []
    assert storage.list_keys(f"temp/{teacher.id}") == []
    served = client.get(f"/h5p/content/{content_id}/{stored}", headers=teacher.headers)
    assert served.status_code == 200 and served.content == png()
    play = client.get(f"/h5p/play/{content_id}", headers=teacher.headers)
    assert play.status_code == 200


def test_updating_moves_tmp_uploads_too(client, teacher, multichoice, storage, session):
    path = send(client, teacher.headers).json()["data"]["path"]
    updated = client.put(
        f"/h5p/content/{multichoice}",
        headers=teacher.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": _params_with_image(path)},
    )
    assert updated.status_code == 200, updated.text
    stored = path.removesuffix("#tmp")
    assert storage.exists(f"content/{multichoice}/{stored}")
    assert temp_rows(session, teacher) == []


def test_another_users_tmp_upload_cannot_be_taken(
    client, teacher, make_account, multichoice, storage, session
):
    path = send(client, teacher.headers).json()["data"]["path"]
    other = make_account(Role.TEACHER)

    taken = client.post(
        "/h5p/content",
        headers=other.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": _params_with_image(path)},
    )

    assert taken.status_code == 400, taken.text
    assert "not an upload of yours" in taken.json()["error"]
    assert len(temp_rows(session, teacher)) == 1
    session.expire_all()
    assert session.scalars(select(H5PContent).where(H5PContent.id != multichoice)).all() == []
    for bad in ("images/../x.png#tmp", "scripts/x.png#tmp", "images/missing.png#tmp"):
        refused = client.post(
            "/h5p/content",
            headers=teacher.headers,
            json={"library": "H5P.MultiChoice 1.14", "params": _params_with_image(bad)},
        )
        assert refused.status_code in (400, 422), (bad, refused.text)


FILE_FIELD = json.dumps({"name": "file", "type": "file"})


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("notes.txt", "Grüße\n".encode(), "text/plain"),
        ("captions.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n", "text/vtt"),
        ("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        (
            "sheet.xlsx",
            b"PK\x03\x04rest of a zip",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("clip.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
    ],
)
def test_a_file_field_takes_documents_on_the_allow_list(client, teacher, name, data, mime):
    response = send(client, teacher.headers, name=name, data=data, field=FILE_FIELD)
    assert response.status_code == 200, response.text
    result = response.json()["data"]
    assert result["path"].startswith("files/") and result["mime"] == mime
    assert result["width"] is None


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("page.txt", b"<html><script>alert(1)</script></html>", FILE_FIELD),
        ("bad.txt", b"\xff\xfe\x00binary", FILE_FIELD),
        ("captions.vtt", b"not a caption file", FILE_FIELD),
        ("fake.docx", b"MZ\x90\x00 an executable", FILE_FIELD),
        ("tool.exe", b"MZ\x90\x00", FILE_FIELD),
        ("page.html", b"<p>hi</p>", FILE_FIELD),
        ("notes.txt", b"plain words", IMAGE_FIELD),
    ],
)
def test_a_file_field_refuses_what_is_not_on_the_list_or_not_what_it_says(
    client, teacher, storage, name, data, field
):
    response = send(client, teacher.headers, name=name, data=data, field=field)
    assert response.status_code == 400, response.text
    assert storage.list_keys("temp") == []


def test_a_files_request_that_is_not_multipart_is_400(client, teacher):
    response = client.post(
        "/h5p/ajax?action=files", headers=teacher.headers, json={"file": "x", "field": "{}"}
    )
    assert response.status_code == 400
    two_files = client.post(
        "/h5p/ajax?action=files",
        headers=teacher.headers,
        files=[("file", ("a.png", png())), ("file", ("b.png", png()))],
        data={"field": IMAGE_FIELD},
    )
    assert two_files.status_code == 400
