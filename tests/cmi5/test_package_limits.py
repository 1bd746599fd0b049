"""Zip expansion limits of course packages (issue 12 item 11): bombs are refused from the
zip's directory before anything is written."""

from __future__ import annotations

import io
import random
import struct
import zipfile

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.cmi5.models import Cmi5Course
from learnloop.cmi5.packages import MAX_TOTAL_BYTES
from learnloop.storage import LocalFileStorage
from tests.cmi5.course_files import Au, course_xml, course_zip
from tests.conftest import Account

XML = course_xml([Au("https://example.test/aus/1", "index.html")])
PAGE = b"<!doctype html><title>AU</title>"


def _upload(client: TestClient, account: Account, data: bytes) -> Response:
    response: Response = client.post(
        "/api/cmi5/courses", headers=account.headers, files={"file": ("c.zip", data)}
    )
    return response


def _nothing_written(session: Session, storage: LocalFileStorage) -> None:
    assert session.scalar(select(func.count()).select_from(Cmi5Course)) == 0
    assert storage.list_keys("cmi5/") == []


def test_a_file_that_expands_a_thousandfold_is_refused(
    client: TestClient, teacher: Account, session: Session, storage: LocalFileStorage
) -> None:
    package = course_zip(XML, {"index.html": PAGE, "video.mp4": bytes(32 * 2**20)})
    assert len(package) < 100_000
    response = _upload(client, teacher, package)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cmi5.invalid_course"
    assert body["rule"] == "14.1"
    assert "compression ratio" in body["error"]
    _nothing_written(session, storage)


def test_many_small_files_expanding_the_archive_a_hundredfold_are_refused(
    client: TestClient, teacher: Account, session: Session, storage: LocalFileStorage
) -> None:
    # Each file stays under the per-file check; together they expand ~1000-fold.
    files = {f"pad/{n}.txt": bytes(2**20) for n in range(40)}
    response = _upload(client, teacher, course_zip(XML, {"index.html": PAGE, **files}))
    assert response.status_code == 400
    assert "expands implausibly" in response.json()["error"]
    _nothing_written(session, storage)


def _with_declared_size(package: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``name`` in the central directory (a lying
    header: the attack the limits must catch without extracting)."""
    data = bytearray(package)
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == name.encode():
            struct.pack_into("<II", data, offset + 20, size, size)
        offset += 4
    return bytes(data)


def test_a_package_declaring_more_than_the_total_limit_is_refused(
    client: TestClient, teacher: Account, session: Session, storage: LocalFileStorage
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("cmi5.xml", XML)
        archive.writestr("index.html", PAGE)
        for n in range(3):
            archive.writestr(f"big{n}.bin", b"x")
    package = buffer.getvalue()
    for n in range(3):
        package = _with_declared_size(package, f"big{n}.bin", MAX_TOTAL_BYTES // 2)
    response = _upload(client, teacher, package)
    assert response.status_code == 400
    assert "unpacks to more than" in response.json()["error"]
    _nothing_written(session, storage)


def test_duplicate_entries_and_symlinks_are_refused(
    client: TestClient, teacher: Account, session: Session, storage: LocalFileStorage
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cmi5.xml", XML)
        archive.writestr("index.html", PAGE)
        link = zipfile.ZipInfo("secret.html")
        link.external_attr = (0o120777 << 16) | 0
        archive.writestr(link, "/etc/passwd")
    assert _upload(client, teacher, buffer.getvalue()).status_code == 400
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cmi5.xml", XML)
        archive.writestr("index.html", PAGE)
        archive.writestr("index.html", b"<script>evil()</script>")
    response = _upload(client, teacher, buffer.getvalue())
    assert response.status_code == 400
    assert "twice" in response.json()["error"]
    _nothing_written(session, storage)


def test_a_package_within_the_limits_is_imported(client: TestClient, teacher: Account) -> None:
    # A 2 MB media file of random bytes barely compresses: well within limits.
    media = random.Random(13).randbytes(2 * 2**20)
    response = _upload(client, teacher, course_zip(XML, {"index.html": PAGE, "media.bin": media}))
    assert response.status_code == 201, response.text
