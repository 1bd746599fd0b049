"""Content upgrades with the library's own upgrades.js, run in V8 by a job.

No older MultiChoice package exists in the fixtures, so the test builds one from the
hub's H5P.MultiChoice 1.14 package: the library folder becomes H5P.MultiChoice-1.13
(library.json minorVersion 13), its semantics take back the 1.13 shape (``media`` a
library field, ``behaviour.disableImageZooming``) and the content's params are written
in that shape. Upgrading to the real 1.14 then runs the package's own hook "1.14"
(media moved to ``media.type``, the zoom flag to ``media.disableImageZooming``).
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from learnloop.h5p.models import H5PContent
from learnloop.main import build_worker
from tests.h5p.conftest import install_libraries, teacher_import

MC = "H5P.MultiChoice"
COPYRIGHT = {"license": "CC BY", "author": "Karen Jackson", "title": "Blackcurrants"}


def _versioned_package(
    source: Path, minor: int, upgrades_js: bytes | None = None, *, old_image: bool = False
) -> bytes:
    """The hub's MultiChoice package as version 1.<minor> (1.13: with 1.13 semantics and
    params in the 1.13 shape). ``old_image``: its H5P.Image 1.1 becomes 1.0, the image
    with its copyright in the file, as content made before Image 1.1 has it."""
    old_folder, new_folder = f"{MC}-1.14/", f"{MC}-1.{minor}/"
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as target:
        for info in original.infolist():
            data = original.read(info.filename)
            name = info.filename
            if old_image and name.startswith("H5P.Image-1.1/"):
                name = "H5P.Image-1.0/" + name[len("H5P.Image-1.1/") :]
                if name == "H5P.Image-1.0/library.json":
                    document = json.loads(data)
                    document["minorVersion"] = 0
                    data = json.dumps(document).encode()
            if name == "h5p.json":
                document = json.loads(data)
                for reference in document["preloadedDependencies"]:
                    if reference["machineName"] == MC:
                        reference["minorVersion"] = str(minor)
                    if old_image and reference["machineName"] == "H5P.Image":
                        reference["minorVersion"] = "0"
                data = json.dumps(document).encode()
            elif name == "content/content.json" and minor == 13:
                params = json.loads(data)
                params["behaviour"]["disableImageZooming"] = params["media"]["disableImageZooming"]
                params["media"] = params["media"]["type"]
                if old_image:
                    params["media"]["library"] = "H5P.Image 1.0"
                    params["media"]["params"]["file"]["copyright"] = COPYRIGHT
                data = json.dumps(params).encode()
            elif name.startswith(old_folder):
                name = new_folder + name[len(old_folder) :]
                if name == f"{new_folder}library.json":
                    document = json.loads(data)
                    document["minorVersion"] = minor
                    data = json.dumps(document).encode()
                elif name == f"{new_folder}semantics.json" and minor == 13:
                    data = json.dumps(_semantics_1_13(json.loads(data), old_image)).encode()
                elif name == f"{new_folder}upgrades.js" and upgrades_js is not None:
                    data = upgrades_js
            target.writestr(name, data)
    return out.getvalue()


def _semantics_1_13(semantics: list[dict[str, Any]], old_image: bool) -> list[dict[str, Any]]:
    fields = copy.deepcopy(semantics)
    for index, field in enumerate(fields):
        if field["name"] == "media":
            library_field = dict(field["fields"][0], name="media")
            if old_image:
                library_field["options"] = ["H5P.Image 1.0", "H5P.Video 1.5"]
            fields[index] = library_field
        elif field["name"] == "behaviour":
            field["fields"].append(
                {"name": "disableImageZooming", "type": "boolean", "default": False}
            )
    return fields


def _old_content(
    client, admin, teacher, hub_dir, *, old_image: bool = False
) -> tuple[str, dict[str, Any]]:
    package = _versioned_package(hub_dir / f"{MC}.h5p", 13, old_image=old_image)
    imported = teacher_import(client, admin.headers, teacher.headers, package, "mc-1.13.h5p")
    assert imported.status_code == 201, imported.text
    content_id = imported.json()["data"]["contentId"]
    params = client.get(f"/h5p/content/{content_id}/params", headers=teacher.headers).json()
    assert params["data"]["library"] == f"{MC} 1.13"
    return content_id, params["data"]["params"]


def _run_jobs(app) -> None:
    build_worker(app.state.services).run_until_idle()


def test_content_on_an_older_minor_is_upgraded_with_the_librarys_upgrades_js(
    client, app, admin, teacher, hub_dir, session
):
    content_id, old_params = _old_content(client, admin, teacher, hub_dir)
    assert old_params["behaviour"]["disableImageZooming"] is True
    assert old_params["media"]["library"] == "H5P.Image 1.1"
    install_libraries(client, admin.headers, hub_dir / f"{MC}.h5p")

    started = client.post(
        "/h5p/libraries/upgrades", headers=admin.headers, json={"library": f"{MC} 1.14"}
    )
    assert started.status_code == 202, started.text
    run = started.json()["data"]
    assert (run["status"], run["total"], run["upgraded"]) == ("pending", 1, 0)

    _run_jobs(app)

    progress = client.get(f"/h5p/libraries/upgrades/{run['id']}", headers=admin.headers)
    assert progress.json()["data"]["status"] == "done"
    assert progress.json()["data"]["upgraded"] == 1
    assert progress.json()["data"]["failed"] == 0
    edited = client.get(f"/h5p/content/{content_id}/params", headers=teacher.headers).json()
    assert edited["data"]["library"] == f"{MC} 1.14"
    new_params = edited["data"]["params"]
    # Hook 1.14 of the package's upgrades.js: media moved under "type", zoom flag beside it.
    assert new_params["media"]["type"]["library"] == "H5P.Image 1.1"
    assert new_params["media"]["type"]["params"]["alt"] == old_params["media"]["params"]["alt"]
    assert new_params["media"]["disableImageZooming"] is True
    assert "disableImageZooming" not in new_params["behaviour"]
    assert new_params["answers"] == old_params["answers"]
    # The old version is no longer used by the content, so it may now be deleted.
    assert client.delete(f"/h5p/libraries/{MC}-1.13", headers=admin.headers).status_code == 200


def test_a_failing_upgrade_script_changes_nothing(client, app, admin, teacher, hub_dir, session):
    content_id, old_params = _old_content(client, admin, teacher, hub_dir)
    throwing = (
        b"var H5PUpgrades = H5PUpgrades || {};\n"
        b"H5PUpgrades['H5P.MultiChoice'] = {1: {15: function (p, finished) {\n"
        b"  throw new Error('cannot upgrade this');\n}}};\n"
    )
    install_libraries(
        client, admin.headers, _versioned_package(hub_dir / f"{MC}.h5p", 15, throwing)
    )

    started = client.post(
        "/h5p/libraries/upgrades",
        headers=admin.headers,
        json={"library": f"{MC} 1.15", "contentId": content_id},
    )
    assert started.status_code == 202, started.text
    _run_jobs(app)

    run = client.get(
        f"/h5p/libraries/upgrades/{started.json()['data']['id']}", headers=admin.headers
    ).json()["data"]
    assert (run["status"], run["upgraded"], run["failed"]) == ("done", 0, 1)
    assert run["errors"][0]["contentId"] == content_id
    assert "cannot upgrade this" in run["errors"][0]["error"]
    session.expire_all()
    content = session.scalars(select(H5PContent).where(H5PContent.id == content_id)).one()
    assert content.params == old_params
    edited = client.get(f"/h5p/content/{content_id}/params", headers=teacher.headers).json()
    assert edited["data"]["library"] == f"{MC} 1.13"


def test_who_may_upgrade_and_bad_requests(client, admin, teacher, learner, hub_dir):
    _old_content(client, admin, teacher, hub_dir)
    install_libraries(client, admin.headers, hub_dir / f"{MC}.h5p")
    body = {"library": f"{MC} 1.14"}

    assert client.post("/h5p/libraries/upgrades", json=body).status_code == 401
    for account in (teacher, learner):
        response = client.post("/h5p/libraries/upgrades", headers=account.headers, json=body)
        assert response.status_code == 403
    bad = [
        ({"library": "H5P.Nothing 1.0"}, 404),
        ({"library": "not a library"}, 400),
        ({"library": f"{MC} 1.13"}, 400),  # nothing older than 1.13
        ({"library": f"{MC} 1.14", "contentId": "missing"}, 404),
        ({"library": 5}, 400),
        ({"library": f"{MC} 1.14", "extra": 1}, 400),
    ]
    for request, status in bad:
        response = client.post("/h5p/libraries/upgrades", headers=admin.headers, json=request)
        assert response.status_code == status, (request, response.text)
    assert client.get("/h5p/libraries/upgrades/unknown", headers=admin.headers).status_code == 404
    assert client.get("/h5p/libraries/upgrades/unknown", headers=teacher.headers).status_code == 403


def test_sub_content_on_a_version_the_new_semantics_no_longer_offers_is_upgraded_too(
    client, app, admin, teacher, hub_dir
):
    content_id, old_params = _old_content(client, admin, teacher, hub_dir, old_image=True)
    assert old_params["media"]["library"] == "H5P.Image 1.0"
    assert old_params["media"]["params"]["file"]["copyright"]["license"] == "CC BY"
    # The real package: H5P.MultiChoice 1.14, whose media field offers H5P.Image 1.1.
    install_libraries(client, admin.headers, hub_dir / f"{MC}.h5p")

    started = client.post(
        "/h5p/libraries/upgrades",
        headers=admin.headers,
        json={"library": f"{MC} 1.14", "contentId": content_id},
    )
    assert started.status_code == 202, started.text
    _run_jobs(app)

    run = client.get(
        f"/h5p/libraries/upgrades/{started.json()['data']['id']}", headers=admin.headers
    ).json()["data"]
    assert (run["upgraded"], run["failed"]) == (1, 0), run
    media = client.get(f"/h5p/content/{content_id}/params", headers=teacher.headers).json()["data"][
        "params"
    ]["media"]
    # H5P.Image's own hook 1.1 moved the file's copyright into the sub-content's metadata.
    assert media["type"]["library"] == "H5P.Image 1.1"
    assert "copyright" not in media["type"]["params"]["file"]
    assert media["type"]["metadata"]["license"] == "CC BY"
    assert media["type"]["metadata"]["authors"] == [{"name": "Karen Jackson", "role": "Author"}]
    assert media["type"]["params"]["alt"] == old_params["media"]["params"]["alt"]
