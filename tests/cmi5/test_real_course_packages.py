"""The six real course packages (ADL CATAPULT examples, cmi5 v1 namespace) import with
every AU, block and mastery score of their cmi5.xml."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from learnloop.cmi5.course_structure import parse_course_structure
from tests.conftest import Account

PACKAGES = [
    "single_au_basic_framed.zip",
    "single_au_basic_responsive.zip",
    "masteryscore_framed.zip",
    "masteryscore_responsive.zip",
    "multi_au_framed.zip",
    "pre_post_test_framed.zip",
]


def course_package(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "cmi5" / "course-examples" / name).read_bytes()


@pytest.mark.parametrize("name", PACKAGES)
def test_a_real_course_package_imports_with_its_aus_and_files(
    client: TestClient, teacher: Account, fixtures_dir: Path, name: str
) -> None:
    data = course_package(fixtures_dir, name)
    response = client.post(
        "/api/cmi5/courses",
        headers=teacher.headers,
        files={"file": (name, data, "application/zip")},
    )
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    course = client.get(f"/api/cmi5/courses/{created['id']}", headers=teacher.headers).json()[
        "data"
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = frozenset(archive.namelist())
        expected = parse_course_structure(archive.read("cmi5.xml"), in_zip=True, zip_files=names)
    assert len(expected.aus()) == created["auCount"]
    assert [au["publisherId"] for au in course["aus"]] == [au.publisher_id for au in expected.aus()]
    assert [au["masteryScore"] for au in course["aus"]] == [
        au.mastery_score for au in expected.aus()
    ]
    for au in course["aus"]:
        path = au["url"].split("?", 1)[0]
        served = client.get(f"/cmi5/courses/{created['id']}/files/{path}")
        assert served.status_code == 200, path
