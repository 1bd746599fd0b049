"""Only admins (or a plan granting ``install-libraries``) install or upgrade libraries.

H5P core's ``canUpdateLibraries``: library code is shared by every content item and runs
in every player, so a teacher who could upgrade it could run script as anyone who plays
content using it (issue 12, item 2).
"""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from learnloop.h5p.libraries import get_library
from learnloop.h5p.models import H5PContent, H5PLibrary
from learnloop.plans.plans import assign_plan, upsert_plan
from tests.h5p.conftest import import_bytes, import_file, install_libraries, rebuild_zip

GREETING = "H5P.GreetingCard-1.0"
GREETING_JS = f"libraries/{GREETING}/greetingcard.js"
PAYLOAD = b"fetch('/api/admin/users', {method: 'POST'}); // the teacher's payload"


def _with_patch(validator_dir, patch: int, script: bytes) -> bytes:
    with zipfile.ZipFile(validator_dir / "valid2.h5p") as archive:
        library_json = json.loads(archive.read(f"{GREETING}/library.json"))
    library_json["patchVersion"] = patch
    return rebuild_zip(
        validator_dir / "valid2.h5p",
        {
            f"{GREETING}/library.json": json.dumps(library_json).encode(),
            f"{GREETING}/greetingcard.js": script,
        },
    )


def _content_count(session) -> int:
    return session.scalar(select(func.count()).select_from(H5PContent)) or 0


def test_a_teachers_higher_patch_with_changed_js_is_refused_and_changes_nothing(
    client, admin, teacher, validator_dir, session, storage
):
    assert import_file(client, admin.headers, validator_dir / "valid2.h5p").status_code == 201
    installed_js = storage.get_bytes(GREETING_JS)
    contents_before = _content_count(session)

    attack = import_bytes(client, teacher.headers, _with_patch(validator_dir, 7, PAYLOAD))

    assert attack.status_code == 403, attack.text
    message = attack.json()["error"]
    assert "H5P.GreetingCard 1.0.7 would upgrade the installed 1.0.6" in message
    assert "admin" in message
    session.expire_all()
    assert get_library(session, ("H5P.GreetingCard", 1, 0)).patch_version == 6  # type: ignore[union-attr]
    assert storage.get_bytes(GREETING_JS) == installed_js
    assert _content_count(session) == contents_before


def test_a_teachers_import_needing_new_libraries_is_refused_naming_them(
    client, teacher, hub_dir, session, storage
):
    response = import_file(client, teacher.headers, hub_dir / "H5P.MultiChoice.h5p")

    assert response.status_code == 403
    message = response.json()["error"]
    assert "H5P.MultiChoice 1.14." in message and "is not installed" in message
    assert "H5P.Question 1.4." in message and "ask an admin" in message.lower()
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0
    assert _content_count(session) == 0
    assert storage.list_keys("") == []


def test_a_teachers_import_of_installed_libraries_works(client, admin, teacher, hub_dir, session):
    install_libraries(client, admin.headers, hub_dir / "H5P.MultiChoice.h5p")
    assert _content_count(session) == 0  # the library upload creates no content

    response = import_file(client, teacher.headers, hub_dir / "H5P.MultiChoice.h5p")

    assert response.status_code == 201, response.text
    assert response.json()["data"]["installedLibraries"] == 0


def test_a_teachers_package_with_byte_identical_or_older_libraries_is_accepted(
    client, admin, teacher, validator_dir, storage
):
    assert import_file(client, admin.headers, validator_dir / "valid2.h5p").status_code == 201
    installed_js = storage.get_bytes(GREETING_JS)

    same = import_file(client, teacher.headers, validator_dir / "valid2.h5p")
    older = import_bytes(client, teacher.headers, _with_patch(validator_dir, 5, PAYLOAD))

    assert same.status_code == 201, same.text
    assert older.status_code == 201, older.text  # its older copy is ignored, not installed
    assert storage.get_bytes(GREETING_JS) == installed_js


def test_an_admins_import_upgrades_a_library(client, admin, validator_dir, session, storage):
    assert import_file(client, admin.headers, validator_dir / "valid2.h5p").status_code == 201

    upgraded = import_bytes(client, admin.headers, _with_patch(validator_dir, 7, b"// v7"))

    assert upgraded.status_code == 201, upgraded.text
    session.expire_all()
    assert get_library(session, ("H5P.GreetingCard", 1, 0)).patch_version == 7  # type: ignore[union-attr]
    assert storage.get_bytes(GREETING_JS) == b"// v7"


def test_the_library_upload_installs_and_upgrades_for_admins_only(
    client, admin, teacher, learner, validator_dir, session, storage
):
    package = _with_patch(validator_dir, 7, b"// v7")
    for caller, status in ((learner, 403), (teacher, 403)):
        refused = client.post(
            "/h5p/libraries/upload",
            headers=caller.headers,
            files={"h5p": ("x.h5p", io.BytesIO(package), "application/zip")},
        )
        assert refused.status_code == status, refused.text
    assert (
        client.post("/h5p/libraries/upload", files={"h5p": ("x.h5p", package)}).status_code == 401
    )
    assert storage.list_keys("") == []

    first = install_libraries(client, admin.headers, validator_dir / "valid2.h5p").json()
    second = install_libraries(client, admin.headers, package).json()

    assert first["data"] == {"installed": ["H5P.GreetingCard 1.0"], "upgraded": []}
    assert second["data"] == {"installed": [], "upgraded": ["H5P.GreetingCard 1.0"]}
    assert storage.get_bytes(GREETING_JS) == b"// v7"
    assert _content_count(session) == 0


def test_a_plan_with_install_libraries_lets_a_teacher_install(
    client, teacher, hub_dir, session, storage
):
    upsert_plan(session, "school", name="School", features=["install-libraries"], quotas={})
    assign_plan(session, session.merge(teacher.user), "school")
    session.commit()

    response = import_file(client, teacher.headers, hub_dir / "H5P.MultiChoice.h5p")

    assert response.status_code == 201, response.text
    assert response.json()["data"]["installedLibraries"] > 1
    assert storage.list_keys("libraries/H5P.MultiChoice-1.14")


def test_the_library_upload_refuses_a_broken_package_and_writes_nothing(
    client, admin, validator_dir, session, storage
):
    for data in (b"not a zip at all", (validator_dir / "corrupt_archive.h5p").read_bytes()):
        response = client.post(
            "/h5p/libraries/upload",
            headers=admin.headers,
            files={"h5p": ("x.h5p", io.BytesIO(data), "application/zip")},
        )
        assert response.status_code == 400, response.text
    missing = client.post("/h5p/libraries/upload", headers=admin.headers)
    assert missing.status_code == 400
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0
    assert storage.list_keys("") == []
