"""Every defective package of the shared validator fixtures is refused with its reason."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnloop.h5p.errors import PackageValidationError
from learnloop.h5p.library_validation import ValidationRules
from learnloop.h5p.models import ContentOwnership, H5PContent, H5PLibrary
from learnloop.h5p.package_validation import shortened_name, validate_package
from learnloop.h5p.zip_safety import ZipLimits, open_safe_zip
from tests.h5p.conftest import import_file, rebuild_zip

EXPECTED_ERRORS = {
    "2-invalid-libraries.h5p": ["invalid-language-file", "invalid-schema-library-json-file"],
    "broken-content-json.h5p": ["unable-to-parse-package"],
    "broken-h5p-json.h5p": ["unable-to-parse-package"],
    "corrupt_archive.h5p": ["unable-to-unzip"],
    "invalid-h5p-json-schema.h5p": ["invalid-h5p-json-file-2"],
    "invalid-language-file-json.h5p": ["invalid-language-file-json"],
    "invalid-library-directory-name.h5p": ["library-directory-name-mismatch"],
    "invalid-library-json.h5p": ["invalid-schema-library-json-file"],
    "malformed-library-directory.h5p": ["invalid-library-name"],
    "missing-preloaded-js.h5p": ["library-file-missing"],
}
LIMITS = ZipLimits(
    max_entries=10_000, max_total_bytes=1 << 30, max_file_bytes=1 << 28, max_ratio=200
)


def _nothing_stored(session, storage) -> None:
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0
    assert session.scalar(select(func.count()).select_from(H5PContent)) == 0
    assert session.scalar(select(func.count()).select_from(ContentOwnership)) == 0
    assert storage.list_keys("") == []


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_defective_fixture_is_refused_with_its_reason_and_leaves_nothing(
    name, client, teacher, validator_dir, session, storage
):
    response = import_file(client, teacher.headers, validator_dir / name)

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False
    assert [error["errorId"] for error in body["errors"]] == EXPECTED_ERRORS[name]
    assert body["errorId"] == EXPECTED_ERRORS[name][0]
    assert all(error["message"] for error in body["errors"])
    _nothing_stored(session, storage)


def test_library_needing_a_newer_core_api_is_refused(
    client, teacher, validator_dir, settings, session, storage
):
    settings.h5p_core_api_minor = 1  # the package's library needs core API 1.19

    response = import_file(client, teacher.headers, validator_dir / "invalid-core-version.h5p")

    assert response.status_code == 400
    assert response.json()["errorId"] == "api-version-unsupported"
    assert "1.19" in response.json()["error"]
    _nothing_stored(session, storage)


def test_library_within_our_core_api_is_accepted(client, admin, validator_dir):
    response = import_file(client, admin.headers, validator_dir / "invalid-core-version.h5p")
    assert response.status_code == 201


def test_valid2_is_accepted(client, admin, validator_dir, session, storage):
    response = import_file(client, admin.headers, validator_dir / "valid2.h5p")

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["installedLibraries"] == 1
    content = session.get(H5PContent, data["contentId"])
    assert content is not None and content.title == "Greeting card"
    assert content.params["greeting"] == "Hello world!"
    assert storage.exists(f"content/{data['contentId']}/earth.jpg")
    assert storage.exists("libraries/H5P.GreetingCard-1.0/greetingcard.js")


def test_long_content_file_names_are_shortened_and_references_rewritten(
    client, admin, validator_dir, session, storage
):
    response = import_file(client, admin.headers, validator_dir / "long_content_file_name.h5p")

    assert response.status_code == 201, response.text
    content_id = response.json()["data"]["contentId"]
    content = session.get(H5PContent, content_id)
    path = content.params["image"]["path"]
    original = "images/This_is_a_77_characters_long_name_that_should_be_shortened_by_the_library-R6XCC7Rb3.png"
    assert path != original
    assert path.startswith("images/This_is_a_77") and path.endswith(".png")
    assert len(path.rsplit("/", 1)[1]) <= 64
    assert storage.exists(f"content/{content_id}/{path}")
    assert not storage.exists(f"content/{content_id}/{original}")

    exported = client.get(f"/h5p/content/{content_id}/export", headers=admin.headers)
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert json.loads(archive.read("content/content.json"))["image"]["path"] == path
        assert f"content/{path}" in archive.namelist()


def test_shortened_names_keep_extension_and_stay_unique():
    first = shortened_name("images/" + "a" * 120 + "-one.png", 50)
    second = shortened_name("images/" + "a" * 120 + "-two.png", 50)
    assert first != second
    assert first.endswith(".png") and len(first.rsplit("/", 1)[1]) <= 50
    assert shortened_name("images/short.png", 50) == "images/short.png"


def test_library_only_package_is_refused(client, teacher, validator_dir, session, storage):
    data = rebuild_zip(
        validator_dir / "valid2.h5p", {"h5p.json": None, "content/content.json": None}
    )
    response = client.post(
        "/h5p/import", headers=teacher.headers, files={"h5p": ("libs.h5p", data, "application/zip")}
    )
    assert response.status_code == 400
    assert response.json()["errorId"] == "invalid-h5p-json-file"
    _nothing_stored(session, storage)


@pytest.mark.parametrize(
    ("entry", "error_id"),
    [
        ("content/evil.exe", "not-in-whitelist"),
        ("H5P.GreetingCard-1.0/run.php", "not-in-whitelist"),
    ],
)
def test_files_outside_the_extension_allow_lists_are_refused(
    entry, error_id, client, teacher, validator_dir, session, storage
):
    data = rebuild_zip(validator_dir / "valid2.h5p", {}, extra={entry: b"MZ"})
    response = client.post(
        "/h5p/import", headers=teacher.headers, files={"h5p": ("x.h5p", data, "application/zip")}
    )
    assert response.status_code == 400
    assert response.json()["errorId"] == error_id
    _nothing_stored(session, storage)


def test_missing_dependency_is_refused(client, teacher, validator_dir, session, storage):
    library_json = (
        b'{"title":"Greeting Card","majorVersion":1,"minorVersion":0,"patchVersion":6,'
        b'"runnable":1,"machineName":"H5P.GreetingCard","preloadedJs":[{"path":"greetingcard.js"}],'
        b'"preloadedDependencies":[{"machineName":"H5P.Nowhere","majorVersion":1,"minorVersion":0}]}'
    )
    data = rebuild_zip(
        validator_dir / "valid2.h5p", {"H5P.GreetingCard-1.0/library.json": library_json}
    )
    response = client.post(
        "/h5p/import", headers=teacher.headers, files={"h5p": ("x.h5p", data, "application/zip")}
    )
    assert response.status_code == 400
    assert response.json()["errorId"] == "missing-required-library"
    _nothing_stored(session, storage)


def test_already_installed_library_is_not_validated_again(
    validator_dir: Path, session, client, admin
):
    # Lumi's skipInstalledLibraries: with GreetingCard 1.0.6 installed, the package's copy
    # (which lacks its JS file) is ignored rather than refused.
    assert import_file(client, admin.headers, validator_dir / "valid2.h5p").status_code == 201
    with (validator_dir / "missing-preloaded-js.h5p").open("rb") as handle:
        archive = open_safe_zip(handle, LIMITS)
        try:
            package = validate_package(
                archive, ValidationRules((1, 26), 100), {("H5P.GreetingCard", 1, 0): 6}
            )
        finally:
            archive.close()
    assert package.libraries_to_install == []


def test_validation_collects_all_problems_of_several_libraries(validator_dir: Path):
    with (validator_dir / "2-invalid-libraries.h5p").open("rb") as handle:
        archive = open_safe_zip(handle, LIMITS)
        try:
            with pytest.raises(PackageValidationError) as caught:
                validate_package(archive, ValidationRules((1, 26), 100), {})
        finally:
            archive.close()
    problems = caught.value.problems
    assert [p.details for p in problems] == [
        {"file": "XXX!.json", "library": "H5P.GreetingCard-1.0"},
        {"name": "H5P.GreetingCard2-1.0", "reason": "must have required property 'title'"},
    ]
