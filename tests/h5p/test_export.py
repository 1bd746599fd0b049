"""Every real hub package imports, and export -> import gives the same content and libraries."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from learnloop.h5p.content import content_libraries
from learnloop.h5p.export.h5p_package import content_disposition, export_filename
from learnloop.h5p.models import H5PContent
from tests.h5p.conftest import import_bytes, teacher_import

HUB = sorted(
    (Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "h5p" / "hub").glob("*.h5p")
)


def _ignored(name: str) -> bool:
    return name.endswith("/") or any(part.startswith((".", "_")) for part in name.split("/"))


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not _ignored(name)}


def _library_folders(entries: dict[str, bytes]) -> set[str]:
    return {
        name.split("/", 1)[0] for name in entries if "/" in name and not name.startswith("content/")
    }


def _export(client, headers, content_id: str):
    response = client.get(f"/h5p/content/{content_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response.content


def test_all_21_hub_packages_are_present():
    assert len(HUB) == 21


@pytest.mark.parametrize("package", HUB, ids=[path.stem for path in HUB])
def test_hub_package_imports_and_round_trips_through_export(
    package, client, admin, teacher, session
):
    # An admin installs the libraries; the teacher's two imports only use them.
    first = teacher_import(client, admin.headers, teacher.headers, package)
    assert first.status_code == 201, first.text
    first_id = first.json()["data"]["contentId"]

    original = _entries(package.read_bytes())
    exported = _export(client, teacher.headers, first_id)
    exported_entries = _entries(exported)

    # The export carries every library of the original package, byte for byte, and
    # every content file.
    assert _library_folders(exported_entries) == _library_folders(original)
    for name, data in original.items():
        if name in ("h5p.json", "content/content.json"):
            continue
        assert exported_entries.get(name) == data, name
    original_h5p = json.loads(original["h5p.json"])
    exported_h5p = json.loads(exported_entries["h5p.json"])
    assert exported_h5p["mainLibrary"] == original_h5p["mainLibrary"]
    assert exported_h5p["title"] == original_h5p["title"]

    second = import_bytes(client, teacher.headers, exported, package.name)
    assert second.status_code == 201, second.text
    assert second.json()["data"]["installedLibraries"] == 0
    second_id = second.json()["data"]["contentId"]

    session.expire_all()
    one, two = session.get(H5PContent, first_id), session.get(H5PContent, second_id)
    assert two.params == one.params
    assert two.title == one.title
    assert two.main_library_id == one.main_library_id
    assert json.loads(exported_entries["content/content.json"]) == one.params
    assert [lib.id for lib in content_libraries(session, second_id)] == [
        lib.id for lib in content_libraries(session, first_id)
    ]
    again = _entries(_export(client, teacher.headers, second_id))
    assert set(again) == set(exported_entries)
    for name, data in exported_entries.items():
        if name.endswith(".json"):
            assert json.loads(again[name]) == json.loads(data), name
        else:
            assert again[name] == data, name


def test_export_file_name_is_safe():
    assert export_filename('../../etc/passwd"; x=1') == "etcpasswd x1.h5p"
    assert "/" not in export_filename("a/b\\c") and '"' not in export_filename('say "hi"')
    assert export_filename("Photosynthesis Quiz") == "Photosynthesis Quiz.h5p"
    assert export_filename("«»") == "content.h5p"
    header = content_disposition("Quiz é/../x")
    assert header.startswith('attachment; filename="Quiz e..x.h5p"')
    assert "filename*=UTF-8''Quiz%20%C3%A9_.._x.h5p" in header


def test_api_created_content_exports_with_everything_it_needs(
    client, teacher, multichoice, session
):
    from tests.h5p.conftest import MULTICHOICE_PARAMS

    created = client.post(
        "/h5p/content",
        headers=teacher.headers,
        json={
            "library": "H5P.MultiChoice 1.14",
            "params": MULTICHOICE_PARAMS,
            "metadata": {"title": "Berries"},
        },
    )
    content_id = created.json()["data"]["contentId"]
    response = client.get(f"/h5p/content/{content_id}/export", headers=teacher.headers)

    assert 'filename="Berries.h5p"' in response.headers["content-disposition"]
    entries = _entries(response.content)
    h5p_json = json.loads(entries["h5p.json"])
    assert h5p_json["mainLibrary"] == "H5P.MultiChoice" and h5p_json["title"] == "Berries"
    assert {"H5P.MultiChoice-1.14", "H5P.Question-1.4", "H5P.JoubelUI-1.3"} <= _library_folders(
        entries
    )
    again = import_bytes(client, teacher.headers, response.content)
    assert again.status_code == 201, again.text
    session.expire_all()
    copy = session.get(H5PContent, again.json()["data"]["contentId"])
    assert copy.params == session.get(H5PContent, content_id).params
